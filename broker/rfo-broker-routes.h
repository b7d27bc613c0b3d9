/* restream-token-broker: what each route does with a complete request. */
#pragma once

#include "rfo-broker-buf.h"
#include "rfo-broker-http.h"
#include "rfo-broker-upstream.h"

#include <stdbool.h>

struct rfo_broker_routes {
	const char *redirect_uri; /* <public-url>/redirect */
	struct rfo_broker_upstream *upstream;
};

enum rfo_broker_route_outcome {
	RFO_BROKER_ROUTE_REPLIED,  /* the reply is in out */
	RFO_BROKER_ROUTE_UPSTREAM, /* an upstream call started; rfo_broker_routes_upstream_reply writes the reply */
};

/* The route's name for the access log: the path when it is one of the broker's routes, "other" otherwise. */
const char *rfo_broker_routes_name(const struct rfo_broker_request *req);
/* true for the routes the rate limit applies to (all but /healthz) */
bool rfo_broker_routes_limited(const struct rfo_broker_request *req);

/* Handles a complete request (body: content_length bytes). Replies itself (status in *status) or starts an upstream
 * call whose done callback gets ctx. */
enum rfo_broker_route_outcome rfo_broker_routes_handle(const struct rfo_broker_routes *rt,
						       const struct rfo_broker_request *req, const char *body,
						       struct rfo_broker_buf *out, bool close, void *ctx, int *status);

/* The reply to the client for an upstream result: Restream's status, body, Content-Type and Retry-After as they
 * came, or 502/504 with a JSON error. Returns the status sent. */
int rfo_broker_routes_upstream_reply(const struct rfo_broker_upstream_result *res, struct rfo_broker_buf *out,
				     bool close);
