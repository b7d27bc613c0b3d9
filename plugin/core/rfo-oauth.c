#include "rfo-oauth.h"
#include "rfo-json.h"
#include "rfo-url.h"
#include "rfo-rest.h"
#include "rfo-text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <util/bmem.h>
#include <util/dstr.h>

#define TOKEN_WHAT "/oauth/token"

static void wipe_free(char *s)
{
	if (s) {
		volatile char *p = s;
		while (*p)
			*p++ = 0;
		bfree(s);
	}
}

void rfo_oauth_record_wipe_free(char *s)
{
	wipe_free(s);
}

void rfo_tokens_free(struct rfo_tokens *t)
{
	if (!t)
		return;
	wipe_free(t->access_token);
	wipe_free(t->refresh_token);
	bfree(t->scope);
	memset(t, 0, sizeof(*t));
}

/* ---- (a) ---- */

static char *scope_from(const json_t *root)
{
	const char *s = rfo_json_str(root, "scope");
	if (s)
		return bstrdup(s);
	json_t *arr = rfo_json_array(root, "scopeJson");
	if (!arr)
		return NULL;
	struct dstr out = {0};
	size_t i;
	json_t *v;
	json_array_foreach (arr, i, v) {
		const char *item = rfo_json_as_str(v);
		if (!item || !*item)
			continue;
		if (out.len)
			dstr_cat_ch(&out, ' ');
		dstr_cat(&out, item);
	}
	return out.array ? out.array : bstrdup("");
}

/* Lifetime in seconds (relative) wins over an absolute epoch: the local clock may be skewed. */
static int64_t expiry(const json_t *root, int64_t now, const char *in1, const char *in2, const char *at1,
		      const char *at2, const char *at3)
{
	int64_t v;
	if (rfo_json_int2(root, in1, in2, &v) && v > 0 && v < 100LL * 365 * 86400)
		return now + v;
	if ((rfo_json_time(root, at1, &v) || rfo_json_time(root, at2, &v) || rfo_json_time(root, at3, &v)) && v > 0)
		return v;
	return 0;
}

bool rfo_oauth_parse_tokens(const char *json, size_t len, int64_t now, struct rfo_tokens *out, struct rfo_error *err)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	json_t *root = rfo_json_load_object(json, len, TOKEN_WHAT, err);
	if (!root)
		return false;
	const char *access = rfo_json_str2(root, "access_token", "accessToken");
	if (!access || !*access) {
		rfo_error_set(err, RFO_ERR_PARSE,
			      "Restream sent an unexpected reply to " TOKEN_WHAT ": no access token");
		json_decref(root);
		return false;
	}
	out->access_token = bstrdup(access);
	const char *refresh = rfo_json_str2(root, "refresh_token", "refreshToken");
	if (refresh && *refresh)
		out->refresh_token = bstrdup(refresh);
	out->scope = scope_from(root);
	out->expires_at = expiry(root, now, "expires_in", "accessTokenExpiresIn", "accessTokenExpiresEpoch", "expires",
				 "accessTokenExpiresAt");
	out->refresh_expires_at = expiry(root, now, "refreshTokenExpiresIn", "refresh_token_expires_in",
					 "refreshTokenExpiresEpoch", "refresh_token_expires", "refreshTokenExpiresAt");
	json_decref(root);
	return true;
}

/* ---- (b) ---- */

static void copy_clean(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)src;
	for (; p && *p && n + 1 < size; p++)
		dst[n++] = *p < 0x20 || *p == 0x7f ? ' ' : (char)*p;
	if (p && *p) {
		/* truncated: do not cut a UTF-8 sequence in half */
		size_t k = n;
		while (k > 0 && n - k < 4 && ((unsigned char)dst[k - 1] & 0xC0) == 0x80)
			k--;
		unsigned char lead = k > 0 ? (unsigned char)dst[k - 1] : 0;
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
		if (k > 0 && n - (k - 1) < need)
			n = k - 1;
	}
	dst[n] = 0;
}

static const struct {
	const char *code;
	const char *sentence;
} known_errors[] = {
	{"invalid_grant", "Your Restream sign-in has expired or was revoked; please sign in again"},
	{"invalid_client", "Restream did not accept this plugin's client id or secret; check the plugin settings"},
	{"unauthorized_client", "This Restream app is not allowed to sign in this way; check the client id"},
	{"invalid_request", "Restream refused the sign-in request as invalid; please sign in again"},
	{"unsupported_grant_type", "Restream refused the sign-in request (unsupported grant type)"},
	{"invalid_scope", "Restream refused the requested permissions (invalid scope)"},
	{"access_denied", "Access to Restream was denied"},
	{"invalid_token", "Your Restream sign-in is no longer valid; please sign in again"},
	{"server_error", "Restream had a server error; it will be retried"},
	{"temporarily_unavailable", "Restream is temporarily unavailable; it will be retried"},
};

static const char *sentence_for(const char *code)
{
	for (size_t i = 0; i < sizeof(known_errors) / sizeof(known_errors[0]); i++)
		if (strcasecmp(code, known_errors[i].code) == 0)
			return known_errors[i].sentence;
	return NULL;
}

bool rfo_oauth_parse_error(const char *json, size_t len, long http_status, struct rfo_oauth_error *out)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	out->status = http_status;
	bool known = false;
	const char *code = NULL, *desc = NULL;
	json_t *root = rfo_json_load_object(json, len, TOKEN_WHAT, NULL);
	json_t *e = rfo_json_get(root, "error");
	if (json_is_string(e)) {
		known = true;
		code = json_string_value(e);
		desc = rfo_json_str2(root, "error_description", "errorDescription");
		if (!desc)
			desc = rfo_json_str(root, "message");
	} else if (json_is_object(e)) {
		known = true;
		code = rfo_json_str2(e, "name", "error");
		desc = rfo_json_str2(e, "message", "error_description");
		int64_t st;
		if (!http_status && (rfo_json_int(e, "statusCode", &st) || rfo_json_int(e, "status", &st) ||
				     rfo_json_int(e, "code", &st)))
			out->status = (long)st;
		if (!code) {
			const char *c = rfo_json_str(e, "code");
			code = c;
		}
	}
	copy_clean(out->code, sizeof(out->code), code ? code : "");
	const char *sentence = code ? sentence_for(code) : NULL;
	if (desc && *desc)
		copy_clean(out->message, sizeof(out->message), desc);
	else if (sentence)
		copy_clean(out->message, sizeof(out->message), sentence);
	else if (out->code[0])
		snprintf(out->message, sizeof(out->message), "Restream refused the sign-in (%s)", out->code);
	else if (out->status >= 400 && out->status < 500)
		snprintf(out->message, sizeof(out->message),
			 "Restream refused the sign-in (HTTP %ld); please sign in again", out->status);
	else if (out->status > 0)
		snprintf(out->message, sizeof(out->message),
			 "Restream's sign-in service answered with HTTP %ld; it will be retried", out->status);
	else
		snprintf(out->message, sizeof(out->message), "Could not reach Restream's sign-in service");
	json_decref(root);
	return known;
}

bool rfo_oauth_is_fatal(long http_status, const struct rfo_oauth_error *error)
{
	if (error && error->code[0]) {
		static const char *const fatal[] = {"invalid_grant", "invalid_client", "unauthorized_client",
						    "unsupported_grant_type", "invalid_token"};
		for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
			if (strcasecmp(error->code, fatal[i]) == 0)
				return true;
	}
	if (http_status == 408 || http_status == 429)
		return false;
	return http_status >= 400 && http_status < 500;
}

/* ---- (c), (d) ---- */

static void add_param(struct dstr *out, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	char *k = rfo_url_encode(key), *v = rfo_url_encode(value);
	if (out->len)
		dstr_cat_ch(out, '&');
	dstr_cat(out, k);
	dstr_cat_ch(out, '=');
	dstr_cat(out, v);
	bfree(k);
	wipe_free(v);
}

static bool empty(const char *s)
{
	return !s || !*s;
}

char *rfo_oauth_authorize_url(const char *api_base, const char *client_id, const char *redirect_uri, const char *state)
{
	if (empty(api_base) || empty(client_id) || empty(redirect_uri) || empty(state))
		return NULL;
	char *url = rfo_url_join(api_base, "login");
	struct dstr q = {0};
	add_param(&q, "response_type", "code");
	add_param(&q, "client_id", client_id);
	add_param(&q, "redirect_uri", redirect_uri);
	add_param(&q, "state", state);
	struct dstr out = {0};
	dstr_copy(&out, url);
	dstr_cat_ch(&out, strchr(url, '?') ? '&' : '?');
	dstr_cat_dstr(&out, &q);
	dstr_free(&q);
	bfree(url);
	return out.array;
}

char *rfo_oauth_code_body(const char *code, const char *redirect_uri, const char *client_id, const char *client_secret)
{
	if (empty(code) || empty(redirect_uri))
		return NULL;
	struct dstr out = {0};
	add_param(&out, "grant_type", "authorization_code");
	add_param(&out, "redirect_uri", redirect_uri);
	add_param(&out, "code", code);
	add_param(&out, "client_id", client_id);
	add_param(&out, "client_secret", client_secret);
	return out.array;
}

char *rfo_oauth_refresh_body(const char *refresh_token, const char *client_id, const char *client_secret)
{
	if (empty(refresh_token))
		return NULL;
	struct dstr out = {0};
	add_param(&out, "grant_type", "refresh_token");
	add_param(&out, "refresh_token", refresh_token);
	add_param(&out, "client_id", client_id);
	add_param(&out, "client_secret", client_secret);
	return out.array;
}

char *rfo_oauth_revoke_body(const char *token, const char *hint)
{
	if (empty(token))
		return NULL;
	struct dstr out = {0};
	add_param(&out, "token", token);
	add_param(&out, "token_type_hint", hint);
	return out.array;
}

char *rfo_oauth_basic_auth(const char *client_id, const char *client_secret)
{
	if (empty(client_id) || !client_secret)
		return NULL;
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *id = rfo_url_encode(client_id), *secret = rfo_url_encode(client_secret);
	struct dstr plain = {0};
	dstr_copy(&plain, id);
	dstr_cat_ch(&plain, ':');
	dstr_cat(&plain, secret);
	bfree(id);
	wipe_free(secret);
	struct dstr out = {0};
	dstr_copy(&out, "Basic ");
	const unsigned char *p = (const unsigned char *)plain.array;
	size_t n = plain.len;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		dstr_cat_ch(&out, b64[(v >> 18) & 63]);
		dstr_cat_ch(&out, b64[(v >> 12) & 63]);
		dstr_cat_ch(&out, i + 1 < n ? b64[(v >> 6) & 63] : '=');
		dstr_cat_ch(&out, i + 2 < n ? b64[v & 63] : '=');
	}
	wipe_free(plain.array);
	return out.array;
}

/* ---- (e) ---- */

void rfo_oauth_redirect_free(struct rfo_oauth_redirect *r)
{
	if (!r)
		return;
	wipe_free(r->code);
	bfree(r->state);
	bfree(r->scope);
	bfree(r->error);
	bfree(r->error_description);
	memset(r, 0, sizeof(*r));
}

#define MAX_TARGET 8192

/* Copy of exactly n bytes (libobs' bstrdup_n reads n + 1, past the end of a non-terminated buffer). */
static char *dup_n(const char *s, size_t n)
{
	char *out = bmalloc(n + 1);
	memcpy(out, s, n);
	out[n] = 0;
	return out;
}

/* Extracts the request target out of a request line, a bare target or an absolute URL. */
static char *extract_target(const char *req, size_t len)
{
	size_t line = 0;
	while (line < len && req[line] != '\r' && req[line] != '\n')
		line++;
	const char *s = req, *end = req + line;
	const char *sp = memchr(s, ' ', line);
	if (sp) {
		/* "METHOD target HTTP/x" */
		if ((size_t)(sp - s) != 3 || memcmp(s, "GET", 3) != 0)
			return NULL;
		s = sp + 1;
		const char *sp2 = memchr(s, ' ', (size_t)(end - s));
		if (!sp2 || (size_t)(end - sp2) < 6 || memcmp(sp2 + 1, "HTTP/", 5) != 0)
			return NULL;
		end = sp2;
	}
	size_t tlen = (size_t)(end - s);
	if (!tlen || tlen > MAX_TARGET)
		return NULL;
	for (const char *p = s; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f)
			return NULL;
	}
	/* absolute form: scheme://authority/path?query */
	const char *scheme_end = NULL;
	for (const char *p = s; p + 2 < end; p++) {
		if (*p == '/' || *p == '?')
			break;
		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			scheme_end = p;
			break;
		}
	}
	if (scheme_end) {
		s = scheme_end + 3;
		while (s < end && *s != '/' && *s != '?' && *s != '#')
			s++;
		if (s == end)
			return bstrdup("/");
	}
	return dup_n(s, (size_t)(end - s));
}

bool rfo_oauth_parse_redirect(const char *request, size_t len, const char *expected_path,
			      struct rfo_oauth_redirect *out)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	if (!request || !len)
		return false;
	char *target = extract_target(request, len);
	if (!target)
		return false;
	size_t path_len = strcspn(target, "?#");
	if (expected_path && target[0] != '?') {
		if (strlen(expected_path) != path_len || strncmp(target, expected_path, path_len) != 0)
			goto malformed;
	}
	out->code = rfo_url_query_get(target, "code");
	out->state = rfo_url_query_get(target, "state");
	out->scope = rfo_url_query_get(target, "scope");
	out->error = rfo_url_query_get(target, "error");
	out->error_description = rfo_url_query_get(target, "error_description");

	if (out->error) {
		out->kind = strcmp(out->error, "access_denied") == 0 ? RFO_REDIRECT_DENIED : RFO_REDIRECT_ERROR;
	} else if (out->code && *out->code) {
		out->kind = RFO_REDIRECT_CODE;
	} else {
		const char *q = target + path_len;
		/* "/callback", "/callback?", "/callback#…": the user denied (no parameters at all; a
		 * lone state/scope is read the same way) */
		bool no_params = !*q || *q == '#' || (q[0] == '?' && (!q[1] || q[1] == '#'));
		if (!no_params && !out->state && !out->scope)
			goto malformed;
		out->kind = RFO_REDIRECT_DENIED;
	}
	bfree(target);
	return true;

malformed:
	bfree(target);
	rfo_oauth_redirect_free(out);
	out->kind = RFO_REDIRECT_MALFORMED;
	return false;
}

/* ---- (f) ---- */

bool rfo_oauth_state_equal(const char *expected, const char *received)
{
	if (!expected || !received || !*expected || !*received)
		return false;
	size_t n = strlen(expected), m = strlen(received);
	unsigned char diff = n != m;
	for (size_t i = 0; i < n; i++) {
		unsigned char r = i < m ? (unsigned char)received[i] : 0;
		diff |= (unsigned char)expected[i] ^ r;
	}
	return diff == 0;
}

char *rfo_oauth_state_from_bytes(const uint8_t *random_bytes, size_t n)
{
	if (!random_bytes || !n)
		return NULL;
	static const char hex[] = "0123456789abcdef";
	char *out = bmalloc(n * 2 + 1);
	for (size_t i = 0; i < n; i++) {
		out[i * 2] = hex[random_bytes[i] >> 4];
		out[i * 2 + 1] = hex[random_bytes[i] & 15];
	}
	out[n * 2] = 0;
	return out;
}

/* ---- (g) ---- */

static void set_str(json_t *obj, const char *key, const char *value)
{
	if (value)
		json_object_set_new(obj, key, json_string(value));
}

/* jansson's dump of a secret: copied into bmem, the original wiped. */
static char *dump_wiped(json_t *root)
{
	char *s = json_dumps(root, JSON_COMPACT);
	if (!s)
		return NULL;
	char *copy = bstrdup(s);
	for (volatile char *p = s; *p; p++)
		*p = 0;
	free(s);
	return copy;
}

char *rfo_oauth_record_to_json(const struct rfo_token_record *rec)
{
	if (!rec || (empty(rec->tokens.access_token) && empty(rec->tokens.refresh_token)))
		return NULL;
	json_t *root = json_object();
	json_object_set_new(root, "version", json_integer(1));
	set_str(root, "access_token", rec->tokens.access_token);
	set_str(root, "refresh_token", rec->tokens.refresh_token);
	set_str(root, "scope", rec->tokens.scope);
	json_object_set_new(root, "expires_at", json_integer(rec->tokens.expires_at));
	json_object_set_new(root, "refresh_expires_at", json_integer(rec->tokens.refresh_expires_at));
	if (rec->user_id || rec->username || rec->display_name) {
		json_t *user = json_object();
		json_object_set_new(user, "id", json_integer(rec->user_id));
		set_str(user, "username", rec->username);
		set_str(user, "displayName", rec->display_name);
		json_object_set_new(root, "user", user);
	}
	char *copy = dump_wiped(root);
	json_decref(root);
	return copy;
}

void rfo_token_record_free(struct rfo_token_record *rec)
{
	if (!rec)
		return;
	rfo_tokens_free(&rec->tokens);
	bfree(rec->username);
	bfree(rec->display_name);
	memset(rec, 0, sizeof(*rec));
}

static char *dup_nonempty(const char *s)
{
	return s && *s ? bstrdup(s) : NULL;
}

/* Names in a record written by an older version may still carry raw remote text: clean them like the profile. */
static char *name_dup(const char *s)
{
	return s && *s ? rfo_text_sanitize_str(s, RFO_REST_MAX_NAME) : NULL;
}

bool rfo_oauth_record_from_json(const char *json, size_t len, struct rfo_token_record *out, struct rfo_error *err)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	json_t *root = rfo_json_load_object(json, len, "the token store", NULL);
	const char *access = rfo_json_str2(root, "access_token", "accessToken");
	const char *refresh = rfo_json_str2(root, "refresh_token", "refreshToken");
	if (!root || ((!access || !*access) && (!refresh || !*refresh))) {
		rfo_error_set(err, RFO_ERR_PARSE, "The saved Restream sign-in could not be read; please sign in again");
		json_decref(root);
		return false;
	}
	out->tokens.access_token = dup_nonempty(access);
	out->tokens.refresh_token = dup_nonempty(refresh);
	out->tokens.scope = dup_nonempty(rfo_json_str(root, "scope"));
	rfo_json_time(root, "expires_at", &out->tokens.expires_at);
	rfo_json_time(root, "refresh_expires_at", &out->tokens.refresh_expires_at);
	json_t *user = rfo_json_object(root, "user");
	rfo_json_int(user, "id", &out->user_id);
	out->username = name_dup(rfo_json_str(user, "username"));
	out->display_name = name_dup(rfo_json_str2(user, "displayName", "display_name"));
	json_decref(root);
	return true;
}

char *rfo_oauth_revokes_to_json(char *const *tokens, size_t n)
{
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		if (!empty(tokens[i]))
			json_array_append_new(list, json_string(tokens[i]));
	if (!json_array_size(list)) {
		json_decref(list);
		return NULL;
	}
	json_t *root = json_object();
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "revoke", list);
	char *out = dump_wiped(root);
	json_decref(root);
	return out;
}

bool rfo_oauth_revokes_from_json(const char *json, size_t len, rfo_oauth_token_cb cb, void *param)
{
	json_t *root = json ? json_loadb(json, len, 0, NULL) : NULL;
	json_t *list = json_object_get(root, "revoke");
	bool ok = json_is_array(list);
	for (size_t i = 0; ok && i < json_array_size(list); i++) {
		const char *t = json_string_value(json_array_get(list, i));
		if (!empty(t))
			cb(param, t);
	}
	json_decref(root);
	return ok;
}
