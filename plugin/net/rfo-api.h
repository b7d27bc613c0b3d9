#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-error.h"
#include "rfo-http.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The Restream request engine: what every feature that asks Restream's REST API shares.
 *
 * A feature owns one engine (its own Retry-After hold, its own generation) and groups its calls into jobs: a
 * job completes when every call submitted to it has answered, and a caller may wait for it with a budget. The
 * engine builds each call's URL from the API base, adds the bearer token, classifies the answer into a
 * struct rfo_error, keeps the Retry-After hold and applies the call's 401 rule. It knows neither OBS nor Qt:
 * the transport (rfo_http_submit in OBS), the token source (the auth session) and the sentences (obs_module_text)
 * are injected through struct rfo_api_config, so a test drives all of it synchronously.
 *
 * Threads: any thread may submit; answers arrive on the transport's thread, where the calls' done callbacks and
 * the jobs' on_complete run. The engine's lock is a leaf: it is never held while a callback runs, so callbacks
 * may submit again and take the feature's own locks. */

/* err.code of rfo_api_job_wait() when the budget ran out while the job goes on (it completes later). */
#define RFO_API_STILL_WAITING (-100)

/* The 401 rule of one call. */
enum rfo_api_auth {
	RFO_API_AUTH_NONE,   /* no token is sent (public endpoints, e.g. the platform list) */
	RFO_API_AUTH_REPORT, /* the bearer token; a 401 reports the token (the session refreshes it) and fails */
	/* The bearer token; a 401 parks the call and reports the token; the call is sent again ONCE with the next
	 * token (at once when a newer token is already there, else at rfo_api_token_changed()); a second 401
	 * fails. A call parked longer than park_max_ns fails at rfo_api_expire(). */
	RFO_API_AUTH_RETRY,
};

struct rfo_api_transport {
	/* Queues one request (everything borrowed for the call). true: done(param, resp) runs exactly once later,
	 * on any thread; false: refused, done never runs. rfo_http_submit() has this contract. */
	bool (*submit)(void *ctx, const struct rfo_http_request *req, rfo_http_done_fn done, void *param);
	void *ctx;
};

struct rfo_api_tokens {
	/* A copy of the current access token (bfree; a secret); false when there is none (signed out, or a
	 * refresh is under way). */
	bool (*get)(void *ctx, char **token_out);
	/* A call made with `token` (borrowed) was answered 401. */
	void (*report_rejected)(void *ctx, const char *token);
	void *ctx;
};

/* The feature's sentences its calls' errors carry (localized by the caller; borrowed for the engine's life). */
struct rfo_api_texts {
	const char *signed_out; /* a call that needs a token when there is none; parked calls at a new session */
	const char *stopping;   /* a call after rfo_api_stop(), or refused by the transport; parked calls at stop */
	/* A 401 that is not retried, and a call parked too long. NULL: Restream's own reason (parked calls then
	 * carry signed_out). */
	const char *unauthorized;
	const char *timeout; /* rfo_api_job_wait() ran out (RFO_API_STILL_WAITING) */
};

struct rfo_api_config {
	const char *base_url; /* e.g. "https://api.restream.io"; trailing slashes are trimmed (copied) */
	const char *log_sub;  /* log sub-prefix, e.g. "channels" (copied) */
	struct rfo_api_transport transport;
	struct rfo_api_tokens tokens;
	/* The sentence of one of the engine's own locale keys (rfo_http_failure_key(), RFO_REST_HOLD_TEXT_KEY):
	 * obs_module_text in OBS. NULL: English. */
	const char *(*text)(const char *key);
	struct rfo_api_texts texts;
	/* Adds " (HTTP <status>)" to an error whose reason is not Restream's own, and to server errors. */
	bool status_in_errors;
	uint64_t park_max_ns; /* 0: 8 s */
};

/* One call. Everything is borrowed for rfo_api_submit() (the engine copies what it keeps). */
struct rfo_api_call {
	enum rfo_http_method method;
	const char *path; /* appended to the API base: "/v2/user/channel/all" */
	/* Instead of path: an absolute URL outside the API (e.g. an image). Sent without a token, whatever `auth`
	 * says, not subject to the Retry-After hold, and only to public addresses (rfo_http_request.public_only). */
	const char *url;
	const char *body; /* JSON (sent as application/json), optional */
	enum rfo_api_auth auth;
	size_t max_body_bytes; /* 0 = the transport's default */
	int timeout_ms;        /* 0 = 15 s */
};

struct rfo_api;
struct rfo_api_job;

/* A call's outcome, on the transport's thread (or on the submitter's thread when it failed before being sent).
 * err->code 0: resp is the 2xx answer (body/len; borrowed for the callback). Otherwise err says why, resp is the
 * answer when one arrived (a transport failure or an HTTP error), NULL when the call was never sent or was
 * failed while parked. The job stays pending until this returns: more calls may be submitted to it here. */
typedef void (*rfo_api_done_fn)(void *param, struct rfo_api_job *job, const struct rfo_http_response *resp,
				const struct rfo_error *err);
/* Every call of the job answered (same threads as above); runs before waiters are woken. */
typedef void (*rfo_api_job_fn)(struct rfo_api_job *job, void *data);

struct rfo_api *rfo_api_create(const struct rfo_api_config *config);
/* rfo_api_stop() then frees. Only once the transport has answered every call (in OBS: after the HTTP worker was
 * stopped). NULL is fine. */
void rfo_api_destroy(struct rfo_api *api);
/* No new calls (they fail at once as cancelled, with texts.stopping); parked calls fail the same way (also a call
 * parked while this runs). Idempotent. */
void rfo_api_stop(struct rfo_api *api);
bool rfo_api_stopped(struct rfo_api *api);

/* The session ended (sign-out): jobs created before are no longer current, the Retry-After hold ends and
 * parked calls fail as cancelled (texts.signed_out). Call it before clearing the feature's own state, so that an
 * answer stored after the clear is seen as not current. */
void rfo_api_new_session(struct rfo_api *api);
/* Ends the Retry-After hold (e.g. at sign-in: the old session's pause does not apply to the new one). */
void rfo_api_clear_hold(struct rfo_api *api);
/* A new access token may be there: parked calls are sent again with it (or fail when there is none). */
void rfo_api_token_changed(struct rfo_api *api);
/* Fails the calls parked longer than park_max_ns (code RFO_ERR_AUTH). One atomic read when none is parked:
 * cheap enough for a tick. */
void rfo_api_expire(struct rfo_api *api);
/* true with err ("Restream asked us to wait N s …", code 429) while a Retry-After hold lasts. err may be NULL. */
bool rfo_api_held(struct rfo_api *api, struct rfo_error *err);

/* A job with one reference (the creator's) and a guard that keeps it from completing while calls are being
 * submitted: drop it with rfo_api_job_commit(). `data` is the feature's (free_data(data) at the last release;
 * both may be NULL); on_complete may be NULL. The job belongs to the current generation. */
struct rfo_api_job *rfo_api_job_create(struct rfo_api *api, rfo_api_job_fn on_complete, void *data,
				       void (*free_data)(void *data));
void *rfo_api_job_data(struct rfo_api_job *job);
void rfo_api_job_ref(struct rfo_api_job *job);
/* NULL is fine. */
void rfo_api_job_release(struct rfo_api_job *job);
/* Drops the creator's guard: the job completes (maybe at once, on this thread) when its calls have answered. */
void rfo_api_job_commit(struct rfo_api_job *job);
/* Sends one call; done(param, …) runs exactly once (maybe at once, on this thread: held, no token, stopped). */
void rfo_api_submit(struct rfo_api_job *job, const struct rfo_api_call *call, rfo_api_done_fn done, void *param);
/* false once a new session began after the job was created: its answers must not be stored. */
bool rfo_api_job_current(struct rfo_api_job *job);
/* Records err as the job's error unless it has one already (the first failure wins). */
void rfo_api_job_fail(struct rfo_api_job *job, const struct rfo_error *err);
/* Copies the job's error into err (may be NULL); false when it has none. */
bool rfo_api_job_error(struct rfo_api_job *job, struct rfo_error *err);
/* The job completed. */
bool rfo_api_job_done(struct rfo_api_job *job);
/* Waits at most wait_ms (0: looks once; a job whose calls all failed at once is done already) for a job the
 * caller holds a reference to, expiring parked calls meanwhile. true when it completed without error; false with
 * its error, or with RFO_API_STILL_WAITING (texts.timeout) when time ran out. Never on OBS's UI thread with a
 * budget. */
bool rfo_api_job_wait(struct rfo_api_job *job, uint32_t wait_ms, struct rfo_error *err);

#ifdef __cplusplus
}
#endif
