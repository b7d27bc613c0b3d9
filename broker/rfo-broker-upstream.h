/* restream-token-broker: calls to Restream's OAuth endpoints, many at once, on one curl multi handle driven by the
 * event loop's sockets (curl_multi_socket_action). */
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

typedef void (*rfo_broker_upstream_done_fn)(void *loop, void *ctx, const struct rfo_broker_upstream_result *result);
/* curl asks the event loop to watch sock for what (CURL_POLL_IN, _OUT, _INOUT) or to stop (CURL_POLL_REMOVE);
 * known: the loop already watches sock (change it rather than add it) */
typedef void (*rfo_broker_upstream_watch_fn)(void *loop, curl_socket_t sock, int what, bool known);

struct rfo_broker_upstream;

/* base_url: Restream's API base; auth_header: the "Authorization: Basic …" line (copied; the copy is wiped at
 * _destroy); timeout_ms: the whole exchange. done and watch are called with loop. */
struct rfo_broker_upstream *rfo_broker_upstream_create(const char *base_url, const char *auth_header, int timeout_ms,
						       rfo_broker_upstream_done_fn done,
						       rfo_broker_upstream_watch_fn watch, void *loop);
/* wipes the credentials; calls in flight are dropped without their callback */
void rfo_broker_upstream_destroy(struct rfo_broker_upstream *up);

/* POSTs body (a form, copied and wiped after) to <base_url><path>; done(loop, ctx, …) runs when it ends (from
 * _socket or _timeout, never from inside _start). */
bool rfo_broker_upstream_start(struct rfo_broker_upstream *up, const char *path, const char *body, size_t len,
			       void *ctx);
/* a watched socket is ready (CURL_CSELECT_* bits): moves its transfer on, calls done for those that ended */
void rfo_broker_upstream_socket(struct rfo_broker_upstream *up, curl_socket_t sock, int select_bits);
/* curl's own timer: the monotonic time (ms, CLOCK_MONOTONIC) it wants _timeout called at, or 0 for none */
double rfo_broker_upstream_deadline(const struct rfo_broker_upstream *up);
void rfo_broker_upstream_timeout(struct rfo_broker_upstream *up);
size_t rfo_broker_upstream_in_flight(const struct rfo_broker_upstream *up);
