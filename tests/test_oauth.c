/* OAuth: token replies (both spellings), error bodies and classification, authorize URL, form
 * bodies, redirect parsing, state comparison, persisted record round trip. */
#include "rfo-test.h"
#include "rfo-oauth.h"
#include "rfo-url.h"

#include <stdint.h>

#define NOW 1520276467 /* 2018-03-05T19:01:07Z, one hour before the doc example expires */

static bool parse(const char *json, struct rfo_tokens *t, struct rfo_error *err)
{
	return rfo_oauth_parse_tokens(json, strlen(json), NOW, t, err);
}

static void test_tokens(void)
{
	struct rfo_tokens t;
	struct rfo_error err;

	/* the doc example (S3), complete with both spellings */
	const char *doc =
		"{\"access_token\":\"2a40aaaa\",\"expires\":1520280067,\"expires_in\":3600,"
		"\"refresh_token\":\"9ca0bbbb\",\"scope\":\"profile.read channels.read chat.read stream.read\","
		"\"token_type\":\"Bearer\",\"accessToken\":\"2a40aaaa\",\"accessTokenExpiresIn\":3600,"
		"\"accessTokenExpiresAt\":\"2018-03-05T20:01:07.215Z\",\"accessTokenExpiresEpoch\":1520280067,"
		"\"refreshToken\":\"9ca0bbbb\",\"refreshTokenExpiresIn\":31536000,"
		"\"refreshTokenExpiresAt\":\"2019-03-05T19:01:07.215Z\",\"refreshTokenExpiresEpoch\":1551812467}";
	check(parse(doc, &t, &err));
	check_str(t.access_token, "2a40aaaa");
	check_str(t.refresh_token, "9ca0bbbb");
	check_str(t.scope, "profile.read channels.read chat.read stream.read");
	check(t.expires_at == 1520280067);
	check(t.refresh_expires_at == NOW + 31536000);
	rfo_tokens_free(&t);
	check(t.access_token == NULL && t.expires_at == 0);

	/* camelCase only, absolute epochs only, scopeJson array, numbers as strings */
	check(parse("{\"accessToken\":\"A\",\"refreshToken\":\"R\",\"accessTokenExpiresEpoch\":\"1520280067\","
		    "\"refreshTokenExpiresEpoch\":1551812467,\"scopeJson\":[\"profile.default.read\",null,5,"
		    "\"chat.write\"],\"tokenType\":\"Bearer\",\"unknown\":{\"x\":[1,2]}}",
		    &t, &err));
	check_str(t.access_token, "A");
	check_str(t.refresh_token, "R");
	check_str(t.scope, "profile.default.read chat.write");
	check(t.expires_at == 1520280067);
	check(t.refresh_expires_at == 1551812467);
	rfo_tokens_free(&t);

	/* snake_case only with relative lifetime: now + expires_in (clock-skew safe) */
	check(parse("{\"access_token\":\"A\",\"refresh_token\":\"R\",\"expires_in\":\"3600\",\"expires\":1}", &t,
		    &err));
	check(t.expires_at == NOW + 3600);
	check(t.refresh_expires_at == 0);
	check(t.scope == NULL);
	rfo_tokens_free(&t);

	/* ISO only; milliseconds epoch */
	check(parse("{\"accessToken\":\"A\",\"accessTokenExpiresAt\":\"2018-03-05T20:01:07.215Z\"}", &t, &err));
	check(t.expires_at == 1520280067);
	check(t.refresh_token == NULL);
	rfo_tokens_free(&t);
	check(parse("{\"accessToken\":\"A\",\"accessTokenExpiresEpoch\":1520280067000}", &t, &err));
	check(t.expires_at == 1520280067);
	rfo_tokens_free(&t);

	/* nulls fall through to the other spelling; no expiry at all = 0 */
	check(parse("{\"access_token\":null,\"accessToken\":\"A\",\"refresh_token\":null,\"expires_in\":null}", &t,
		    &err));
	check_str(t.access_token, "A");
	check(t.refresh_token == NULL && t.expires_at == 0);
	rfo_tokens_free(&t);

	/* failures */
	const char *bad[] = {"",
			     "{",
			     "[]",
			     "null",
			     "{\"access_token\":\"\"}",
			     "{\"access_token\":12345}",
			     "{\"refresh_token\":\"R\"}",
			     "{\"error\":\"invalid_grant\"}",
			     "<html>502 Bad Gateway</html>",
			     "{\"access_token\":\"A\""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rfo_error_clear(&err);
		memset(&t, 0x5a, sizeof(t));
		check(!parse(bad[i], &t, &err));
		check(err.code == RFO_ERR_PARSE);
		check(strstr(err.message, "/oauth/token") != NULL);
		check(t.access_token == NULL && t.refresh_token == NULL && t.scope == NULL);
		rfo_tokens_free(&t);
	}
	check(!rfo_oauth_parse_tokens(NULL, 0, NOW, &t, NULL));
	check(!rfo_oauth_parse_tokens("{}", 2, NOW, NULL, NULL));
	rfo_tokens_free(NULL);
}

static void test_errors(void)
{
	struct rfo_oauth_error e;
	const char *s =
		"{\"error\":\"invalid_grant\",\"error_description\":\"Invalid grant: refresh token is invalid\"}";
	check(rfo_oauth_parse_error(s, strlen(s), 400, &e));
	check_str(e.code, "invalid_grant");
	check_str(e.message, "Invalid grant: refresh token is invalid");
	check(e.status == 400);
	check(rfo_oauth_is_fatal(400, &e));
	check(rfo_oauth_is_fatal(503, &e)); /* invalid_grant is fatal whatever the status */

	s = "{\"error\":\"invalid_grant\"}";
	check(rfo_oauth_parse_error(s, strlen(s), 400, &e));
	check(strstr(e.message, "sign in again") != NULL);

	s = "{\"error\":{\"statusCode\":401,\"status\":401,\"code\":401,\"message\":\"Invalid token: access token is "
	    "invalid\",\"name\":\"invalid_token\"}}";
	check(rfo_oauth_parse_error(s, strlen(s), 0, &e));
	check_str(e.code, "invalid_token");
	check_str(e.message, "Invalid token: access token is invalid");
	check(e.status == 401);
	check(rfo_oauth_is_fatal(e.status, &e));

	s = "{\"error\":{\"status\":\"500\"}}";
	check(rfo_oauth_parse_error(s, strlen(s), 0, &e));
	check(e.status == 500);
	check(e.code[0] == 0 && e.message[0] != 0);
	check(!rfo_oauth_is_fatal(e.status, &e));

	/* unknown bodies: still a sentence */
	check(!rfo_oauth_parse_error("<html>Bad Gateway</html>", 24, 502, &e));
	check(e.code[0] == 0);
	check(strstr(e.message, "502") != NULL);
	check(!rfo_oauth_is_fatal(502, &e));
	check(!rfo_oauth_parse_error("", 0, 401, &e));
	check(strstr(e.message, "401") != NULL);
	check(rfo_oauth_is_fatal(401, &e));
	check(!rfo_oauth_parse_error(NULL, 0, 0, &e));
	check(e.message[0] != 0);
	check(!rfo_oauth_parse_error("{}", 2, 0, NULL));

	/* control characters and over-long descriptions are cleaned / cut on a UTF-8 boundary */
	char big[1200];
	strcpy(big, "{\"error\":\"x\",\"error_description\":\"line\\nbreak ");
	size_t n = strlen(big);
	for (int i = 0; i < 300; i++) {
		memcpy(big + n, "\xc3\xa9", 2);
		n += 2;
	}
	strcpy(big + n, "\"}");
	check(rfo_oauth_parse_error(big, strlen(big), 400, &e));
	check(strncmp(e.message, "line break ", 11) == 0);
	check(strlen(e.message) < sizeof(e.message));
	check(strlen(e.message) % 2 == 1); /* "line break " is 11 bytes, then whole 2-byte chars */

	/* classification without a body */
	check(!rfo_oauth_is_fatal(0, NULL));
	check(!rfo_oauth_is_fatal(500, NULL));
	check(!rfo_oauth_is_fatal(503, NULL));
	check(!rfo_oauth_is_fatal(429, NULL));
	check(!rfo_oauth_is_fatal(408, NULL));
	check(rfo_oauth_is_fatal(400, NULL));
	check(rfo_oauth_is_fatal(401, NULL));
	check(rfo_oauth_is_fatal(403, NULL));
	check(!rfo_oauth_is_fatal(200, NULL));
}

static void test_builders(void)
{
	char *u = rfo_oauth_authorize_url("https://api.restream.io/", "my id", "http://localhost:8765/callback", "s&t");
	check_str(u, "https://api.restream.io/login?response_type=code&client_id=my%20id&redirect_uri=http%3A%2F%2F"
		     "localhost%3A8765%2Fcallback&state=s%26t");
	char *r = rfo_url_query_get(u, "redirect_uri");
	check_str(r, "http://localhost:8765/callback");
	bfree(r);
	bfree(u);
	check(rfo_oauth_authorize_url(NULL, "a", "b", "c") == NULL);
	check(rfo_oauth_authorize_url("x", "", "b", "c") == NULL);
	check(rfo_oauth_authorize_url("x", "a", "b", NULL) == NULL);

	char *b = rfo_oauth_code_body("c/d+e", "http://localhost:1/callback", "id", "se cret");
	check_str(b, "grant_type=authorization_code&redirect_uri=http%3A%2F%2Flocalhost%3A1%2Fcallback&code=c%2Fd%2Be"
		     "&client_id=id&client_secret=se%20cret");
	bfree(b);
	b = rfo_oauth_code_body("c", "r", NULL, "");
	check_str(b, "grant_type=authorization_code&redirect_uri=r&code=c");
	bfree(b);
	check(rfo_oauth_code_body(NULL, "r", NULL, NULL) == NULL);
	check(rfo_oauth_code_body("c", "", NULL, NULL) == NULL);

	b = rfo_oauth_refresh_body("9ca0=", "id", "sec");
	check_str(b, "grant_type=refresh_token&refresh_token=9ca0%3D&client_id=id&client_secret=sec");
	bfree(b);
	b = rfo_oauth_refresh_body("r", NULL, NULL);
	check_str(b, "grant_type=refresh_token&refresh_token=r");
	bfree(b);
	check(rfo_oauth_refresh_body("", "a", "b") == NULL);

	b = rfo_oauth_revoke_body("tok", "refresh_token");
	check_str(b, "token=tok&token_type_hint=refresh_token");
	bfree(b);
	b = rfo_oauth_revoke_body("tok", NULL);
	check_str(b, "token=tok");
	bfree(b);
	check(rfo_oauth_revoke_body(NULL, NULL) == NULL);

	/* RFC 7617 example user/password, and padding lengths */
	b = rfo_oauth_basic_auth("Aladdin", "open sesame"); /* space is form-encoded first */
	check_str(b, "Basic QWxhZGRpbjpvcGVuJTIwc2VzYW1l");
	bfree(b);
	b = rfo_oauth_basic_auth("a", "");
	check_str(b, "Basic YTo=");
	bfree(b);
	b = rfo_oauth_basic_auth("ab", "c");
	check_str(b, "Basic YWI6Yw==");
	bfree(b);
	check(rfo_oauth_basic_auth(NULL, "x") == NULL);
	check(rfo_oauth_basic_auth("x", NULL) == NULL);
}

static enum rfo_oauth_redirect_kind redirect(const char *req, struct rfo_oauth_redirect *r)
{
	rfo_oauth_parse_redirect(req, strlen(req), "/callback", r);
	return r->kind;
}

static void test_redirect(void)
{
	struct rfo_oauth_redirect r;
	check(redirect("/callback?code=abc%2B1&scope=profile.read,chat.read&state=st8", &r) == RFO_REDIRECT_CODE);
	check_str(r.code, "abc+1");
	check_str(r.state, "st8");
	check_str(r.scope, "profile.read,chat.read");
	check(r.error == NULL);
	rfo_oauth_redirect_free(&r);
	check(r.code == NULL);

	check(redirect("GET /callback?code=abc&state=s HTTP/1.1\r\nHost: localhost:8765\r\n\r\n", &r) ==
	      RFO_REDIRECT_CODE);
	check_str(r.code, "abc");
	check_str(r.state, "s");
	rfo_oauth_redirect_free(&r);

	check(redirect("http://localhost:8765/callback?code=abc", &r) == RFO_REDIRECT_CODE);
	check(r.state == NULL); /* the caller must refuse it */
	rfo_oauth_redirect_free(&r);

	/* denial: redirect with no parameters at all */
	check(redirect("/callback", &r) == RFO_REDIRECT_DENIED);
	rfo_oauth_redirect_free(&r);
	check(redirect("GET /callback HTTP/1.1", &r) == RFO_REDIRECT_DENIED);
	rfo_oauth_redirect_free(&r);
	check(redirect("/callback?", &r) == RFO_REDIRECT_DENIED);
	rfo_oauth_redirect_free(&r);
	check(redirect("/callback?state=s", &r) == RFO_REDIRECT_DENIED);
	check_str(r.state, "s");
	rfo_oauth_redirect_free(&r);
	check(redirect("?error=access_denied", &r) == RFO_REDIRECT_DENIED);
	check_str(r.error, "access_denied");
	rfo_oauth_redirect_free(&r);
	check(redirect("/callback?error=server_error&error_description=Try%20later&state=s", &r) == RFO_REDIRECT_ERROR);
	check_str(r.error, "server_error");
	check_str(r.error_description, "Try later");
	rfo_oauth_redirect_free(&r);
	/* error wins over code */
	check(redirect("/callback?code=x&error=access_denied", &r) == RFO_REDIRECT_DENIED);
	rfo_oauth_redirect_free(&r);

	/* malformed */
	const char *bad[] = {"/favicon.ico",
			     "/callbackx?code=a",
			     "/Callback?code=a",
			     "POST /callback?code=a HTTP/1.1",
			     "GET /callback?code=a",
			     "GET  HTTP/1.1",
			     "GET /callback?code=a HTTX/1.1",
			     "/callback?code=",
			     "/callback?foo=bar",
			     "/callback?code=a\x01",
			     "/callback?code=\xc3\xa9",
			     "",
			     "\r\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		check(redirect(bad[i], &r) == RFO_REDIRECT_MALFORMED);
		check(r.code == NULL && r.state == NULL && r.error == NULL);
		rfo_oauth_redirect_free(&r);
	}
	check(!rfo_oauth_parse_redirect(NULL, 0, NULL, &r));
	check(!rfo_oauth_parse_redirect("/x", 2, NULL, NULL));
	/* without an expected path any path is accepted */
	check(rfo_oauth_parse_redirect("/oauth?code=z", 13, NULL, &r) && r.kind == RFO_REDIRECT_CODE);
	rfo_oauth_redirect_free(&r);
	/* len is honoured: the code stops where len says */
	check(rfo_oauth_parse_redirect("/callback?code=abcdef", 18, "/callback", &r));
	check_str(r.code, "abc");
	rfo_oauth_redirect_free(&r);

	/* exact-size buffers without a terminator (ASan builds catch any over-read) */
	const char *exact_src[] = {"GET http://localhost:1/callback?code=q HTTP/1.1", "http://localhost:1",
				   "/callback?code=q", "GET /callback?code=q"};
	for (size_t i = 0; i < sizeof(exact_src) / sizeof(exact_src[0]); i++) {
		size_t len = strlen(exact_src[i]);
		char *exact = bmalloc(len);
		memcpy(exact, exact_src[i], len);
		bool ok = rfo_oauth_parse_redirect(exact, len, "/callback", &r);
		check(ok == (i == 0 || i == 2));
		if (ok)
			check_str(r.code, "q");
		rfo_oauth_redirect_free(&r);
		bfree(exact);
	}

	/* a huge target is refused */
	size_t n = 100000;
	char *big = bmalloc(n + 32);
	strcpy(big, "/callback?code=");
	memset(big + 15, 'a', n);
	big[15 + n] = 0;
	check(redirect(big, &r) == RFO_REDIRECT_MALFORMED);
	rfo_oauth_redirect_free(&r);
	bfree(big);
}

static void test_state(void)
{
	check(rfo_oauth_state_equal("abc123", "abc123"));
	check(!rfo_oauth_state_equal("abc123", "abc124"));
	check(!rfo_oauth_state_equal("abc123", "abc12"));
	check(!rfo_oauth_state_equal("abc123", "abc1234"));
	check(!rfo_oauth_state_equal("", ""));
	check(!rfo_oauth_state_equal(NULL, "a"));
	check(!rfo_oauth_state_equal("a", NULL));
	uint8_t bytes[4] = {0x00, 0x9f, 0xa0, 0xff};
	char *s = rfo_oauth_state_from_bytes(bytes, 4);
	check_str(s, "009fa0ff");
	bfree(s);
	check(rfo_oauth_state_from_bytes(bytes, 0) == NULL);
	check(rfo_oauth_state_from_bytes(NULL, 4) == NULL);
}

static void test_record(void)
{
	struct rfo_token_record rec = {0};
	rec.tokens.access_token = bstrdup("acc\"ess");
	rec.tokens.refresh_token = bstrdup("ref");
	rec.tokens.scope = bstrdup("profile.read chat.read");
	rec.tokens.expires_at = 1520280067;
	rec.tokens.refresh_expires_at = 1551812467;
	rec.user_id = 4242424242LL;
	rec.username = bstrdup("streamer");
	rec.display_name = bstrdup("Stréamer ✓");
	char *json = rfo_oauth_record_to_json(&rec);
	check(json != NULL);
	check(strstr(json, "\"version\":1") != NULL);

	struct rfo_token_record back;
	struct rfo_error err;
	check(rfo_oauth_record_from_json(json, strlen(json), &back, &err));
	check_str(back.tokens.access_token, "acc\"ess");
	check_str(back.tokens.refresh_token, "ref");
	check_str(back.tokens.scope, "profile.read chat.read");
	check(back.tokens.expires_at == 1520280067);
	check(back.tokens.refresh_expires_at == 1551812467);
	check(back.user_id == 4242424242LL);
	check_str(back.username, "streamer");
	check_str(back.display_name, "Stréamer ✓");
	rfo_token_record_free(&back);
	rfo_oauth_record_wipe_free(json);
	rfo_token_record_free(&rec);
	rfo_token_record_free(NULL);

	/* minimal and alternative spellings; unknown fields ignored */
	const char *s = "{\"refreshToken\":\"R\",\"expires_at\":\"17\",\"extra\":[1],\"user\":{\"id\":\"9\","
			"\"display_name\":\"D\"}}";
	check(rfo_oauth_record_from_json(s, strlen(s), &back, &err));
	check(back.tokens.access_token == NULL);
	check_str(back.tokens.refresh_token, "R");
	check(back.tokens.expires_at == 17);
	check(back.user_id == 9);
	check(back.username == NULL);
	check_str(back.display_name, "D");
	rfo_token_record_free(&back);

	/* a record with no user is fine; one without any token, or garbage, is not */
	struct rfo_token_record only = {0};
	only.tokens.access_token = bstrdup("A");
	json = rfo_oauth_record_to_json(&only);
	check(json && !strstr(json, "user"));
	check(rfo_oauth_record_from_json(json, strlen(json), &back, &err));
	rfo_token_record_free(&back);
	bfree(json);
	rfo_token_record_free(&only);
	check(rfo_oauth_record_to_json(&only) == NULL);
	check(rfo_oauth_record_to_json(NULL) == NULL);

	const char *bad[] = {"", "{}", "[\"A\"]", "{\"access_token\":\"\"}", "{\"access_token\":1}", "{\"acc"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rfo_error_clear(&err);
		check(!rfo_oauth_record_from_json(bad[i], strlen(bad[i]), &back, &err));
		check(err.code == RFO_ERR_PARSE);
		check(strstr(err.message, "sign in again") != NULL);
		rfo_token_record_free(&back);
	}
}

int main(void)
{
	test_tokens();
	test_errors();
	test_builders();
	test_redirect();
	test_state();
	test_record();
	return rfo_test_end();
}
