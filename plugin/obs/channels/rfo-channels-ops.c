/* Destinations: the channel list (its state is static here), the session, what vendor requests and the dock
 * read, and the lifecycle. The requests that fill it are in rfo-channels.c. */
#include "rfo-channels.h"
#include "rfo-channels-private.h"
#include "rfo-api.h"
#include "rfo-auth.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"
#include "rfo-ui-channels.h"
#include "rfo-vendor.h"

#include <obs-module.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

static struct {
	bool created;
	volatile bool running;
	/* Guards everything below (and the titles of title changes). Taken inside OBS's hotkey lock (the hotkey
	 * callbacks switch channels) and before the platform cache's lock (names and icons); rfo_channels_foreach's
	 * callback runs under it. Nothing else is locked while it is held. */
	pthread_mutex_t mutex;
	bool signed_in; /* as of the last session callback */
	struct rfo_channel_model model;
	bool have_list;
	uint64_t fetched_at;
	uint64_t attempted_at;           /* the last refresh started */
	struct rfo_api_job *refresh_job; /* in flight (a reference) */
	bool refresh_again;              /* our own change happened while a refresh was in flight */
	bool applying;
	char *last_error;
	char *notice;
	uint64_t titles_at; /* a title change ended: older channel-meta answers are dropped */
} channels;

/* Set by create and stop (UI thread), read by any thread. */
static inline bool running(void)
{
	return os_atomic_load_bool(&channels.running);
}

bool rfo_ch_running(void)
{
	return running();
}

bool rfo_ch_signed_in(void)
{
	struct rfo_auth *auth = rfo_controller_auth();
	return running() && auth && rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
}

/* ---------------------------------------------------------------- refreshes */

enum rfo_ch_refresh_plan rfo_ch_refresh_begin(bool force, bool held, bool want_ref, struct rfo_api_job **job,
					      char **last_error)
{
	enum rfo_ch_refresh_plan plan;
	uint64_t now = os_gettime_ns();
	*last_error = NULL;
	pthread_mutex_lock(&channels.mutex);
	*job = channels.refresh_job;
	if (*job) {
		struct rfo_ch_op *op = rfo_api_job_data(*job);
		if (force && op->started < now)
			channels.refresh_again = true;
		if (want_ref)
			rfo_api_job_ref(*job);
		plan = RFO_CH_REFRESH_JOIN;
	} else if (!force && channels.have_list && now - channels.attempted_at < REFRESH_MIN_NS) {
		/* Fetched (or tried) in the last 30 s: answer from the cache, not fresh when that try failed. */
		*last_error = channels.last_error ? bstrdup(channels.last_error) : NULL;
		plan = RFO_CH_REFRESH_FRESH;
	} else if (!force && channels.last_error && now - channels.attempted_at < RETRY_MIN_NS) {
		*last_error = bstrdup(channels.last_error);
		plan = RFO_CH_REFRESH_RETRY_LATER;
	} else if (held) {
		plan = RFO_CH_REFRESH_HELD;
	} else {
		channels.attempted_at = now;
		*job = rfo_ch_op_create(RFO_CH_OP_REFRESH);
		rfo_api_job_ref(*job); /* channels.refresh_job's */
		channels.refresh_job = *job;
		plan = RFO_CH_REFRESH_START;
	}
	pthread_mutex_unlock(&channels.mutex);
	return plan;
}

bool rfo_ch_refresh_end(struct rfo_api_job *job, const struct rfo_error *err, bool *again, bool *changed)
{
	struct rfo_ch_op *op = rfo_api_job_data(job);
	pthread_mutex_lock(&channels.mutex);
	bool current = rfo_api_job_current(job);
	*again = false;
	if (channels.refresh_job == job) {
		channels.refresh_job = NULL;
		rfo_api_job_release(job); /* never the last reference: the engine holds one while this runs */
		*again = channels.refresh_again && current;
		channels.refresh_again = false;
	}
	if (current) {
		bfree(channels.last_error);
		channels.last_error = err->code && err->code != RFO_ERR_CANCELLED ? bstrdup(err->message) : NULL;
		if (!err->code)
			channels.fetched_at = os_gettime_ns();
	}
	*changed = current && op->changed;
	pthread_mutex_unlock(&channels.mutex);
	return current;
}

void rfo_ch_store_list(struct rfo_api_job *job, struct rfo_channel_list *list, struct darray *ids,
		       struct darray *platform_ids)
{
	struct rfo_ch_op *op = rfo_api_job_data(job);
	pthread_mutex_lock(&channels.mutex);
	if (rfo_api_job_current(job)) {
		op->changed = rfo_channel_model_replace_take(&channels.model, list, op->started) || !channels.have_list;
		channels.have_list = true;
		for (size_t i = 0; i < channels.model.count; i++) {
			darray_push_back(sizeof(int64_t), ids, &channels.model.items[i].ch.id);
			darray_push_back(sizeof(int64_t), platform_ids, &channels.model.items[i].ch.platform_id);
		}
	}
	pthread_mutex_unlock(&channels.mutex);
}

void rfo_ch_store_meta(struct rfo_api_job *job, int64_t id, const struct rfo_channel_meta *meta)
{
	struct rfo_ch_op *op = rfo_api_job_data(job);
	pthread_mutex_lock(&channels.mutex);
	if (rfo_api_job_current(job) && op->started > channels.titles_at)
		rfo_channel_model_set_meta(&channels.model, id, meta->title, meta->description);
	pthread_mutex_unlock(&channels.mutex);
}

void rfo_ch_platform_ids(struct darray *platform_ids)
{
	pthread_mutex_lock(&channels.mutex);
	for (size_t i = 0; i < channels.model.count; i++)
		darray_push_back(sizeof(int64_t), platform_ids, &channels.model.items[i].ch.platform_id);
	pthread_mutex_unlock(&channels.mutex);
}

char *rfo_ch_channel_name(int64_t id)
{
	pthread_mutex_lock(&channels.mutex);
	struct rfo_channel_entry *e = rfo_channel_model_find(&channels.model, id);
	char *name = bstrdup(e && e->ch.display_name && *e->ch.display_name ? e->ch.display_name : "?");
	pthread_mutex_unlock(&channels.mutex);
	return name;
}

/* ---------------------------------------------------------------- switches */

bool rfo_ch_begin_switch(int64_t id, bool enabled, struct rfo_error *err)
{
	pthread_mutex_lock(&channels.mutex);
	bool ok = rfo_channel_model_begin_switch(&channels.model, id, enabled, os_gettime_ns(), err);
	pthread_mutex_unlock(&channels.mutex);
	return ok;
}

void rfo_ch_end_switch(int64_t id, bool ok, const char *message)
{
	pthread_mutex_lock(&channels.mutex);
	rfo_channel_model_end_switch(&channels.model, id, ok, message, os_gettime_ns());
	pthread_mutex_unlock(&channels.mutex);
}

bool rfo_ch_channel_enabled(int64_t id, bool *enabled)
{
	pthread_mutex_lock(&channels.mutex);
	struct rfo_channel_entry *e = rfo_channel_model_find(&channels.model, id);
	*enabled = e && e->ch.enabled;
	pthread_mutex_unlock(&channels.mutex);
	return e != NULL;
}

void rfo_ch_ids_to_switch(bool enabled, struct darray *ids)
{
	pthread_mutex_lock(&channels.mutex);
	for (size_t i = 0; i < channels.model.count; i++)
		if (channels.model.items[i].ch.enabled != enabled && !channels.model.items[i].pending)
			darray_push_back(sizeof(int64_t), ids, &channels.model.items[i].ch.id);
	pthread_mutex_unlock(&channels.mutex);
}

/* ---------------------------------------------------------------- title changes */

bool rfo_ch_begin_title(struct rfo_api_job *job, const int64_t *ids, size_t count, struct rfo_channel_targets *t)
{
	struct rfo_ch_op *op = rfo_api_job_data(job);
	pthread_mutex_lock(&channels.mutex);
	rfo_channel_model_targets(&channels.model, ids, count, t);
	bool none = !t->count && !t->unknown_count;
	if (!none) {
		channels.applying = true;
		for (size_t i = 0; i < t->count; i++)
			rfo_channel_model_set_result(&channels.model, t->ids[i], RFO_CHANNEL_RESULT_NONE, NULL);
		for (size_t i = 0; i < t->unknown_count; i++) {
			struct rfo_ch_title_out o = {t->unknown[i],
						     bstrdup(obs_module_text("Channels.Error.NoSuchChannel"))};
			da_push_back(op->titles, &o);
		}
	}
	pthread_mutex_unlock(&channels.mutex);
	return !none;
}

void rfo_ch_title_result(struct rfo_api_job *job, int64_t id, const char *error)
{
	struct rfo_ch_op *op = rfo_api_job_data(job);
	pthread_mutex_lock(&channels.mutex);
	struct rfo_ch_title_out o = {id, error ? bstrdup(error) : NULL};
	da_push_back(op->titles, &o);
	if (!error)
		channels.titles_at = os_gettime_ns();
	if (rfo_api_job_current(job) && error) {
		rfo_channel_model_set_result(&channels.model, id, RFO_CHANNEL_RESULT_ERROR, error);
	} else if (rfo_api_job_current(job)) {
		struct rfo_channel_entry *e = rfo_channel_model_find(&channels.model, id);
		const char *desc = op->description ? op->description : (e ? e->description : NULL);
		char *keep = desc ? bstrdup(desc) : NULL;
		rfo_channel_model_set_meta(&channels.model, id, op->title, keep);
		bfree(keep);
		rfo_channel_model_set_result(&channels.model, id, RFO_CHANNEL_RESULT_OK,
					     obs_module_text("Channels.Result.TitleSet"));
	}
	pthread_mutex_unlock(&channels.mutex);
}

char *rfo_ch_title_end(struct rfo_api_job *job, bool *again, bool *changed)
{
	struct rfo_ch_op *op = rfo_api_job_data(job);
	char *error = NULL;
	pthread_mutex_lock(&channels.mutex);
	bool current = rfo_api_job_current(job);
	channels.applying = false;
	size_t ok = 0;
	for (size_t i = 0; i < op->titles.num; i++)
		ok += op->titles.array[i].error ? 0 : 1;
	struct dstr s = {0}, n = {0};
	dstr_copy(&s, obs_module_text("Channels.Title.Summary"));
	dstr_printf(&n, "%zu", ok);
	dstr_replace(&s, "%1", n.array);
	dstr_printf(&n, "%zu", op->titles.num);
	dstr_replace(&s, "%2", n.array);
	dstr_free(&n);
	bfree(channels.notice);
	channels.notice = s.array;
	*again = current && ok > 0;
	*changed = current; /* ListChannels' titles; a failure is reported too */
	if (current && ok < op->titles.num) {
		/* "Channels with the new title: 1 of 2. <the first failure's reason>" */
		struct dstr e = {0};
		dstr_copy(&e, channels.notice);
		for (size_t i = 0; i < op->titles.num; i++) {
			if (op->titles.array[i].error) {
				dstr_catf(&e, " %s", op->titles.array[i].error);
				break;
			}
		}
		error = e.array;
	}
	pthread_mutex_unlock(&channels.mutex);
	return error;
}

size_t rfo_ch_title_outcomes(struct rfo_api_job *job, bool list, obs_data_array_t *updated, obs_data_array_t *failed,
			     char **first_error)
{
	struct rfo_ch_op *op = rfo_api_job_data(job);
	size_t n_ok = 0;
	pthread_mutex_lock(&channels.mutex);
	for (size_t i = 0; list && i < op->titles.num; i++) {
		const struct rfo_ch_title_out *o = &op->titles.array[i];
		obs_data_t *item = obs_data_create();
		obs_data_set_int(item, "id", o->id);
		if (o->error)
			obs_data_set_string(item, "error", o->error);
		else
			n_ok++;
		obs_data_array_push_back(o->error ? failed : updated, item);
		obs_data_release(item);
	}
	*first_error = op->titles.num && op->titles.array[0].error ? bstrdup(op->titles.array[0].error) : NULL;
	pthread_mutex_unlock(&channels.mutex);
	return n_ok;
}

/* ---------------------------------------------------------------- reading the cache */

static obs_data_t *entry_data_locked(const struct rfo_channel_entry *e)
{
	bool known = false;
	char *platform = rfo_ch_platform_name(e->ch.platform_id, &known);
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
	pthread_mutex_lock(&channels.mutex);
	for (size_t i = 0; i < channels.model.count; i++) {
		obs_data_t *d = entry_data_locked(&channels.model.items[i]);
		obs_data_array_push_back(arr, d);
		obs_data_release(d);
	}
	pthread_mutex_unlock(&channels.mutex);
	return arr;
}

obs_data_t *rfo_channels_channel_data(int64_t id)
{
	pthread_mutex_lock(&channels.mutex);
	struct rfo_channel_entry *e = rfo_channel_model_find(&channels.model, id);
	obs_data_t *d = e ? entry_data_locked(e) : NULL;
	pthread_mutex_unlock(&channels.mutex);
	return d;
}

bool rfo_channels_refreshing(void)
{
	pthread_mutex_lock(&channels.mutex);
	bool busy = channels.refresh_job != NULL;
	pthread_mutex_unlock(&channels.mutex);
	return busy;
}

bool rfo_channels_have_list(void)
{
	pthread_mutex_lock(&channels.mutex);
	bool have = channels.have_list;
	pthread_mutex_unlock(&channels.mutex);
	return have;
}

void rfo_channels_foreach(void (*cb)(void *param, int64_t id, const char *name), void *param)
{
	pthread_mutex_lock(&channels.mutex);
	for (size_t i = 0; i < channels.model.count; i++)
		cb(param, channels.model.items[i].ch.id, channels.model.items[i].ch.display_name);
	pthread_mutex_unlock(&channels.mutex);
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
	if (!channels.created)
		return;
	bool in = rfo_ch_signed_in();
	pthread_mutex_lock(&channels.mutex);
	size_t n = in ? channels.model.count : 0;
	struct rfo_ui_channel *items = n ? bzalloc(n * sizeof(*items)) : NULL;
	struct ui_names *names = n ? bzalloc(n * sizeof(*names)) : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct rfo_channel_entry *e = &channels.model.items[i];
		struct rfo_ui_channel *u = &items[i];
		names[i].platform = rfo_ch_platform_name(e->ch.platform_id, &u->platform_known);
		rfo_channel_badge_text(names[i].platform, e->ch.platform_id, u->platform_known, names[i].badge,
				       sizeof(names[i].badge));
		u->id = e->ch.id;
		u->platform_id = e->ch.platform_id;
		u->platform_name = names[i].platform;
		u->badge = names[i].badge;
		u->icon = rfo_ch_icon(e->ch.platform_id, &u->icon_size);
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
		.loading = channels.refresh_job != NULL,
		.applying = channels.applying,
		.error = in ? channels.last_error : NULL,
		.notice = in ? channels.notice : NULL,
		.channels = items,
		.count = n,
	};
	cb(param, &st);
	pthread_mutex_unlock(&channels.mutex);
	for (size_t i = 0; i < n; i++)
		bfree(names[i].platform);
	bfree(names);
	bfree(items);
}

void rfo_ch_ui_push_task(void *param)
{
	UNUSED_PARAMETER(param);
	if (!channels.created || !rfo_controller_running())
		return;
	if (ui_view)
		ui_view->changed();
	rfo_channels_hotkeys_sync();
}

/* ---------------------------------------------------------------- session and lifecycle */

static void on_session(void *param)
{
	UNUSED_PARAMETER(param);
	if (!running())
		return;
	struct rfo_auth *auth = rfo_controller_auth();
	bool in = auth && rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
	char *token = NULL;
	bool have_token = in && rfo_auth_get_token(auth, &token);
	bfree(token);

	/* Signed out: older answers are not current from here on (before the list is cleared), the Retry-After
	 * hold ends and calls parked after a 401 fail. */
	if (!in)
		rfo_api_new_session(rfo_ch_api());
	pthread_mutex_lock(&channels.mutex);
	bool was = channels.signed_in;
	channels.signed_in = in;
	bool have_list = channels.have_list;
	if (!in && was) {
		rfo_channel_model_free(&channels.model);
		channels.have_list = false;
		channels.fetched_at = channels.attempted_at = 0;
		channels.applying = false;
		bfree(channels.last_error);
		bfree(channels.notice);
		channels.last_error = channels.notice = NULL;
	}
	pthread_mutex_unlock(&channels.mutex);

	if (!in) {
		if (was) {
			rfo_ch_emit_changed(NULL);
			rfo_dispatch(rfo_ch_ui_push_task, NULL);
		}
		return;
	}
	if (!was)
		rfo_api_clear_hold(rfo_ch_api()); /* the old session's Retry-After does not apply to the next one */
	rfo_ch_load_disk_once();
	if (!have_token)
		return; /* a refresh is under way: the next call brings the token */
	rfo_api_token_changed(rfo_ch_api());
	if (!was || !have_list)
		rfo_channels_refresh(true, 0, NULL);
}

/* OBS's window is up (the dock exists): draw the tab. */
void rfo_channels_start(void)
{
	if (channels.created)
		rfo_ch_ui_push_task(NULL);
}

bool rfo_channels_create(void)
{
	if (channels.created)
		return true;
	pthread_mutex_init(&channels.mutex, NULL);
	rfo_channel_model_init(&channels.model);
	rfo_ch_cache_create();
	rfo_ch_api_create();
	channels.created = true;
	os_atomic_set_bool(&channels.running, true);
	rfo_controller_on_session(on_session, NULL);
	rfo_channels_hotkeys_init();
	return true;
}

void rfo_channels_stop(void)
{
	if (!channels.created || !running())
		return;
	os_atomic_set_bool(&channels.running, false);
	rfo_ch_api_stop(); /* calls parked after a 401 fail as cancelled */
	rfo_channels_hotkeys_free();
}

void rfo_channels_free(void)
{
	if (!channels.created)
		return;
	rfo_channels_stop();
	rfo_api_job_release(channels.refresh_job);
	channels.refresh_job = NULL;
	rfo_channel_model_free(&channels.model);
	bfree(channels.last_error);
	bfree(channels.notice);
	rfo_ch_cache_free();
	rfo_ch_api_free();
	pthread_mutex_destroy(&channels.mutex);
	memset(&channels, 0, sizeof(channels));
}

void rfo_channels_ui_notice(const char *text)
{
	if (!channels.created)
		return;
	pthread_mutex_lock(&channels.mutex);
	bfree(channels.notice);
	channels.notice = text && *text ? bstrdup(text) : NULL;
	pthread_mutex_unlock(&channels.mutex);
	if (running())
		rfo_dispatch(rfo_ch_ui_push_task, NULL);
}
