/* restream-token-broker: HTTP/1.1 request heads, sans I/O (bytes in, a struct out). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define RFO_BROKER_HEAD_MAX 8192 /* request line + headers */
#define RFO_BROKER_HEADERS_MAX 64
#define RFO_BROKER_BODY_MAX 8192

enum rfo_broker_method { RFO_BROKER_GET, RFO_BROKER_POST, RFO_BROKER_OTHER_METHOD };

enum rfo_broker_parse { RFO_BROKER_PARSE_MORE, RFO_BROKER_PARSE_DONE, RFO_BROKER_PARSE_ERROR };

struct rfo_broker_request {
	enum rfo_broker_method method;
	const char *method_text; /* the method as sent, for the log: points into the buffer, method_len bytes */
	size_t method_len;
	const char *path; /* points into the parsed buffer: path_len bytes, no query */
	size_t path_len;
	const char *query; /* after '?', query_len bytes (0 when there is none) */
	size_t query_len;
	size_t head_len;       /* bytes of the head, the final CRLF CRLF included */
	size_t content_length; /* 0 without the header */
	bool keep_alive;
	bool expect_continue;
	bool form_body;         /* Content-Type is application/x-www-form-urlencoded */
	char forwarded_for[64]; /* the last X-Forwarded-For entry (what the nearest proxy saw), or "" */
	int error_status;       /* with RFO_BROKER_PARSE_ERROR: 400, 413, 417, 431, 501 or 505 */
	const char *error_text; /* with RFO_BROKER_PARSE_ERROR: a sentence for the client */
};

/* Parses the head at the start of buf[0..len). MORE: the head is not complete yet (and is still within
 * RFO_BROKER_HEAD_MAX); DONE: req is filled; ERROR: req->error_status and error_text say why. */
enum rfo_broker_parse rfo_broker_http_parse(const char *buf, size_t len, struct rfo_broker_request *req);

/* the reason phrase of a status code the broker sends or passes through ("" for an unknown one) */
const char *rfo_broker_http_reason(int status);
