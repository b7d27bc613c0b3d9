/* Asking Restream for an event's viewer analytics after the stream ended (docs/restream-api.md §2.6): when they are
 * published is not documented, so one thread ("rfo-summary") asks with backoff for about four and a half minutes. */
#include "rfo-stream-summary.h"
#include "rfo-api.h"
#include "rfo-controller.h"
#include "rfo-log.h"

#include <errno.h>
#include <string.h>
#include <obs-module.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

/* Waits before each try, in ms: the first comes soon after the stream ended. */
static const uint32_t backoff_ms[] = {5000, 10000, 20000, 40000, 60000, 60000, 60000};
#define REQUEST_WAIT_MS 20000
#define WAIT_SLICE_MS 100

static struct rfo_api *api;
static pthread_t thread;
static bool thread_started;
static os_event_t *wake;
/* Guards everything below. A leaf lock: nothing is called while it is held. */
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static bool stopping;
static char *event_id;      /* the run to do; NULL = none */
static int64_t run_started; /* the stream (started_ms) the run is for */
static uint64_t run_generation;

static bool stop_requested(void)
{
	pthread_mutex_lock(&mutex);
	bool stop = stopping;
	pthread_mutex_unlock(&mutex);
	return stop;
}

struct answer {
	char *body;
	size_t len;
};

static void answer_free(void *data)
{
	struct answer *a = data;
	bfree(a->body);
	bfree(a);
}

static void on_answer(void *param, struct rfo_api_job *job, const struct rfo_http_response *resp,
		      const struct rfo_error *err)
{
	struct answer *a = param;
	if (err->code) {
		rfo_api_job_fail(job, err);
		return;
	}
	a->body = bmalloc(resp->len + 1);
	memcpy(a->body, resp->body, resp->len);
	a->body[resp->len] = '\0';
	a->len = resp->len;
}

/* One try: true with the body (bfree) when Restream answered 2xx. */
static bool ask(const char *id, char **body, size_t *len)
{
	struct answer *a = bzalloc(sizeof(*a));
	struct rfo_api_job *job = rfo_api_job_create(api, NULL, a, answer_free);
	struct dstr path = {0};
	dstr_printf(&path, "/v2/user/events/%s/analytics/viewers", id);
	struct rfo_api_call call = {.method = RFO_HTTP_GET, .path = path.array, .auth = RFO_API_AUTH_RETRY};
	rfo_api_submit(job, &call, on_answer, a);
	rfo_api_job_commit(job);
	dstr_free(&path);
	/* In slices, so that quitting OBS never waits for Restream's answer (the HTTP worker's stop ends the call). */
	struct rfo_error err = {0};
	bool ok = false;
	for (uint32_t waited = 0; waited < REQUEST_WAIT_MS && !stop_requested(); waited += WAIT_SLICE_MS) {
		ok = rfo_api_job_wait(job, WAIT_SLICE_MS, &err);
		if (ok || err.code != RFO_API_STILL_WAITING)
			break;
	}
	ok = ok && a->body;
	if (ok) {
		*body = a->body;
		*len = a->len;
		a->body = NULL;
	} else {
		rfo_log_sub(LOG_INFO, "summary", "viewer analytics of event %s not there yet: %s", id, err.message);
	}
	rfo_api_job_release(job);
	return ok;
}

/* Caller holds the mutex. */
static bool run_current(uint64_t generation)
{
	return !stopping && event_id && run_generation == generation;
}

static void *thread_main(void *param)
{
	UNUSED_PARAMETER(param);
	os_set_thread_name("rfo-summary");
	for (;;) {
		pthread_mutex_lock(&mutex);
		bool stop = stopping;
		char *id = event_id ? bstrdup(event_id) : NULL;
		int64_t started = run_started;
		uint64_t generation = run_generation;
		pthread_mutex_unlock(&mutex);
		if (stop) {
			bfree(id);
			break;
		}
		if (!id) {
			os_event_wait(wake);
			continue;
		}
		/* the files first (off the UI thread), then Restream's numbers when the event is known */
		rfo_stream_summary_save(started);
		bool done = !*id, abandoned = false;
		for (size_t i = 0; !done && i < sizeof(backoff_ms) / sizeof(backoff_ms[0]) && !abandoned; i++) {
			if (os_event_timedwait(wake, backoff_ms[i]) == 0) { /* woken: stop, or a new run */
				pthread_mutex_lock(&mutex);
				abandoned = !run_current(generation);
				pthread_mutex_unlock(&mutex);
				if (abandoned)
					break;
			}
			char *body = NULL;
			size_t len = 0;
			if (ask(id, &body, &len)) {
				pthread_mutex_lock(&mutex);
				abandoned = !run_current(generation);
				pthread_mutex_unlock(&mutex);
				if (!abandoned)
					rfo_stream_summary_analytics(started, body, len, false);
				/* not published yet (no numbers): try again */
				done = !abandoned && rfo_stream_summary_analytics_done(started);
				bfree(body);
			}
		}
		pthread_mutex_lock(&mutex);
		bool current = run_current(generation);
		if (current) {
			bfree(event_id);
			event_id = NULL;
		}
		pthread_mutex_unlock(&mutex);
		if (current && !done)
			rfo_stream_summary_analytics(started, NULL, 0, true);
		bfree(id);
	}
	return NULL;
}

bool rfo_summary_analytics_create(void)
{
	struct rfo_api_config cfg = {
		.log_sub = "summary",
		.texts =
			{
				.signed_out = obs_module_text("GoLive.Error.SignedOut"),
				.stopping = obs_module_text("GoLive.Error.Stopping"),
				.timeout = obs_module_text("GoLive.Error.Timeout"),
			},
	};
	rfo_controller_api_config(&cfg);
	api = rfo_api_create(&cfg);
	stopping = false;
	if (os_event_init(&wake, OS_EVENT_TYPE_AUTO) != 0)
		return false;
	thread_started = pthread_create(&thread, NULL, thread_main, NULL) == 0;
	if (!thread_started)
		rfo_log_sub(LOG_WARNING, "summary", "the analytics thread could not be started");
	return true;
}

void rfo_summary_analytics_start(const char *id, int64_t started_ms)
{
	pthread_mutex_lock(&mutex);
	bfree(event_id);
	event_id = bstrdup(id);
	run_started = started_ms;
	run_generation++;
	pthread_mutex_unlock(&mutex);
	if (wake)
		os_event_signal(wake);
}

void rfo_summary_analytics_cancel(void)
{
	pthread_mutex_lock(&mutex);
	bfree(event_id);
	event_id = NULL;
	run_generation++;
	pthread_mutex_unlock(&mutex);
	if (wake)
		os_event_signal(wake);
}

void rfo_summary_analytics_stop(void)
{
	pthread_mutex_lock(&mutex);
	stopping = true;
	pthread_mutex_unlock(&mutex);
	rfo_api_stop(api); /* a try in flight fails at once */
	if (thread_started) {
		os_event_signal(wake);
		pthread_join(thread, NULL);
		thread_started = false;
	}
}

void rfo_summary_analytics_destroy(void)
{
	rfo_summary_analytics_stop();
	rfo_api_destroy(api);
	api = NULL;
	os_event_destroy(wake);
	wake = NULL;
	bfree(event_id);
	event_id = NULL;
}
