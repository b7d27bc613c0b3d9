/* Go-live fetching: one job = the requests of a refresh on the HTTP worker, stored into the cache. */
#include "rfo-golive.h"
#include "rfo-golive-state.h"
#include "rfo-auth.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-http.h"
#include "rfo-log.h"

#include <obs-module.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#define STALE_NS (5ULL * 60 * 1000000000ULL)
#define g rfo_golive_g

static volatile long in_flight; /* refreshes not finished yet */

enum kind { K_SERVERS, K_INGEST, K_KEY, K_UPCOMING, K_IN_PROGRESS, K_EVENT_KEY, K_EVENT_SRT };

struct job {
	volatile long refs;
	volatile long pending;
	os_event_t *done;
	struct rfo_error err;        /* first error needed to stream, under g.mutex */
	struct rfo_error events_err; /* first error of the event lists (only ListEvents needs them) */
	rfo_task_fn ui_task;
	void *ui_param;
	uint64_t gen;
};

struct req {
	struct job *job;
	enum kind kind;
	char *event_id;
	char *token;
};

/* ---------------------------------------------------------------- jobs */

static struct job *job_create(rfo_task_fn ui_task, void *ui_param)
{
	struct job *job = bzalloc(sizeof(*job));
	job->refs = 1;
	job->pending = 1; /* the creator's guard, dropped by job_submitted() */
	os_event_init(&job->done, OS_EVENT_TYPE_MANUAL);
	job->ui_task = ui_task;
	job->ui_param = ui_param;
	os_atomic_inc_long(&in_flight);
	pthread_mutex_lock(&g.mutex);
	job->gen = g.gen;
	pthread_mutex_unlock(&g.mutex);
	return job;
}

static void job_release(struct job *job)
{
	if (job && os_atomic_dec_long(&job->refs) == 0) {
		os_event_destroy(job->done);
		bfree(job);
	}
}

static void ui_refresh_task(void *param)
{
	UNUSED_PARAMETER(param);
	if (rfo_controller_running())
		rfo_golive_ui_refresh();
}

static void job_finish_one(struct job *job)
{
	if (os_atomic_dec_long(&job->pending) != 0)
		return;
	pthread_mutex_lock(&g.mutex);
	if (job->gen == g.gen) {
		g.fetched_at = os_gettime_ns();
		bfree(g.last_error);
		g.last_error = job->err.code ? bstrdup(job->err.message)
					     : (job->events_err.code ? bstrdup(job->events_err.message) : NULL);
	}
	pthread_mutex_unlock(&g.mutex);
	/* After stop, queued UI tasks could outlive the module: run the task here (it sees that the
	 * controller stopped and only frees its parameter). */
	if (job->ui_task) {
		if (g.running)
			rfo_dispatch(job->ui_task, job->ui_param);
		else
			job->ui_task(job->ui_param);
		job->ui_task = NULL;
	}
	if (g.running)
		rfo_dispatch(ui_refresh_task, NULL);
	os_atomic_dec_long(&in_flight);
	os_event_signal(job->done);
}

bool rfo_golive_refreshing(void)
{
	return os_atomic_load_long(&in_flight) > 0;
}

bool rfo_golive_held(struct rfo_error *err)
{
	return rfo_rest_hold_check(&g.hold, err);
}

static void job_fail(struct job *job, const struct rfo_error *err, bool events)
{
	struct rfo_error *slot = events ? &job->events_err : &job->err;
	pthread_mutex_lock(&g.mutex);
	if (!slot->code)
		*slot = *err;
	pthread_mutex_unlock(&g.mutex);
}

static const char *kind_path(enum kind kind)
{
	switch (kind) {
	case K_SERVERS:
		return "/v2/server/all";
	case K_INGEST:
		return "/v2/user/ingest";
	case K_KEY:
		return "/v2/user/streamKey";
	case K_UPCOMING:
		return "/v2/user/events/upcoming";
	case K_IN_PROGRESS:
		return "/v2/user/events/in-progress";
	case K_EVENT_KEY:
		return "/v2/user/events/{id}/streamKey";
	case K_EVENT_SRT:
		return "/v2/user/events/{id}/srt/streamKey";
	}
	return "";
}

static void on_http_done(void *param, struct rfo_http_response *resp);

/* The error a fetch of `kind` failing with `err` gives the job (the event lists count only for ListEvents). */
static void fail_kind(struct job *job, enum kind kind, const struct rfo_error *err)
{
	struct rfo_error full = {0};
	rfo_error_set(&full, err->code, "%s %s",
		      obs_module_text(kind == K_EVENT_KEY ? "GoLive.Error.EventKey" : "GoLive.Error.Fetch"),
		      err->message);
	job_fail(job, &full, kind == K_UPCOMING || kind == K_IN_PROGRESS);
}

static bool submit(struct job *job, enum kind kind, const char *event_id, const char *token)
{
	struct rfo_http *http = rfo_controller_http();
	const struct rfo_config *cfg = rfo_controller_config();
	if (!http || !token)
		return false;
	uint64_t held = rfo_rest_hold_left(&g.hold);
	if (held) {
		/* Restream asked us to wait: not sent; the SRT key of an event is optional */
		struct rfo_error err = {0};
		char *text = rfo_rest_hold_text(held);
		rfo_error_set(&err, 429, "%s", text);
		bfree(text);
		if (kind != K_EVENT_SRT)
			fail_kind(job, kind, &err);
		return false;
	}
	struct dstr url = {0};
	dstr_copy(&url, cfg->api_url);
	while (url.len && url.array[url.len - 1] == '/')
		dstr_resize(&url, url.len - 1);
	if (kind == K_EVENT_KEY || kind == K_EVENT_SRT) {
		dstr_cat(&url, "/v2/user/events/");
		dstr_cat(&url, event_id);
		dstr_cat(&url, kind == K_EVENT_SRT ? "/srt/streamKey" : "/streamKey");
	} else {
		dstr_cat(&url, kind_path(kind));
	}

	struct req *r = bzalloc(sizeof(*r));
	r->job = job;
	r->kind = kind;
	r->event_id = event_id ? bstrdup(event_id) : NULL;
	r->token = bstrdup(token);
	os_atomic_inc_long(&job->refs);
	os_atomic_inc_long(&job->pending);
	struct rfo_http_request hr = {
		.method = RFO_HTTP_GET,
		.url = url.array,
		.bearer_token = token,
		.timeout_ms = 15000,
	};
	bool ok = rfo_http_submit(http, &hr, on_http_done, r);
	dstr_free(&url);
	if (!ok) {
		os_atomic_dec_long(&job->pending);
		os_atomic_dec_long(&job->refs);
		bfree(r->event_id);
		bfree(r->token);
		bfree(r);
	}
	return ok;
}

/* Parses one answer into the cache. Returns false with err. */
static bool store(struct req *r, const char *body, size_t len, bool *chain_srt, struct rfo_error *err)
{
	struct rfo_server_list servers = {0};
	struct rfo_event_list events = {0};
	struct rfo_stream_key key = {0};
	struct rfo_srt_key srt = {0};
	int64_t ingest = 0;
	bool ok = false;

	switch (r->kind) {
	case K_SERVERS:
		ok = rfo_rest_parse_servers(body, len, &servers, err);
		break;
	case K_INGEST:
		ok = rfo_rest_parse_ingest(body, len, &ingest, err);
		break;
	case K_KEY:
	case K_EVENT_KEY:
		ok = rfo_rest_parse_stream_key(body, len, &key, err);
		break;
	case K_UPCOMING:
	case K_IN_PROGRESS:
		ok = rfo_rest_parse_events(body, len, kind_path(r->kind), &events, err);
		break;
	case K_EVENT_SRT:
		ok = rfo_rest_parse_srt_key(body, len, &srt, err);
		break;
	}
	if (!ok)
		return false;

	pthread_mutex_lock(&g.mutex);
	if (r->job->gen == g.gen) {
		struct rfo_golive_event_key *e;
		switch (r->kind) {
		case K_SERVERS:
			rfo_server_list_free(&g.servers);
			g.servers = servers;
			memset(&servers, 0, sizeof(servers));
			break;
		case K_INGEST:
			g.user_ingest = ingest;
			break;
		case K_KEY:
			rfo_stream_key_free(&g.key);
			g.key = key;
			g.have_key = true;
			memset(&key, 0, sizeof(key));
			break;
		case K_UPCOMING:
		case K_IN_PROGRESS: {
			struct rfo_event_list *dst = r->kind == K_UPCOMING ? &g.upcoming : &g.in_progress;
			g.have_events = true;
			rfo_event_list_free(dst);
			*dst = events;
			memset(&events, 0, sizeof(events));
			break;
		}
		case K_EVENT_KEY:
			e = rfo_golive_event_key_get(r->event_id);
			rfo_stream_key_free(&e->key);
			e->key = key;
			e->have_key = true;
			*chain_srt = !e->key.srt_url && !e->have_srt;
			memset(&key, 0, sizeof(key));
			break;
		case K_EVENT_SRT:
			e = rfo_golive_event_key_get(r->event_id);
			rfo_srt_key_free(&e->srt);
			e->srt = srt;
			e->have_srt = true;
			memset(&srt, 0, sizeof(srt));
			break;
		}
	}
	pthread_mutex_unlock(&g.mutex);
	rfo_server_list_free(&servers);
	rfo_event_list_free(&events);
	rfo_stream_key_free(&key);
	rfo_srt_key_free(&srt);
	return true;
}

static void on_http_done(void *param, struct rfo_http_response *resp)
{
	struct req *r = param;
	struct job *job = r->job;
	struct rfo_error err = {0};
	bool chain_srt = false;

	uint64_t wait = 0;
	if (resp->error.code != RFO_ERR_NONE) {
		const char *key = rfo_http_failure_key(resp->failure);
		rfo_error_set(&err, resp->error.code, "%s", key ? obs_module_text(key) : resp->error.message);
	} else if ((wait = rfo_rest_hold_apply(&g.hold, resp, "golive")) > 0) {
		char *text = rfo_rest_hold_text(wait);
		rfo_error_set(&err, (int)resp->status, "%s", text);
		bfree(text);
	} else if (!rfo_http_response_ok(resp)) {
		rfo_rest_parse_error(resp->body, resp->len, resp->status, &err);
		if (resp->status == 401) {
			struct rfo_auth *auth = rfo_controller_auth();
			if (auth)
				rfo_auth_report_rejected(auth, r->token); /* stale tokens' 401s are ignored */
		}
	} else {
		store(r, resp->body, resp->len, &chain_srt, &err);
	}

	if (err.code && err.code != RFO_ERR_CANCELLED) {
		/* The SRT key of an event is optional (plans without SRT answer with an error). */
		bool soft = r->kind == K_EVENT_SRT;
		rfo_log_sub(soft ? LOG_INFO : LOG_WARNING, "golive", "%s%s%s: %s", kind_path(r->kind),
			    r->event_id ? " for event " : "", r->event_id ? r->event_id : "", err.message);
		if (!soft)
			fail_kind(job, r->kind, &err);
	} else if (err.code == RFO_ERR_CANCELLED) {
		job_fail(job, &err, false);
	}
	if (chain_srt && rfo_controller_running())
		submit(job, K_EVENT_SRT, r->event_id, r->token);

	job_finish_one(job);
	job_release(job);
	bfree(r->event_id);
	bfree(r->token);
	bfree(r);
}

/* Submits every request of a refresh; the job completes when all answered. */
static void job_start(struct job *job, const char *event_id, char *token)
{
	if (!token) {
		struct rfo_error err;
		rfo_error_set(&err, RFO_ERR_AUTH, "%s", obs_module_text("GoLive.Error.SignedOut"));
		job_fail(job, &err, false);
	} else {
		static const enum kind kinds[] = {K_SERVERS, K_INGEST, K_KEY, K_UPCOMING, K_IN_PROGRESS};
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			submit(job, kinds[i], NULL, token);
		char *wanted = NULL;
		pthread_mutex_lock(&g.mutex);
		wanted = g.wanted_event ? bstrdup(g.wanted_event) : NULL;
		pthread_mutex_unlock(&g.mutex);
		if (rfo_golive_event_id_valid(event_id))
			submit(job, K_EVENT_KEY, event_id, token);
		if (rfo_golive_event_id_valid(wanted) && (!event_id || strcmp(wanted, event_id) != 0))
			submit(job, K_EVENT_KEY, wanted, token);
		bfree(wanted);
	}
	bfree(token);
	job_finish_one(job); /* the guard */
}

bool rfo_golive_refresh_wait(const char *event_id, bool need_events, uint32_t timeout_ms, struct rfo_error *err)
{
	struct rfo_auth *auth = rfo_controller_auth();
	char *token = NULL;
	if (event_id && *event_id && !rfo_golive_event_id_valid(event_id)) {
		rfo_error_set(err, RFO_ERR_INVALID, "%s", obs_module_text("GoLive.Error.BadEventId"));
		return false;
	}
	if (rfo_golive_held(err))
		return false;
	/* The token wait (a refresh in flight) counts against the same budget. */
	uint64_t t0 = os_gettime_ns();
	if (!auth || !rfo_auth_wait_token(auth, timeout_ms < 5000 ? timeout_ms : 5000, &token)) {
		bool in = rfo_golive_signed_in();
		rfo_error_set(err, in ? RFO_GOLIVE_STILL_WAITING : RFO_ERR_AUTH, "%s",
			      obs_module_text(in ? "GoLive.Error.Timeout" : "GoLive.Error.SignedOut"));
		return false;
	}
	uint64_t spent_ms = (os_gettime_ns() - t0) / 1000000ULL;
	uint32_t left = spent_ms >= timeout_ms ? 0 : (uint32_t)(timeout_ms - spent_ms);
	struct job *job = job_create(NULL, NULL);
	os_atomic_inc_long(&job->refs);
	job_start(job, event_id, token);
	bool done = (left ? os_event_timedwait(job->done, left) : os_event_try(job->done)) == 0;
	bool ok = false;
	pthread_mutex_lock(&g.mutex);
	const struct rfo_error *failed = job->err.code ? &job->err : NULL;
	if (!failed && need_events && job->events_err.code)
		failed = &job->events_err;
	if (!done)
		rfo_error_set(err, RFO_GOLIVE_STILL_WAITING, "%s", obs_module_text("GoLive.Error.Timeout"));
	else if (failed && err)
		*err = *failed;
	else
		ok = !failed;
	pthread_mutex_unlock(&g.mutex);
	job_release(job);
	job_release(job);
	return ok;
}

void rfo_golive_refresh_async(const char *event_id, rfo_task_fn ui_task, void *ui_param)
{
	struct rfo_auth *auth = rfo_controller_auth();
	char *token = NULL;
	if (auth)
		rfo_auth_get_token(auth, &token);
	struct job *job = job_create(ui_task, ui_param);
	job_start(job, event_id, token);
	job_release(job);
}

void rfo_golive_refresh_if_stale(void)
{
	if (!rfo_golive_signed_in())
		return;
	pthread_mutex_lock(&g.mutex);
	bool stale = !g.fetched_at || os_gettime_ns() - g.fetched_at > STALE_NS;
	if (stale)
		g.fetched_at = os_gettime_ns(); /* one refresh at a time */
	pthread_mutex_unlock(&g.mutex);
	if (stale)
		rfo_golive_refresh_async(NULL, NULL, NULL);
}

bool rfo_golive_have_events(void)
{
	pthread_mutex_lock(&g.mutex);
	bool have = g.have_events;
	pthread_mutex_unlock(&g.mutex);
	return have;
}
