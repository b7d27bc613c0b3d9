#pragma once

#include <stdbool.h>
#include <stdint.h>

/* How the plugin signs in (docs/architecture.md "Sign-in"). */
enum rfo_sign_in_mode {
	RFO_SIGN_IN_NONE,     /* no client id: sign-in is off */
	RFO_SIGN_IN_BROKER,   /* a token broker holds the secret: RESTREAM_BROKER_URL or the build-time broker */
	RFO_SIGN_IN_OWN_APP,  /* the user's own Restream app: client id + secret from the settings (or the build) */
	RFO_SIGN_IN_EMULATOR, /* client id + secret from the environment (the emulator: --demo and the tests) */
};

/* The own-app redirect port when the user chose none: below Linux's ephemeral range (32768-60999), so an
 * outgoing connection never holds it; not an IANA-named port (/etc/services); and not one another Restream
 * client registers (8081, 8765, 12000), so both can run at once. */
#define RFO_DEFAULT_REDIRECT_PORT 28765

/* Where the plugin talks to and as whom, resolved once at start:
 * environment (the RESTREAM_* overrides in the README) > the plugin's settings file > build-time defaults. */
struct rfo_config {
	char *api_url;          /* RESTREAM_API_URL, default https://api.restream.io */
	char *chat_url;         /* RESTREAM_CHAT_URL */
	char *streaming_url;    /* RESTREAM_STREAMING_URL */
	char *token_url;        /* RESTREAM_TOKEN_URL, default <api_url>/oauth/token */
	char *revoke_url;       /* <api_url>/oauth/revoke */
	char *client_id;        /* RESTREAM_CLIENT_ID > settings > RFO_CLIENT_ID */
	char *client_secret;    /* RESTREAM_CLIENT_SECRET > settings > RFO_CLIENT_SECRET; may be empty */
	bool token_broker;      /* RESTREAM_TOKEN_URL given: the broker adds the secret itself */
	char *broker_url;       /* RESTREAM_BROKER_URL > RFO_BROKER_URL (build), broker mode only; else "" */
	uint16_t redirect_port; /* RESTREAM_REDIRECT_PORT > settings > RFO_DEFAULT_REDIRECT_PORT */
	enum rfo_sign_in_mode sign_in_mode;
};

/* The mode's name for the log ("token broker", …). Static string. */
const char *rfo_config_mode_name(enum rfo_sign_in_mode mode);

/* Reads the environment and `settings_path` (obs_data JSON; may not exist). */
void rfo_config_load(struct rfo_config *cfg, const char *settings_path);
void rfo_config_free(struct rfo_config *cfg);

/* The app credentials a user entered in Tools → Restream settings (bstrdup'd, "" when unset). */
void rfo_config_read_app(const char *settings_path, char **client_id, char **client_secret);
/* The own-app redirect port chosen in Tools → Restream settings (RFO_DEFAULT_REDIRECT_PORT when unset). */
uint16_t rfo_config_read_redirect_port(const char *settings_path);
/* "http://127.0.0.1:<port>/callback" (bfree). */
char *rfo_config_redirect_uri(uint16_t port);
/* The health alerts' grace period (s) and bitrate threshold (% of what OBS sends) from Tools → Restream settings;
 * the defaults (15 s, 50 %) when unset or out of range. */
void rfo_config_read_health(const char *settings_path, int *grace_s, int *bitrate_pct);
bool rfo_config_write_health(const char *settings_path, int grace_s, int bitrate_pct);
/* A one-time flag in the settings file (e.g. "dock_revealed"): returns its old value and sets it. */
bool rfo_config_test_and_set(const char *settings_path, const char *flag);
/* Saves them atomically, mode 0600 (rfo_private_file_save): the file holds the client secret. */
bool rfo_config_write_app(const char *settings_path, const char *client_id, const char *client_secret,
			  uint16_t redirect_port);
