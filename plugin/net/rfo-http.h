#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* HTTP client worker: one named thread running a curl multi handle, so several requests are in
 * flight at once (a slow request never holds up a fast one). Nothing here blocks the caller:
 * rfo_http_submit() only queues; rfo_http_stop()/rfo_http_destroy() cancel everything and join
 * within ~200 ms even while a request or a connect is in flight.
 *
 * Policy enforced on the worker before anything is sent: plain http:// only for loopback hosts
 * (rfo_url_check); TLS peer and host verification always on; response bodies over
 * max_body_bytes fail. One log line per failure, with the URL redacted (no query values);
 * bodies and headers are never logged. */

enum rfo_http_method {
	RFO_HTTP_GET = 0,
	RFO_HTTP_POST,
	RFO_HTTP_PATCH,
	RFO_HTTP_DELETE,
	RFO_HTTP_PUT,
};

#define RFO_HTTP_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define RFO_HTTP_DEFAULT_TIMEOUT_MS 15000
#define RFO_HTTP_DEFAULT_MAX_BODY (8 * 1024 * 1024)

/* Everything is borrowed only for the duration of rfo_http_submit(); the worker copies it. */
struct rfo_http_request {
	enum rfo_http_method method;
	const char *url;
	const char *bearer_token;   /* optional: "Authorization: Bearer <token>" */
	const char *basic_user;     /* optional: HTTP basic auth user (with basic_password) */
	const char *basic_password; /* optional */
	const char *content_type;   /* optional, e.g. "application/json" or
	                             * "application/x-www-form-urlencoded" */
	const char *body;           /* optional request body (ignored for GET) */
	size_t body_len;            /* 0 with body != NULL means strlen(body) */
	const char *const *headers; /* optional NULL-terminated array of "Name: value" lines */
	int connect_timeout_ms;     /* 0 = RFO_HTTP_DEFAULT_CONNECT_TIMEOUT_MS */
	int timeout_ms;             /* total, 0 = RFO_HTTP_DEFAULT_TIMEOUT_MS */
	size_t max_body_bytes;      /* 0 = RFO_HTTP_DEFAULT_MAX_BODY */
	/* For URLs taken from remote data (emote, sticker and icon images): every address curl connects to is
	 * checked after name resolution, and anything but a public address (rfo_url_addr_class) is refused
	 * (RFO_ERR_INVALID, RFO_HTTP_FAIL_REFUSED) before a byte is sent. Plain http:// and loopback addresses
	 * only when rfo_http_loopback_images_allowed(). A proxy on a local address is refused the same way. */
	bool public_only;
};

/* The tests' switch: true when the environment variable RFO_TEST_LOOPBACK_IMAGES is "1" (the emulator prints it
 * for the end-to-end tests and --demo). Then public_only requests may also use plain http:// to a loopback host
 * and loopback addresses. Never set it for real use. */
#define RFO_HTTP_LOOPBACK_IMAGES_ENV "RFO_TEST_LOOPBACK_IMAGES"
bool rfo_http_loopback_images_allowed(void);

/* Why a request got no response, for a sentence a person can act on (curl's own text goes to the log only). */
enum rfo_http_failure {
	RFO_HTTP_FAIL_NONE = 0,  /* a response arrived, or the request was cancelled */
	RFO_HTTP_FAIL_CONNECT,   /* no connection: DNS, refused, unreachable, proxy */
	RFO_HTTP_FAIL_TIMEOUT,   /* the connect or the whole request took too long */
	RFO_HTTP_FAIL_TLS,       /* TLS handshake or certificate problem */
	RFO_HTTP_FAIL_TOO_LARGE, /* the answer was larger than max_body_bytes */
	RFO_HTTP_FAIL_BROKEN,    /* the connection broke or the answer was malformed */
	RFO_HTTP_FAIL_REFUSED,   /* the URL was refused by the URL policy or is malformed */
	RFO_HTTP_FAIL_OTHER,
};

/* The locale key (locale/en-US.ini, "Http.Error.*") for `f`, for the obs layer's obs_module_text(); NULL for
 * RFO_HTTP_FAIL_NONE. */
const char *rfo_http_failure_key(enum rfo_http_failure f);
/* The same sentence in English (what error.message carries). */
const char *rfo_http_failure_text(enum rfo_http_failure f);

struct rfo_http_response {
	/* HTTP status of the final response, 0 when none arrived. The status is NOT turned into an
	 * error: error.code is RFO_ERR_NONE whenever a complete response arrived (404 and 500
	 * included); check the status explicitly (rfo_http_response_ok() for 2xx). */
	long status;
	/* bmalloc'd, always NUL-terminated when non-NULL (NULL when empty or on error). Owned by the
	 * worker and freed after done() returns, unless done() takes it by setting body = NULL (then
	 * the callee must bfree it). */
	char *body;
	size_t len;
	double elapsed;      /* seconds from the start of the transfer to its end */
	int64_t retry_after; /* Retry-After in seconds (delta-seconds or HTTP-date), -1 if absent */
	/* RFO_ERR_NONE: a response arrived (see status).
	 * RFO_ERR_NETWORK: connect/TLS/timeout/read failure, or body larger than the limit;
	 *                  message = rfo_http_failure_text(failure); curl's own text is logged only.
	 * RFO_ERR_CANCELLED: the worker was stopped before the request finished.
	 * RFO_ERR_INVALID: the URL was refused by the URL policy or is malformed. */
	struct rfo_error error;
	enum rfo_http_failure failure; /* with RFO_ERR_NETWORK / RFO_ERR_INVALID */
};

static inline bool rfo_http_response_ok(const struct rfo_http_response *resp)
{
	return resp->error.code == RFO_ERR_NONE && resp->status >= 200 && resp->status < 300;
}

/* Called exactly once per accepted request, ON THE WORKER THREAD (also on stop, with
 * RFO_ERR_CANCELLED). Keep it short; hand results to the UI with rfo_dispatch(). Must not call
 * rfo_http_stop()/rfo_http_destroy() on the same worker. Do not hold a lock in the caller of
 * rfo_http_stop() that done() also takes. */
typedef void (*rfo_http_done_fn)(void *param, struct rfo_http_response *resp);

struct rfo_http;

/* Starts the worker thread, named `thread_name` (e.g. "rfo-http"). NULL on failure. */
struct rfo_http *rfo_http_create(const char *thread_name);

/* Queues a request. Returns false (and done is never called) when http is NULL, the worker was
 * stopped, or req/url is NULL; otherwise done(param, resp) is called exactly once later. */
bool rfo_http_submit(struct rfo_http *http, const struct rfo_http_request *req, rfo_http_done_fn done, void *param);

/* Cancels queued and in-flight requests (their done() gets RFO_ERR_CANCELLED on the worker
 * thread before this returns) and joins the worker. Idempotent; later submits return false. */
void rfo_http_stop(struct rfo_http *http);

/* rfo_http_stop() then frees. NULL is fine. */
void rfo_http_destroy(struct rfo_http *http);

#ifdef __cplusplus
}
#endif
