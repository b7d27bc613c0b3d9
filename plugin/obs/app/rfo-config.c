#include "rfo-config.h"
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

#define S_CLIENT_ID "client_id"
#define S_CLIENT_SECRET "client_secret"

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

bool rfo_config_write_app(const char *settings_path, const char *client_id, const char *client_secret)
{
	obs_data_t *data = obs_data_create_from_json_file_safe(settings_path, "bak");
	if (!data)
		data = obs_data_create();
	obs_data_set_string(data, S_CLIENT_ID, client_id);
	obs_data_set_string(data, S_CLIENT_SECRET, client_secret);
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

void rfo_config_load(struct rfo_config *cfg, const char *settings_path)
{
	char *app_id, *app_secret;
	rfo_config_read_app(settings_path, &app_id, &app_secret);

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

	cfg->client_id = env_or("RESTREAM_CLIENT_ID", *app_id ? app_id : RFO_DEFAULT_CLIENT_ID);
	cfg->client_secret = env_or("RESTREAM_CLIENT_SECRET", *app_secret ? app_secret : RFO_DEFAULT_CLIENT_SECRET);
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
	memset(cfg, 0, sizeof(*cfg));
}
