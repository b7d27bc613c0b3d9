/* restream-token-broker: HTTP replies as bytes. */
#pragma once

#include "rfo-broker-buf.h"

#include <stdbool.h>
#include <stddef.h>

struct rfo_broker_reply {
	int status;
	const char *content_type; /* NULL: no Content-Type (an empty body) */
	const char *body;
	size_t body_len;
	const char *location;    /* NULL or a Location header (302) */
	const char *retry_after; /* NULL or a Retry-After header */
	const char *allow;       /* NULL or an Allow header (405) */
};

/* Appends the whole reply to out: status line, Content-Length, Cache-Control: no-store (token replies must not be
 * cached), nosniff, no-referrer (a redirect carries a code), Connection (close or keep-alive), then the body. */
bool rfo_broker_reply_write(struct rfo_broker_buf *out, const struct rfo_broker_reply *r, bool close);

/* A JSON error reply {"error": error, "error_description": description}, as OAuth errors look, so the plugin reads
 * the broker's own errors like Restream's. retry_after may be NULL. */
bool rfo_broker_reply_json_error(struct rfo_broker_buf *out, int status, const char *error, const char *description,
				 const char *retry_after, bool close);

/* A plain-text page (the browser-facing errors of /redirect, /healthz). */
bool rfo_broker_reply_text(struct rfo_broker_buf *out, int status, const char *text, bool close);
