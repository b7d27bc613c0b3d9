/* HTTP client worker: one named thread running a curl multi handle, the queue that rfo_http_submit() fills,
 * and the create/stop/destroy lifecycle (see rfo-http.h). How one request is set up and answered is in
 * rfo-http-request.c. */
#include "rfo-http-private.h"

#include <stdlib.h>
#include <string.h>

#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#include "rfo-secret.h"

/* Longest a worker sleeps in curl_multi_poll() with nothing to do; submit/stop wake it earlier. */
#define POLL_MS 1000

static struct rfo_http_job *take_queue(struct rfo_http *http)
{
	pthread_mutex_lock(&http->mutex);
	struct rfo_http_job *q = http->queue_head;
	http->queue_head = http->queue_tail = NULL;
	pthread_mutex_unlock(&http->mutex);
	return q;
}

static void *worker_main(void *param)
{
	struct rfo_http *http = param;
	os_set_thread_name(http->name);

	while (!stopping(http)) {
		struct rfo_http_job *q = take_queue(http);
		while (q) {
			struct rfo_http_job *next = q->next;
			q->next = NULL;
			rfo_http_job_start(http, q);
			q = next;
		}

		int running = 0;
		curl_multi_perform(http->multi, &running);

		CURLMsg *msg;
		int left = 0;
		while ((msg = curl_multi_info_read(http->multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct rfo_http_job *job = NULL;
			CURLcode rc = msg->data.result;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&job);
			if (job)
				rfo_http_job_done(http, job, rc);
		}

		if (stopping(http))
			break;
		curl_multi_poll(http->multi, NULL, 0, POLL_MS, NULL);
	}

	/* Cancel what is in flight, then what is still queued (no new submits are accepted). */
	while (http->active) {
		struct rfo_http_job *job = http->active;
		http->active = job->next;
		job->next = NULL;
		curl_multi_remove_handle(http->multi, job->easy);
		rfo_http_job_finish(job, 0, RFO_ERR_CANCELLED, RFO_HTTP_FAIL_NONE, "cancelled: shutting down");
	}
	struct rfo_http_job *q = take_queue(http);
	while (q) {
		struct rfo_http_job *next = q->next;
		q->next = NULL;
		q->start_ns = os_gettime_ns();
		rfo_http_job_finish(q, 0, RFO_ERR_CANCELLED, RFO_HTTP_FAIL_NONE, "cancelled: shutting down");
		q = next;
	}
	return NULL;
}

struct rfo_http *rfo_http_create(const char *thread_name)
{
	struct rfo_http *http = bzalloc(sizeof(*http));
	http->name = bstrdup(thread_name && *thread_name ? thread_name : "rfo-http");
	if (pthread_mutex_init(&http->mutex, NULL) != 0)
		goto fail;
	http->mutex_ok = true;
	http->multi = curl_multi_init();
	if (!http->multi)
		goto fail;
	http->accepting = true;
	if (pthread_create(&http->thread, NULL, worker_main, http) != 0)
		goto fail;
	http->thread_active = true;
	return http;

fail:
	http_log(LOG_ERROR, "could not start the HTTP worker");
	http->accepting = false;
	rfo_http_destroy(http);
	return NULL;
}

bool rfo_http_loopback_images_allowed(void)
{
	const char *v = getenv(RFO_HTTP_LOOPBACK_IMAGES_ENV);
	return v && strcmp(v, "1") == 0;
}

bool rfo_http_submit(struct rfo_http *http, const struct rfo_http_request *req, rfo_http_done_fn done, void *param)
{
	if (!http || !req || !req->url)
		return false;

	struct rfo_http_job *job = bzalloc(sizeof(*job));
	job->http = http;
	job->method = req->method;
	job->url = bstrdup(req->url);
	job->retry_after = -1;
	job->done = done;
	job->param = param;
	job->connect_timeout_ms =
		req->connect_timeout_ms > 0 ? req->connect_timeout_ms : RFO_HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
	job->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : RFO_HTTP_DEFAULT_TIMEOUT_MS;
	job->max_body = req->max_body_bytes > 0 ? req->max_body_bytes : RFO_HTTP_DEFAULT_MAX_BODY;
	job->public_only = req->public_only;
	job->allow_loopback = req->public_only && rfo_http_loopback_images_allowed();
	if (req->body) {
		job->has_body = true;
		job->body_len = req->body_len ? req->body_len : strlen(req->body);
		job->body = bmemdup(req->body, job->body_len + 1);
		job->body[job->body_len] = 0;
	}
	if (req->basic_user) {
		job->basic_user = bstrdup(req->basic_user);
		job->basic_password = bstrdup(req->basic_password ? req->basic_password : "");
	}

	struct dstr line = {0};
	if (req->bearer_token) {
		dstr_printf(&line, "Authorization: Bearer %s", req->bearer_token);
		job->headers = curl_slist_append(job->headers, line.array);
		rfo_secret_wipe(line.array, line.len);
	}
	if (req->content_type) {
		dstr_printf(&line, "Content-Type: %s", req->content_type);
		job->headers = curl_slist_append(job->headers, line.array);
	}
	dstr_free(&line);
	job->headers = curl_slist_append(job->headers, "Expect:");
	for (const char *const *h = req->headers; h && *h; h++)
		job->headers = curl_slist_append(job->headers, *h);

	pthread_mutex_lock(&http->mutex);
	bool ok = http->accepting;
	if (ok) {
		if (http->queue_tail)
			http->queue_tail->next = job;
		else
			http->queue_head = job;
		http->queue_tail = job;
	}
	pthread_mutex_unlock(&http->mutex);

	if (!ok) {
		job->done = NULL;
		rfo_http_job_free(job);
		return false;
	}
	curl_multi_wakeup(http->multi);
	return true;
}

void rfo_http_stop(struct rfo_http *http)
{
	if (!http || !http->mutex_ok)
		return;

	pthread_mutex_lock(&http->mutex);
	http->accepting = false;
	bool join = http->thread_active;
	http->thread_active = false;
	pthread_mutex_unlock(&http->mutex);

	if (!join)
		return;
	if (pthread_equal(pthread_self(), http->thread)) {
		http_log(LOG_ERROR, "rfo_http_stop called from its own worker thread");
		os_atomic_set_bool(&http->stopping, true);
		pthread_detach(http->thread);
		return;
	}
	os_atomic_set_bool(&http->stopping, true);
	curl_multi_wakeup(http->multi);
	pthread_join(http->thread, NULL);
}

void rfo_http_destroy(struct rfo_http *http)
{
	if (!http)
		return;
	rfo_http_stop(http);
	if (http->multi)
		curl_multi_cleanup(http->multi);
	if (http->mutex_ok)
		pthread_mutex_destroy(&http->mutex);
	bfree(http->name);
	bfree(http);
}
