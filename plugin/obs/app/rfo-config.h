#pragma once

#include <stdbool.h>

/* Where the plugin talks to and as whom, resolved once at start:
 * environment (the RESTREAM_* overrides in the README) > the plugin's settings file > build-time defaults. */
struct rfo_config {
	char *api_url;       /* RESTREAM_API_URL, default https://api.restream.io */
	char *chat_url;      /* RESTREAM_CHAT_URL */
	char *streaming_url; /* RESTREAM_STREAMING_URL */
	char *token_url;     /* RESTREAM_TOKEN_URL, default <api_url>/oauth/token */
	char *revoke_url;    /* <api_url>/oauth/revoke */
	char *client_id;     /* RESTREAM_CLIENT_ID > settings > RFO_CLIENT_ID */
	char *client_secret; /* RESTREAM_CLIENT_SECRET > settings > RFO_CLIENT_SECRET; may be empty */
	bool token_broker;   /* RESTREAM_TOKEN_URL given: the broker adds the secret itself */
};

/* Reads the environment and `settings_path` (obs_data JSON; may not exist). */
void rfo_config_load(struct rfo_config *cfg, const char *settings_path);
void rfo_config_free(struct rfo_config *cfg);

/* The app credentials a user entered in Tools → Restream settings (bstrdup'd, "" when unset). */
void rfo_config_read_app(const char *settings_path, char **client_id, char **client_secret);
/* A one-time flag in the settings file (e.g. "dock_revealed"): returns its old value and sets it. */
bool rfo_config_test_and_set(const char *settings_path, const char *flag);
/* Saves them atomically (obs_data_save_json_safe). */
bool rfo_config_write_app(const char *settings_path, const char *client_id, const char *client_secret);
