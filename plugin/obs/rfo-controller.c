#include "rfo-controller.h"
#include "rfo-config.h"
#include "rfo-log.h"
#include "rfo-ui.h"

#include <obs-module.h>
#include <util/bmem.h>
#include <util/platform.h>
#include <util/threading.h>

#define RFO_REDIRECT_HINT "http://localhost:<port>/callback"

struct controller {
	bool created;
	bool stopped;
	char *settings_path;
	struct rfo_config config;
	pthread_mutex_t mutex;
	char last_error[256];
};

static struct controller ctl;

static void ui_sign_in(void)
{
	/* Sign-in is wired in by the auth feature; until then say so instead of pretending. */
	struct rfo_ui_account account = {RFO_UI_SIGNED_OUT, NULL, NULL, obs_module_text("Dock.SignInUnavailable"),
					 NULL};
	rfo_ui_set_account(&account);
}

static void ui_sign_out(void) {}

static void ui_load_app_settings(struct rfo_ui_app_settings *out)
{
	char *id, *secret;
	rfo_config_read_app(ctl.settings_path, &id, &secret);
	snprintf(out->client_id, sizeof(out->client_id), "%s", id);
	snprintf(out->client_secret, sizeof(out->client_secret), "%s", secret);
	snprintf(out->redirect_uri, sizeof(out->redirect_uri), "%s", RFO_REDIRECT_HINT);
	bfree(id);
	bfree(secret);
}

static void ui_save_app_settings(const struct rfo_ui_app_settings *in)
{
	rfo_config_write_app(ctl.settings_path, in->client_id, in->client_secret);
}

static const struct rfo_ui_actions ui_actions = {
	.sign_in = ui_sign_in,
	.sign_out = ui_sign_out,
	.load_app_settings = ui_load_app_settings,
	.save_app_settings = ui_save_app_settings,
};

bool rfo_controller_create(void)
{
	if (ctl.created)
		return true;
	pthread_mutex_init(&ctl.mutex, NULL);
	ctl.settings_path = obs_module_config_path("settings.json");
	char *dir = obs_module_config_path("");
	if (dir && os_mkdirs(dir) == MKDIR_ERROR)
		rfo_log(LOG_WARNING, "could not create the plugin's config folder");
	bfree(dir);
	rfo_config_load(&ctl.config, ctl.settings_path);
	ctl.created = true;
	return true;
}

const struct rfo_ui_actions *rfo_controller_ui_actions(void)
{
	return &ui_actions;
}

void rfo_controller_ui_ready(void)
{
	struct rfo_ui_account account = {RFO_UI_SIGNED_OUT, NULL, NULL, NULL, NULL};
	rfo_ui_set_account(&account);
}

void rfo_controller_frontend_loaded(void)
{
	if (!rfo_config_test_and_set(ctl.settings_path, "dock_revealed"))
		rfo_ui_reveal_dock();
}

void rfo_controller_stop(void)
{
	if (!ctl.created || ctl.stopped)
		return;
	ctl.stopped = true;
}

void rfo_controller_destroy(void)
{
	if (!ctl.created)
		return;
	rfo_controller_stop();
	rfo_config_free(&ctl.config);
	bfree(ctl.settings_path);
	pthread_mutex_destroy(&ctl.mutex);
	memset(&ctl, 0, sizeof(ctl));
}

void rfo_controller_status(obs_data_t *out)
{
	pthread_mutex_lock(&ctl.mutex);
	obs_data_set_bool(out, "signedIn", false);
	/* obs_data has no JSON null: `user` is left out while signed out (reads as null in clients). */
	obs_data_set_string(out, "chat", "disconnected");
	obs_data_set_string(out, "streaming", "disconnected");
	obs_data_set_bool(out, "serviceActive", false);
	obs_data_set_string(out, "lastError", ctl.last_error);
	pthread_mutex_unlock(&ctl.mutex);
}
