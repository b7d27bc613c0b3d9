/* restream-token-broker: HTTP replies as bytes. */
#include "rfo-broker-reply.h"
#include "rfo-broker-http.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

bool rfo_broker_reply_write(struct rfo_broker_buf *out, const struct rfo_broker_reply *r, bool close)
{
	bool ok = rfo_broker_buf_printf(out, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n", r->status,
					rfo_broker_http_reason(r->status), r->body_len);
	if (r->content_type)
		ok = ok && rfo_broker_buf_printf(out, "Content-Type: %s\r\n", r->content_type);
	if (r->location)
		ok = ok && rfo_broker_buf_printf(out, "Location: %s\r\n", r->location);
	if (r->retry_after)
		ok = ok && rfo_broker_buf_printf(out, "Retry-After: %s\r\n", r->retry_after);
	if (r->allow)
		ok = ok && rfo_broker_buf_printf(out, "Allow: %s\r\n", r->allow);
	ok = ok && rfo_broker_buf_printf(out,
					 "Cache-Control: no-store\r\nPragma: no-cache\r\nX-Content-Type-Options: "
					 "nosniff\r\nReferrer-Policy: no-referrer\r\nConnection: %s\r\n\r\n",
					 close ? "close" : "keep-alive");
	return ok && rfo_broker_buf_append(out, r->body ? r->body : "", r->body_len);
}

bool rfo_broker_reply_json_error(struct rfo_broker_buf *out, int status, const char *error, const char *description,
				 const char *retry_after, bool close)
{
	json_t *j = json_pack("{s:s,s:s}", "error", error, "error_description", description);
	char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!body)
		return false;
	struct rfo_broker_reply r = {
		.status = status,
		.content_type = "application/json",
		.body = body,
		.body_len = strlen(body),
		.retry_after = retry_after,
	};
	bool ok = rfo_broker_reply_write(out, &r, close);
	free(body);
	return ok;
}

bool rfo_broker_reply_text(struct rfo_broker_buf *out, int status, const char *text, bool close)
{
	struct rfo_broker_reply r = {
		.status = status,
		.content_type = "text/plain; charset=utf-8",
		.body = text,
		.body_len = strlen(text),
	};
	return rfo_broker_reply_write(out, &r, close);
}
