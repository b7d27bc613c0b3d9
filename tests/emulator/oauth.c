/* restream-emulator: OAuth (GET /login, POST /oauth/token, POST /oauth/revoke) and the token store. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRANTED_SCOPES "profile.read channels.read channels.write chat.read stream.read"
#define CODE_LIFETIME_S 60

struct emu_token *emu_token_issue(const char *how)
{
	struct emu_token *t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	emu_rand_hex(t->access, 40);
	emu_rand_hex(t->refresh, 40);
	t->issued = emu_now_s();
	t->client = EMU_CLIENT_APP;
	t->access_exp = t->issued + emu.token_lifetime;
	t->refresh_exp = t->issued + emu.refresh_lifetime;
	snprintf(t->how, sizeof(t->how), "%s", how);
	t->next = emu.tokens;
	emu.tokens = t;
	return t;
}

struct emu_token *emu_token_find_access(const char *access)
{
	for (struct emu_token *t = emu.tokens; t; t = t->next)
		if (strcmp(t->access, access) == 0)
			return t;
	return NULL;
}

static struct emu_token *find_any(const char *tok)
{
	for (struct emu_token *t = emu.tokens; t; t = t->next)
		if (strcmp(t->access, tok) == 0 || strcmp(t->refresh, tok) == 0)
			return t;
	return NULL;
}

bool emu_token_valid(const char *access)
{
	struct emu_token *t = access && *access ? emu_token_find_access(access) : NULL;
	return t && !t->revoked && !t->rotated && t->access_exp > emu_now_s();
}

void emu_token_revoke_pair(struct emu_token *t)
{
	t->revoked = true;
}

json_t *emu_token_json(const struct emu_token *t)
{
	int64_t now = emu_now_s();
	return json_pack("{s:s,s:s,s:I,s:I,s:I,s:b,s:b,s:s,s:b}", "accessToken", t->access, "refreshToken", t->refresh,
			 "issuedAt", (json_int_t)t->issued, "accessTokenExpiresEpoch", (json_int_t)t->access_exp,
			 "refreshTokenExpiresEpoch", (json_int_t)t->refresh_exp, "revoked", t->revoked, "rotated",
			 t->rotated, "grant", t->how, "valid", !t->revoked && !t->rotated && t->access_exp > now);
}

static void url_encode(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < outlen; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_' || *p == '.' || *p == '~') {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
}

static bool loopback_uri(const char *u)
{
	static const char *ok[] = {"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:",
				   "http://localhost/", "http://[::1]:",     "http://[::1]/"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strncmp(u, ok[i], strlen(ok[i])) == 0)
			return true;
	return false;
}

static bool registered(char uris[][256], int n, const char *uri)
{
	for (int i = 0; i < n; i++)
		if (strcmp(uris[i], uri) == 0)
			return true;
	return false;
}

/* EMU_CLIENT_* of a client id, -1 when unknown. */
static int client_of(const char *id)
{
	if (id[0] && strcmp(id, emu.client_id) == 0)
		return EMU_CLIENT_APP;
	if (id[0] && emu.broker.id[0] && strcmp(id, emu.broker.id) == 0)
		return EMU_CLIENT_BROKER;
	return -1;
}

/* Exact match against the client's registered URIs; the app client also takes any loopback URI when the flag
 * says so (the old behaviour, for --demo and tests that use an ephemeral port). */
static bool redirect_allowed(int client, const char *uri)
{
	if (client == EMU_CLIENT_BROKER)
		return registered(emu.broker.redirects, emu.broker.n_redirects, uri);
	return registered(emu.redirect_uris, emu.n_redirect_uris, uri) ||
	       (emu.any_loopback_redirect && loopback_uri(uri));
}

static void html_error(struct emu_resp *resp, int status, const char *msg)
{
	char page[512];
	snprintf(page, sizeof(page),
		 "<!doctype html><html><head><title>Restream</title></head><body><h1>Restream (emulated)</h1>"
		 "<p>%s</p></body></html>",
		 msg);
	emu_resp_text(resp, status, "text/html; charset=utf-8", page);
}

static void handle_login(struct emu_req *req, struct emu_resp *resp)
{
	char rtype[32] = "", cid[128] = "", ruri[512] = "", state[256] = "", st_enc[800], sep;
	emu_req_query(req, "response_type", rtype, sizeof(rtype));
	emu_req_query(req, "client_id", cid, sizeof(cid));
	emu_req_query(req, "redirect_uri", ruri, sizeof(ruri));
	emu_req_query(req, "state", state, sizeof(state));
	if (strcmp(rtype, "code") != 0)
		return html_error(resp, 400, "Unsupported response_type (only \"code\").");
	int client = client_of(cid);
	if (client < 0)
		return html_error(resp, 400, "Unknown client_id.");
	if (!redirect_allowed(client, ruri)) {
		if (!emu.quiet)
			fprintf(stderr, "restream-emulator: /login refused an unregistered redirect_uri\n");
		emu.redirects_refused++;
		return html_error(resp, 400, "redirect_uri is not registered for this application.");
	}
	if (emu.deny_login) {
		snprintf(resp->location, sizeof(resp->location), "%s", ruri);
		return html_error(resp, 302, "Access denied; redirecting.");
	}
	struct emu_code *c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	emu_rand_hex(c->code, 32);
	snprintf(c->redirect_uri, sizeof(c->redirect_uri), "%s", ruri);
	c->client = client;
	c->expires = emu_now_s() + CODE_LIFETIME_S;
	c->next = emu.codes;
	emu.codes = c;
	url_encode(state, st_enc, sizeof(st_enc));
	sep = strchr(ruri, '?') ? '&' : '?';
	snprintf(resp->location, sizeof(resp->location), "%s%ccode=%s&scope=%s&state=%s", ruri, sep, c->code,
		 "profile.read,channels.read,channels.write,chat.read,stream.read", st_enc);
	html_error(resp, 302, "Redirecting back to the application.");
}

static void oauth_err(struct emu_resp *resp, int status, const char *err, const char *desc)
{
	emu_resp_json(resp, status, json_pack("{s:s,s:s}", "error", err, "error_description", desc));
}

static int client_check(const char *id, const char *secret)
{
	int c = client_of(id);
	const char *want = c == EMU_CLIENT_APP ? emu.client_secret : c == EMU_CLIENT_BROKER ? emu.broker.secret : NULL;
	return want && want[0] && strcmp(secret, want) == 0 ? c : -1;
}

/* The authenticated client (EMU_CLIENT_*), -1 when the credentials are missing or wrong. */
static int client_auth(struct emu_req *req)
{
	char hdr[512], dec[384], id[128] = "", secret[160] = "";
	if (emu_req_header(req, WSI_TOKEN_HTTP_AUTHORIZATION, hdr, sizeof(hdr)) && strncmp(hdr, "Basic ", 6) == 0) {
		int n = lws_b64_decode_string(hdr + 6, dec, sizeof(dec) - 1);
		if (n <= 0)
			return -1;
		dec[n] = '\0';
		char *colon = strchr(dec, ':');
		if (!colon)
			return -1;
		*colon = '\0';
		return client_check(dec, colon + 1);
	}
	emu_form_get(req->body, "client_id", id, sizeof(id));
	emu_form_get(req->body, "client_secret", secret, sizeof(secret));
	return client_check(id, secret);
}

static void token_response(struct emu_resp *resp, const struct emu_token *t)
{
	char at_iso[40], rt_iso[40];
	emu_iso8601(t->access_exp, at_iso, sizeof(at_iso));
	emu_iso8601(t->refresh_exp, rt_iso, sizeof(rt_iso));
	json_t *o = json_object();
	json_object_set_new(o, "access_token", json_string(t->access));
	json_object_set_new(o, "expires", json_integer(t->access_exp));
	json_object_set_new(o, "expires_in", json_integer(t->access_exp - t->issued));
	json_object_set_new(o, "refresh_token", json_string(t->refresh));
	json_object_set_new(o, "scope", json_string(GRANTED_SCOPES));
	json_object_set_new(o, "token_type", json_string("Bearer"));
	json_object_set_new(o, "accessToken", json_string(t->access));
	json_object_set_new(o, "accessTokenExpiresIn", json_integer(t->access_exp - t->issued));
	json_object_set_new(o, "accessTokenExpiresAt", json_string(at_iso));
	json_object_set_new(o, "accessTokenExpiresEpoch", json_integer(t->access_exp));
	json_object_set_new(o, "refreshToken", json_string(t->refresh));
	json_object_set_new(o, "refreshTokenExpiresIn", json_integer(t->refresh_exp - t->issued));
	json_object_set_new(o, "refreshTokenExpiresAt", json_string(rt_iso));
	json_object_set_new(o, "refreshTokenExpiresEpoch", json_integer(t->refresh_exp));
	json_object_set_new(o, "scopeJson",
			    json_pack("[s,s,s,s,s]", "profile.read", "channels.read", "channels.write", "chat.read",
				      "stream.read"));
	json_object_set_new(o, "tokenType", json_string("Bearer"));
	json_object_set_new(o, "emulatorUnknownField", json_pack("{s:b}", "ignoreMe", 1));
	emu_resp_json(resp, 200, o);
}

void emu_oauth_grant_done(int grant)
{
	struct emu_stats_grant *g = grant == 1 ? &emu.grant_code : &emu.grant_refresh;
	if (g->in_flight > 0)
		g->in_flight--;
}

static void handle_token(struct emu_req *req, struct emu_resp *resp)
{
	char grant[64] = "", code[128] = "", ruri[512] = "", rt[128] = "";
	emu_form_get(req->body, "grant_type", grant, sizeof(grant));
	int gi = strcmp(grant, "authorization_code") == 0 ? 1 : strcmp(grant, "refresh_token") == 0 ? 2 : 0;
	resp->delay_ms = emu.token_delay_ms;
	if (!gi)
		return oauth_err(resp, 400, "unsupported_grant_type",
				 "grant_type must be authorization_code or refresh_token");
	struct emu_stats_grant *g = gi == 1 ? &emu.grant_code : &emu.grant_refresh;
	g->count++;
	json_array_append_new(g->times, json_integer(emu_now_ms()));
	if (g->in_flight > 0)
		g->overlaps++;
	g->in_flight++;
	if (g->in_flight > g->max_concurrent)
		g->max_concurrent = g->in_flight;
	resp->inflight_grant = gi;
	int client = client_auth(req);
	if (client < 0) {
		g->errors++;
		return oauth_err(resp, 401, "invalid_client", "Client authentication failed");
	}
	if (gi == 1) {
		emu_form_get(req->body, "code", code, sizeof(code));
		emu_form_get(req->body, "redirect_uri", ruri, sizeof(ruri));
		struct emu_code *c = emu.codes;
		while (c && strcmp(c->code, code) != 0)
			c = c->next;
		if (!c || c->used || c->expires < emu_now_s()) {
			g->errors++;
			return oauth_err(resp, 400, "invalid_grant", "Invalid authorization code");
		}
		c->used = true;
		if (c->client != client) {
			g->errors++;
			return oauth_err(resp, 400, "invalid_grant", "The code was issued to another client");
		}
		if (strcmp(c->redirect_uri, ruri) != 0) {
			g->errors++;
			return oauth_err(resp, 400, "invalid_grant",
					 "redirect_uri does not match the authorization request");
		}
		struct emu_token *issued = emu_token_issue("authorization_code");
		issued->client = client;
		return token_response(resp, issued);
	}
	emu_form_get(req->body, "refresh_token", rt, sizeof(rt));
	struct emu_token *t = emu.tokens;
	while (t && strcmp(t->refresh, rt) != 0)
		t = t->next;
	if (!t || t->client != client) {
		g->errors++;
		return oauth_err(resp, 400, "invalid_grant", "Invalid refresh token");
	}
	if (t->rotated || t->revoked) {
		g->errors++;
		g->reused++;
		return oauth_err(resp, 400, "invalid_grant", "Refresh token has already been used or revoked");
	}
	if (t->refresh_exp <= emu_now_s()) {
		g->errors++;
		return oauth_err(resp, 400, "invalid_grant", "Refresh token expired");
	}
	t->rotated = true;
	struct emu_token *issued = emu_token_issue("refresh_token");
	issued->client = client;
	token_response(resp, issued);
}

static void handle_revoke(struct emu_req *req, struct emu_resp *resp)
{
	char tok[128] = "", hint[64] = "";
	emu_form_get(req->body, "token", tok, sizeof(tok));
	emu_form_get(req->body, "token_type_hint", hint, sizeof(hint));
	struct emu_token *t = tok[0] ? find_any(tok) : NULL;
	if (t)
		emu_token_revoke_pair(t);
	int client = client_auth(req); /* not required (undocumented), but recorded: who revoked */
	emu.revokes++;
	json_array_append_new(emu.revoke_log, json_pack("{s:I,s:s,s:s,s:b,s:s}", "time", (json_int_t)emu_now_ms(),
							"token", tok, "hint", hint, "matched", t != NULL, "client",
							client == EMU_CLIENT_BROKER ? "broker"
							: client == EMU_CLIENT_APP  ? "app"
										    : ""));
	emu_resp_empty(resp, 200);
}

bool emu_oauth_route(struct emu_req *req, struct emu_resp *resp)
{
	if (strcmp(req->path, "/login") == 0) {
		if (strcmp(req->method, "GET") != 0)
			html_error(resp, 405, "Method not allowed");
		else
			handle_login(req, resp);
		return true;
	}
	if (strcmp(req->path, "/oauth/token") == 0 || strcmp(req->path, "/oauth/revoke") == 0) {
		if (strcmp(req->method, "POST") != 0)
			oauth_err(resp, 405, "invalid_request", "POST required");
		else if (req->path[7] == 't')
			handle_token(req, resp);
		else
			handle_revoke(req, resp);
		return true;
	}
	return false;
}
