/* restream-token-broker: what each route does with a complete request.
 *
 * /token and /revoke forward a rebuilt form, not the client's bytes: only the fields Restream's endpoints take
 * are copied, so whatever client_id or client_secret a client sends is dropped, and the credentials come only
 * from the broker's Authorization header. */
#include "rfo-broker-routes.h"
#include "rfo-broker-form.h"
#include "rfo-broker-redirect.h"
#include "rfo-broker-reply.h"

#include <string.h>

static bool path_is(const struct rfo_broker_request *req, const char *path)
{
	return req->path_len == strlen(path) && memcmp(req->path, path, req->path_len) == 0;
}

const char *rfo_broker_routes_name(const struct rfo_broker_request *req)
{
	static const char *const names[] = {"/redirect", "/token", "/revoke", "/healthz"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (path_is(req, names[i]))
			return names[i];
	return "other";
}

bool rfo_broker_routes_limited(const struct rfo_broker_request *req)
{
	return !path_is(req, "/healthz");
}

static enum rfo_broker_route_outcome json_error(struct rfo_broker_buf *out, bool close, int *status, int code,
						const char *error, const char *description)
{
	*status = code;
	rfo_broker_reply_json_error(out, code, error, description, NULL, close);
	return RFO_BROKER_ROUTE_REPLIED;
}

static enum rfo_broker_route_outcome method_not_allowed(struct rfo_broker_buf *out, bool close, int *status,
							const char *allow)
{
	struct rfo_broker_reply r = {.status = 405, .content_type = "text/plain; charset=utf-8", .allow = allow};
	r.body = strcmp(allow, "GET") == 0 ? "Use GET.\n" : "Use POST.\n";
	r.body_len = strlen(r.body);
	*status = 405;
	rfo_broker_reply_write(out, &r, close);
	return RFO_BROKER_ROUTE_REPLIED;
}

static enum rfo_broker_route_outcome redirect(const struct rfo_broker_request *req, struct rfo_broker_buf *out,
					      bool close, int *status)
{
	struct rfo_broker_buf location = {0};
	const char *why = NULL;
	if (rfo_broker_redirect_target(req->query, req->query_len, &location, &why)) {
		static const char body[] = "Returning to OBS.\n";
		struct rfo_broker_reply r = {.status = 302,
					     .content_type = "text/plain; charset=utf-8",
					     .body = body,
					     .body_len = sizeof(body) - 1,
					     .location = location.data};
		*status = 302;
		rfo_broker_reply_write(out, &r, close);
	} else {
		*status = 400;
		struct rfo_broker_buf page = {0};
		rfo_broker_buf_printf(&page, "Restream sign-in for OBS\n\n%s\n", why);
		rfo_broker_reply_text(out, 400, page.data ? page.data : "Bad request\n", close);
		rfo_broker_buf_free(&page);
	}
	rfo_broker_buf_free(&location);
	return RFO_BROKER_ROUTE_REPLIED;
}

static bool put(struct rfo_broker_buf *b, const char *key, const char *value)
{
	return (b->len == 0 || rfo_broker_buf_puts(b, "&")) && rfo_broker_buf_puts(b, key) &&
	       rfo_broker_buf_puts(b, "=") && rfo_broker_buf_put_encoded(b, value);
}

/* the form forwarded to /oauth/token; NULL error means it is ready */
static const char *token_form(const struct rfo_broker_routes *rt, const struct rfo_broker_form *f,
			      struct rfo_broker_buf *fwd, const char **error)
{
	const char *grant = rfo_broker_form_get(f, "grant_type");
	*error = "invalid_request";
	if (!grant)
		return "grant_type is missing";
	if (strcmp(grant, "authorization_code") == 0) {
		const char *code = rfo_broker_form_get(f, "code");
		const char *uri = rfo_broker_form_get(f, "redirect_uri");
		if (!code || !*code)
			return "code is missing";
		if (uri && strcmp(uri, rt->redirect_uri) != 0)
			return "redirect_uri must be this broker's /redirect (or be left out)";
		put(fwd, "grant_type", grant);
		put(fwd, "code", code);
		put(fwd, "redirect_uri", rt->redirect_uri);
	} else if (strcmp(grant, "refresh_token") == 0) {
		const char *refresh = rfo_broker_form_get(f, "refresh_token");
		const char *scope = rfo_broker_form_get(f, "scope");
		if (!refresh || !*refresh)
			return "refresh_token is missing";
		put(fwd, "grant_type", grant);
		put(fwd, "refresh_token", refresh);
		if (scope)
			put(fwd, "scope", scope);
	} else {
		*error = "unsupported_grant_type";
		return "grant_type must be authorization_code or refresh_token";
	}
	return NULL;
}

static const char *revoke_form(const struct rfo_broker_form *f, struct rfo_broker_buf *fwd, const char **error)
{
	const char *token = rfo_broker_form_get(f, "token");
	const char *hint = rfo_broker_form_get(f, "token_type_hint");
	*error = "invalid_request";
	if (!token || !*token)
		return "token is missing";
	put(fwd, "token", token);
	if (hint && (strcmp(hint, "access_token") == 0 || strcmp(hint, "refresh_token") == 0))
		put(fwd, "token_type_hint", hint);
	return NULL;
}

static enum rfo_broker_route_outcome forward(const struct rfo_broker_routes *rt, const struct rfo_broker_request *req,
					     const char *body, bool token, struct rfo_broker_buf *out, bool close,
					     void *ctx, int *status)
{
	if (!req->form_body)
		return json_error(out, close, status, 415, "invalid_request",
				  "send the body as application/x-www-form-urlencoded");
	struct rfo_broker_form form;
	if (!rfo_broker_form_parse(&form, body, req->content_length))
		return json_error(out, close, status, 400, "invalid_request",
				  "the form is malformed (a bad escape, a repeated field or too many fields)");
	struct rfo_broker_buf fwd = {0};
	const char *error = NULL;
	const char *why = token ? token_form(rt, &form, &fwd, &error) : revoke_form(&form, &fwd, &error);
	enum rfo_broker_route_outcome outcome;
	if (why)
		outcome = json_error(out, close, status, 400, error, why);
	else if (!fwd.data || !rfo_broker_upstream_start(rt->upstream, token ? "/oauth/token" : "/oauth/revoke",
							 fwd.data, fwd.len, ctx))
		outcome = json_error(out, close, status, 500, "server_error", "the broker could not start the call");
	else
		outcome = RFO_BROKER_ROUTE_UPSTREAM;
	rfo_broker_buf_free(&fwd);
	rfo_broker_form_free(&form);
	return outcome;
}

enum rfo_broker_route_outcome rfo_broker_routes_handle(const struct rfo_broker_routes *rt,
						       const struct rfo_broker_request *req, const char *body,
						       struct rfo_broker_buf *out, bool close, void *ctx, int *status)
{
	if (path_is(req, "/healthz")) {
		if (req->method != RFO_BROKER_GET)
			return method_not_allowed(out, close, status, "GET");
		*status = 200;
		rfo_broker_reply_text(out, 200, "ok\n", close);
		return RFO_BROKER_ROUTE_REPLIED;
	}
	if (path_is(req, "/redirect"))
		return req->method == RFO_BROKER_GET ? redirect(req, out, close, status)
						     : method_not_allowed(out, close, status, "GET");
	bool token = path_is(req, "/token");
	if (token || path_is(req, "/revoke"))
		return req->method == RFO_BROKER_POST ? forward(rt, req, body, token, out, close, ctx, status)
						      : method_not_allowed(out, close, status, "POST");
	return json_error(out, close, status, 404, "not_found",
			  "the broker serves GET /redirect, POST /token, POST /revoke and GET /healthz");
}

int rfo_broker_routes_upstream_reply(const struct rfo_broker_upstream_result *res, struct rfo_broker_buf *out,
				     bool close)
{
	if (res->failure == RFO_BROKER_UPSTREAM_TIMEOUT) {
		rfo_broker_reply_json_error(out, 504, "upstream_timeout",
					    "Restream did not answer in time; try again later", NULL, close);
		return 504;
	}
	if (res->failure != RFO_BROKER_UPSTREAM_OK) {
		rfo_broker_reply_json_error(out, 502, "upstream_unavailable",
					    "Restream could not be reached; try again later", NULL, close);
		return 502;
	}
	struct rfo_broker_reply r = {
		.status = res->status,
		.content_type = res->content_type[0] ? res->content_type : NULL,
		.body = res->body,
		.body_len = res->body_len,
		.retry_after = res->retry_after[0] ? res->retry_after : NULL,
	};
	rfo_broker_reply_write(out, &r, close);
	return res->status;
}
