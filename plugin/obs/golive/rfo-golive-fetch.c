/* Go-live fetching: one job of the request engine = the requests of a refresh, stored into the cache. */
#include "rfo-golive.h"
#include "rfo-golive-state.h"
#include "rfo-api.h"
#include "rfo-auth.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"

#include <obs-module.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

/* Go-live's own engine (its own Retry-After hold), from rfo_golive_create to rfo_golive_free. */
static struct rfo_api *api;
static volatile long in_flight; /* refreshes not finished yet */
/* Guards every refresh's events_err (calls may fail at once on the submitter's thread). A leaf lock. */
static pthread_mutex_t errors_mutex = PTHREAD_MUTEX_INITIALIZER;

/* A refresh: the engine's job carries the first error needed to stream; this, the rest. */
struct refresh {
	struct rfo_error events_err; /* first error of the event lists (only ListEvents needs them) */
	rfo_task_fn ui_task;
	void *ui_param;
};

/* One request of a refresh. */
struct fetch {
	enum rfo_golive_part part;
	char *event_id;
};

/* ---------------------------------------------------------------- the engine */

void rfo_golive_fetch_create(void)
{
	struct rfo_api_config cfg = {
		.log_sub = "golive",
		.texts =
			{
				.signed_out = obs_module_text("GoLive.Error.SignedOut"),
				.stopping = obs_module_text("GoLive.Error.Stopping"),
				.timeout = obs_module_text("GoLive.Error.Timeout"),
			},
		/* a 401 carries Restream's own reason; the error sentences stand without their status */
	};
	rfo_controller_api_config(&cfg);
	api = rfo_api_create(&cfg);
}

struct rfo_api *rfo_golive_fetch_api(void)
{
	return api;
}

void rfo_golive_fetch_stop(void)
{
	rfo_api_stop(api);
}

void rfo_golive_fetch_free(void)
{
	rfo_api_destroy(api);
	api = NULL;
}

void rfo_golive_fetch_new_session(void)
{
	rfo_api_new_session(api);
}

bool rfo_golive_held(struct rfo_error *err)
{
	return api && rfo_api_held(api, err);
}

bool rfo_golive_refreshing(void)
{
	return os_atomic_load_long(&in_flight) > 0;
}

/* ---------------------------------------------------------------- refreshes */

static void ui_refresh_task(void *param)
{
	UNUSED_PARAMETER(param);
	if (rfo_controller_running())
		rfo_golive_ui_refresh();
}

static void refresh_complete(struct rfo_api_job *job, void *data)
{
	struct refresh *f = data;
	struct rfo_error err = {0};
	pthread_mutex_lock(&errors_mutex);
	struct rfo_error events_err = f->events_err;
	pthread_mutex_unlock(&errors_mutex);
	bool failed = rfo_api_job_error(job, &err);
	rfo_golive_cache_fetched(job, failed ? err.message : (events_err.code ? events_err.message : NULL));
	/* After stop, queued UI tasks could outlive the module: run the task here (it sees that the
	 * controller stopped and only frees its parameter). */
	bool running = !rfo_api_stopped(api);
	if (f->ui_task) {
		if (running)
			rfo_dispatch(f->ui_task, f->ui_param);
		else
			f->ui_task(f->ui_param);
		f->ui_task = NULL;
	}
	if (running)
		rfo_dispatch(ui_refresh_task, NULL);
	os_atomic_dec_long(&in_flight);
}

static struct rfo_api_job *refresh_create(rfo_task_fn ui_task, void *ui_param)
{
	struct refresh *f = bzalloc(sizeof(*f));
	f->ui_task = ui_task;
	f->ui_param = ui_param;
	os_atomic_inc_long(&in_flight);
	return rfo_api_job_create(api, refresh_complete, f, bfree);
}

static const char *part_path(enum rfo_golive_part part)
{
	switch (part) {
	case RFO_GOLIVE_SERVERS:
		return "/v2/server/all";
	case RFO_GOLIVE_INGEST:
		return "/v2/user/ingest";
	case RFO_GOLIVE_KEY:
		return "/v2/user/streamKey";
	case RFO_GOLIVE_UPCOMING:
		return "/v2/user/events/upcoming";
	case RFO_GOLIVE_IN_PROGRESS:
		return "/v2/user/events/in-progress";
	case RFO_GOLIVE_EVENT_KEY:
		return "/v2/user/events/{id}/streamKey";
	case RFO_GOLIVE_EVENT_SRT:
		return "/v2/user/events/{id}/srt/streamKey";
	}
	return "";
}

/* The error a fetch of `part` failing with `err` gives the refresh (the event lists count only for ListEvents). */
static void fail_part(struct rfo_api_job *job, enum rfo_golive_part part, const struct rfo_error *err)
{
	struct rfo_error full = {0};
	rfo_error_set(&full, err->code, "%s %s",
		      obs_module_text(part == RFO_GOLIVE_EVENT_KEY ? "GoLive.Error.EventKey" : "GoLive.Error.Fetch"),
		      err->message);
	if (part != RFO_GOLIVE_UPCOMING && part != RFO_GOLIVE_IN_PROGRESS) {
		rfo_api_job_fail(job, &full);
		return;
	}
	struct refresh *f = rfo_api_job_data(job);
	pthread_mutex_lock(&errors_mutex);
	if (!f->events_err.code)
		f->events_err = full;
	pthread_mutex_unlock(&errors_mutex);
}

/* Parses one answer into the cache. Returns false with err. */
static bool store(struct rfo_api_job *job, const struct fetch *r, const char *body, size_t len, bool *chain_srt,
		  struct rfo_error *err)
{
	struct rfo_golive_answer a = {.part = r->part, .event_id = r->event_id};
	bool ok = false;
	switch (r->part) {
	case RFO_GOLIVE_SERVERS:
		ok = rfo_rest_parse_servers(body, len, &a.servers, err);
		break;
	case RFO_GOLIVE_INGEST:
		ok = rfo_rest_parse_ingest(body, len, &a.ingest, err);
		break;
	case RFO_GOLIVE_KEY:
	case RFO_GOLIVE_EVENT_KEY:
		ok = rfo_rest_parse_stream_key(body, len, &a.key, err);
		break;
	case RFO_GOLIVE_UPCOMING:
	case RFO_GOLIVE_IN_PROGRESS:
		ok = rfo_rest_parse_events(body, len, part_path(r->part), &a.events, err);
		break;
	case RFO_GOLIVE_EVENT_SRT:
		ok = rfo_rest_parse_srt_key(body, len, &a.srt, err);
		break;
	}
	if (ok)
		rfo_golive_cache_put(job, &a, chain_srt);
	rfo_server_list_free(&a.servers);
	rfo_event_list_free(&a.events);
	rfo_stream_key_free(&a.key);
	rfo_srt_key_free(&a.srt);
	return ok;
}

static void submit(struct rfo_api_job *job, enum rfo_golive_part part, const char *event_id);

static void on_fetched(void *param, struct rfo_api_job *job, const struct rfo_http_response *resp,
		       const struct rfo_error *error)
{
	struct fetch *r = param;
	struct rfo_error err = *error;
	bool chain_srt = false;
	if (!err.code)
		store(job, r, resp->body, resp->len, &chain_srt, &err);

	if (err.code && err.code != RFO_ERR_CANCELLED) {
		/* The SRT key of an event is optional (plans without SRT answer with an error). Not sent (a
		 * Retry-After hold): not logged. */
		bool soft = r->part == RFO_GOLIVE_EVENT_SRT;
		if (resp)
			rfo_log_sub(soft ? LOG_INFO : LOG_WARNING, "golive", "%s%s%s: %s", part_path(r->part),
				    r->event_id ? " for event " : "", r->event_id ? r->event_id : "", err.message);
		if (!soft)
			fail_part(job, r->part, &err);
	} else if (err.code == RFO_ERR_CANCELLED) {
		rfo_api_job_fail(job, &err);
	}
	if (chain_srt && rfo_controller_running())
		submit(job, RFO_GOLIVE_EVENT_SRT, r->event_id);
	bfree(r->event_id);
	bfree(r);
}

static void submit(struct rfo_api_job *job, enum rfo_golive_part part, const char *event_id)
{
	struct dstr path = {0};
	if (part == RFO_GOLIVE_EVENT_KEY || part == RFO_GOLIVE_EVENT_SRT)
		dstr_printf(&path, "/v2/user/events/%s%s", event_id,
			    part == RFO_GOLIVE_EVENT_SRT ? "/srt/streamKey" : "/streamKey");
	else
		dstr_copy(&path, part_path(part));
	struct fetch *r = bzalloc(sizeof(*r));
	r->part = part;
	r->event_id = event_id ? bstrdup(event_id) : NULL;
	/* Go-live only reports a 401 (the session refreshes the token; the next refresh uses it). */
	struct rfo_api_call call = {.method = RFO_HTTP_GET, .path = path.array, .auth = RFO_API_AUTH_REPORT};
	rfo_api_submit(job, &call, on_fetched, r);
	dstr_free(&path);
}

/* Submits every request of a refresh; the job completes when all answered. */
static void refresh_start(struct rfo_api_job *job, const char *event_id, bool have_token)
{
	if (!have_token) {
		struct rfo_error err;
		rfo_error_set(&err, RFO_ERR_AUTH, "%s", obs_module_text("GoLive.Error.SignedOut"));
		rfo_api_job_fail(job, &err);
	} else {
		static const enum rfo_golive_part parts[] = {RFO_GOLIVE_SERVERS, RFO_GOLIVE_INGEST, RFO_GOLIVE_KEY,
							     RFO_GOLIVE_UPCOMING, RFO_GOLIVE_IN_PROGRESS};
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			submit(job, parts[i], NULL);
		char *wanted = rfo_golive_wanted_event();
		if (rfo_golive_event_id_valid(event_id))
			submit(job, RFO_GOLIVE_EVENT_KEY, event_id);
		if (rfo_golive_event_id_valid(wanted) && (!event_id || strcmp(wanted, event_id) != 0))
			submit(job, RFO_GOLIVE_EVENT_KEY, wanted);
		bfree(wanted);
	}
	rfo_api_job_commit(job);
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
		rfo_error_set(err, in ? RFO_API_STILL_WAITING : RFO_ERR_AUTH, "%s",
			      obs_module_text(in ? "GoLive.Error.Timeout" : "GoLive.Error.SignedOut"));
		return false;
	}
	bfree(token); /* there is one: the engine sends the current one */
	uint64_t spent_ms = (os_gettime_ns() - t0) / 1000000ULL;
	uint32_t left = spent_ms >= timeout_ms ? 0 : (uint32_t)(timeout_ms - spent_ms);
	struct rfo_api_job *job = refresh_create(NULL, NULL);
	rfo_api_job_ref(job);
	refresh_start(job, event_id, true);
	struct rfo_error failed = {0};
	bool ok = rfo_api_job_wait(job, left, &failed);
	if (ok && need_events) {
		struct refresh *f = rfo_api_job_data(job);
		pthread_mutex_lock(&errors_mutex);
		failed = f->events_err;
		pthread_mutex_unlock(&errors_mutex);
		ok = !failed.code;
	}
	if (!ok && err)
		*err = failed;
	rfo_api_job_release(job);
	rfo_api_job_release(job);
	return ok;
}

void rfo_golive_refresh_async(const char *event_id, rfo_task_fn ui_task, void *ui_param)
{
	struct rfo_auth *auth = rfo_controller_auth();
	char *token = NULL;
	bool have_token = auth && rfo_auth_get_token(auth, &token);
	bfree(token);
	struct rfo_api_job *job = refresh_create(ui_task, ui_param);
	refresh_start(job, event_id, have_token);
	rfo_api_job_release(job);
}
