/* Destinations cache: platforms (+ icons, on disk), channels and titles, switches and title changes. */
#include "rfo-channels.h"
#include "rfo-channels-private.h"
#include "rfo-auth.h"
#include "rfo-channel-model.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-http.h"
#include "rfo-log.h"
#include "rfo-rest.h"
#include "rfo-ui-channels.h"
#include "rfo-vendor.h"

#include <obs-module.h>
#include <sys/stat.h>
#include <time.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

struct rfo_channels_state rfo_ch;

/* ---------------------------------------------------------------- jobs */

struct job *rfo_ch_job_create(enum job_kind kind)
{
	struct job *job = bzalloc(sizeof(*job));
	job->refs = 1;
	job->pending = 1; /* the creator's guard, dropped by rfo_ch_job_finish_one() */
	job->kind = kind;
	job->started = os_gettime_ns();
	os_event_init(&job->done, OS_EVENT_TYPE_MANUAL);
	da_init(job->titles);
	return job;
}

void rfo_ch_job_release(struct job *job)
{
	if (!job || os_atomic_dec_long(&job->refs) != 0)
		return;
	for (size_t i = 0; i < job->titles.num; i++)
		bfree(job->titles.array[i].error);
	da_free(job->titles);
	bfree(job->title);
	bfree(job->description);
	os_event_destroy(job->done);
	bfree(job);
}

static void job_fail(struct job *job, int code, const char *message)
{
	pthread_mutex_lock(&rfo_ch.mutex);
	if (!job->err.code)
		rfo_error_set(&job->err, code ? code : RFO_ERR_NETWORK, "%s", message);
	pthread_mutex_unlock(&rfo_ch.mutex);
}

static void job_complete(struct job *job)
{
	bool again = false, changed = false;
	char *error = NULL;
	pthread_mutex_lock(&rfo_ch.mutex);
	bool current = job->gen == rfo_ch.gen;
	switch (job->kind) {
	case J_REFRESH:
		if (rfo_ch.refresh_job == job) {
			rfo_ch.refresh_job = NULL;
			rfo_ch_job_release(job);
			again = rfo_ch.refresh_again && current;
			rfo_ch.refresh_again = false;
		}
		if (current) {
			bfree(rfo_ch.last_error);
			rfo_ch.last_error =
				job->err.code && job->err.code != RFO_ERR_CANCELLED ? bstrdup(job->err.message) : NULL;
			if (!job->err.code)
				rfo_ch.fetched_at = os_gettime_ns();
		}
		changed = current && job->changed;
		break;
	case J_SWITCH: {
		uint64_t now = os_gettime_ns();
		rfo_channel_model_end_switch(&rfo_ch.model, job->id, !job->err.code, job->err.message, now);
		/* a failure is reported too: a vendor caller answered "pending" learns of the rollback here */
		changed = current && job->err.code != RFO_ERR_CANCELLED;
		again = current && !job->err.code;
		if (changed && job->err.code)
			error = bstrdup(job->err.message);
		break;
	}
	case J_TITLE: {
		rfo_ch.applying = false;
		size_t ok = 0;
		for (size_t i = 0; i < job->titles.num; i++)
			ok += job->titles.array[i].error ? 0 : 1;
		struct dstr s = {0}, n = {0};
		dstr_copy(&s, obs_module_text("Channels.Title.Summary"));
		dstr_printf(&n, "%zu", ok);
		dstr_replace(&s, "%1", n.array);
		dstr_printf(&n, "%zu", job->titles.num);
		dstr_replace(&s, "%2", n.array);
		dstr_free(&n);
		bfree(rfo_ch.notice);
		rfo_ch.notice = s.array;
		again = current && ok > 0;
		changed = current; /* ListChannels' titles; a failure is reported too */
		if (current && ok < job->titles.num) {
			/* "Title set on 1 of 2 channels. <the first failure's reason>" */
			struct dstr e = {0};
			dstr_copy(&e, rfo_ch.notice);
			for (size_t i = 0; i < job->titles.num; i++) {
				if (job->titles.array[i].error) {
					dstr_catf(&e, " %s", job->titles.array[i].error);
					break;
				}
			}
			error = e.array;
		}
		break;
	}
	case J_ICONS:
		break;
	}
	pthread_mutex_unlock(&rfo_ch.mutex);

	if (changed)
		rfo_ch_emit_changed(error);
	bfree(error);
	if (rfo_ch.running) {
		rfo_dispatch(rfo_ch_ui_push_task, NULL);
		if (again)
			rfo_channels_refresh(true, 0, NULL);
		if (job->kind == J_REFRESH && current)
			rfo_ch_start_icons();
	}
	os_event_signal(job->done);
}

void rfo_ch_job_finish_one(struct job *job)
{
	if (os_atomic_dec_long(&job->pending) == 0)
		job_complete(job);
}

/* ---------------------------------------------------------------- requests */

static bool kind_needs_auth(enum kind kind)
{
	return kind != K_PLATFORMS && kind != K_ICON;
}

static char *api_url(const char *path, int64_t id)
{
	struct dstr url = {0};
	dstr_copy(&url, rfo_controller_config()->api_url);
	while (url.len && url.array[url.len - 1] == '/')
		dstr_resize(&url, url.len - 1);
	dstr_cat(&url, path);
	if (id)
		dstr_catf(&url, "%lld", (long long)id);
	return url.array;
}

struct req *rfo_ch_req_new(struct job *job, enum kind kind, int64_t id)
{
	struct req *r = bzalloc(sizeof(*r));
	r->job = job;
	r->kind = kind;
	r->id = id;
	os_atomic_inc_long(&job->refs);
	os_atomic_inc_long(&job->pending);
	switch (kind) {
	case K_PLATFORMS:
		r->url = api_url("/v2/platform/all", 0);
		break;
	case K_LIST:
		r->url = api_url("/v2/user/channel/all", 0);
		break;
	case K_META:
	case K_TITLE:
		r->url = api_url("/v2/user/channel-meta/", id);
		break;
	case K_SWITCH:
		r->url = api_url("/v2/user/channel/", id);
		break;
	case K_ICON:
		break;
	}
	return r;
}

static void req_finish(struct req *r)
{
	struct job *job = r->job;
	bfree(r->url);
	bfree(r->body);
	bfree(r->token);
	bfree(r);
	rfo_ch_job_finish_one(job);
	rfo_ch_job_release(job);
}

static void req_fail(struct req *r, int code, const char *message);

static void on_http_done(void *param, struct rfo_http_response *resp);

bool rfo_ch_held(struct rfo_error *err)
{
	return rfo_rest_hold_check(&rfo_ch.hold, err);
}

void rfo_ch_submit(struct req *r)
{
	struct rfo_http *http = rfo_controller_http();
	struct rfo_auth *auth = rfo_controller_auth();
	uint64_t held = r->kind == K_ICON ? 0 : rfo_rest_hold_left(&rfo_ch.hold);
	if (held) {
		char *text = rfo_rest_hold_text(held);
		req_fail(r, 429, text);
		bfree(text);
		return;
	}
	if (kind_needs_auth(r->kind) && !r->token && (!auth || !rfo_auth_get_token(auth, &r->token))) {
		req_fail(r, RFO_ERR_AUTH, obs_module_text("Channels.Error.SignedOut"));
		return;
	}
	bool patch = r->kind == K_SWITCH || r->kind == K_TITLE;
	struct rfo_http_request hr = {
		.method = patch ? RFO_HTTP_PATCH : RFO_HTTP_GET,
		.url = r->url,
		.bearer_token = kind_needs_auth(r->kind) ? r->token : NULL,
		.content_type = patch ? "application/json" : NULL,
		.body = patch ? r->body : NULL,
		.timeout_ms = 15000,
		.max_body_bytes = r->kind == K_ICON ? ICON_MAX_BYTES : 0,
	};
	if (!http || !rfo_ch.running || !rfo_http_submit(http, &hr, on_http_done, r))
		req_fail(r, RFO_ERR_CANCELLED, obs_module_text("Channels.Error.Stopping"));
}

/* A 401: park the request, report it, and retry once with the next token. Parked first, so that a refresh
 * finishing between the report and the parking still resubmits it (through the token listener or below). */
static void park(struct req *r)
{
	struct rfo_auth *auth = rfo_controller_auth();
	if (!auth) {
		req_fail(r, RFO_ERR_AUTH, obs_module_text("Channels.Error.SignedOut"));
		return;
	}
	r->retried = true;
	r->parked_at = os_gettime_ns();
	char *old = bstrdup(r->token);
	pthread_mutex_lock(&rfo_ch.mutex);
	da_push_back(rfo_ch.parked, &r);
	os_atomic_set_long(&rfo_ch.parked_count, (long)rfo_ch.parked.num);
	pthread_mutex_unlock(&rfo_ch.mutex);
	rfo_auth_report_rejected(auth, old); /* refreshes only when `old` is still the current token */
	char *token = NULL;
	if (rfo_auth_get_token(auth, &token) && strcmp(token, old) != 0)
		rfo_ch_unpark(true, false); /* a newer token is already there */
	bfree(token);
	bfree(old);
}

/* Resubmits parked requests with a new token, or fails them (signed out, stopping, too old). */
void rfo_ch_unpark(bool resubmit, bool all)
{
	struct rfo_auth *auth = rfo_controller_auth();
	uint64_t now = os_gettime_ns();
	DARRAY(struct req *) take;
	da_init(take);
	pthread_mutex_lock(&rfo_ch.mutex);
	for (size_t i = rfo_ch.parked.num; i > 0; i--) {
		struct req *r = rfo_ch.parked.array[i - 1];
		if (all || resubmit || now - r->parked_at > PARK_MAX_NS) {
			da_push_back(take, &r);
			da_erase(rfo_ch.parked, i - 1);
		}
	}
	os_atomic_set_long(&rfo_ch.parked_count, (long)rfo_ch.parked.num);
	pthread_mutex_unlock(&rfo_ch.mutex);
	for (size_t i = 0; i < take.num; i++) {
		struct req *r = take.array[i];
		char *token = NULL;
		if (resubmit && rfo_ch.running && auth && rfo_auth_get_token(auth, &token)) {
			bfree(r->token);
			r->token = token;
			rfo_ch_submit(r);
		} else {
			bfree(token);
			req_fail(r, RFO_ERR_AUTH, obs_module_text("Channels.Error.Unauthorized"));
		}
	}
	da_free(take);
}

/* OBS's tick (graphics thread, every frame): once a second, while requests are parked, fails those parked too
 * long, so that a channel does not stay pending when no caller waits. Nothing parked: one atomic read. */
void rfo_ch_expire_tick(void *param, float seconds)
{
	UNUSED_PARAMETER(param);
	static float since;
	if (!os_atomic_load_long(&rfo_ch.parked_count)) {
		since = 0.0f;
		return;
	}
	since += seconds;
	if (since < 1.0f)
		return;
	since = 0.0f;
	rfo_ch_unpark(false, false);
}

static char *channel_name_copy(int64_t id)
{
	pthread_mutex_lock(&rfo_ch.mutex);
	struct rfo_channel_entry *e = rfo_channel_model_find(&rfo_ch.model, id);
	char *name = bstrdup(e && e->ch.display_name && *e->ch.display_name ? e->ch.display_name : "?");
	pthread_mutex_unlock(&rfo_ch.mutex);
	return name;
}

static void record_failure(struct req *r, int code, const char *message)
{
	struct job *job = r->job;
	switch (r->kind) {
	case K_LIST:
		rfo_log_sub(LOG_WARNING, "channels", "channel list: %s", message);
		job_fail(job, code, message);
		break;
	case K_PLATFORMS:
		rfo_log_sub(LOG_WARNING, "channels", "platform list: %s", message);
		break;
	case K_META:
		rfo_log_sub(LOG_INFO, "channels", "title of channel %lld: %s", (long long)r->id, message);
		break;
	case K_SWITCH: {
		char *name = channel_name_copy(r->id);
		struct dstr s = {0};
		dstr_copy(&s, obs_module_text(job->enabled ? "Channels.Error.SwitchOn" : "Channels.Error.SwitchOff"));
		dstr_replace(&s, "%1", name);
		dstr_catf(&s, " %s", message);
		rfo_log_sub(LOG_WARNING, "channels", "switching channel %lld %s failed: %s", (long long)r->id,
			    job->enabled ? "on" : "off", message);
		job_fail(job, code, s.array);
		dstr_free(&s);
		bfree(name);
		break;
	}
	case K_TITLE: {
		rfo_log_sub(LOG_WARNING, "channels", "title of channel %lld not set: %s", (long long)r->id, message);
		pthread_mutex_lock(&rfo_ch.mutex);
		struct title_out o = {r->id, bstrdup(message)};
		da_push_back(job->titles, &o);
		if (job->gen == rfo_ch.gen)
			rfo_channel_model_set_result(&rfo_ch.model, r->id, RFO_CHANNEL_RESULT_ERROR, message);
		pthread_mutex_unlock(&rfo_ch.mutex);
		break;
	}
	case K_ICON:
		break;
	}
}

static void req_fail(struct req *r, int code, const char *message)
{
	record_failure(r, code, message);
	req_finish(r);
}

static void response_error(const struct rfo_http_response *resp, struct rfo_error *err)
{
	if (resp->error.code != RFO_ERR_NONE) {
		const char *key = rfo_http_failure_key(resp->failure);
		rfo_error_set(err, resp->error.code, "%s", key ? obs_module_text(key) : resp->error.message);
		return;
	}
	if (resp->status == 401) {
		rfo_error_set(err, 401, "%s", obs_module_text("Channels.Error.Unauthorized"));
		return;
	}
	/* Restream's own reason ("Title Too Long") stands alone; server errors also get their status. */
	bool envelope = rfo_rest_parse_error(resp->body, resp->len, resp->status, err);
	char status[16];
	snprintf(status, sizeof(status), "%ld", resp->status);
	if ((!envelope || resp->status >= 500) && !strstr(err->message, status)) {
		size_t n = strlen(err->message);
		snprintf(err->message + n, sizeof(err->message) - n, " (HTTP %ld)", resp->status);
	}
}

static bool has_unknown_platform_locked(void)
{
	for (size_t i = 0; i < rfo_ch.model.count; i++)
		if (!rfo_platform_list_find(&rfo_ch.platforms, rfo_ch.model.items[i].ch.platform_id))
			return true;
	return false;
}

static void write_file(const char *dir, const char *path, const void *data, size_t size)
{
	if (!path || os_mkdirs(dir) == MKDIR_ERROR) {
		rfo_log_sub(LOG_WARNING, "channels", "could not create the cache folder");
		return;
	}
	struct dstr tmp = {0};
	dstr_printf(&tmp, "%s.tmp", path);
	FILE *f = os_fopen(tmp.array, "wb");
	bool ok = f && fwrite(data, 1, size, f) == size;
	if (f)
		ok = fclose(f) == 0 && ok;
	if (!ok || os_safe_replace(path, tmp.array, NULL) != 0) {
		rfo_log_sub(LOG_WARNING, "channels", "could not write the platform cache");
		os_unlink(tmp.array);
	}
	dstr_free(&tmp);
}

struct icon *rfo_ch_icon_get_locked(int64_t platform_id, bool create)
{
	for (size_t i = 0; i < rfo_ch.icons.num; i++)
		if (rfo_ch.icons.array[i].platform_id == platform_id)
			return &rfo_ch.icons.array[i];
	if (!create || rfo_ch.icons.num >= MAX_ICONS)
		return NULL;
	struct icon ic = {.platform_id = platform_id};
	da_push_back(rfo_ch.icons, &ic);
	return &rfo_ch.icons.array[rfo_ch.icons.num - 1];
}

char *rfo_ch_icon_path(int64_t platform_id)
{
	struct dstr s = {0};
	dstr_printf(&s, "%s/platform-%lld.png", rfo_ch.icons_dir, (long long)platform_id);
	return s.array;
}

bool rfo_ch_is_png(const void *data, size_t size)
{
	return size > 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
}

/* Parses one answer into the cache. false with err. */
static bool store(struct req *r, const struct rfo_http_response *resp, struct rfo_error *err)
{
	struct job *job = r->job;
	switch (r->kind) {
	case K_PLATFORMS: {
		struct rfo_platform_list list = {0};
		if (!rfo_rest_parse_platforms(resp->body, resp->len, &list, err))
			return false;
		pthread_mutex_lock(&rfo_ch.mutex);
		rfo_platform_list_free(&rfo_ch.platforms);
		rfo_ch.platforms = list;
		pthread_mutex_unlock(&rfo_ch.mutex);
		write_file(rfo_ch.config_dir, rfo_ch.platforms_path, resp->body, resp->len);
		return true;
	}
	case K_LIST: {
		struct rfo_channel_list list = {0};
		if (!rfo_rest_parse_channels(resp->body, resp->len, &list, err))
			return false;
		DARRAY(int64_t) ids;
		da_init(ids);
		bool need_platforms = false;
		pthread_mutex_lock(&rfo_ch.mutex);
		if (job->gen == rfo_ch.gen) {
			job->changed =
				rfo_channel_model_replace_take(&rfo_ch.model, &list, job->started) || !rfo_ch.have_list;
			rfo_ch.have_list = true;
			for (size_t i = 0; i < rfo_ch.model.count; i++)
				da_push_back(ids, &rfo_ch.model.items[i].ch.id);
			if (!rfo_ch.platforms_fetched && has_unknown_platform_locked())
				need_platforms = rfo_ch.platforms_fetched = true;
		}
		pthread_mutex_unlock(&rfo_ch.mutex);
		rfo_channel_list_free(&list);
		if (need_platforms)
			rfo_ch_submit(rfo_ch_req_new(job, K_PLATFORMS, 0));
		for (size_t i = 0; i < ids.num && rfo_ch.running; i++)
			rfo_ch_submit(rfo_ch_req_new(job, K_META, ids.array[i]));
		da_free(ids);
		return true;
	}
	case K_META: {
		struct rfo_channel_meta meta = {0};
		if (!rfo_rest_parse_channel_meta(resp->body, resp->len, &meta, err))
			return false;
		pthread_mutex_lock(&rfo_ch.mutex);
		if (job->gen == rfo_ch.gen && job->started > rfo_ch.titles_at)
			rfo_channel_model_set_meta(&rfo_ch.model, r->id, meta.title, meta.description);
		pthread_mutex_unlock(&rfo_ch.mutex);
		rfo_channel_meta_free(&meta);
		return true;
	}
	case K_SWITCH:
		return true;
	case K_TITLE: {
		pthread_mutex_lock(&rfo_ch.mutex);
		struct title_out o = {r->id, NULL};
		da_push_back(job->titles, &o);
		rfo_ch.titles_at = os_gettime_ns();
		if (job->gen == rfo_ch.gen) {
			struct rfo_channel_entry *e = rfo_channel_model_find(&rfo_ch.model, r->id);
			const char *desc = job->description ? job->description : (e ? e->description : NULL);
			char *keep = desc ? bstrdup(desc) : NULL;
			rfo_channel_model_set_meta(&rfo_ch.model, r->id, job->title, keep);
			bfree(keep);
			rfo_channel_model_set_result(&rfo_ch.model, r->id, RFO_CHANNEL_RESULT_OK,
						     obs_module_text("Channels.Result.TitleSet"));
		}
		pthread_mutex_unlock(&rfo_ch.mutex);
		return true;
	}
	case K_ICON: {
		if (!rfo_ch_is_png(resp->body, resp->len))
			return true;
		pthread_mutex_lock(&rfo_ch.mutex);
		struct icon *ic = rfo_ch_icon_get_locked(r->id, true);
		if (ic && !ic->data) {
			ic->data = bmemdup(resp->body, resp->len);
			ic->size = resp->len;
		}
		pthread_mutex_unlock(&rfo_ch.mutex);
		char *path = rfo_ch_icon_path(r->id);
		write_file(rfo_ch.icons_dir, path, resp->body, resp->len);
		bfree(path);
		return true;
	}
	}
	return true;
}

static void on_http_done(void *param, struct rfo_http_response *resp)
{
	struct req *r = param;
	struct rfo_error err = {0};
	if (resp->error.code == RFO_ERR_NONE && resp->status == 401 && kind_needs_auth(r->kind) && !r->retried &&
	    rfo_ch.running) {
		park(r);
		return;
	}
	uint64_t wait = r->kind != K_ICON ? rfo_rest_hold_apply(&rfo_ch.hold, resp, "channels") : 0;
	if (wait) {
		char *text = rfo_rest_hold_text(wait);
		req_fail(r, (int)resp->status, text);
		bfree(text);
		return;
	}
	if (!rfo_http_response_ok(resp)) {
		response_error(resp, &err);
		if (resp->status == 401 && rfo_controller_auth())
			rfo_auth_report_rejected(rfo_controller_auth(), r->token);
		req_fail(r, err.code, err.message);
		return;
	}
	if (!store(r, resp, &err)) {
		req_fail(r, err.code, err.message);
		return;
	}
	req_finish(r);
}
