/* restream-emulator: HTTP plumbing for the API port (request collection, routing, faults, deferred replies). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMU_MAX_BODY (1024 * 1024)

struct http_sess {
	struct lws *wsi;
	char method[8];
	char path[512];
	char *body;
	size_t body_len, body_cap;
	bool waiting_body;
	bool responding;
	bool ready;
	struct emu_resp resp;
	lws_sorted_usec_list_t sul;
};

bool emu_req_query(struct emu_req *req, const char *key, char *out, size_t outlen)
{
	char frag[2048];
	size_t klen = strlen(key);
	for (int i = 0; i < 32; i++) {
		int n = lws_hdr_copy_fragment(req->wsi, frag, sizeof(frag), WSI_TOKEN_HTTP_URI_ARGS, i);
		if (n < 0)
			break;
		if ((size_t)n >= klen + 1 && strncmp(frag, key, klen) == 0 && frag[klen] == '=') {
			snprintf(out, outlen, "%s", frag + klen + 1);
			return true;
		}
	}
	return false;
}

bool emu_req_header(struct emu_req *req, enum lws_token_indexes tok, char *out, size_t outlen)
{
	if (lws_hdr_total_length(req->wsi, tok) <= 0)
		return false;
	return lws_hdr_copy(req->wsi, out, (int)outlen, tok) >= 0;
}

static void resp_set(struct emu_resp *resp, int status, const char *ctype, char *body, size_t len)
{
	free(resp->body);
	resp->status = status;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", ctype);
	resp->body = body;
	resp->len = len;
}

void emu_resp_json(struct emu_resp *resp, int status, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	resp_set(resp, status, "application/json; charset=utf-8", s, s ? strlen(s) : 0);
}

void emu_resp_text(struct emu_resp *resp, int status, const char *ctype, const char *text)
{
	char *s = strdup(text);
	resp_set(resp, status, ctype, s, strlen(s));
}

void emu_resp_error(struct emu_resp *resp, int status, const char *name, const char *message)
{
	emu_resp_json(resp, status,
		      json_pack("{s:{s:i,s:i,s:i,s:s,s:s}}", "error", "statusCode", status, "status", status, "code",
				status, "message", message, "name", name));
}

void emu_resp_empty(struct emu_resp *resp, int status)
{
	resp_set(resp, status, "application/json; charset=utf-8", NULL, 0);
}

static const char *method_of(struct lws *wsi)
{
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0)
		return "GET";
	if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0)
		return "POST";
	if (lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI) > 0)
		return "PATCH";
	if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI) > 0)
		return "PUT";
	if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI) > 0)
		return "DELETE";
	return "OTHER";
}

static void sess_reset(struct http_sess *s)
{
	lws_sul_cancel(&s->sul);
	if (s->resp.inflight_grant)
		emu_oauth_grant_done(s->resp.inflight_grant);
	free(s->body);
	free(s->resp.body);
	struct lws *wsi = s->wsi;
	memset(s, 0, sizeof(*s));
	s->wsi = wsi;
}

static void sul_fire(lws_sorted_usec_list_t *sul)
{
	struct http_sess *s = lws_container_of(sul, struct http_sess, sul);
	s->ready = true;
	lws_callback_on_writable(s->wsi);
}

static void fault_envelope(struct emu_resp *resp, const char *path, int status)
{
	const char *name = status == 401   ? "invalid_token"
			   : status == 404 ? "not_found"
			   : status == 429 ? "too_many_requests"
			   : status == 503 ? "service_unavailable"
					   : "internal_error";
	const char *msg = status == 401   ? "Invalid token: access token is invalid"
			  : status == 404 ? "Not Found"
			  : status == 429 ? "Too Many Requests"
			  : status == 503 ? "Service Unavailable"
					  : "Internal Server Error";
	if (strncmp(path, "/oauth/", 7) == 0)
		emu_resp_json(resp, status,
			      json_pack("{s:s,s:s}", "error",
					status == 401   ? "invalid_client"
					: status >= 500 ? "server_error"
							: "invalid_request",
					"error_description", msg));
	else
		emu_resp_error(resp, status, name, msg);
}

static void dispatch(struct http_sess *s)
{
	struct emu_req req = {s->wsi, s->method, s->path, s->body ? s->body : "", s->body_len};
	struct emu_resp *resp = &s->resp;
	struct emu_fault *f = NULL;

	if (strncmp(s->path, "/_emu/", 6) != 0)
		f = emu_fault_match(s->method, s->path);
	if (f && f->status) {
		fault_envelope(resp, s->path, f->status);
		if (f->status == 429)
			resp->retry_after = f->retry_after > 0 ? f->retry_after : 2;
	} else {
		bool handled = emu_control_route(&req, resp) || emu_oauth_route(&req, resp) ||
			       emu_rest_route(&req, resp) || emu_images_route(&req, resp);
		if (!handled)
			emu_resp_error(resp, 404, "not_found", "Not Found");
	}
	if (f) {
		emu_fault_apply_body(f, resp);
		resp->delay_ms += f->delay_ms;
		if (f->status == 429 && !resp->retry_after)
			resp->retry_after = f->retry_after > 0 ? f->retry_after : 2;
	}
	s->responding = true;
	if (resp->delay_ms > 0) {
		lws_sul_schedule(lws_get_context(s->wsi), 0, &s->sul, sul_fire, (lws_usec_t)resp->delay_ms * 1000);
	} else {
		s->ready = true;
		lws_callback_on_writable(s->wsi);
	}
}

static int write_response(struct http_sess *s)
{
	unsigned char hdr[LWS_PRE + 2048], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof(hdr) - 1;
	struct emu_resp *r = &s->resp;
	char num[32];

	if (lws_add_http_common_headers(s->wsi, (unsigned int)r->status, r->content_type, (lws_filepos_t)r->len, &p,
					end))
		return -1;
	if (r->location[0] &&
	    lws_add_http_header_by_name(s->wsi, (const unsigned char *)"location:", (const unsigned char *)r->location,
					(int)strlen(r->location), &p, end))
		return -1;
	if (r->retry_after > 0) {
		snprintf(num, sizeof(num), "%d", r->retry_after);
		if (lws_add_http_header_by_name(s->wsi, (const unsigned char *)"retry-after:",
						(const unsigned char *)num, (int)strlen(num), &p, end))
			return -1;
	}
	if (lws_add_http_header_by_name(s->wsi, (const unsigned char *)"x-emulator:",
					(const unsigned char *)"restream-emulator", 17, &p, end) ||
	    lws_add_http_header_by_name(
		    s->wsi, (const unsigned char *)"cache-control:", (const unsigned char *)"no-store", 8, &p, end))
		return -1;
	if (lws_finalize_write_http_header(s->wsi, start, &p, end))
		return -1;
	if (r->len) {
		size_t n = r->truncate ? r->len / 2 : r->len;
		unsigned char *buf = malloc(LWS_PRE + n + 1);
		if (!buf)
			return -1;
		memcpy(buf + LWS_PRE, r->body, n);
		int w = lws_write(s->wsi, buf + LWS_PRE, n, r->truncate ? LWS_WRITE_HTTP : LWS_WRITE_HTTP_FINAL);
		free(buf);
		if (w < (int)n)
			return -1;
	}
	if (!emu.quiet)
		/* the reply's time in the line itself: tests measure the gaps between requests from the log, which is
		 * read by another process that a loaded machine can stall */
		fprintf(stderr, "[emu %lld] %s %s -> %d%s\n", (long long)emu_now_ms(), s->method, s->path, r->status,
			r->truncate ? " (truncated)" : "");
	if (r->truncate) {
		sess_reset(s);
		return -1; /* close mid-body */
	}
	sess_reset(s);
	if (lws_http_transaction_completed(s->wsi))
		return -1;
	return 0;
}

static int http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct http_sess *s = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP: {
		s->wsi = wsi;
		snprintf(s->method, sizeof(s->method), "%s", method_of(wsi));
		snprintf(s->path, sizeof(s->path), "%s", (const char *)in);
		char cl[32];
		long clen = 0;
		if (lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
			clen = atol(cl);
		if (clen > EMU_MAX_BODY) {
			lws_return_http_status(wsi, 413, NULL);
			return -1;
		}
		if (strcmp(s->method, "GET") != 0 && clen > 0) {
			s->waiting_body = true;
			return 0;
		}
		dispatch(s);
		return 0;
	}
	case LWS_CALLBACK_HTTP_BODY:
		if (s->body_len + len + 1 > s->body_cap) {
			size_t cap = (s->body_len + len + 1) * 2;
			if (cap > EMU_MAX_BODY * 2)
				return -1;
			char *nb = realloc(s->body, cap);
			if (!nb)
				return -1;
			s->body = nb;
			s->body_cap = cap;
		}
		memcpy(s->body + s->body_len, in, len);
		s->body_len += len;
		s->body[s->body_len] = '\0';
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (s->waiting_body) {
			s->waiting_body = false;
			dispatch(s);
		}
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (!s->responding || !s->ready)
			return 0;
		return write_response(s);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (s && s->wsi)
			sess_reset(s);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols http_protocol = {"http", http_cb, sizeof(struct http_sess), 0, 0, NULL, 0};

const struct lws_protocols *emu_http_protocol(void)
{
	return &http_protocol;
}
