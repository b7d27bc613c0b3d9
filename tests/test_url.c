/* URL policy (loopback-only plain http/ws), join, query building and reading, percent-coding. */
#include "rfo-test.h"
#include "rfo-url.h"

#include <stdint.h>

static void check_ok(const char *url)
{
	struct rfo_error err;
	rfo_error_clear(&err);
	if (!rfo_url_check(url, &err)) {
		fprintf(stderr, "refused %s: %s\n", url, err.message);
		fail("URL should be accepted");
	}
	check(err.code == RFO_ERR_NONE);
}

static void check_refused(const char *url, const char *must_contain)
{
	struct rfo_error err;
	rfo_error_clear(&err);
	if (rfo_url_check(url, &err)) {
		fprintf(stderr, "accepted %s\n", url ? url : "(null)");
		fail("URL should be refused");
	}
	check(err.code == RFO_ERR_INVALID);
	check(err.message[0] != 0);
	if (must_contain && !strstr(err.message, must_contain)) {
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.message, must_contain);
		fail("error message");
	}
	/* a refused URL's query (which may carry a token) is never echoed */
	check(!strstr(err.message, "SECRET"));
}

static void test_policy(void)
{
	check_ok("https://api.restream.io/v2/user/profile");
	check_ok("HTTPS://API.RESTREAM.IO");
	check_ok("wss://chat.api.restream.io/ws?accessToken=SECRET");
	check_ok("https://example.com:8443/x");
	check_ok("http://127.0.0.1:8080/oauth/token");
	check_ok("http://127.1.2.3/");
	check_ok("http://localhost:1234/callback");
	check_ok("http://LocalHost/");
	check_ok("ws://127.0.0.1:9000/ws?accessToken=SECRET");
	check_ok("ws://[::1]:9000/ws");
	check_ok("http://[::1]/");
	check_ok("http://[0:0:0:0:0:0:0:1]/");
	check_ok("http://127.0.0.1");

	check_refused("http://api.restream.io/v2?accessToken=SECRET", "http://api.restream.io");
	check_refused("http://api.restream.io/v2?accessToken=SECRET", "https://");
	check_refused("ws://chat.api.restream.io/ws?accessToken=SECRET", "wss://");
	check_refused("http://128.0.0.1/", "128.0.0.1");
	check_refused("http://10.0.0.1/", NULL);
	check_refused("http://127.0.0.1.evil.com/", NULL);
	check_refused("http://localhost.evil.com/", NULL);
	check_refused("http://127.1/", NULL);
	check_refused("http://[::2]/", NULL);
	check_refused("http://[::ffff:127.0.0.1]/", NULL);
	check_refused("ftp://127.0.0.1/file?SECRET", "ftp");
	check_refused("file:///etc/passwd", NULL);
	check_refused("javascript:alert(1)", NULL);
	check_refused("rtmp://live.restream.io/live", "rtmp");
	check_refused("http://127.0.0.1@evil.com/", "@");
	check_refused("https://user:pw@api.restream.io/", NULL);
	check_refused("http://evil.com\\@127.0.0.1/", NULL);
	check_refused("http:///path", NULL);
	check_refused("https://", NULL);
	check_refused("http://localhost:99999/", NULL);
	check_refused("http://localhost:0/", NULL);
	check_refused("http://localhost:12ab/", NULL);
	check_refused("http://[::1/", NULL);
	check_refused("http://local host/", NULL);
	check_refused("api.restream.io/v2", NULL);
	check_refused("", NULL);
	check_refused(NULL, NULL);
	check_refused("://x", NULL);
	check_refused("\x01\x02://\x03/", NULL);
	check(!rfo_url_check("http://evil.com/", NULL)); /* NULL err accepted */

	check(rfo_url_host_is_loopback("localhost"));
	check(rfo_url_host_is_loopback("127.0.0.1"));
	check(rfo_url_host_is_loopback("127.255.255.254"));
	check(rfo_url_host_is_loopback("::1"));
	check(rfo_url_host_is_loopback("[::1]"));
	check(!rfo_url_host_is_loopback("0.0.0.0"));
	check(!rfo_url_host_is_loopback("256.0.0.1"));
	check(!rfo_url_host_is_loopback(""));
	check(!rfo_url_host_is_loopback(NULL));
	check(!rfo_url_host_is_loopback("["));
}

static void test_parts(void)
{
	struct rfo_url_parts p;
	check(rfo_url_parts_parse("wss://chat.api.restream.io/ws?accessToken=x#frag", &p));
	check_str(p.scheme, "wss");
	check_str(p.host, "chat.api.restream.io");
	check(p.port == 443 && p.tls);
	check_str(p.path, "/ws?accessToken=x");
	rfo_url_parts_free(&p);

	check(rfo_url_parts_parse("HTTP://[::1]:8080?x=1", &p));
	check_str(p.scheme, "http");
	check_str(p.host, "::1");
	check(p.port == 8080 && !p.tls);
	check_str(p.path, "/?x=1");
	rfo_url_parts_free(&p);

	check(rfo_url_parts_parse("ws://127.0.0.1", &p));
	check(p.port == 80);
	check_str(p.path, "/");
	rfo_url_parts_free(&p);

	check(!rfo_url_parts_parse("nonsense", &p));
	check(p.scheme == NULL && p.host == NULL);
	check(!rfo_url_parts_parse("http://a@b/", &p));
	check(!rfo_url_parts_parse(NULL, &p));
	rfo_url_parts_free(&p);
	rfo_url_parts_free(NULL);
}

static void test_join(void)
{
	char *s = rfo_url_join("https://api.restream.io", "v2/user/profile");
	check_str(s, "https://api.restream.io/v2/user/profile");
	bfree(s);
	s = rfo_url_join("https://api.restream.io/", "/v2/user/profile");
	check_str(s, "https://api.restream.io/v2/user/profile");
	bfree(s);
	s = rfo_url_join("https://api.restream.io///", "//login");
	check_str(s, "https://api.restream.io/login");
	bfree(s);
	s = rfo_url_join("http://127.0.0.1:9/base", "");
	check_str(s, "http://127.0.0.1:9/base");
	bfree(s);
	s = rfo_url_join("http://127.0.0.1:9/base/", NULL);
	check_str(s, "http://127.0.0.1:9/base");
	bfree(s);
	s = rfo_url_join("", "");
	check_str(s, "");
	bfree(s);
	check(rfo_url_join(NULL, "x") == NULL);
}

static void test_query(void)
{
	char *s = rfo_url_with_query("wss://chat.api.restream.io/ws", "accessToken", "a b&c=d/é");
	check_str(s, "wss://chat.api.restream.io/ws?accessToken=a%20b%26c%3Dd%2F%C3%A9");
	char *v = rfo_url_query_get(s, "accessToken");
	check_str(v, "a b&c=d/é");
	bfree(v);
	bfree(s);

	s = rfo_url_with_query("https://x/y?a=1#frag", "b", "2");
	check_str(s, "https://x/y?a=1&b=2#frag");
	bfree(s);
	s = rfo_url_with_query("https://x/y?", "b", NULL);
	check_str(s, "https://x/y?b=");
	bfree(s);
	s = rfo_url_with_query("https://x/y?a=1&", "k-._~", "~");
	check_str(s, "https://x/y?a=1&k-._~=~");
	bfree(s);
	check(rfo_url_with_query(NULL, "a", "b") == NULL);
	check(rfo_url_with_query("x", NULL, "b") == NULL);

	const char *t = "/callback?code=abc%2Bdef&scope=a%2Cb,c&state=xyz&empty=&bare&plus=a+b#code=no";
	v = rfo_url_query_get(t, "code");
	check_str(v, "abc+def");
	bfree(v);
	v = rfo_url_query_get(t, "scope");
	check_str(v, "a,b,c");
	bfree(v);
	v = rfo_url_query_get(t, "empty");
	check_str(v, "");
	bfree(v);
	v = rfo_url_query_get(t, "bare");
	check_str(v, "");
	bfree(v);
	v = rfo_url_query_get(t, "plus");
	check_str(v, "a b");
	bfree(v);
	check(rfo_url_query_get(t, "missing") == NULL);
	check(rfo_url_query_get(t, "cod") == NULL);
	check(rfo_url_query_get(t, "") == NULL);
	check(rfo_url_query_get(NULL, "a") == NULL);
	check(rfo_url_query_get("/callback", "code") == NULL);

	v = rfo_url_query_get("?error=access_denied", "error");
	check_str(v, "access_denied");
	bfree(v);
	v = rfo_url_query_get("a=1&b=2", "b"); /* a bare query (form body) */
	check_str(v, "2");
	bfree(v);
	v = rfo_url_query_get("?a=1&a=2", "a"); /* first wins */
	check_str(v, "1");
	bfree(v);
	v = rfo_url_query_get("?%63ode=x", "code"); /* encoded key */
	check_str(v, "x");
	bfree(v);
	check(rfo_url_query_get("?code=a%00b", "code") == NULL); /* NUL refused */
	v = rfo_url_query_get("?code=%zz%4", "code");            /* malformed escapes kept */
	check_str(v, "%zz%4");
	bfree(v);
	v = rfo_url_query_get("?&&code=1&&", "code");
	check_str(v, "1");
	bfree(v);
}

static void test_coding(void)
{
	char *s = rfo_url_encode("http://localhost:8765/callback");
	check_str(s, "http%3A%2F%2Flocalhost%3A8765%2Fcallback");
	bfree(s);
	s = rfo_url_encode("");
	check_str(s, "");
	bfree(s);
	s = rfo_url_encode(NULL);
	check_str(s, "");
	bfree(s);
	s = rfo_url_decode("a%41%4a%4A+b%", 13, false);
	check_str(s, "aAJJ+b%");
	bfree(s);
	s = rfo_url_decode("a+b", 3, true);
	check_str(s, "a b");
	bfree(s);
	s = rfo_url_decode("abc", 2, true); /* respects len */
	check_str(s, "ab");
	bfree(s);
	check(rfo_url_decode(NULL, 0, true) == NULL);

	/* every byte round-trips */
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = 0;
	s = rfo_url_encode(all);
	char *d = rfo_url_decode(s, strlen(s), false);
	check(d && strcmp(d, all) == 0);
	bfree(s);
	bfree(d);
}

static void test_huge(void)
{
	size_t n = 1 << 20;
	char *big = bmalloc(n + 64);
	strcpy(big, "http://localhost/?x=");
	memset(big + 20, 'a', n);
	big[20 + n] = 0;
	check(rfo_url_check(big, NULL));
	char *v = rfo_url_query_get(big, "x");
	check(v && strlen(v) == n);
	bfree(v);
	memcpy(big, "http://", 7);
	memset(big + 7, 'h', n);
	big[7 + n] = 0;
	struct rfo_error err;
	check(!rfo_url_check(big, &err)); /* host too long */
	check(strlen(err.message) < sizeof(err.message));
	bfree(big);
}

int main(void)
{
	test_policy();
	test_parts();
	test_join();
	test_query();
	test_coding();
	test_huge();
	return rfo_test_end();
}
