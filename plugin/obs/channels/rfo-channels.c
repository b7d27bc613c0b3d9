/* Destinations: asking Restream. The request engine (rfo-api.h), the operations (refresh the list, switch a
 * channel, set titles) and their answers, stored into the channel list (rfo-channels-ops.c) and the platform
 * cache (rfo-channels-cache.c). A 401 parks the call and retries it once with the next token. */
#include "rfo-channels.h"
#include "rfo-channels-private.h"
#include "rfo-api.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"
#include "rfo-rest.h"

#include <obs-module.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>

/* The channels' own engine (its own Retry-After hold), from rfo_channels_create to rfo_channels_free. */
static struct rfo_api *api;

/* What one call asks for. */
enum call_kind { K_PLATFORMS, K_LIST, K_META, K_SWITCH, K_TITLE, K_ICON };

struct ch_call {
	enum call_kind kind;
	int64_t id; /* channel (meta, switch, title) or platform (icon) */
};

/* ---------------------------------------------------------------- the engine */

/* OBS's tick (graphics thread, every frame): once a second, fails calls parked too long after a 401, so that a
 * channel does not stay pending when no caller waits. Nothing parked: one atomic read. */
static void expire_tick(void *param, float seconds)
{
	UNUSED_PARAMETER(param);
	static float since;
	since += seconds;
	if (since < 1.0f)
		return;
	since = 0.0f;
	rfo_api_expire(api);
}

void rfo_ch_api_create(void)
{
	struct rfo_api_config cfg = {
		.log_sub = "channels",
		.texts =
			{
				.signed_out = obs_module_text("Channels.Error.SignedOut"),
				.stopping = obs_module_text("Channels.Error.Stopping"),
				.unauthorized = obs_module_text("Channels.Error.Unauthorized"),
				.timeout = obs_module_text("Channels.Error.Timeout"),
			},
		.status_in_errors = true,
		.park_max_ns = PARK_MAX_NS,
	};
	rfo_controller_api_config(&cfg);
	api = rfo_api_create(&cfg);
	obs_add_tick_callback(expire_tick, NULL);
}

void rfo_ch_api_stop(void)
{
	obs_remove_tick_callback(expire_tick, NULL);
	rfo_api_stop(api);
}

void rfo_ch_api_free(void)
{
	rfo_api_destroy(api);
	api = NULL;
}

struct rfo_api *rfo_ch_api(void)
{
	return api;
}

/* ---------------------------------------------------------------- jobs */

static void op_free(void *data)
{
	struct rfo_ch_op *op = data;
	for (size_t i = 0; i < op->titles.num; i++)
		bfree(op->titles.array[i].error);
	da_free(op->titles);
	bfree(op->title);
	bfree(op->description);
	bfree(op);
}

/* Every call of an operation answered: the dock, ChannelsChanged, and what follows. */
static void op_complete(struct rfo_api_job *job, void *data)
{
	struct rfo_ch_op *op = data;
	struct rfo_error err = {0};
	rfo_api_job_error(job, &err);
	bool current = rfo_api_job_current(job);
	bool again = false, changed = false;
	char *error = NULL;
	switch (op->kind) {
	case RFO_CH_OP_REFRESH:
		current = rfo_ch_refresh_end(job, &err, &again, &changed);
		break;
	case RFO_CH_OP_SWITCH:
		rfo_ch_end_switch(op->id, !err.code, err.message);
		/* a failure is reported too: a vendor caller answered "pending" learns of the rollback here */
		changed = current && err.code != RFO_ERR_CANCELLED;
		again = current && !err.code;
		if (changed && err.code)
			error = bstrdup(err.message);
		break;
	case RFO_CH_OP_TITLE:
		error = rfo_ch_title_end(job, &again, &changed);
		break;
	case RFO_CH_OP_ICONS:
		break;
	}
	if (changed)
		rfo_ch_emit_changed(error);
	bfree(error);
	if (rfo_ch_running()) {
		rfo_dispatch(rfo_ch_ui_push_task, NULL);
		if (again)
			rfo_channels_refresh(true, 0, NULL);
		if (op->kind == RFO_CH_OP_REFRESH && current)
			rfo_ch_start_icons();
	}
}

struct rfo_api_job *rfo_ch_op_create(enum rfo_ch_op_kind kind)
{
	struct rfo_ch_op *op = bzalloc(sizeof(*op));
	op->kind = kind;
	op->started = os_gettime_ns();
	da_init(op->titles);
	return rfo_api_job_create(api, op_complete, op, op_free);
}

/* Drops the creator's guard, then waits for the outcome (the creator's reference is released). wait_ms 0: under
 * way (true) unless it already ended, e.g. every call failed at once on this thread (its real outcome). */
static bool op_commit_wait(struct rfo_api_job *job, uint32_t wait_ms, struct rfo_error *err)
{
	rfo_api_job_commit(job);
	if (!wait_ms && !rfo_api_job_done(job)) {
		rfo_api_job_release(job);
		return true;
	}
	bool ok = rfo_api_job_wait(job, wait_ms, err);
	rfo_api_job_release(job);
	return ok;
}

/* ---------------------------------------------------------------- calls */

static void on_answer(void *param, struct rfo_api_job *job, const struct rfo_http_response *resp,
		      const struct rfo_error *error);

/* `text`: the JSON body of a switch or title, or an icon's URL. */
static void submit(struct rfo_api_job *job, enum call_kind kind, int64_t id, const char *text)
{
	struct ch_call *c = bzalloc(sizeof(*c));
	c->kind = kind;
	c->id = id;
	struct dstr path = {0};
	switch (kind) {
	case K_PLATFORMS:
		dstr_copy(&path, "/v2/platform/all");
		break;
	case K_LIST:
		dstr_copy(&path, "/v2/user/channel/all");
		break;
	case K_META:
	case K_TITLE:
		dstr_printf(&path, "/v2/user/channel-meta/%lld", (long long)id);
		break;
	case K_SWITCH:
		dstr_printf(&path, "/v2/user/channel/%lld", (long long)id);
		break;
	case K_ICON:
		break;
	}
	bool patch = kind == K_SWITCH || kind == K_TITLE;
	struct rfo_api_call call = {
		.method = patch ? RFO_HTTP_PATCH : RFO_HTTP_GET,
		.path = path.array,
		.url = kind == K_ICON ? text : NULL, /* an icon: no token, not held */
		.body = patch ? text : NULL,
		.auth = kind == K_PLATFORMS || kind == K_ICON ? RFO_API_AUTH_NONE : RFO_API_AUTH_RETRY,
		.max_body_bytes = kind == K_ICON ? ICON_MAX_BYTES : 0,
		.timeout_ms = 15000,
	};
	rfo_api_submit(job, &call, on_answer, c);
	dstr_free(&path);
}

void rfo_ch_fetch_icons(const int64_t *ids, char **urls, size_t count)
{
	struct rfo_api_job *job = rfo_ch_op_create(RFO_CH_OP_ICONS);
	for (size_t i = 0; i < count; i++) {
		submit(job, K_ICON, ids[i], urls[i]);
		bfree(urls[i]);
		urls[i] = NULL;
	}
	rfo_api_job_commit(job);
	rfo_api_job_release(job);
}

static void job_fail(struct rfo_api_job *job, int code, const char *message)
{
	struct rfo_error err;
	rfo_error_set(&err, code ? code : RFO_ERR_NETWORK, "%s", message);
	rfo_api_job_fail(job, &err);
}

static void record_failure(struct rfo_api_job *job, const struct ch_call *c, int code, const char *message)
{
	struct rfo_ch_op *op = rfo_api_job_data(job);
	switch (c->kind) {
	case K_LIST:
		rfo_log_sub(LOG_WARNING, "channels", "channel list: %s", message);
		job_fail(job, code, message);
		break;
	case K_PLATFORMS:
		rfo_log_sub(LOG_WARNING, "channels", "platform list: %s", message);
		break;
	case K_META:
		rfo_log_sub(LOG_INFO, "channels", "title of channel %lld: %s", (long long)c->id, message);
		break;
	case K_SWITCH: {
		char *name = rfo_ch_channel_name(c->id);
		struct dstr s = {0};
		dstr_copy(&s, obs_module_text(op->enabled ? "Channels.Error.SwitchOn" : "Channels.Error.SwitchOff"));
		dstr_replace(&s, "%1", name);
		dstr_catf(&s, " %s", message);
		rfo_log_sub(LOG_WARNING, "channels", "switching channel %lld %s failed: %s", (long long)c->id,
			    op->enabled ? "on" : "off", message);
		job_fail(job, code, s.array);
		dstr_free(&s);
		bfree(name);
		break;
	}
	case K_TITLE:
		rfo_log_sub(LOG_WARNING, "channels", "title of channel %lld not set: %s", (long long)c->id, message);
		rfo_ch_title_result(job, c->id, message);
		break;
	case K_ICON:
		break;
	}
}

/* Parses one answer into the cache. false with err. */
static bool store(struct rfo_api_job *job, const struct ch_call *c, const struct rfo_http_response *resp,
		  struct rfo_error *err)
{
	switch (c->kind) {
	case K_PLATFORMS:
		return rfo_ch_store_platforms(resp->body, resp->len, err);
	case K_LIST: {
		struct rfo_channel_list list = {0};
		if (!rfo_rest_parse_channels(resp->body, resp->len, &list, err))
			return false;
		DARRAY(int64_t) ids;
		DARRAY(int64_t) platform_ids;
		da_init(ids);
		da_init(platform_ids);
		rfo_ch_store_list(job, &list, &ids.da, &platform_ids.da);
		rfo_channel_list_free(&list);
		if (rfo_ch_platforms_claim_unknown(platform_ids.array, platform_ids.num))
			submit(job, K_PLATFORMS, 0, NULL);
		for (size_t i = 0; i < ids.num && rfo_ch_running(); i++)
			submit(job, K_META, ids.array[i], NULL);
		da_free(ids);
		da_free(platform_ids);
		return true;
	}
	case K_META: {
		struct rfo_channel_meta meta = {0};
		if (!rfo_rest_parse_channel_meta(resp->body, resp->len, &meta, err))
			return false;
		rfo_ch_store_meta(job, c->id, &meta);
		rfo_channel_meta_free(&meta);
		return true;
	}
	case K_SWITCH:
		return true;
	case K_TITLE:
		rfo_ch_title_result(job, c->id, NULL);
		return true;
	case K_ICON:
		rfo_ch_store_icon(c->id, resp->body, resp->len);
		return true;
	}
	return true;
}

static void on_answer(void *param, struct rfo_api_job *job, const struct rfo_http_response *resp,
		      const struct rfo_error *error)
{
	struct ch_call *c = param;
	struct rfo_error err = *error;
	if (err.code || !store(job, c, resp, &err))
		record_failure(job, c, err.code, err.message);
	bfree(c);
}

/* ---------------------------------------------------------------- operations */

bool rfo_channels_refresh(bool force, uint32_t wait_ms, struct rfo_error *err)
{
	if (!rfo_ch_signed_in()) {
		rfo_error_set(err, RFO_ERR_AUTH, "%s", obs_module_text("Channels.Error.SignedOut"));
		return false;
	}
	rfo_api_expire(api); /* fails calls parked for too long */
	struct rfo_api_job *job = NULL;
	char *last = NULL;
	switch (rfo_ch_refresh_begin(force, rfo_api_held(api, NULL), wait_ms != 0, &job, &last)) {
	case RFO_CH_REFRESH_FRESH: {
		bool fresh = !last;
		if (last && !rfo_api_held(api, err))
			rfo_error_set(err, RFO_ERR_NETWORK, "%s", last);
		bfree(last);
		return fresh;
	}
	case RFO_CH_REFRESH_RETRY_LATER:
		rfo_error_set(err, RFO_ERR_NETWORK, "%s", last);
		bfree(last);
		return false;
	case RFO_CH_REFRESH_HELD:
		/* Retry-After: nothing is asked of Restream before then; the cached list (if any) is not fresh. */
		rfo_api_held(api, err);
		return false;
	case RFO_CH_REFRESH_JOIN:
		if (!wait_ms)
			return true;
		break;
	case RFO_CH_REFRESH_START:
		rfo_dispatch(rfo_ch_ui_push_task, NULL); /* "loading" */
		if (rfo_ch_platforms_claim_first())
			submit(job, K_PLATFORMS, 0, NULL);
		submit(job, K_LIST, 0, NULL);
		/* without a wait: under way, or it failed at once (e.g. no token) and that is the outcome */
		return op_commit_wait(job, wait_ms, err);
	}
	bool ok = rfo_api_job_wait(job, wait_ms, err);
	rfo_api_job_release(job);
	return ok;
}

bool rfo_channels_switch(int64_t id, bool enabled, uint32_t wait_ms, struct rfo_error *err)
{
	if (!rfo_ch_signed_in()) {
		rfo_error_set(err, RFO_ERR_AUTH, "%s", obs_module_text("Channels.Error.SignedOut"));
		return false;
	}
	if (rfo_api_held(api, err))
		return false; /* before the shown state moves: nothing to roll back, no ChannelsChanged */
	struct rfo_api_job *job = rfo_ch_op_create(RFO_CH_OP_SWITCH); /* of the session the switch begins in */
	struct rfo_error merr = {0};
	if (!rfo_ch_begin_switch(id, enabled, &merr)) {
		rfo_api_job_release(job);
		rfo_error_set(err, merr.code, "%s",
			      obs_module_text(merr.code == RFO_ERR_STATE ? "Channels.Error.Busy"
									 : "Channels.Error.NoSuchChannel"));
		return false;
	}
	rfo_log_sub(LOG_INFO, "channels", "switching channel %lld %s", (long long)id, enabled ? "on" : "off");
	struct rfo_ch_op *op = rfo_api_job_data(job);
	op->id = id;
	op->enabled = enabled;
	char *body = rfo_rest_channel_patch_body(enabled);
	submit(job, K_SWITCH, id, body);
	bfree(body);
	rfo_dispatch(rfo_ch_ui_push_task, NULL); /* the switch moves at once */
	return op_commit_wait(job, wait_ms, err);
}

void rfo_channels_toggle(int64_t id)
{
	bool enabled = false;
	struct rfo_error err = {0};
	if (rfo_ch_channel_enabled(id, &enabled) && !rfo_channels_switch(id, !enabled, 0, &err))
		rfo_log_sub(LOG_INFO, "channels", "hotkey: %s", err.message);
}

void rfo_channels_switch_all(bool enabled)
{
	DARRAY(int64_t) ids;
	da_init(ids);
	rfo_ch_ids_to_switch(enabled, &ids.da);
	for (size_t i = 0; i < ids.num; i++)
		rfo_channels_switch(ids.array[i], enabled, 0, NULL);
	da_free(ids);
}

bool rfo_channels_set_title(const char *title, const char *description, const int64_t *ids, size_t count,
			    uint32_t wait_ms, obs_data_array_t *updated, obs_data_array_t *failed,
			    struct rfo_error *err)
{
	if (!rfo_ch_signed_in()) {
		rfo_error_set(err, RFO_ERR_AUTH, "%s", obs_module_text("Channels.Error.SignedOut"));
		return false;
	}
	if (!title || !*title) {
		rfo_error_set(err, RFO_ERR_INVALID, "%s", obs_module_text("Channels.Error.NoTitle"));
		return false;
	}
	if (rfo_api_held(api, err))
		return false;
	char *body = rfo_rest_meta_patch_body(title, description);
	if (!body) {
		rfo_error_set(err, RFO_ERR_INVALID, "%s", obs_module_text("Channels.Error.BadText"));
		return false;
	}
	struct rfo_api_job *job = rfo_ch_op_create(RFO_CH_OP_TITLE);
	struct rfo_ch_op *op = rfo_api_job_data(job);
	op->title = bstrdup(title);
	op->description = description ? bstrdup(description) : NULL;
	struct rfo_channel_targets t;
	if (!rfo_ch_begin_title(job, ids, ids ? count : 0, &t)) {
		rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("Channels.Error.NoTargets"));
		rfo_channel_targets_free(&t);
		rfo_api_job_release(job);
		bfree(body);
		return false;
	}
	rfo_log_sub(LOG_INFO, "channels", "setting the title of %zu channel(s)", t.count);
	for (size_t i = 0; i < t.count; i++)
		submit(job, K_TITLE, t.ids[i], body);
	rfo_channel_targets_free(&t);
	bfree(body);
	rfo_dispatch(rfo_ch_ui_push_task, NULL);
	rfo_api_job_commit(job);
	if (!wait_ms && !rfo_api_job_done(job)) {
		rfo_api_job_release(job);
		return true; /* under way: updated/failed stay empty */
	}

	/* waited for, or (without a wait) already over: every request failed at once, e.g. stopping */
	bool ok = rfo_api_job_wait(job, wait_ms, err);
	bool still = !ok && err && err->code == RFO_API_STILL_WAITING;
	char *first = NULL;
	size_t n_ok = rfo_ch_title_outcomes(job, ok || still, updated, failed, &first);
	if (ok && !n_ok) {
		ok = false;
		struct dstr msg = {0};
		dstr_copy(&msg, obs_module_text("Channels.Error.TitleNowhere"));
		dstr_replace(&msg, "%1", first ? first : "");
		rfo_error_set(err, RFO_ERR_STATE, "%s", msg.array);
		dstr_free(&msg);
	}
	bfree(first);
	rfo_api_job_release(job);
	return ok;
}
