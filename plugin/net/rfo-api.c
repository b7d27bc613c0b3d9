/* The Restream request engine: jobs of calls, URLs, the bearer token, the 401 rule, the Retry-After hold and
 * the classification of answers. */
#include "rfo-api.h"
#include "rfo-rest-hold.h"
#include "rfo-rest.h"

#include <string.h>
#include <util/base.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#define DEFAULT_PARK_MAX_NS (8ULL * 1000000000ULL)
#define DEFAULT_TIMEOUT_MS 15000
#define WAIT_SLICE_MS 250

struct rfo_api_job {
	struct rfo_api *api;
	volatile long refs;
	volatile long pending; /* calls not answered yet, plus the creator's guard */
	os_event_t *done;
	long gen;
	struct rfo_error err; /* the first failure (under api->mutex) */
	rfo_api_job_fn on_complete;
	void *data;
	void (*free_data)(void *data);
};

/* One call, from rfo_api_submit() until its done callback returned. */
struct call {
	struct rfo_api_job *job;
	enum rfo_http_method method;
	char *url;
	char *body;
	char *token; /* the token it was (or will be) sent with */
	enum rfo_api_auth auth;
	bool api_call; /* to the API (held by Retry-After), not an absolute URL */
	size_t max_body_bytes;
	int timeout_ms;
	bool retried;       /* parked once after a 401 already */
	uint64_t parked_at; /* os_gettime_ns() */
	rfo_api_done_fn done;
	void *param;
};

struct rfo_api {
	char *base_url; /* without trailing slashes */
	char *log_sub;
	struct rfo_api_transport transport;
	struct rfo_api_tokens tokens;
	const char *(*text)(const char *key);
	struct rfo_api_texts texts;
	bool status_in_errors;
	uint64_t park_max_ns;

	volatile bool stopped;
	volatile long gen;         /* bumped by rfo_api_new_session() */
	struct rfo_rest_hold hold; /* a 429/503 asked us (Retry-After) not to call Restream before then */

	/* Guards parked and every job's err; a leaf: never held while a callback runs. */
	pthread_mutex_t mutex;
	DARRAY(struct call *) parked; /* waiting for a new token after a 401 */
	volatile long parked_count;   /* parked.num, read without the lock by rfo_api_expire() */
};

static inline bool stopping(struct rfo_api *api)
{
	return os_atomic_load_bool(&api->stopped);
}

static const char *engine_text(struct rfo_api *api, const char *key, const char *english)
{
	return api->text && key ? api->text(key) : english;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* ---------------------------------------------------------------- the engine */

struct rfo_api *rfo_api_create(const struct rfo_api_config *config)
{
	struct rfo_api *api = bzalloc(sizeof(*api));
	struct dstr base = {0};
	dstr_copy(&base, or_empty(config->base_url));
	while (base.len && base.array[base.len - 1] == '/')
		dstr_resize(&base, base.len - 1);
	api->base_url = base.array ? base.array : bstrdup("");
	api->log_sub = bstrdup(config->log_sub ? config->log_sub : "api");
	api->transport = config->transport;
	api->tokens = config->tokens;
	api->text = config->text;
	api->texts = config->texts;
	api->status_in_errors = config->status_in_errors;
	api->park_max_ns = config->park_max_ns ? config->park_max_ns : DEFAULT_PARK_MAX_NS;
	pthread_mutex_init(&api->mutex, NULL);
	da_init(api->parked);
	return api;
}

static void take_parked(struct rfo_api *api, bool all, uint64_t now, struct darray *out);
static void fail_calls(struct darray *calls, int code, const char *message);

void rfo_api_stop(struct rfo_api *api)
{
	if (!api)
		return;
	os_atomic_set_bool(&api->stopped, true);
	DARRAY(struct call *) take;
	da_init(take);
	take_parked(api, true, 0, &take.da);
	fail_calls(&take.da, RFO_ERR_CANCELLED, or_empty(api->texts.stopping));
}

bool rfo_api_stopped(struct rfo_api *api)
{
	return !api || stopping(api);
}

void rfo_api_destroy(struct rfo_api *api)
{
	if (!api)
		return;
	rfo_api_stop(api);
	da_free(api->parked);
	pthread_mutex_destroy(&api->mutex);
	bfree(api->base_url);
	bfree(api->log_sub);
	bfree(api);
}

void rfo_api_new_session(struct rfo_api *api)
{
	os_atomic_inc_long(&api->gen);
	rfo_rest_hold_clear(&api->hold);
	DARRAY(struct call *) take;
	da_init(take);
	take_parked(api, true, 0, &take.da);
	fail_calls(&take.da, RFO_ERR_CANCELLED, or_empty(api->texts.signed_out));
}

void rfo_api_clear_hold(struct rfo_api *api)
{
	rfo_rest_hold_clear(&api->hold);
}

bool rfo_api_held(struct rfo_api *api, struct rfo_error *err)
{
	return rfo_rest_hold_check(&api->hold, engine_text(api, RFO_REST_HOLD_TEXT_KEY, RFO_REST_HOLD_TEXT_EN), err);
}

/* ---------------------------------------------------------------- jobs */

struct rfo_api_job *rfo_api_job_create(struct rfo_api *api, rfo_api_job_fn on_complete, void *data,
				       void (*free_data)(void *data))
{
	struct rfo_api_job *job = bzalloc(sizeof(*job));
	job->api = api;
	job->refs = 1;
	job->pending = 1; /* the creator's guard, dropped by rfo_api_job_commit() */
	job->gen = os_atomic_load_long(&api->gen);
	job->on_complete = on_complete;
	job->data = data;
	job->free_data = free_data;
	os_event_init(&job->done, OS_EVENT_TYPE_MANUAL);
	return job;
}

void *rfo_api_job_data(struct rfo_api_job *job)
{
	return job->data;
}

void rfo_api_job_ref(struct rfo_api_job *job)
{
	os_atomic_inc_long(&job->refs);
}

void rfo_api_job_release(struct rfo_api_job *job)
{
	if (!job || os_atomic_dec_long(&job->refs) != 0)
		return;
	if (job->free_data)
		job->free_data(job->data);
	os_event_destroy(job->done);
	bfree(job);
}

static void finish_one(struct rfo_api_job *job)
{
	if (os_atomic_dec_long(&job->pending) != 0)
		return;
	if (job->on_complete)
		job->on_complete(job, job->data);
	os_event_signal(job->done);
}

void rfo_api_job_commit(struct rfo_api_job *job)
{
	finish_one(job);
}

bool rfo_api_job_current(struct rfo_api_job *job)
{
	return job->gen == os_atomic_load_long(&job->api->gen);
}

void rfo_api_job_fail(struct rfo_api_job *job, const struct rfo_error *err)
{
	pthread_mutex_lock(&job->api->mutex);
	if (!job->err.code && err && err->code)
		job->err = *err;
	pthread_mutex_unlock(&job->api->mutex);
}

bool rfo_api_job_error(struct rfo_api_job *job, struct rfo_error *err)
{
	pthread_mutex_lock(&job->api->mutex);
	bool failed = job->err.code != 0;
	if (failed && err)
		*err = job->err;
	pthread_mutex_unlock(&job->api->mutex);
	return failed;
}

bool rfo_api_job_done(struct rfo_api_job *job)
{
	return os_event_try(job->done) == 0;
}

bool rfo_api_job_wait(struct rfo_api_job *job, uint32_t wait_ms, struct rfo_error *err)
{
	/* In slices, so that a call parked after a 401 for which no new token comes is failed meanwhile. */
	bool done = rfo_api_job_done(job);
	for (uint32_t waited = 0; !done && waited < wait_ms; waited += WAIT_SLICE_MS) {
		uint32_t slice = wait_ms - waited < WAIT_SLICE_MS ? wait_ms - waited : WAIT_SLICE_MS;
		done = os_event_timedwait(job->done, slice) == 0;
		if (!done)
			rfo_api_expire(job->api);
	}
	if (!done) {
		rfo_error_set(err, RFO_API_STILL_WAITING, "%s", or_empty(job->api->texts.timeout));
		return false;
	}
	return !rfo_api_job_error(job, err);
}

/* ---------------------------------------------------------------- calls */

static void call_free(struct call *c)
{
	bfree(c->url);
	bfree(c->body);
	bfree(c->token);
	bfree(c);
}

/* The call's outcome reaches its feature; then the job may complete. */
static void finish(struct call *c, const struct rfo_http_response *resp, const struct rfo_error *err)
{
	struct rfo_api_job *job = c->job;
	struct rfo_error none = {0};
	c->done(c->param, job, resp, err ? err : &none);
	call_free(c);
	finish_one(job);
	rfo_api_job_release(job);
}

static void fail(struct call *c, int code, const char *message)
{
	struct rfo_error err;
	rfo_error_set(&err, code, "%s", message);
	finish(c, NULL, &err);
}

static void fail_calls(struct darray *calls, int code, const char *message)
{
	struct call **array = calls->array;
	for (size_t i = 0; i < calls->num; i++)
		fail(array[i], code, message);
	darray_free(calls);
}

static void on_answer(void *param, struct rfo_http_response *resp);

static void send_call(struct call *c)
{
	struct rfo_api *api = c->job->api;
	uint64_t held = c->api_call ? rfo_rest_hold_left(&api->hold) : 0;
	if (held) {
		char *text = rfo_rest_hold_text(engine_text(api, RFO_REST_HOLD_TEXT_KEY, RFO_REST_HOLD_TEXT_EN), held);
		fail(c, 429, text);
		bfree(text);
		return;
	}
	bool with_token = c->auth != RFO_API_AUTH_NONE;
	if (with_token && !c->token && (!api->tokens.get || !api->tokens.get(api->tokens.ctx, &c->token))) {
		fail(c, RFO_ERR_AUTH, or_empty(api->texts.signed_out));
		return;
	}
	struct rfo_http_request req = {
		.method = c->method,
		.url = c->url,
		.bearer_token = with_token ? c->token : NULL,
		.content_type = c->body ? "application/json" : NULL,
		.body = c->body,
		.timeout_ms = c->timeout_ms,
		.max_body_bytes = c->max_body_bytes,
		/* an absolute URL comes from remote data (an icon): public addresses only */
		.public_only = !c->api_call,
	};
	if (stopping(api) || !api->transport.submit || !api->transport.submit(api->transport.ctx, &req, on_answer, c))
		fail(c, RFO_ERR_CANCELLED, or_empty(api->texts.stopping));
}

void rfo_api_submit(struct rfo_api_job *job, const struct rfo_api_call *call, rfo_api_done_fn done, void *param)
{
	struct rfo_api *api = job->api;
	struct call *c = bzalloc(sizeof(*c));
	c->job = job;
	c->method = call->method;
	c->api_call = !call->url;
	if (call->url) {
		c->url = bstrdup(call->url);
	} else {
		struct dstr url = {0};
		dstr_copy(&url, api->base_url);
		dstr_cat(&url, or_empty(call->path));
		c->url = url.array;
	}
	c->body = call->body ? bstrdup(call->body) : NULL;
	c->auth = c->api_call ? call->auth : RFO_API_AUTH_NONE;
	c->max_body_bytes = call->max_body_bytes;
	c->timeout_ms = call->timeout_ms ? call->timeout_ms : DEFAULT_TIMEOUT_MS;
	c->done = done;
	c->param = param;
	rfo_api_job_ref(job);
	os_atomic_inc_long(&job->pending);
	send_call(c);
}

/* ---------------------------------------------------------------- the 401 rule */

/* With resubmit, takes every parked call; else (all) every one, or those parked longer than park_max_ns. */
static void take_parked(struct rfo_api *api, bool all, uint64_t now, struct darray *out)
{
	DARRAY(struct call *) take;
	take.da = *out;
	pthread_mutex_lock(&api->mutex);
	for (size_t i = api->parked.num; i > 0; i--) {
		struct call *c = api->parked.array[i - 1];
		if (all || now - c->parked_at > api->park_max_ns) {
			da_push_back(take, &c);
			da_erase(api->parked, i - 1);
		}
	}
	os_atomic_set_long(&api->parked_count, (long)api->parked.num);
	pthread_mutex_unlock(&api->mutex);
	*out = take.da;
}

static const char *unauthorized_text(struct rfo_api *api)
{
	return or_empty(api->texts.unauthorized ? api->texts.unauthorized : api->texts.signed_out);
}

/* A 401 under RFO_API_AUTH_RETRY: park the call, report its token, send it again with the next one. Parked
 * first, so that a refresh finishing between the report and the parking still sends it (rfo_api_token_changed
 * from the session, or below). */
static void park(struct call *c)
{
	struct rfo_api *api = c->job->api;
	c->retried = true;
	c->parked_at = os_gettime_ns();
	char *old = bstrdup(c->token);
	pthread_mutex_lock(&api->mutex);
	da_push_back(api->parked, &c);
	os_atomic_set_long(&api->parked_count, (long)api->parked.num);
	pthread_mutex_unlock(&api->mutex);
	if (api->tokens.report_rejected)
		api->tokens.report_rejected(api->tokens.ctx, old); /* refreshes only when `old` is still current */
	char *token = NULL;
	if (stopping(api))
		rfo_api_stop(api); /* stopped while this was being parked: fail it now */
	else if (api->tokens.get && api->tokens.get(api->tokens.ctx, &token) && strcmp(token, or_empty(old)) != 0)
		rfo_api_token_changed(api); /* a newer token is already there: no wait */
	bfree(token);
	bfree(old);
}

void rfo_api_token_changed(struct rfo_api *api)
{
	DARRAY(struct call *) take;
	da_init(take);
	take_parked(api, true, 0, &take.da);
	for (size_t i = 0; i < take.num; i++) {
		struct call *c = take.array[i];
		char *token = NULL;
		if (!stopping(api) && api->tokens.get && api->tokens.get(api->tokens.ctx, &token)) {
			bfree(c->token);
			c->token = token;
			send_call(c);
		} else {
			bfree(token);
			fail(c, RFO_ERR_AUTH, unauthorized_text(api));
		}
	}
	da_free(take);
}

void rfo_api_expire(struct rfo_api *api)
{
	if (!os_atomic_load_long(&api->parked_count))
		return;
	DARRAY(struct call *) take;
	da_init(take);
	take_parked(api, false, os_gettime_ns(), &take.da);
	fail_calls(&take.da, RFO_ERR_AUTH, unauthorized_text(api));
}

/* ---------------------------------------------------------------- answers */

/* An answer that is not a success, as a sentence: the transport's failure, the 401 sentence, or Restream's own
 * reason (with the status when that reason is not Restream's, or for a server error). */
static void classify(struct rfo_api *api, const struct rfo_http_response *resp, struct rfo_error *err)
{
	if (resp->error.code != RFO_ERR_NONE) {
		const char *key = rfo_http_failure_key(resp->failure);
		rfo_error_set(err, resp->error.code, "%s", key && api->text ? api->text(key) : resp->error.message);
		return;
	}
	if (resp->status == 401 && api->texts.unauthorized) {
		rfo_error_set(err, 401, "%s", api->texts.unauthorized);
		return;
	}
	bool envelope = rfo_rest_parse_error(resp->body, resp->len, resp->status, err);
	if (!api->status_in_errors)
		return;
	char status[16];
	snprintf(status, sizeof(status), "%ld", resp->status);
	if ((!envelope || resp->status >= 500) && !strstr(err->message, status)) {
		size_t n = strlen(err->message);
		snprintf(err->message + n, sizeof(err->message) - n, " (HTTP %ld)", resp->status);
	}
}

static void on_answer(void *param, struct rfo_http_response *resp)
{
	struct call *c = param;
	struct rfo_api *api = c->job->api;
	bool answered = resp->error.code == RFO_ERR_NONE;
	if (answered && resp->status == 401 && c->auth == RFO_API_AUTH_RETRY && !c->retried && !stopping(api)) {
		park(c);
		return;
	}
	struct rfo_error err = {0};
	uint64_t wait = c->api_call ? rfo_rest_hold_apply(&api->hold, resp, api->log_sub) : 0;
	if (wait) {
		char *text = rfo_rest_hold_text(engine_text(api, RFO_REST_HOLD_TEXT_KEY, RFO_REST_HOLD_TEXT_EN), wait);
		rfo_error_set(&err, 429, "%s", text); /* a wait, whichever of 429/503 asked for it: like a held call */
		bfree(text);
	} else if (!rfo_http_response_ok(resp)) {
		classify(api, resp, &err);
		if (answered && resp->status == 401 && c->auth != RFO_API_AUTH_NONE && api->tokens.report_rejected)
			api->tokens.report_rejected(api->tokens.ctx, c->token); /* a stale token's report is ignored */
	}
	finish(c, resp, &err);
}
