/* GET /redirect: the only target is http://127.0.0.1:<port>/callback; every hostile query is refused. */
#include "rfo-check.h"
#include "rfo-broker-redirect.h"

#define NONCE "abcdefghijklmnop_-0123456789ABCD"

static const char *target(const char *query)
{
	static struct rfo_broker_buf loc;
	const char *why = NULL;
	rfo_broker_buf_free(&loc);
	if (!rfo_broker_redirect_target(query, strlen(query), &loc, &why)) {
		check(why && *why);
		return NULL;
	}
	return loc.data;
}

/* each must be refused: another host, ports out of range, scheme and path tricks, encodings, CR/LF */
static const char *const hostile[] = {
	"",
	"code=abc",
	"state=8080." NONCE,
	"code=abc&state=",
	"code=abc&state=evil.com." NONCE,
	"code=abc&state=evil.com:8080." NONCE,
	"code=abc&state=8080.evil.com",
	"code=abc&state=8080",
	"code=abc&state=." NONCE,
	"code=abc&state=1023." NONCE,
	"code=abc&state=65536." NONCE,
	"code=abc&state=99999." NONCE,
	"code=abc&state=0." NONCE,
	"code=abc&state=08080." NONCE,
	"code=abc&state=-8080." NONCE,
	"code=abc&state=%2B8080." NONCE,
	"code=abc&state=8080.short",
	"code=abc&state=8080." NONCE NONCE NONCE NONCE NONCE,
	"code=abc&state=8080.//evil.com/" NONCE,
	"code=abc&state=8080.%2F%2Fevil.com%2F" NONCE,
	"code=abc&state=8080.%252F%252Fevil" NONCE,
	"code=abc&state=javascript:alert(1)//." NONCE,
	"code=abc&state=8080.javascript:alert(1)" NONCE,
	"code=abc&state=8080." NONCE "%0d%0aLocation:%20http://evil",
	"code=abc&state=8080." NONCE "%0aSet-Cookie:x=1",
	"code=abc&state=8080." NONCE "%00",
	"code=abc&state=8080." NONCE "@evil.com",
	"code=abc&state=8080." NONCE "#frag",
	"code=abc&state=8080.%41" NONCE "%",
	"code=abc&state=8080." NONCE "%zz",
	"code=abc&state=8080%2E" NONCE "%2F..%2F",
	"code=abc&state=[::1]:8080." NONCE,
	"code=abc&state=127.0.0.1:8080." NONCE,
	"code=abc&state=8080." NONCE "&state=9090." NONCE,
	"code=a&code=b&state=8080." NONCE,
	"code=abc%0d%0aX:1&state=8080." NONCE,
	"code=a%20b&state=8080." NONCE,
	"code=&state=8080." NONCE,
	"code=abc&error=access_denied&state=8080." NONCE,
	"state=8080." NONCE "&error=bad%0d%0aword",
	"state=8080." NONCE "&error=access_denied&error_description=line%0d%0abreak",
	"scope=x&state=8080." NONCE,
};

int main(void)
{
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const char *t = target(hostile[i]);
		if (t) {
			fprintf(stderr, "FAIL: accepted hostile query \"%s\" -> %s\n", hostile[i], t);
			return 1;
		}
	}

	check_str(target("code=0123abcd&scope=a,b&state=8080." NONCE),
		  "http://127.0.0.1:8080/callback?code=0123abcd&state=8080." NONCE);
	check_str(target("state=1024." NONCE "&code=x"), "http://127.0.0.1:1024/callback?code=x&state=1024." NONCE);
	check_str(target("state=65535." NONCE "&code=x"), "http://127.0.0.1:65535/callback?code=x&state=65535." NONCE);
	/* the code is re-encoded: whatever it holds stays one query value */
	check_str(target("code=a%26b%3Dc%2F%3F&state=8080." NONCE),
		  "http://127.0.0.1:8080/callback?code=a%26b%3Dc%2F%3F&state=8080." NONCE);
	/* Restream's error is passed on to the same loopback listener */
	check_str(
		target("error=access_denied&error_description=The+user+said+no&state=8080." NONCE),
		"http://127.0.0.1:8080/callback?error=access_denied&error_description=The%20user%20said%20no&state=8080." NONCE);
	check_str(target("error=server_error&state=8080." NONCE),
		  "http://127.0.0.1:8080/callback?error=server_error&state=8080." NONCE);

	check(rfo_broker_redirect_state_port("8080." NONCE) == 8080);
	check(rfo_broker_redirect_state_port("8080.abcdefghijklmno") == 0); /* 15 chars */
	check(rfo_broker_redirect_state_port("8080.abcdefghijklmnop") == 8080);

	struct rfo_broker_buf none = {0};
	const char *why = NULL;
	check(!rfo_broker_redirect_target("", 0, &none, &why));
	check(strstr(why, "no sign-in code"));
	target("code=x&state=8080." NONCE);
	struct rfo_broker_buf *dummy = &none;
	rfo_broker_buf_free(dummy);
	printf("redirect: %zu hostile queries refused, good ones re-encoded\n", sizeof(hostile) / sizeof(hostile[0]));
	return 0;
}
