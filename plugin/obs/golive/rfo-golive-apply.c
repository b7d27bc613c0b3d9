/* Go-live: making Restream OBS's streaming service (its state is static here) and the dock's Go live tab. The vendor
 * requests are in rfo-golive-requests.c. */
#include "rfo-golive.h"
#include "rfo-golive-apply.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"
#include "rfo-private-file.h"
#include "rfo-secret.h"
#include "rfo-service.h"
#include "rfo-srt-url.h"
#include "rfo-ui-golive.h"

#include <obs-frontend-api.h>
#include <obs-module.h>
#include <util/bmem.h>
#include <util/config-file.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#define S_COMPAT "golive_compat"
#define S_SET_UP "golive_set_up"
#define S_COMPAT_SERVER "golive_compat_server" /* redacted: no key, stream id or passphrase */

static struct {
	/* Guards the fields below but `inited` (set and cleared on the UI thread at load and unload). A leaf lock: only
	 * libobs' obs_data is called under it. */
	pthread_mutex_t mutex;
	bool inited;
	bool compat;
	bool set_up;
	bool previous; /* a copy of the service OBS had before the last apply is kept (this profile) */
	char *compat_server;
	/* What OBS streams to, as of the last check on the UI thread. */
	bool ours;
	bool active;
	bool builtin_restream;
	char protocol[8];
	int64_t ingest_id;
	char *event_id;
} apply;

/* ---------------------------------------------------------------- plugin settings */

static obs_data_t *load_settings(void)
{
	const char *path = rfo_controller_settings_path();
	obs_data_t *d = path ? obs_data_create_from_json_file_safe(path, "bak") : NULL;
	return d ? d : obs_data_create();
}

static void save_settings(void)
{
	const char *path = rfo_controller_settings_path();
	if (!path)
		return;
	obs_data_t *d = load_settings();
	pthread_mutex_lock(&apply.mutex);
	obs_data_set_bool(d, S_COMPAT, apply.compat);
	obs_data_set_bool(d, S_SET_UP, apply.set_up);
	obs_data_set_string(d, S_COMPAT_SERVER, apply.compat_server ? apply.compat_server : "");
	pthread_mutex_unlock(&apply.mutex);
	if (!rfo_private_file_save(d, path))
		rfo_log_sub(LOG_WARNING, "golive", "could not save the plugin settings");
	obs_data_release(d);
}

/* ---------------------------------------------------------------- what OBS streams to (UI thread) */

static bool builtin_restream_connected(void)
{
	config_t *profile = obs_frontend_get_profile_config();
	const char *type = profile ? config_get_string(profile, "Auth", "Type") : NULL;
	return type && strcmp(type, "Restream") == 0;
}

static void set_choice_locked(const char *protocol, int64_t ingest_id, const char *event_id)
{
	snprintf(apply.protocol, sizeof(apply.protocol), "%s",
		 protocol && strcmp(protocol, "srt") == 0 ? "srt" : "rtmp");
	apply.ingest_id = ingest_id;
	bfree(apply.event_id);
	apply.event_id = bstrdup(event_id ? event_id : "");
}

/* The service's server URL with any key, stream id or passphrase masked (bfree). */
static char *redacted_server(obs_service_t *svc)
{
#if LIBOBS_API_VER >= MAKE_SEMANTIC_VERSION(29, 1, 0)
	return rfo_url_redact(obs_service_get_connect_info(svc, OBS_SERVICE_CONNECT_INFO_SERVER_URL));
#else
	return rfo_url_redact(obs_service_get_url(svc));
#endif
}

/* Returns true when something changed. */
static bool check_service(void)
{
	obs_service_t *svc = obs_frontend_get_streaming_service();
	bool ours = rfo_service_is_ours(svc);
	bool active = ours;
	char *redacted = NULL;
	if (!ours && svc && strcmp(obs_service_get_id(svc), "rtmp_custom") == 0)
		redacted = redacted_server(svc);
	bool builtin = builtin_restream_connected();

	pthread_mutex_lock(&apply.mutex);
	if (redacted && apply.compat_server && *apply.compat_server)
		active = strcmp(redacted, apply.compat_server) == 0;
	bool changed = ours != apply.ours || active != apply.active || builtin != apply.builtin_restream;
	apply.ours = ours;
	apply.active = active;
	apply.builtin_restream = builtin;
	if (ours) {
		obs_data_t *s = obs_service_get_settings(svc);
		const char *p = obs_data_get_string(s, RFO_SERVICE_S_PROTOCOL);
		int64_t ingest = obs_data_get_int(s, RFO_SERVICE_S_INGEST_ID);
		const char *ev = obs_data_get_string(s, RFO_SERVICE_S_EVENT_ID);
		changed = changed || strcmp(p, apply.protocol) != 0 || ingest != apply.ingest_id ||
			  strcmp(ev, apply.event_id ? apply.event_id : "") != 0;
		set_choice_locked(p, ingest, ev);
		obs_data_release(s);
	}
	pthread_mutex_unlock(&apply.mutex);
	bfree(redacted);
	rfo_controller_set_service_active(active);
	return changed;
}

static void poll_action(void)
{
	if (!rfo_controller_running())
		return;
	if (check_service())
		rfo_golive_ui_refresh();
	rfo_golive_refresh_if_stale();
}

bool rfo_golive_apply_now(const char *protocol, int64_t ingest_id, const char *event_id, int compat_override,
			  char **masked_out, struct rfo_error *err)
{
	if (obs_frontend_streaming_active()) {
		rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("GoLive.Error.Live"));
		return false;
	}
	struct rfo_golive_target t;
	if (!rfo_golive_resolve(protocol, ingest_id, event_id, &t, err))
		return false;

	/* The user's own service (not one this plugin set) is kept first, for "Restore my previous settings". */
	check_service();
	pthread_mutex_lock(&apply.mutex);
	bool compat = compat_override < 0 ? apply.compat : compat_override != 0;
	bool keep = !apply.active;
	pthread_mutex_unlock(&apply.mutex);
	if (keep && !rfo_golive_previous_keep(obs_frontend_get_streaming_service())) {
		rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("GoLive.Error.KeepPrevious"));
		rfo_golive_target_free(&t);
		return false;
	}

	obs_service_t *svc;
	char *compat_server = NULL;
	if (compat) {
		/* OBS's own custom service keeps everything in service.json: that is the point of it. */
		obs_data_t *s = obs_data_create();
		if (t.srt) {
			char *url = rfo_srt_url_join(t.server, t.key, t.passphrase);
			obs_data_set_string(s, "server", url);
			compat_server = rfo_url_redact(url);
			rfo_secret_wipe_free(url);
		} else {
			obs_data_set_string(s, "server", t.server);
			obs_data_set_string(s, "key", t.key);
			compat_server = rfo_url_redact(t.server);
		}
		svc = obs_service_create("rtmp_custom", "default_service", s, NULL);
		obs_data_release(s);
	} else {
		obs_data_t *s = rfo_service_make_settings(protocol, ingest_id, event_id);
		svc = obs_service_create(RFO_SERVICE_ID, "default_service", s, NULL);
		obs_data_release(s);
	}
	if (!svc) {
		rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("GoLive.Error.Service"));
		bfree(compat_server);
		rfo_golive_target_free(&t);
		return false;
	}
	obs_frontend_set_streaming_service(svc);
	obs_frontend_save_streaming_service();
	obs_service_release(svc);

	pthread_mutex_lock(&apply.mutex);
	apply.set_up = true;
	apply.previous = apply.previous || keep;
	apply.compat = compat;
	bfree(apply.compat_server);
	apply.compat_server = compat_server;
	set_choice_locked(protocol, ingest_id, event_id);
	pthread_mutex_unlock(&apply.mutex);
	save_settings();
	check_service();

	rfo_log_sub(LOG_INFO, "golive", "OBS now streams to Restream over %s (%s%s%s)%s", t.srt ? "SRT" : "RTMP",
		    t.masked, event_id && *event_id ? ", event " : "", event_id && *event_id ? event_id : "",
		    compat ? " through OBS's custom service" : "");
	*masked_out = t.masked;
	t.masked = NULL;
	rfo_golive_target_free(&t);
	rfo_golive_ui_refresh();
	return true;
}

bool rfo_golive_restore_now(char **type_out, char **server_out, struct rfo_error *err)
{
	if (obs_frontend_streaming_active()) {
		rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("GoLive.Error.Live"));
		return false;
	}
	char *type = NULL;
	obs_service_t *svc = rfo_golive_previous_create(&type);
	if (!svc) {
		bool exists = rfo_golive_previous_exists();
		rfo_error_set(err, RFO_ERR_STATE, "%s",
			      obs_module_text(exists ? "GoLive.Error.Restore" : "GoLive.Error.NoPrevious"));
		return false;
	}
	obs_frontend_set_streaming_service(svc);
	obs_frontend_save_streaming_service();
	*server_out = redacted_server(svc);
	obs_service_release(svc);
	rfo_golive_previous_forget();

	pthread_mutex_lock(&apply.mutex);
	apply.previous = false;
	apply.set_up = false; /* the user left on purpose: no "stream to Restream again" prompt */
	pthread_mutex_unlock(&apply.mutex);
	save_settings();
	check_service();
	rfo_log_sub(LOG_INFO, "golive", "OBS streams to its previous service again (%s)", type);
	*type_out = type;
	rfo_golive_ui_refresh();
	return true;
}

/* ---------------------------------------------------------------- for the vendor requests */

bool rfo_golive_compat(void)
{
	pthread_mutex_lock(&apply.mutex);
	bool compat = apply.compat;
	pthread_mutex_unlock(&apply.mutex);
	return compat;
}

void rfo_golive_setup_get(struct rfo_golive_setup *out)
{
	pthread_mutex_lock(&apply.mutex);
	out->ours = apply.ours;
	out->active = apply.active;
	out->compat = apply.compat;
	out->builtin_restream = apply.builtin_restream;
	out->set_up = apply.set_up;
	snprintf(out->protocol, sizeof(out->protocol), "%s", apply.protocol);
	out->ingest_id = apply.ingest_id;
	out->event_id = bstrdup(apply.event_id ? apply.event_id : "");
	pthread_mutex_unlock(&apply.mutex);
}

/* ---------------------------------------------------------------- the dock */

struct ui_lists {
	DARRAY(struct rfo_ui_golive_server) servers;
	DARRAY(struct rfo_ui_golive_event) events;
};

static void copy_server(void *param, int64_t id, const char *name)
{
	struct ui_lists *l = param;
	struct rfo_ui_golive_server s = {id, bstrdup(name)};
	da_push_back(l->servers, &s);
}

static void copy_event(void *param, const struct rfo_event *e)
{
	struct ui_lists *l = param;
	struct rfo_ui_golive_event ev = {bstrdup(e->id), bstrdup(e->title ? e->title : ""),
					 bstrdup(e->status ? e->status : ""), e->scheduled_for};
	da_push_back(l->events, &ev);
}

/* The tab's side of the port (plugin-main.c hands it over) and the outcome of the last "Set up OBS for Restream".
 * UI thread only. */
static const struct rfo_ui_golive_view *ui_view;
static struct {
	unsigned count;
	bool ok;
	char *message;
} ui_result;

/* The tab asks for the state (UI thread): when it is built and after every rfo_golive_ui_refresh(). */
static void ui_state(rfo_ui_golive_state_cb cb, void *param)
{
	if (!apply.inited)
		return;
	struct ui_lists l = {0};
	rfo_golive_foreach_server(copy_server, &l);
	rfo_golive_foreach_event_full(copy_event, &l);

	pthread_mutex_lock(&apply.mutex);
	char *event_id = bstrdup(apply.event_id ? apply.event_id : "");
	char protocol[8];
	snprintf(protocol, sizeof(protocol), "%s", apply.protocol[0] ? apply.protocol : "rtmp");
	struct rfo_ui_golive_state st = {
		.service_active = apply.active,
		.was_set_up = apply.set_up && !apply.active,
		.builtin_restream = apply.builtin_restream,
		.compat = apply.compat,
		.ingest_id = apply.ingest_id,
		.can_restore = apply.previous,
	};
	pthread_mutex_unlock(&apply.mutex);

	char *error = rfo_golive_last_error();
	char *masked = rfo_golive_masked_key(event_id);
	struct rfo_golive_target t;
	bool ready = rfo_golive_resolve(protocol, st.ingest_id, event_id, &t, NULL);
	st.signed_in = rfo_golive_signed_in();
	st.error = error;
	st.servers = l.servers.array;
	st.server_count = l.servers.num;
	st.user_ingest_id = rfo_golive_user_ingest();
	st.events = l.events.array;
	st.event_count = l.events.num;
	st.srt_available = rfo_golive_srt_available();
	st.key_masked = masked;
	st.protocol = protocol;
	st.event_id = event_id;
	st.server_text = ready && st.service_active ? t.masked : "";
	st.result_count = ui_result.count;
	st.result_ok = ui_result.ok;
	st.result_message = ui_result.message ? ui_result.message : "";
	rfo_golive_create_state(&st);
	cb(param, &st);

	if (ready)
		rfo_golive_target_free(&t);
	for (size_t i = 0; i < l.servers.num; i++)
		bfree((char *)l.servers.array[i].name);
	for (size_t i = 0; i < l.events.num; i++) {
		bfree((char *)l.events.array[i].id);
		bfree((char *)l.events.array[i].title);
		bfree((char *)l.events.array[i].status);
	}
	da_free(l.servers);
	da_free(l.events);
	bfree(error);
	bfree(masked);
	bfree(event_id);
}

void rfo_golive_ui_refresh(void)
{
	if (apply.inited && ui_view)
		ui_view->changed();
}

static void show_result(bool ok, const char *message)
{
	ui_result.count++;
	ui_result.ok = ok;
	bfree(ui_result.message);
	ui_result.message = bstrdup(message ? message : "");
	rfo_golive_ui_refresh();
}

struct ui_choice {
	char protocol[8];
	int64_t ingest_id;
	char *event_id;
};

static void ui_apply_task(void *param)
{
	struct ui_choice *c = param;
	if (rfo_controller_running()) {
		struct rfo_error err = {0};
		char *masked = NULL;
		if (rfo_golive_apply_now(c->protocol, c->ingest_id, c->event_id, -1, &masked, &err))
			show_result(true, obs_module_text("GoLive.Applied"));
		else
			show_result(false, err.message);
		bfree(masked);
	}
	bfree(c->event_id);
	bfree(c);
}

static void ui_apply(const struct rfo_ui_golive_choice *choice)
{
	if (!rfo_golive_signed_in()) {
		show_result(false, obs_module_text("GoLive.Error.SignedOut"));
		return;
	}
	if (obs_frontend_streaming_active()) {
		show_result(false, obs_module_text("GoLive.Error.Live"));
		return;
	}
	struct ui_choice *c = bzalloc(sizeof(*c));
	snprintf(c->protocol, sizeof(c->protocol), "%s",
		 choice->protocol && strcmp(choice->protocol, "srt") == 0 ? "srt" : "rtmp");
	c->ingest_id = choice->ingest_id;
	c->event_id = bstrdup(choice->event_id ? choice->event_id : "");
	rfo_golive_refresh_async(c->event_id, ui_apply_task, c);
}

static void ui_restore(void)
{
	struct rfo_error err = {0};
	char *type = NULL, *server = NULL;
	if (rfo_golive_restore_now(&type, &server, &err))
		show_result(true, obs_module_text("GoLive.Restored"));
	else
		show_result(false, err.message);
	bfree(type);
	bfree(server);
}

static void ui_refresh_action(void)
{
	rfo_golive_refresh_async(NULL, NULL, NULL);
}

static void ui_set_compat(bool compat)
{
	pthread_mutex_lock(&apply.mutex);
	apply.compat = compat;
	pthread_mutex_unlock(&apply.mutex);
	save_settings();
	rfo_golive_ui_refresh();
}

static void ui_free_key(char *key)
{
	bfree(key);
}

static const struct rfo_ui_golive_actions ui_actions = {
	.state = ui_state,
	.apply = ui_apply,
	.refresh = ui_refresh_action,
	.poll = poll_action,
	.set_compat = ui_set_compat,
	.reveal_key = rfo_golive_reveal_key,
	.free_key = ui_free_key,
	.restore = ui_restore,
	.create_event = rfo_golive_create_event_ui,
};

const struct rfo_ui_golive_actions *rfo_golive_ui_actions(void)
{
	return &ui_actions;
}

void rfo_golive_set_view(const struct rfo_ui_golive_view *view)
{
	ui_view = view;
}

/* ---------------------------------------------------------------- frontend events */

static void start_check(void)
{
	pthread_mutex_lock(&apply.mutex);
	bool ours = apply.ours;
	char protocol[8];
	snprintf(protocol, sizeof(protocol), "%s", apply.protocol);
	int64_t ingest = apply.ingest_id;
	char *event_id = bstrdup(apply.event_id ? apply.event_id : "");
	pthread_mutex_unlock(&apply.mutex);

	struct rfo_golive_target t;
	struct rfo_error err = {0};
	if (ours && !rfo_golive_resolve(protocol, ingest, event_id, &t, &err)) {
		rfo_log_sub(LOG_WARNING, "golive", "starting without a fetched stream key: %s", err.message);
		rfo_golive_refresh_async(event_id, NULL, NULL);
	} else if (ours) {
		rfo_golive_target_free(&t);
	}
	bfree(event_id);
}

static void on_frontend_event(enum obs_frontend_event event, void *param)
{
	UNUSED_PARAMETER(param);
	switch (event) {
	case OBS_FRONTEND_EVENT_FINISHED_LOADING:
	case OBS_FRONTEND_EVENT_PROFILE_CHANGED: {
		bool previous = rfo_golive_previous_exists(); /* the copy lives in the profile's folder */
		pthread_mutex_lock(&apply.mutex);
		apply.previous = previous;
		pthread_mutex_unlock(&apply.mutex);
		check_service();
		rfo_golive_ui_refresh();
		break;
	}
	case OBS_FRONTEND_EVENT_STREAMING_STARTING:
		/* Uses what is already fetched (the service's initialize() takes it); never waits. When
		 * nothing usable is cached this start fails, and a background fetch readies the next. */
		if (check_service())
			rfo_golive_ui_refresh();
		start_check();
		break;
	case OBS_FRONTEND_EVENT_STREAMING_STOPPED:
		rfo_golive_refresh_async(NULL, NULL, NULL);
		break;
	default:
		break;
	}
}

void rfo_golive_apply_init(void)
{
	pthread_mutex_init(&apply.mutex, NULL);
	obs_data_t *d = load_settings();
	apply.compat = obs_data_get_bool(d, S_COMPAT);
	apply.set_up = obs_data_get_bool(d, S_SET_UP);
	apply.compat_server = bstrdup(obs_data_get_string(d, S_COMPAT_SERVER));
	obs_data_release(d);
	snprintf(apply.protocol, sizeof(apply.protocol), "rtmp");
	apply.event_id = bstrdup("");
	apply.inited = true;
	obs_frontend_add_event_callback(on_frontend_event, NULL);
}

void rfo_golive_apply_free(void)
{
	if (!apply.inited)
		return;
	obs_frontend_remove_event_callback(on_frontend_event, NULL);
	bfree(ui_result.message);
	memset(&ui_result, 0, sizeof(ui_result));
	bfree(apply.compat_server);
	bfree(apply.event_id);
	pthread_mutex_destroy(&apply.mutex);
	memset(&apply, 0, sizeof(apply));
}
