/* Destinations: refresh, switch and title operations, the session, the disk cache and the dock. */
#include "rfo-channels.h"
#include "rfo-channels-private.h"
#include "rfo-auth.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-http.h"
#include "rfo-log.h"
#include "rfo-ui-channels.h"
#include "rfo-vendor.h"

#include <obs-frontend-api.h>
#include <obs-module.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>

/* ---------------------------------------------------------------- operations */

bool rfo_ch_signed_in(void)
{
	struct rfo_auth *auth = rfo_controller_auth();
	return rfo_ch.running && auth && rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
}

/* Waits for a job the caller holds a reference to; copies its error. */
bool rfo_ch_job_wait(struct job *job, uint32_t wait_ms, struct rfo_error *err)
{
	/* In slices, so that a request parked after a 401 for which no new token comes is failed. */
	bool done = os_event_try(job->done) == 0;
	for (uint32_t waited = 0; !done && waited < wait_ms; waited += 250) {
		done = os_event_timedwait(job->done, wait_ms - waited < 250 ? wait_ms - waited : 250) == 0;
		if (!done)
			rfo_ch_unpark(false, false);
	}
	bool ok = false;
	pthread_mutex_lock(&rfo_ch.mutex);
	if (!done)
		rfo_error_set(err, RFO_CHANNELS_STILL_WAITING, "%s", obs_module_text("Channels.Error.Timeout"));
	else if (job->err.code && err)
		*err = job->err;
	else
		ok = !job->err.code;
	pthread_mutex_unlock(&rfo_ch.mutex);
	return ok;
}

bool rfo_channels_refresh(bool force, uint32_t wait_ms, struct rfo_error *err)
{
	if (!rfo_ch.created || !rfo_ch_signed_in()) {
		rfo_error_set(err, RFO_ERR_AUTH, "%s", obs_module_text("Channels.Error.SignedOut"));
		return false;
	}
	rfo_ch_unpark(false, false); /* drops requests parked for too long */
	bool start = false, need_platforms = false;
	bool held = rfo_rest_hold_left(&rfo_ch.hold) != 0;
	pthread_mutex_lock(&rfo_ch.mutex);
	struct job *job = rfo_ch.refresh_job;
	if (job) {
		if (force && job->started < os_gettime_ns())
			rfo_ch.refresh_again = true;
		if (wait_ms)
			os_atomic_inc_long(&job->refs);
	} else if (!force && rfo_ch.have_list && os_gettime_ns() - rfo_ch.attempted_at < REFRESH_MIN_NS) {
		/* Fetched (or tried) in the last 30 s: answer from the cache, not fresh when that try failed. */
		char *last = rfo_ch.last_error ? bstrdup(rfo_ch.last_error) : NULL;
		pthread_mutex_unlock(&rfo_ch.mutex);
		if (last && !rfo_ch_held(err))
			rfo_error_set(err, RFO_ERR_NETWORK, "%s", last);
		bfree(last);
		return !last;
	} else if (!force && rfo_ch.last_error && os_gettime_ns() - rfo_ch.attempted_at < RETRY_MIN_NS) {
		/* No list yet and the last try just failed: do not hammer Restream. */
		rfo_error_set(err, RFO_ERR_NETWORK, "%s", rfo_ch.last_error);
		pthread_mutex_unlock(&rfo_ch.mutex);
		return false;
	} else if (held) {
		/* Retry-After: nothing is asked of Restream before then; the cached list (if any) is not fresh. */
		pthread_mutex_unlock(&rfo_ch.mutex);
		rfo_ch_held(err);
		return false;
	} else {
		rfo_ch.attempted_at = os_gettime_ns();
		job = rfo_ch_job_create(J_REFRESH);
		job->gen = rfo_ch.gen;
		os_atomic_inc_long(&job->refs); /* rfo_ch.refresh_job's */
		rfo_ch.refresh_job = job;
		need_platforms = !rfo_ch.platforms_fetched && !rfo_ch.platforms.count;
		if (need_platforms)
			rfo_ch.platforms_fetched = true;
		start = true;
	}
	pthread_mutex_unlock(&rfo_ch.mutex);

	if (start) {
		rfo_dispatch(rfo_ch_ui_push_task, NULL); /* "loading" */
		if (need_platforms)
			rfo_ch_submit(rfo_ch_req_new(job, K_PLATFORMS, 0));
		rfo_ch_submit(rfo_ch_req_new(job, K_LIST, 0));
		rfo_ch_job_finish_one(job); /* the guard */
		if (!wait_ms && os_event_try(job->done) != 0) {
			rfo_ch_job_release(job); /* the creator's */
			return true;             /* under way */
		}
		/* waited for, or it failed at once (e.g. no token): the real outcome */
	} else if (!wait_ms) {
		return true;
	}
	bool ok = rfo_ch_job_wait(job, wait_ms, err);
	rfo_ch_job_release(job);
	return ok;
}

bool rfo_channels_switch(int64_t id, bool enabled, uint32_t wait_ms, struct rfo_error *err)
{
	if (!rfo_ch.created || !rfo_ch_signed_in()) {
		rfo_error_set(err, RFO_ERR_AUTH, "%s", obs_module_text("Channels.Error.SignedOut"));
		return false;
	}
	if (rfo_ch_held(err))
		return false; /* before the shown state moves: nothing to roll back, no ChannelsChanged */
	struct rfo_error merr = {0};
	pthread_mutex_lock(&rfo_ch.mutex);
	bool ok = rfo_channel_model_begin_switch(&rfo_ch.model, id, enabled, os_gettime_ns(), &merr);
	uint64_t gen = rfo_ch.gen;
	pthread_mutex_unlock(&rfo_ch.mutex);
	if (!ok) {
		rfo_error_set(err, merr.code, "%s",
			      obs_module_text(merr.code == RFO_ERR_STATE ? "Channels.Error.Busy"
									 : "Channels.Error.NoSuchChannel"));
		return false;
	}
	rfo_log_sub(LOG_INFO, "channels", "switching channel %lld %s", (long long)id, enabled ? "on" : "off");
	struct job *job = rfo_ch_job_create(J_SWITCH);
	job->gen = gen;
	job->id = id;
	job->enabled = enabled;
	struct req *r = rfo_ch_req_new(job, K_SWITCH, id);
	r->body = rfo_rest_channel_patch_body(enabled);
	rfo_ch_submit(r);
	rfo_dispatch(rfo_ch_ui_push_task, NULL); /* the switch moves at once */
	os_atomic_inc_long(&job->refs);
	rfo_ch_job_finish_one(job);
	rfo_ch_job_release(job);
	if (!wait_ms && os_event_try(job->done) != 0) {
		rfo_ch_job_release(job);
		return true; /* under way */
	}
	/* waited for, or (without a wait) already over: it may have failed at once on this thread */
	ok = rfo_ch_job_wait(job, wait_ms, err);
	rfo_ch_job_release(job);
	return ok;
}

void rfo_channels_toggle(int64_t id)
{
	pthread_mutex_lock(&rfo_ch.mutex);
	struct rfo_channel_entry *e = rfo_channel_model_find(&rfo_ch.model, id);
	bool known = e != NULL, enabled = e && e->ch.enabled;
	pthread_mutex_unlock(&rfo_ch.mutex);
	struct rfo_error err = {0};
	if (known && !rfo_channels_switch(id, !enabled, 0, &err))
		rfo_log_sub(LOG_INFO, "channels", "hotkey: %s", err.message);
}

void rfo_channels_switch_all(bool enabled)
{
	DARRAY(int64_t) ids;
	da_init(ids);
	pthread_mutex_lock(&rfo_ch.mutex);
	for (size_t i = 0; i < rfo_ch.model.count; i++)
		if (rfo_ch.model.items[i].ch.enabled != enabled && !rfo_ch.model.items[i].pending)
			da_push_back(ids, &rfo_ch.model.items[i].ch.id);
	pthread_mutex_unlock(&rfo_ch.mutex);
	for (size_t i = 0; i < ids.num; i++)
		rfo_channels_switch(ids.array[i], enabled, 0, NULL);
	da_free(ids);
}

bool rfo_channels_set_title(const char *title, const char *description, const int64_t *ids, size_t count,
			    uint32_t wait_ms, obs_data_array_t *updated, obs_data_array_t *failed,
			    struct rfo_error *err)
{
	if (!rfo_ch.created || !rfo_ch_signed_in()) {
		rfo_error_set(err, RFO_ERR_AUTH, "%s", obs_module_text("Channels.Error.SignedOut"));
		return false;
	}
	if (!title || !*title) {
		rfo_error_set(err, RFO_ERR_INVALID, "%s", obs_module_text("Channels.Error.NoTitle"));
		return false;
	}
	if (rfo_ch_held(err))
		return false;
	char *body = rfo_rest_meta_patch_body(title, description);
	if (!body) {
		rfo_error_set(err, RFO_ERR_INVALID, "%s", obs_module_text("Channels.Error.BadText"));
		return false;
	}
	struct rfo_channel_targets t;
	struct job *job = rfo_ch_job_create(J_TITLE);
	job->title = bstrdup(title);
	job->description = description ? bstrdup(description) : NULL;
	pthread_mutex_lock(&rfo_ch.mutex);
	job->gen = rfo_ch.gen;
	rfo_channel_model_targets(&rfo_ch.model, ids, ids ? count : 0, &t);
	bool none = !t.count && !t.unknown_count;
	if (!none) {
		rfo_ch.applying = true;
		for (size_t i = 0; i < t.count; i++)
			rfo_channel_model_set_result(&rfo_ch.model, t.ids[i], RFO_CHANNEL_RESULT_NONE, NULL);
		for (size_t i = 0; i < t.unknown_count; i++) {
			struct title_out o = {t.unknown[i], bstrdup(obs_module_text("Channels.Error.NoSuchChannel"))};
			da_push_back(job->titles, &o);
		}
	}
	pthread_mutex_unlock(&rfo_ch.mutex);
	if (none) {
		rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("Channels.Error.NoTargets"));
		rfo_channel_targets_free(&t);
		rfo_ch_job_release(job);
		bfree(body);
		return false;
	}
	rfo_log_sub(LOG_INFO, "channels", "setting the title of %zu channel(s)", t.count);
	for (size_t i = 0; i < t.count; i++) {
		struct req *r = rfo_ch_req_new(job, K_TITLE, t.ids[i]);
		r->body = bstrdup(body);
		rfo_ch_submit(r);
	}
	rfo_channel_targets_free(&t);
	bfree(body);
	rfo_dispatch(rfo_ch_ui_push_task, NULL);
	os_atomic_inc_long(&job->refs);
	rfo_ch_job_finish_one(job);
	rfo_ch_job_release(job);
	if (!wait_ms && os_event_try(job->done) != 0) {
		rfo_ch_job_release(job);
		return true; /* under way: updated/failed stay empty */
	}

	/* waited for, or (without a wait) already over: every request failed at once, e.g. stopping */
	bool ok = rfo_ch_job_wait(job, wait_ms, err);
	bool still = !ok && err && err->code == RFO_CHANNELS_STILL_WAITING;
	pthread_mutex_lock(&rfo_ch.mutex);
	size_t n_ok = 0;
	for (size_t i = 0; (ok || still) && i < job->titles.num; i++) {
		const struct title_out *o = &job->titles.array[i];
		if (!o->error) {
			n_ok++;
			obs_data_t *item = obs_data_create();
			obs_data_set_int(item, "id", o->id);
			obs_data_array_push_back(updated, item);
			obs_data_release(item);
			continue;
		}
		obs_data_t *item = obs_data_create();
		obs_data_set_int(item, "id", o->id);
		obs_data_set_string(item, "error", o->error);
		obs_data_array_push_back(failed, item);
		obs_data_release(item);
	}
	if (ok && !n_ok) {
		ok = false;
		struct dstr msg = {0};
		dstr_copy(&msg, obs_module_text("Channels.Error.TitleNowhere"));
		dstr_replace(&msg, "%1",
			     job->titles.num && job->titles.array[0].error ? job->titles.array[0].error : "");
		rfo_error_set(err, RFO_ERR_STATE, "%s", msg.array);
		dstr_free(&msg);
	}
	pthread_mutex_unlock(&rfo_ch.mutex);
	rfo_ch_job_release(job);
	return ok;
}

/* ---------------------------------------------------------------- reading the cache */

static obs_data_t *entry_data_locked(const struct rfo_channel_entry *e)
{
	bool known = false;
	char *platform = rfo_channel_platform_name(&rfo_ch.platforms, e->ch.platform_id, &known);
	obs_data_t *d = obs_data_create();
	obs_data_set_int(d, "id", e->ch.id);
	obs_data_set_int(d, "platformId", e->ch.platform_id);
	obs_data_set_string(d, "platformName", platform);
	obs_data_set_bool(d, "platformKnown", known);
	obs_data_set_string(d, "displayName", e->ch.display_name ? e->ch.display_name : "");
	obs_data_set_bool(d, "enabled", e->ch.enabled);
	obs_data_set_string(d, "url", e->ch.url ? e->ch.url : "");
	obs_data_set_bool(d, "pending", e->pending);
	if (e->have_meta)
		obs_data_set_string(d, "title", e->title ? e->title : "");
	bfree(platform);
	return d;
}

obs_data_array_t *rfo_channels_list_data(void)
{
	obs_data_array_t *arr = obs_data_array_create();
	pthread_mutex_lock(&rfo_ch.mutex);
	for (size_t i = 0; i < rfo_ch.model.count; i++) {
		obs_data_t *d = entry_data_locked(&rfo_ch.model.items[i]);
		obs_data_array_push_back(arr, d);
		obs_data_release(d);
	}
	pthread_mutex_unlock(&rfo_ch.mutex);
	return arr;
}

obs_data_t *rfo_channels_channel_data(int64_t id)
{
	pthread_mutex_lock(&rfo_ch.mutex);
	struct rfo_channel_entry *e = rfo_channel_model_find(&rfo_ch.model, id);
	obs_data_t *d = e ? entry_data_locked(e) : NULL;
	pthread_mutex_unlock(&rfo_ch.mutex);
	return d;
}

bool rfo_channels_refreshing(void)
{
	pthread_mutex_lock(&rfo_ch.mutex);
	bool busy = rfo_ch.refresh_job != NULL;
	pthread_mutex_unlock(&rfo_ch.mutex);
	return busy;
}

bool rfo_channels_have_list(void)
{
	pthread_mutex_lock(&rfo_ch.mutex);
	bool have = rfo_ch.have_list;
	pthread_mutex_unlock(&rfo_ch.mutex);
	return have;
}

void rfo_channels_foreach(void (*cb)(void *param, int64_t id, const char *name), void *param)
{
	pthread_mutex_lock(&rfo_ch.mutex);
	for (size_t i = 0; i < rfo_ch.model.count; i++)
		cb(param, rfo_ch.model.items[i].ch.id, rfo_ch.model.items[i].ch.display_name);
	pthread_mutex_unlock(&rfo_ch.mutex);
}

void rfo_ch_emit_changed(const char *error)
{
	obs_data_t *event = obs_data_create();
	obs_data_array_t *arr = rfo_channels_list_data();
	obs_data_set_array(event, "channels", arr);
	if (error && *error)
		obs_data_set_string(event, "error", error);
	rfo_vendor_emit("ChannelsChanged", event);
	obs_data_array_release(arr);
	obs_data_release(event);
}

/* ---------------------------------------------------------------- the dock */

struct ui_names {
	char *platform;
	char badge[16];
};

static const struct rfo_ui_channels_view *ui_view; /* the tab's side of the port; UI thread only */

void rfo_channels_set_view(const struct rfo_ui_channels_view *view)
{
	ui_view = view;
}

/* The tab asks for the state (UI thread): when it is built and after every rfo_ch_ui_push_task(). */
void rfo_channels_ui_state(rfo_ui_channels_state_cb cb, void *param)
{
	if (!rfo_ch.created)
		return;
	bool in = rfo_ch_signed_in();
	pthread_mutex_lock(&rfo_ch.mutex);
	size_t n = in ? rfo_ch.model.count : 0;
	struct rfo_ui_channel *items = n ? bzalloc(n * sizeof(*items)) : NULL;
	struct ui_names *names = n ? bzalloc(n * sizeof(*names)) : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct rfo_channel_entry *e = &rfo_ch.model.items[i];
		struct rfo_ui_channel *u = &items[i];
		names[i].platform = rfo_channel_platform_name(&rfo_ch.platforms, e->ch.platform_id, &u->platform_known);
		rfo_channel_badge_text(names[i].platform, e->ch.platform_id, u->platform_known, names[i].badge,
				       sizeof(names[i].badge));
		const struct icon *ic = rfo_ch_icon_get_locked(e->ch.platform_id, false);
		u->id = e->ch.id;
		u->platform_id = e->ch.platform_id;
		u->platform_name = names[i].platform;
		u->badge = names[i].badge;
		u->icon = ic ? ic->data : NULL;
		u->icon_size = ic ? ic->size : 0;
		u->display_name = e->ch.display_name;
		u->url = e->ch.url;
		u->enabled = e->ch.enabled;
		u->pending = e->pending;
		u->title = e->have_meta ? e->title : NULL;
		u->result = (enum rfo_ui_channel_result)e->result;
		u->result_text = e->result_text;
	}
	struct rfo_ui_channels_state st = {
		.signed_in = in,
		.loading = rfo_ch.refresh_job != NULL,
		.applying = rfo_ch.applying,
		.error = in ? rfo_ch.last_error : NULL,
		.notice = in ? rfo_ch.notice : NULL,
		.channels = items,
		.count = n,
	};
	cb(param, &st);
	pthread_mutex_unlock(&rfo_ch.mutex);
	for (size_t i = 0; i < n; i++)
		bfree(names[i].platform);
	bfree(names);
	bfree(items);
}

void rfo_ch_ui_push_task(void *param)
{
	UNUSED_PARAMETER(param);
	if (!rfo_ch.created || !rfo_controller_running())
		return;
	if (ui_view)
		ui_view->changed();
	rfo_channels_hotkeys_sync();
}

/* ---------------------------------------------------------------- session and lifecycle */

static void on_session(void *param)
{
	UNUSED_PARAMETER(param);
	if (!rfo_ch.running)
		return;
	struct rfo_auth *auth = rfo_controller_auth();
	bool in = auth && rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
	char *token = NULL;
	bool have_token = in && rfo_auth_get_token(auth, &token);
	bfree(token);

	pthread_mutex_lock(&rfo_ch.mutex);
	bool was = rfo_ch.signed_in;
	rfo_ch.signed_in = in;
	bool have_list = rfo_ch.have_list;
	if (in != was)
		rfo_rest_hold_clear(&rfo_ch.hold); /* the old session's Retry-After does not apply to the next one */
	if (!in && was) {
		rfo_ch.gen++;
		rfo_channel_model_free(&rfo_ch.model);
		rfo_ch.have_list = false;
		rfo_ch.fetched_at = rfo_ch.attempted_at = 0;
		rfo_ch.applying = false;
		bfree(rfo_ch.last_error);
		bfree(rfo_ch.notice);
		rfo_ch.last_error = rfo_ch.notice = NULL;
	}
	pthread_mutex_unlock(&rfo_ch.mutex);

	if (!in) {
		rfo_ch_unpark(false, true);
		if (was) {
			rfo_ch_emit_changed(NULL);
			rfo_dispatch(rfo_ch_ui_push_task, NULL);
		}
		return;
	}
	rfo_ch_load_disk_once();
	if (!have_token)
		return; /* a refresh is under way: the next call brings the token */
	rfo_ch_unpark(true, false);
	if (!was || !have_list)
		rfo_channels_refresh(true, 0, NULL);
}

/* OBS's window is up (the dock exists): draw the tab. */
static void on_frontend_event(enum obs_frontend_event event, void *param)
{
	UNUSED_PARAMETER(param);
	if (event != OBS_FRONTEND_EVENT_FINISHED_LOADING || !rfo_ch.created)
		return;
	rfo_ch_ui_push_task(NULL);
}

bool rfo_channels_create(void)
{
	if (rfo_ch.created)
		return true;
	pthread_mutex_init(&rfo_ch.mutex, NULL);
	rfo_channel_model_init(&rfo_ch.model);
	da_init(rfo_ch.icons);
	da_init(rfo_ch.parked);
	rfo_ch.config_dir = obs_module_config_path("");
	rfo_ch.platforms_path = obs_module_config_path("platforms.json");
	rfo_ch.icons_dir = obs_module_config_path("platform-icons");
	rfo_ch.created = true;
	rfo_ch.running = true;
	obs_add_tick_callback(rfo_ch_expire_tick, NULL);
	rfo_controller_on_session(on_session, NULL);
	rfo_channels_hotkeys_init();
	obs_frontend_add_event_callback(on_frontend_event, NULL);
	return true;
}

void rfo_channels_stop(void)
{
	if (!rfo_ch.created || !rfo_ch.running)
		return;
	rfo_ch.running = false;
	obs_frontend_remove_event_callback(on_frontend_event, NULL);
	obs_remove_tick_callback(rfo_ch_expire_tick, NULL);
	rfo_ch_unpark(false, true);
	rfo_channels_hotkeys_free();
}

void rfo_channels_free(void)
{
	if (!rfo_ch.created)
		return;
	rfo_channels_stop();
	rfo_ch_job_release(rfo_ch.refresh_job);
	rfo_ch.refresh_job = NULL;
	rfo_channel_model_free(&rfo_ch.model);
	rfo_platform_list_free(&rfo_ch.platforms);
	for (size_t i = 0; i < rfo_ch.icons.num; i++)
		bfree(rfo_ch.icons.array[i].data);
	da_free(rfo_ch.icons);
	da_free(rfo_ch.parked);
	bfree(rfo_ch.last_error);
	bfree(rfo_ch.notice);
	bfree(rfo_ch.config_dir);
	bfree(rfo_ch.platforms_path);
	bfree(rfo_ch.icons_dir);
	pthread_mutex_destroy(&rfo_ch.mutex);
	memset(&rfo_ch, 0, sizeof(rfo_ch));
}

void rfo_channels_ui_notice(const char *text)
{
	if (!rfo_ch.created)
		return;
	pthread_mutex_lock(&rfo_ch.mutex);
	bfree(rfo_ch.notice);
	rfo_ch.notice = text && *text ? bstrdup(text) : NULL;
	pthread_mutex_unlock(&rfo_ch.mutex);
	if (rfo_ch.running)
		rfo_dispatch(rfo_ch_ui_push_task, NULL);
}
