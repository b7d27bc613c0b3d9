/* restream-token-broker: calls to Restream's OAuth endpoints, many at once, on one curl multi handle. */
#pragma once

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

enum rfo_broker_upstream_failure {
	RFO_BROKER_UPSTREAM_OK,        /* a reply with a status, passed back as it is */
	RFO_BROKER_UPSTREAM_DOWN,      /* no connection, or it broke: 502 */
	RFO_BROKER_UPSTREAM_TIMEOUT,   /* no whole reply within the limit: 504 */
	RFO_BROKER_UPSTREAM_BAD_REPLY, /* too large, or not HTTP: 502 */
};

struct rfo_broker_upstream_result {
	enum rfo_broker_upstream_failure failure;
	int status;
	const char *body; /* borrowed for the callback only */
	size_t body_len;
	const char *content_type; /* "" when there was none */
	const char *retry_after;  /* "" when there was none */
	double ms;
};

typedef void (*rfo_broker_upstream_done_fn)(void *ctx, const struct rfo_broker_upstream_result *result);

struct rfo_broker_upstream;

/* base_url: Restream's API base; auth_header: the "Authorization: Basic …" line (copied; the copy is wiped at
 * _destroy); timeout_ms: the whole exchange. */
struct rfo_broker_upstream *rfo_broker_upstream_create(const char *base_url, const char *auth_header, int timeout_ms,
						       rfo_broker_upstream_done_fn done);
/* wipes the credentials; calls in flight are dropped without their callback */
void rfo_broker_upstream_destroy(struct rfo_broker_upstream *up);

/* POSTs body (a form, copied and wiped after) to <base_url><path>; done(ctx, …) runs from _run when it ends. */
bool rfo_broker_upstream_start(struct rfo_broker_upstream *up, const char *path, const char *body, size_t len,
			       void *ctx);
/* waits up to timeout_ms for upstream sockets or any of the caller's fds (curl_multi_poll) */
void rfo_broker_upstream_wait(struct rfo_broker_upstream *up, struct curl_waitfd *fds, unsigned count, int timeout_ms);
/* moves the transfers on and calls done for those that ended */
void rfo_broker_upstream_run(struct rfo_broker_upstream *up);
size_t rfo_broker_upstream_in_flight(const struct rfo_broker_upstream *up);
