/* Request heads and form bodies: strict parsing, bounded sizes, and nothing two readers could read differently. */
#include "rfo-check.h"
#include "rfo-broker-form.h"
#include "rfo-broker-http.h"

static enum rfo_broker_parse parse(const char *text, struct rfo_broker_request *req)
{
	return rfo_broker_http_parse(text, strlen(text), req);
}

static void refused(const char *text, int status)
{
	struct rfo_broker_request req;
	if (parse(text, &req) != RFO_BROKER_PARSE_ERROR || req.error_status != status) {
		fprintf(stderr, "FAIL: expected %d for %s (got status %d)\n", status, text, req.error_status);
		exit(1);
	}
}

static void heads(void)
{
	struct rfo_broker_request req;
	check(parse("POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded; "
		    "charset=UTF-8\r\nContent-Length: 12\r\nX-Forwarded-For: 10.0.0.1, 192.0.2.7\r\n\r\nbody",
		    &req) == RFO_BROKER_PARSE_DONE);
	check(req.method == RFO_BROKER_POST && req.keep_alive && req.form_body && req.content_length == 12);
	check(req.path_len == 6 && memcmp(req.path, "/token", 6) == 0 && req.query_len == 0);
	check_str(req.forwarded_for, "192.0.2.7");

	check(parse("GET /redirect?code=a&state=b HTTP/1.0\r\n\r\n", &req) == RFO_BROKER_PARSE_DONE);
	check(req.method == RFO_BROKER_GET && !req.keep_alive && req.query_len == 14);
	check(parse("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", &req) == RFO_BROKER_PARSE_DONE &&
	      !req.keep_alive);
	check(parse("POST /token HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", &req) ==
		      RFO_BROKER_PARSE_DONE &&
	      req.expect_continue);
	check(parse("POST /token HTTP/1.1\r\nContent-Type: text/plain\r\n\r\n", &req) == RFO_BROKER_PARSE_DONE &&
	      !req.form_body);
	check(parse("GET /healthz HTTP/1.1\r\nHost: x\r\n", &req) == RFO_BROKER_PARSE_MORE);

	refused("GET healthz HTTP/1.1\r\n\r\n", 400);
	refused("GET http://evil/ HTTP/1.1\r\n\r\n", 400);
	refused("GET / HTTP/2.0\r\n\r\n", 505);
	refused("GET /\x01 HTTP/1.1\r\n\r\n", 400);
	refused("GET / HTTP/1.1\nHost: x\r\n\r\n", 400);
	refused("GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n", 400);
	refused("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400);
	refused("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400);
	refused("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400);
	refused("POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400);
	refused("POST / HTTP/1.1\r\nContent-Length: 8193\r\n\r\n", 413);
	refused("POST / HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n", 413);
	refused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501);
	refused("POST / HTTP/1.1\r\nExpect: something\r\n\r\n", 417);

	/* a head that never ends is cut at 8 KiB; too many header lines too */
	static char big[RFO_BROKER_HEAD_MAX + 100];
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	check(rfo_broker_http_parse(big, sizeof(big), &req) == RFO_BROKER_PARSE_ERROR && req.error_status == 431);
	char many[4096] = "GET / HTTP/1.1\r\n";
	for (int i = 0; i < 70; i++)
		strcat(many, "X-A: b\r\n");
	strcat(many, "\r\n");
	refused(many, 431);
}

static void forms(void)
{
	struct rfo_broker_form f;
	const char *body = "grant_type=refresh_token&refresh_token=a%2Bb+c&&scope=";
	check(rfo_broker_form_parse(&f, body, strlen(body)));
	check(f.count == 3);
	check_str(rfo_broker_form_get(&f, "grant_type"), "refresh_token");
	check_str(rfo_broker_form_get(&f, "refresh_token"), "a+b c");
	check_str(rfo_broker_form_get(&f, "scope"), "");
	check(rfo_broker_form_get(&f, "client_secret") == NULL);
	rfo_broker_form_free(&f);

	const char *bad[] = {"a=1&a=2", "a=%", "a=%4", "a=%zz", "a=%00", "%00=1", "=1", "a%20b=1", "a=1&a"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (rfo_broker_form_parse(&f, bad[i], strlen(bad[i]))) {
			fprintf(stderr, "FAIL: form \"%s\" accepted\n", bad[i]);
			return exit(1);
		}
	}
	char many[512] = "";
	for (int i = 0; i < RFO_BROKER_FORM_MAX_FIELDS + 1; i++)
		sprintf(many + strlen(many), "k%d=v&", i);
	check(!rfo_broker_form_parse(&f, many, strlen(many)));
}

int main(void)
{
	heads();
	forms();
	printf("parse: heads and forms as expected\n");
	return 0;
}
