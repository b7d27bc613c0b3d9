#include "rfo-config.h"
#include "rfo-health-monitor.h"
#include "rfo-log.h"
#include "rfo-private-file.h"

#include <obs-data.h>
#include <stdlib.h>
#include <util/bmem.h>
#include <util/dstr.h>

#ifndef RFO_DEFAULT_CLIENT_ID
#define RFO_DEFAULT_CLIENT_ID ""
#endif
#ifndef RFO_DEFAULT_CLIENT_SECRET
#define RFO_DEFAULT_CLIENT_SECRET ""
#endif
#ifndef RFO_DEFAULT_BROKER_URL
#define RFO_DEFAULT_BROKER_URL ""
#endif

#define S_CLIENT_ID "client_id"
#define S_CLIENT_SECRET "client_secret"
#define S_REDIRECT_PORT "redirect_port"
#define S_HEALTH_GRACE "health_grace_s"
#define S_HEALTH_BITRATE "health_bitrate_pct"

static char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return bstrdup(v && *v ? v : fallback);
}

static char *without_trailing_slash(char *url)
{
	size_t len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		url[--len] = 0;
	return url;
}

void rfo_config_read_app(const char *settings_path, char **client_id, char **client_secret)
{
	obs_data_t *data = settings_path ? obs_data_create_from_json_file_safe(settings_path, "bak") : NULL;
	*client_id = bstrdup(data ? obs_data_get_string(data, S_CLIENT_ID) : "");
	*client_secret = bstrdup(data ? obs_data_get_string(data, S_CLIENT_SECRET) : "");
	obs_data_release(data);
}

static uint16_t valid_port(long long port)
{
	return port >= 1024 && port <= 65535 ? (uint16_t)port : 0;
}

uint16_t rfo_config_read_redirect_port(const char *settings_path)
{
	obs_data_t *data = settings_path ? obs_data_create_from_json_file_safe(settings_path, "bak") : NULL;
	uint16_t port = data ? valid_port(obs_data_get_int(data, S_REDIRECT_PORT)) : 0;
	obs_data_release(data);
	return port ? port : RFO_DEFAULT_REDIRECT_PORT;
}

char *rfo_config_redirect_uri(uint16_t port)
{
	struct dstr uri = {0};
	dstr_printf(&uri, "http://127.0.0.1:%u/callback", port);
	return uri.array;
}

bool rfo_config_write_app(const char *settings_path, const char *client_id, const char *client_secret,
			  uint16_t redirect_port)
{
	obs_data_t *data = obs_data_create_from_json_file_safe(settings_path, "bak");
	if (!data)
		data = obs_data_create();
	obs_data_set_string(data, S_CLIENT_ID, client_id);
	obs_data_set_string(data, S_CLIENT_SECRET, client_secret);
	obs_data_set_int(data, S_REDIRECT_PORT, valid_port(redirect_port) ? redirect_port : RFO_DEFAULT_REDIRECT_PORT);
	bool ok = rfo_private_file_save(data, settings_path);
	obs_data_release(data);
	if (!ok)
		rfo_log(LOG_WARNING, "could not save the plugin settings");
	return ok;
}

static int in_range(long long v, int lo, int hi, int def)
{
	return v >= lo && v <= hi ? (int)v : def;
}

void rfo_config_read_health(const char *settings_path, int *grace_s, int *bitrate_pct)
{
	obs_data_t *data = settings_path ? obs_data_create_from_json_file_safe(settings_path, "bak") : NULL;
	*grace_s = in_range(data ? obs_data_get_int(data, S_HEALTH_GRACE) : 0, RFO_HEALTH_MIN_GRACE_S,
			    RFO_HEALTH_MAX_GRACE_S, RFO_HEALTH_DEFAULT_GRACE_S);
	*bitrate_pct = in_range(data ? obs_data_get_int(data, S_HEALTH_BITRATE) : 0, RFO_HEALTH_MIN_BITRATE_PCT,
				RFO_HEALTH_MAX_BITRATE_PCT, RFO_HEALTH_DEFAULT_BITRATE_PCT);
	obs_data_release(data);
}

bool rfo_config_write_health(const char *settings_path, int grace_s, int bitrate_pct)
{
	obs_data_t *data = obs_data_create_from_json_file_safe(settings_path, "bak");
	if (!data)
		data = obs_data_create();
	obs_data_set_int(data, S_HEALTH_GRACE,
			 in_range(grace_s, RFO_HEALTH_MIN_GRACE_S, RFO_HEALTH_MAX_GRACE_S, RFO_HEALTH_DEFAULT_GRACE_S));
	obs_data_set_int(data, S_HEALTH_BITRATE,
			 in_range(bitrate_pct, RFO_HEALTH_MIN_BITRATE_PCT, RFO_HEALTH_MAX_BITRATE_PCT,
				  RFO_HEALTH_DEFAULT_BITRATE_PCT));
	bool ok = rfo_private_file_save(data, settings_path);
	obs_data_release(data);
	if (!ok)
		rfo_log(LOG_WARNING, "could not save the plugin settings");
	return ok;
}

bool rfo_config_test_and_set(const char *settings_path, const char *flag)
{
	obs_data_t *data = obs_data_create_from_json_file_safe(settings_path, "bak");
	if (!data)
		data = obs_data_create();
	bool was_set = obs_data_get_bool(data, flag);
	if (!was_set) {
		obs_data_set_bool(data, flag, true);
		rfo_private_file_save(data, settings_path);
	}
	obs_data_release(data);
	return was_set;
}

static bool env_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v;
}

/* The mode, and the credentials it uses: RESTREAM_BROKER_URL > the user's own app (settings, or a build-time
 * secret) > the build-time broker. The environment's id and secret (the emulator) override the settings. In
 * broker mode no secret is read at all. */
static void resolve_sign_in(struct rfo_config *cfg, const char *app_id, const char *app_secret)
{
	bool env_broker = env_set("RESTREAM_BROKER_URL");
	if (!env_broker) {
		cfg->client_id = env_or("RESTREAM_CLIENT_ID", *app_id ? app_id : RFO_DEFAULT_CLIENT_ID);
		cfg->client_secret =
			env_or("RESTREAM_CLIENT_SECRET", *app_secret ? app_secret : RFO_DEFAULT_CLIENT_SECRET);
		if (*cfg->client_secret || !*RFO_DEFAULT_BROKER_URL || cfg->token_broker) {
			cfg->broker_url = bstrdup("");
			cfg->sign_in_mode = !*cfg->client_id ? RFO_SIGN_IN_NONE
					    : env_set("RESTREAM_CLIENT_ID") && env_set("RESTREAM_CLIENT_SECRET")
						    ? RFO_SIGN_IN_EMULATOR
						    : RFO_SIGN_IN_OWN_APP;
			return;
		}
		bfree(cfg->client_id);
		bfree(cfg->client_secret);
	}
	cfg->broker_url = without_trailing_slash(env_or("RESTREAM_BROKER_URL", RFO_DEFAULT_BROKER_URL));
	cfg->client_id = env_or("RESTREAM_CLIENT_ID", RFO_DEFAULT_CLIENT_ID);
	cfg->client_secret = bstrdup("");
	cfg->sign_in_mode = *cfg->client_id ? RFO_SIGN_IN_BROKER : RFO_SIGN_IN_NONE;
}

const char *rfo_config_mode_name(enum rfo_sign_in_mode mode)
{
	switch (mode) {
	case RFO_SIGN_IN_BROKER:
		return "token broker";
	case RFO_SIGN_IN_OWN_APP:
		return "own Restream app";
	case RFO_SIGN_IN_EMULATOR:
		return "client from the environment (emulator)";
	default:
		return "none";
	}
}

void rfo_config_load(struct rfo_config *cfg, const char *settings_path)
{
	/* with a broker from the environment the settings' own-app secret is not even read */
	char *app_id = NULL, *app_secret = NULL;
	if (env_set("RESTREAM_BROKER_URL")) {
		app_id = bstrdup("");
		app_secret = bstrdup("");
	} else {
		rfo_config_read_app(settings_path, &app_id, &app_secret);
	}

	cfg->api_url = without_trailing_slash(env_or("RESTREAM_API_URL", "https://api.restream.io"));
	cfg->chat_url = env_or("RESTREAM_CHAT_URL", "wss://chat.api.restream.io/ws");
	cfg->streaming_url = env_or("RESTREAM_STREAMING_URL", "wss://streaming.api.restream.io/ws");

	const char *broker = getenv("RESTREAM_TOKEN_URL");
	cfg->token_broker = broker && *broker;
	if (cfg->token_broker) {
		cfg->token_url = bstrdup(broker);
	} else {
		struct dstr url = {0};
		dstr_printf(&url, "%s/oauth/token", cfg->api_url);
		cfg->token_url = url.array;
	}
	struct dstr revoke = {0};
	dstr_printf(&revoke, "%s/oauth/revoke", cfg->api_url);
	cfg->revoke_url = revoke.array;

	const char *port_env = getenv("RESTREAM_REDIRECT_PORT");
	cfg->redirect_port = port_env && *port_env ? valid_port(strtoll(port_env, NULL, 10)) : 0;
	if (!cfg->redirect_port)
		cfg->redirect_port = rfo_config_read_redirect_port(settings_path);
	resolve_sign_in(cfg, app_id, app_secret);
	bfree(app_id);
	bfree(app_secret);
}

void rfo_config_free(struct rfo_config *cfg)
{
	bfree(cfg->api_url);
	bfree(cfg->chat_url);
	bfree(cfg->streaming_url);
	bfree(cfg->token_url);
	bfree(cfg->revoke_url);
	bfree(cfg->client_id);
	bfree(cfg->client_secret);
	bfree(cfg->broker_url);
	memset(cfg, 0, sizeof(*cfg));
}
