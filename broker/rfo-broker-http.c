/* restream-token-broker: HTTP/1.1 request heads, sans I/O (bytes in, a struct out).
 *
 * Deliberately strict: only CRLF line ends, no folded headers, one Content-Length and no Transfer-Encoding, so a
 * proxy in front of the broker and the broker cannot read the same bytes as two different requests. */
#define _GNU_SOURCE
#include "rfo-broker-http.h"

#include <string.h>
#include <strings.h>

static enum rfo_broker_parse fail(struct rfo_broker_request *req, int status, const char *text)
{
	req->error_status = status;
	req->error_text = text;
	return RFO_BROKER_PARSE_ERROR;
}

static bool tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool header_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* true when the comma-separated value list v[0..len) holds token (case-insensitive) */
static bool list_has(const char *v, size_t len, const char *token)
{
	size_t t = strlen(token), i = 0;
	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t s = i;
		while (i < len && v[i] != ',')
			i++;
		size_t e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == t && strncasecmp(v + s, token, t) == 0)
			return true;
	}
	return false;
}

static void last_entry(const char *v, size_t len, char *out, size_t cap)
{
	const char *comma = memrchr(v, ',', len);
	const char *s = comma ? comma + 1 : v;
	const char *e = v + len;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	size_t n = (size_t)(e - s);
	if (n >= cap)
		n = 0; /* too long to be an address: ignored */
	memcpy(out, s, n);
	out[n] = '\0';
}

static enum rfo_broker_parse request_line(const char *p, const char *eol, struct rfo_broker_request *req)
{
	const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	if (!sp1 || !sp2 || sp1 == p)
		return fail(req, 400, "malformed request line");
	for (const char *m = p; m < sp1; m++)
		if (!tchar((unsigned char)*m))
			return fail(req, 400, "malformed request line");
	req->method_text = p;
	req->method_len = (size_t)(sp1 - p);
	req->method = req->method_len == 3 && memcmp(p, "GET", 3) == 0    ? RFO_BROKER_GET
		      : req->method_len == 4 && memcmp(p, "POST", 4) == 0 ? RFO_BROKER_POST
									  : RFO_BROKER_OTHER_METHOD;
	const char *target = sp1 + 1;
	if (target == sp2 || *target != '/')
		return fail(req, 400, "the request target must be a path");
	for (const char *t = target; t < sp2; t++)
		if ((unsigned char)*t < 0x21 || (unsigned char)*t > 0x7e)
			return fail(req, 400, "malformed request target");
	const char *q = memchr(target, '?', (size_t)(sp2 - target));
	req->path = target;
	req->path_len = (size_t)((q ? q : sp2) - target);
	req->query = q ? q + 1 : sp2;
	req->query_len = q ? (size_t)(sp2 - q - 1) : 0;
	size_t vlen = (size_t)(eol - sp2 - 1);
	if (vlen == 8 && memcmp(sp2 + 1, "HTTP/1.1", 8) == 0)
		req->keep_alive = true;
	else if (vlen == 8 && memcmp(sp2 + 1, "HTTP/1.0", 8) == 0)
		req->keep_alive = false;
	else
		return fail(req, 505, "only HTTP/1.1 and HTTP/1.0 are served");
	return RFO_BROKER_PARSE_DONE;
}

static enum rfo_broker_parse header(const char *p, const char *eol, struct rfo_broker_request *req, bool *had_length)
{
	if (*p == ' ' || *p == '\t')
		return fail(req, 400, "folded header lines are not accepted");
	const char *colon = memchr(p, ':', (size_t)(eol - p));
	if (!colon || colon == p)
		return fail(req, 400, "malformed header line");
	for (const char *c = p; c < colon; c++)
		if (!tchar((unsigned char)*c))
			return fail(req, 400, "malformed header name");
	const char *v = colon + 1, *ve = eol;
	while (v < ve && (*v == ' ' || *v == '\t'))
		v++;
	while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	for (const char *c = v; c < ve; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return fail(req, 400, "control character in a header");
	size_t nlen = (size_t)(colon - p), vlen = (size_t)(ve - v);

	if (header_is(p, nlen, "Content-Length")) {
		size_t n = 0;
		if (vlen == 0 || vlen > 9)
			return vlen > 9 ? fail(req, 413, "the body is larger than the broker accepts")
					: fail(req, 400, "malformed Content-Length");
		for (size_t i = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9')
				return fail(req, 400, "malformed Content-Length");
			n = n * 10 + (size_t)(v[i] - '0');
		}
		if (*had_length && n != req->content_length)
			return fail(req, 400, "conflicting Content-Length headers");
		*had_length = true;
		req->content_length = n;
	} else if (header_is(p, nlen, "Transfer-Encoding")) {
		return fail(req, 501, "Transfer-Encoding is not supported; send a Content-Length");
	} else if (header_is(p, nlen, "Connection")) {
		if (list_has(v, vlen, "close"))
			req->keep_alive = false;
		else if (list_has(v, vlen, "keep-alive"))
			req->keep_alive = true;
	} else if (header_is(p, nlen, "Expect")) {
		if (vlen != 12 || strncasecmp(v, "100-continue", 12) != 0)
			return fail(req, 417, "unsupported Expect header");
		req->expect_continue = true;
	} else if (header_is(p, nlen, "Content-Type")) {
		static const char form[] = "application/x-www-form-urlencoded";
		size_t flen = sizeof(form) - 1;
		req->form_body = vlen >= flen && strncasecmp(v, form, flen) == 0 &&
				 (vlen == flen || v[flen] == ';' || v[flen] == ' ');
	} else if (header_is(p, nlen, "X-Forwarded-For")) {
		last_entry(v, vlen, req->forwarded_for, sizeof(req->forwarded_for));
	}
	return RFO_BROKER_PARSE_DONE;
}

enum rfo_broker_parse rfo_broker_http_parse(const char *buf, size_t len, struct rfo_broker_request *req)
{
	memset(req, 0, sizeof(*req));
	size_t scan = len < RFO_BROKER_HEAD_MAX ? len : RFO_BROKER_HEAD_MAX;
	const char *end = memmem(buf, scan, "\r\n\r\n", 4);
	if (!end)
		return len >= RFO_BROKER_HEAD_MAX ? fail(req, 431, "the request head is too large")
						  : RFO_BROKER_PARSE_MORE;
	req->head_len = (size_t)(end - buf) + 4;
	const char *p = buf, *stop = end + 2;
	size_t lines = 0;
	bool had_length = false;
	while (p < stop) {
		const char *eol = memchr(p, '\r', (size_t)(stop - p));
		if (!eol || eol[1] != '\n' || memchr(p, '\n', (size_t)(eol - p)) || memchr(p, '\0', (size_t)(eol - p)))
			return fail(req, 400, "malformed line end");
		enum rfo_broker_parse r = lines == 0 ? request_line(p, eol, req) : header(p, eol, req, &had_length);
		if (r != RFO_BROKER_PARSE_DONE)
			return r;
		if (++lines > RFO_BROKER_HEADERS_MAX + 1)
			return fail(req, 431, "too many header lines");
		p = eol + 2;
	}
	if (req->content_length > RFO_BROKER_BODY_MAX)
		return fail(req, 413, "the body is larger than the broker accepts");
	return RFO_BROKER_PARSE_DONE;
}

const char *rfo_broker_http_reason(int status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 302:
		return "Found";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 417:
		return "Expectation Failed";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "";
	}
}
