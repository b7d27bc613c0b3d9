#pragma once
/* Internals shared by rfo-http.c (the worker thread, its queue and the public lifecycle) and rfo-http-request.c
 * (one curl request: easy-handle setup, body/header callbacks, the response and its failure classification).
 * Not for use outside plugin/net/rfo-http*.c. */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>
#include <util/threading.h>

#include "rfo-http.h"
#include "rfo-log.h"

#define http_log(level, format, ...) rfo_log_sub(level, "http", format, ##__VA_ARGS__)

struct rfo_http_job {
	struct rfo_http_job *next;
	struct rfo_http *http;

	/* request, copied in rfo_http_submit() */
	enum rfo_http_method method;
	char *url;
	char *body;
	size_t body_len;
	bool has_body;
	char *basic_user;
	char *basic_password;
	struct curl_slist *headers;
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_body;
	bool public_only;
	bool allow_loopback; /* public_only with the tests' switch */
	bool addr_refused;   /* the open-socket check refused an address */
	rfo_http_done_fn done;
	void *param;

	/* transfer */
	CURL *easy;
	uint64_t start_ns;
	char *resp;
	size_t resp_len;
	size_t resp_cap;
	bool too_big;
	int64_t retry_after;
	char errbuf[CURL_ERROR_SIZE];
};

struct rfo_http {
	char *name;
	CURLM *multi;
	pthread_t thread;
	bool thread_active;

	/* Guards queue, accepting, thread_active. A leaf lock: jobs run and `done` callbacks are called without it. */
	pthread_mutex_t mutex;
	bool mutex_ok;
	struct rfo_http_job *queue_head;
	struct rfo_http_job *queue_tail;
	bool accepting;

	volatile bool stopping;      /* set once by rfo_http_stop(); read on any thread through stopping() */
	struct rfo_http_job *active; /* worker thread only */
};

static inline bool stopping(struct rfo_http *http)
{
	return os_atomic_load_bool(&http->stopping);
}

/* ---- one request (rfo-http-request.c): on the worker thread, except freeing a job that was never queued ---- */

void rfo_http_job_free(struct rfo_http_job *job);
/* Calls done() with a response built from `job`, logs failures, frees the job (see rfo-http-request.c). */
void rfo_http_job_finish(struct rfo_http_job *job, long status, int code, enum rfo_http_failure failure,
			 const char *message);
/* Sets up the easy handle for `job` and adds it to the multi handle. On failure the job is finished (done()
 * called) and false returned. */
bool rfo_http_job_start(struct rfo_http *http, struct rfo_http_job *job);
/* A transfer of http->multi ended with `rc`: finishes the job. */
void rfo_http_job_done(struct rfo_http *http, struct rfo_http_job *job, CURLcode rc);
