#include "rfo-account.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"
#include "rfo-ui.h"
#include "rfo-vendor.h"

#include <obs-module.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/threading.h>

#include <time.h>

/* The authorize link of the sign-in in progress, shown in the dock for copying. UI thread only. */
static char *pending_url;

/* What the dock showed last, as logged ("dock: …" lines, one per change). UI thread only. */
static char *dock_shown;

static void set_pending_url(char *url_take)
{
	bfree(pending_url);
	pending_url = url_take;
}

/* One log line whenever the dock's account area changes: which page and button it shows, and the message.
 * Only names and messages a person can read (never a link: the authorize URL carries the state). */
static void log_dock(const struct rfo_ui_account *a)
{
	struct dstr line = {0};
	switch (a->state) {
	case RFO_UI_SIGNED_IN:
		dstr_printf(&line, "account page for \"%s\" (%s)", a->display_name ? a->display_name : "",
			    a->username ? a->username : "");
		break;
	case RFO_UI_SIGNING_IN:
		dstr_copy(&line, "waiting for the browser; the sign-in link is shown for copying");
		break;
	case RFO_UI_RECONNECT:
		dstr_copy(&line, "Reconnect button shown");
		break;
	default:
		dstr_copy(&line, "Sign in button shown");
		break;
	}
	if (a->message && *a->message)
		dstr_catf(&line, "; message: %s", a->message);
	if (!dock_shown || strcmp(dock_shown, line.array) != 0) {
		rfo_log(LOG_INFO, "dock: %s", line.array);
		bfree(dock_shown);
		dock_shown = bstrdup(line.array);
	}
	dstr_free(&line);
}

/* The session's last error in the user's language (rfo-auth keeps a code: net does not use the locale), or
 * NULL. Caller bfrees. */
static char *auth_error_text(struct rfo_auth *auth)
{
	char *detail = NULL;
	const char *key = rfo_auth_error_key(rfo_auth_last_error_code(auth, &detail));
	char *text = key ? rfo_auth_error_format(obs_module_text(key), detail) : rfo_auth_last_error(auth);
	bfree(detail);
	return text;
}

/* While signed in: the session's last error (e.g. the sign-in could not be saved), else a note when the access token
 * has expired and refreshing it has failed at least once (Restream unreachable or failing). Caller bfrees. */
static char *signed_in_note(struct rfo_auth *auth)
{
	char *error = auth_error_text(auth);
	if (error)
		return error;
	struct rfo_auth_stats stats = {0};
	rfo_auth_get_stats(auth, &stats);
	bool expired = stats.expires_at > 0 && (int64_t)time(NULL) >= stats.expires_at;
	return expired && stats.refresh_failures > 0 ? bstrdup(obs_module_text("Dock.Unreachable")) : NULL;
}

/* The sentence shown in the dock and as GetStatus.lastError for this state (caller bfrees), or NULL. While signing
 * in, an earlier attempt's error is not shown (the dock shows the waiting text). The Reconnect reason is always the
 * same (the session ended at Restream), so it is taken from the locale. */
static char *account_message(struct rfo_auth *auth, enum rfo_auth_state state)
{
	switch (state) {
	case RFO_AUTH_SIGNED_IN:
		return signed_in_note(auth);
	case RFO_AUTH_SIGNING_IN:
		return NULL;
	case RFO_AUTH_RECONNECT_NEEDED:
		return bstrdup(obs_module_text("Dock.ReconnectReason"));
	default:
		return auth_error_text(auth);
	}
}

void rfo_account_refresh_ui(void)
{
	struct rfo_auth *auth = rfo_controller_auth();
	struct rfo_ui_account account = {RFO_UI_SIGNED_OUT, NULL, NULL, NULL, NULL};
	struct rfo_auth_user user = {0};
	char *error = NULL;

	enum rfo_auth_state state = auth ? rfo_auth_get_state(auth) : RFO_AUTH_SIGNED_OUT;
	switch (state) {
	case RFO_AUTH_SIGNED_IN:
		account.state = RFO_UI_SIGNED_IN;
		if (rfo_auth_get_user(auth, &user)) {
			account.display_name = user.display_name;
			account.username = user.username;
		}
		set_pending_url(NULL);
		break;
	case RFO_AUTH_SIGNING_IN:
		account.state = RFO_UI_SIGNING_IN;
		account.authorize_url = pending_url;
		break;
	case RFO_AUTH_RECONNECT_NEEDED:
		account.state = RFO_UI_RECONNECT;
		break;
	case RFO_AUTH_SIGNED_OUT:
		set_pending_url(NULL);
		break;
	}
	if (auth)
		error = account_message(auth, state);
	if (!auth)
		account.message = obs_module_text("Dock.NoClientId");
	else if (error)
		account.message = error;

	rfo_controller_dock()->set_account(&account);
	log_dock(&account);
	rfo_auth_user_free(&user);
	bfree(error);
}

static void refresh_ui_task(void *param)
{
	UNUSED_PARAMETER(param);
	if (rfo_controller_running())
		rfo_account_refresh_ui();
}

static void fill_user(obs_data_t *out, const struct rfo_auth_user *user)
{
	obs_data_t *u = obs_data_create();
	char id[32];
	snprintf(id, sizeof(id), "%lld", (long long)user->id);
	obs_data_set_string(u, "id", id);
	obs_data_set_string(u, "username", user->username ? user->username : "");
	obs_data_set_string(u, "displayName", user->display_name ? user->display_name : "");
	obs_data_set_obj(out, "user", u);
	obs_data_release(u);
}

/* signedIn, user (left out while signed out: obs_data has no JSON null), state, lastError. */
static void fill_account(obs_data_t *out)
{
	struct rfo_auth *auth = rfo_controller_auth();
	enum rfo_auth_state state = auth ? rfo_auth_get_state(auth) : RFO_AUTH_SIGNED_OUT;
	struct rfo_auth_user user = {0};

	obs_data_set_bool(out, "signedIn", state == RFO_AUTH_SIGNED_IN);
	obs_data_set_string(out, "authState", rfo_auth_state_name(state));
	if (state == RFO_AUTH_SIGNED_IN && rfo_auth_get_user(auth, &user))
		fill_user(out, &user);
	rfo_auth_user_free(&user);

	char *error = auth ? account_message(auth, state) : NULL;
	obs_data_set_string(out, "lastError", error ? error : (auth ? "" : obs_module_text("Dock.NoClientId")));
	bfree(error);
}

void rfo_account_on_state(void *param, enum rfo_auth_state state)
{
	UNUSED_PARAMETER(param);
	rfo_log(LOG_INFO, "account: %s", rfo_auth_state_name(state));
	obs_data_t *event = obs_data_create();
	fill_account(event);
	rfo_vendor_emit("AuthChanged", event);
	obs_data_release(event);
	rfo_dispatch(refresh_ui_task, NULL);
}

void rfo_account_on_token(void *param)
{
	UNUSED_PARAMETER(param);
	rfo_dispatch(refresh_ui_task, NULL);
}

static void open_browser_task(void *param)
{
	char *url = param;
	if (!rfo_controller_running()) {
		bfree(url);
		return;
	}
	if (!rfo_controller_dock()->open_url(url))
		rfo_log(LOG_WARNING, "no browser could be opened; the dock shows the sign-in link to copy");
	set_pending_url(url);
	rfo_account_refresh_ui();
}

/* Any thread. On success the browser opens (UI thread) and *url_out, if given, gets a copy. */
static bool begin_sign_in(char **url_out, struct rfo_error *err)
{
	struct rfo_auth *auth = rfo_controller_auth();
	if (!auth) {
		rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("Dock.NoClientId"));
		return false;
	}
	char *url = NULL;
	if (!rfo_auth_begin_sign_in(auth, &url, err)) {
		const struct rfo_config *cfg = rfo_controller_config();
		if (err && err->code == RFO_ERR_NETWORK && cfg->sign_in_mode != RFO_SIGN_IN_BROKER) {
			/* the fixed redirect port is taken: say what to change (no silent fallback to another port) */
			char port[8];
			snprintf(port, sizeof(port), "%u", cfg->redirect_port);
			char *text = rfo_auth_error_format(obs_module_text("Auth.Error.PortBusy"), port);
			rfo_error_set(err, RFO_ERR_NETWORK, "%s", text);
			bfree(text);
		}
		return false;
	}
	if (url_out)
		*url_out = bstrdup(url);
	rfo_dispatch(open_browser_task, url);
	return true;
}

void rfo_account_sign_in(void)
{
	struct rfo_error err = {0};
	if (!begin_sign_in(NULL, &err)) {
		rfo_log(LOG_WARNING, "sign-in could not start: %s", err.message);
		struct rfo_ui_account account = {RFO_UI_SIGNED_OUT, NULL, NULL, err.message, NULL};
		rfo_controller_dock()->set_account(&account);
		log_dock(&account);
	}
}

void rfo_account_sign_out(void)
{
	struct rfo_auth *auth = rfo_controller_auth();
	if (auth)
		rfo_auth_sign_out(auth);
}

void rfo_account_get_status(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	UNUSED_PARAMETER(wait_ms);
	fill_account(response);
	rfo_controller_fill_links(response);
	rfo_vendor_ok(response);
}

void rfo_account_begin_sign_in(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	UNUSED_PARAMETER(wait_ms);
	struct rfo_error err = {0};
	char *url = NULL;
	if (!begin_sign_in(&url, &err)) {
		/* no client id (no auth session) or the loopback listener could not start: sign-in is unavailable */
		bool unavailable = !rfo_controller_auth() || err.code == RFO_ERR_NETWORK || err.code == RFO_ERR_INVALID;
		rfo_vendor_fail(response, unavailable ? RFO_VENDOR_UNAVAILABLE : rfo_vendor_code_of(&err), err.message);
		return;
	}
	obs_data_set_string(response, "authorizeUrl", url);
	bfree(url);
	rfo_vendor_ok(response);
}

void rfo_account_sign_out_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	UNUSED_PARAMETER(wait_ms);
	rfo_account_sign_out();
	rfo_vendor_ok(response);
}

void rfo_account_free(void)
{
	set_pending_url(NULL);
	bfree(dock_shown);
	dock_shown = NULL;
}
