#include "rfo-controller.h"
#include "rfo-account.h"
#include "rfo-api.h"
#include "rfo-auth.h"
#include "rfo-feature.h"
#include "rfo-http.h"
#include "rfo-log.h"
#include "rfo-private-file.h"
#include "rfo-token-store.h"
#include "rfo-text.h"
#include "rfo-ui.h"
#include "rfo-url.h"
#include "rfo-vendor.h"

#include <obs-module.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/platform.h>
#include <util/threading.h>

#define MAX_SUBSCRIBERS 8
#define RFO_VENDOR_DRAIN_MS 500 /* of OBS's 1 s to quit: requests waiting for Restream are woken by then */

struct subscriber {
	rfo_session_cb cb;
	void *param;
};

struct controller {
	bool created; /* UI thread only (module load/unload) */
	/* Set on the UI thread, read by every thread through running(): between create and stop. */
	volatile bool running;
	char *settings_path;
	char *config_dir;
	struct rfo_config config;
	struct rfo_token_store *store;
	struct rfo_auth *auth;
	struct rfo_http *http;

	/* Guards the fields below (session subscribers, link states, serviceActive). A leaf lock: subscribers are
	 * called after it is released. */
	pthread_mutex_t mutex;
	struct subscriber subscribers[MAX_SUBSCRIBERS];
	size_t subscriber_count;
	const char *links[2];
	bool service_active;
};

static struct controller ctl;

static inline bool running(void)
{
	return os_atomic_load_bool(&ctl.running);
}

static void ui_load_app_settings(struct rfo_ui_app_settings *out)
{
	char *id, *secret;
	rfo_config_read_app(ctl.settings_path, &id, &secret);
	snprintf(out->client_id, sizeof(out->client_id), "%s", id);
	snprintf(out->client_secret, sizeof(out->client_secret), "%s", secret);
	out->redirect_port = rfo_config_read_redirect_port(ctl.settings_path);
	rfo_config_read_health(ctl.settings_path, &out->health_grace_s, &out->health_bitrate_pct);
	char *uri = rfo_config_redirect_uri(out->redirect_port);
	snprintf(out->redirect_uri, sizeof(out->redirect_uri), "%s", uri);
	bfree(uri);
	const char *key = ctl.config.sign_in_mode == RFO_SIGN_IN_BROKER     ? "Settings.Mode.Broker"
			  : ctl.config.sign_in_mode == RFO_SIGN_IN_EMULATOR ? "Settings.Mode.Environment"
			  : ctl.config.sign_in_mode == RFO_SIGN_IN_OWN_APP  ? "Settings.Mode.OwnApp"
									    : "Settings.Mode.None";
	snprintf(out->sign_in_mode, sizeof(out->sign_in_mode), "%s", obs_module_text(key));
	bfree(id);
	bfree(secret);
}

static void ui_save_app_settings(const struct rfo_ui_app_settings *in)
{
	rfo_config_write_app(ctl.settings_path, in->client_id, in->client_secret, in->redirect_port);
	rfo_config_write_health(ctl.settings_path, in->health_grace_s, in->health_bitrate_pct);
}

static const struct rfo_ui_actions ui_actions = {
	.sign_in = rfo_account_sign_in,
	.sign_out = rfo_account_sign_out,
	.load_app_settings = ui_load_app_settings,
	.save_app_settings = ui_save_app_settings,
};

const struct rfo_ui_actions *rfo_controller_ui_actions(void)
{
	return &ui_actions;
}

static void no_account(const struct rfo_ui_account *account)
{
	UNUSED_PARAMETER(account);
}

static bool no_browser(const char *url)
{
	UNUSED_PARAMETER(url);
	return false;
}

static void no_reveal(void) {}

static const struct rfo_ui_dock no_dock = {no_account, no_browser, no_reveal};
static const struct rfo_ui_dock *ui_dock = &no_dock; /* UI thread only */

void rfo_controller_set_dock(const struct rfo_ui_dock *dock)
{
	ui_dock = dock ? dock : &no_dock;
}

const struct rfo_ui_dock *rfo_controller_dock(void)
{
	return ui_dock;
}

static void notify_session(void)
{
	struct subscriber copy[MAX_SUBSCRIBERS];
	pthread_mutex_lock(&ctl.mutex);
	size_t n = ctl.subscriber_count;
	memcpy(copy, ctl.subscribers, sizeof(copy));
	pthread_mutex_unlock(&ctl.mutex);
	for (size_t i = 0; i < n; i++)
		copy[i].cb(copy[i].param);
}

static void on_auth_state(void *param, enum rfo_auth_state state)
{
	rfo_account_on_state(param, state);
	notify_session();
}

static void on_auth_token(void *param)
{
	rfo_account_on_token(param);
	notify_session();
}

static void create_auth(void)
{
	const struct rfo_config *cfg = &ctl.config;
	if (!*cfg->client_id) {
		rfo_log(LOG_WARNING, "no Restream client id is configured (Tools → Restream settings); sign-in is off");
		return;
	}
	if (cfg->sign_in_mode == RFO_SIGN_IN_BROKER)
		rfo_log(LOG_INFO, "sign-in mode: %s (%s)", rfo_config_mode_name(cfg->sign_in_mode), cfg->broker_url);
	else
		rfo_log(LOG_INFO, "sign-in mode: %s, redirect URI http://127.0.0.1:%u/callback",
			rfo_config_mode_name(cfg->sign_in_mode), cfg->redirect_port);
	ctl.store = rfo_token_store_create(ctl.config_dir, RFO_TOKEN_STORE_AUTO);
	struct rfo_auth_config ac = {
		.api_url = cfg->api_url,
		.token_url = cfg->token_broker ? cfg->token_url : NULL,
		.revoke_url = cfg->revoke_url,
		.client_id = cfg->client_id,
		.client_secret = cfg->client_secret,
		.broker_url = cfg->broker_url,
		.redirect_port = cfg->redirect_port,
		.store = ctl.store,
		.pages =
			{
				.title = obs_module_text("Redirect.Title"),
				.success = obs_module_text("Redirect.Success"),
				.denied = obs_module_text("Redirect.Denied"),
				.error = obs_module_text("Redirect.Error"),
				.rejected = obs_module_text("Redirect.Rejected"),
			},
		.on_state = on_auth_state,
		.on_token = on_auth_token,
	};
	struct rfo_error err = {0};
	ctl.auth = rfo_auth_create(&ac, &err);
	if (!ctl.auth)
		rfo_log(LOG_WARNING, "sign-in is unavailable: %s", err.message);
}

bool rfo_controller_create(void)
{
	if (ctl.created)
		return true;
	pthread_mutex_init(&ctl.mutex, NULL);
	ctl.links[RFO_LINK_CHAT] = ctl.links[RFO_LINK_STREAMING] = "disconnected";
	ctl.settings_path = obs_module_config_path("settings.json");
	ctl.config_dir = obs_module_config_path("");
	rfo_private_dir_make(ctl.config_dir); /* 0700 before anything is written into it */
	rfo_config_load(&ctl.config, ctl.settings_path);

	ctl.http = rfo_http_create("rfo-http");
	create_auth();
	/* Running from here on: features may dispatch UI work from their create. */
	os_atomic_set_bool(&ctl.running, true);
	ctl.created = true;
	rfo_features_reopen();
	size_t n = 0;
	const struct rfo_feature *const *features = rfo_app_features(&n);
	rfo_features_create(features, n);
	if (ctl.auth)
		rfo_auth_restore(ctl.auth);
	return true;
}

void rfo_controller_frontend_loaded(void)
{
	size_t n = 0;
	const struct rfo_feature *const *features = rfo_app_features(&n);
	rfo_features_start(features, n);
	if (!rfo_config_test_and_set(ctl.settings_path, "dock_revealed"))
		ui_dock->reveal();
}

bool rfo_controller_running(void)
{
	return running();
}

const struct rfo_config *rfo_controller_config(void)
{
	return &ctl.config;
}

struct rfo_auth *rfo_controller_auth(void)
{
	return running() ? ctl.auth : NULL;
}

struct rfo_http *rfo_controller_http(void)
{
	return running() ? ctl.http : NULL;
}

const char *rfo_controller_settings_path(void)
{
	return ctl.settings_path;
}

/* The request engines' transport: the HTTP worker while running (a stopped one refuses). */
static bool api_submit(void *ctx, const struct rfo_http_request *req, rfo_http_done_fn done, void *param)
{
	UNUSED_PARAMETER(ctx);
	return rfo_http_submit(rfo_controller_http(), req, done, param);
}

static bool api_get_token(void *ctx, char **token_out)
{
	UNUSED_PARAMETER(ctx);
	struct rfo_auth *auth = rfo_controller_auth();
	return auth && rfo_auth_get_token(auth, token_out);
}

static void api_report_rejected(void *ctx, const char *token)
{
	UNUSED_PARAMETER(ctx);
	struct rfo_auth *auth = rfo_controller_auth();
	if (auth)
		rfo_auth_report_rejected(auth, token);
}

void rfo_controller_api_config(struct rfo_api_config *config)
{
	config->base_url = ctl.config.api_url;
	config->transport = (struct rfo_api_transport){api_submit, NULL};
	config->tokens = (struct rfo_api_tokens){api_get_token, api_report_rejected, NULL};
	config->text = obs_module_text;
}

static void wipe_free(char *secret)
{
	if (!secret)
		return;
	volatile char *p = secret;
	while (*p)
		*p++ = 0;
	bfree(secret);
}

static char *current_token(void)
{
	char *token = NULL;
	struct rfo_auth *auth = rfo_controller_auth();
	if (!auth || rfo_auth_get_state(auth) != RFO_AUTH_SIGNED_IN || !rfo_auth_get_token(auth, &token))
		return NULL;
	return token;
}

char *rfo_controller_socket_url(const char *base, uint64_t *token_hash)
{
	*token_hash = 0;
	char *token = base ? current_token() : NULL;
	if (!token)
		return NULL;
	char *url = rfo_url_with_query(base, "accessToken", token);
	*token_hash = rfo_text_hash(token);
	wipe_free(token);
	return url;
}

uint64_t rfo_controller_token_hash(void)
{
	struct rfo_auth *auth = rfo_controller_auth();
	char *token = NULL;
	uint64_t h = auth && rfo_auth_get_token(auth, &token) ? rfo_text_hash(token) : 0;
	wipe_free(token);
	return h;
}

void rfo_controller_on_session(rfo_session_cb cb, void *param)
{
	pthread_mutex_lock(&ctl.mutex);
	if (ctl.subscriber_count < MAX_SUBSCRIBERS)
		ctl.subscribers[ctl.subscriber_count++] = (struct subscriber){cb, param};
	pthread_mutex_unlock(&ctl.mutex);
}

void rfo_controller_set_link(enum rfo_link link, const char *state)
{
	pthread_mutex_lock(&ctl.mutex);
	ctl.links[link] = state;
	pthread_mutex_unlock(&ctl.mutex);
}

void rfo_controller_set_service_active(bool active)
{
	pthread_mutex_lock(&ctl.mutex);
	ctl.service_active = active;
	pthread_mutex_unlock(&ctl.mutex);
}

bool rfo_controller_service_active(void)
{
	pthread_mutex_lock(&ctl.mutex);
	bool active = ctl.service_active;
	pthread_mutex_unlock(&ctl.mutex);
	return active;
}

void rfo_controller_fill_links(obs_data_t *out)
{
	obs_data_set_string(out, "pluginVersion", PLUGIN_VERSION);
	pthread_mutex_lock(&ctl.mutex);
	obs_data_set_string(out, "chat", ctl.links[RFO_LINK_CHAT] ? ctl.links[RFO_LINK_CHAT] : "disconnected");
	obs_data_set_string(out, "streaming",
			    ctl.links[RFO_LINK_STREAMING] ? ctl.links[RFO_LINK_STREAMING] : "disconnected");
	obs_data_set_bool(out, "serviceActive", ctl.service_active);
	pthread_mutex_unlock(&ctl.mutex);
}

void rfo_controller_stop(void)
{
	if (!ctl.created || !running())
		return;
	os_atomic_set_bool(&ctl.running, false);
	uint64_t t0 = os_gettime_ns();
	size_t n = 0;
	const struct rfo_feature *const *features = rfo_app_features(&n);
	rfo_features_stop(features, n);
	/* Vendor requests still inside the plugin may hold the auth session, the HTTP worker or a feature's state: new
	 * ones are turned away now, and those running get out before what they use is freed. Those not waiting for
	 * Restream leave at once; those waiting for an HTTP answer leave when the worker cancels it (second drain). */
	rfo_features_drain(RFO_VENDOR_DRAIN_MS / 2);
	/* Join every thread: the auth session first (it uses the store), then the HTTP worker. */
	rfo_auth_destroy(ctl.auth);
	ctl.auth = NULL;
	rfo_http_stop(ctl.http);
	if (!rfo_features_drain(RFO_VENDOR_DRAIN_MS / 2))
		rfo_log(LOG_WARNING, "a vendor request was still running at quit");
	rfo_http_destroy(ctl.http);
	ctl.http = NULL;
	rfo_token_store_destroy(ctl.store);
	ctl.store = NULL;
	/* OBS has 1 s to quit: this is the plugin's share of it */
	rfo_log(LOG_INFO, "stopped in %llu ms", (unsigned long long)((os_gettime_ns() - t0) / 1000000ULL));
}

void rfo_controller_destroy(void)
{
	if (!ctl.created)
		return;
	rfo_controller_stop();
	size_t n = 0;
	const struct rfo_feature *const *features = rfo_app_features(&n);
	rfo_features_destroy(features, n);
	rfo_config_free(&ctl.config);
	bfree(ctl.settings_path);
	bfree(ctl.config_dir);
	pthread_mutex_destroy(&ctl.mutex);
	memset(&ctl, 0, sizeof(ctl));
}

void rfo_controller_register_vendor(void)
{
	size_t n = 0;
	const struct rfo_feature *const *features = rfo_app_features(&n);
	rfo_features_register(features, n, rfo_vendor_register);
}
