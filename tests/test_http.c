/* rfo-http against a tiny HTTP/1.1 server on 127.0.0.1 written here (one thread per connection). */
#include "rfo-test.h"

#include <poll.h>
#include <stdarg.h>
#include <strings.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <util/base.h>
#include <util/platform.h>
#include <util/threading.h>

#include "rfo-http.h"
#include "rfo-test-server.h"

/* ---------------------------------------------------------------- server */

#define MAX_CONNS 64

static int listen_fd = -1;
static int server_port;
static volatile bool server_stop;
static pthread_t accept_thread;
static pthread_t conn_threads[MAX_CONNS];
static int conn_count;
static pthread_mutex_t server_mutex = PTHREAD_MUTEX_INITIALIZER;
static volatile long slow_requests_seen;

static void respond(int fd, int status, const char *extra_headers, const char *body, size_t len, bool content_length)
{
	char head[512];
	int n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nConnection: close\r\n%s", status,
			 extra_headers ? extra_headers : "");
	if (content_length)
		n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Length: %zu\r\n", len);
	n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
	if (rfo_test_send_all(fd, head, (size_t)n) && len)
		rfo_test_send_all(fd, body, len);
}

/* waits `ms` (by the clock) while the client keeps the connection open; false when it went away */
static bool linger(int fd, int ms)
{
	uint64_t end = os_gettime_ns() + (uint64_t)ms * 1000000ULL;
	while (os_gettime_ns() < end && !os_atomic_load_bool(&server_stop)) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 20) > 0) {
			char c;
			if (recv(fd, &c, 1, MSG_DONTWAIT) <= 0)
				return false;
		}
	}
	return !os_atomic_load_bool(&server_stop);
}

static void *conn_main(void *param)
{
	int fd = (int)(intptr_t)param;
	char *req = malloc(1 << 20);
	const char *body = rfo_test_read_request(fd, req, 1 << 20, &server_stop);
	if (!body)
		goto done;

	char method[16] = "", path[256] = "";
	sscanf(req, "%15s %255s", method, path);

	if (strcmp(path, "/echo") == 0) {
		char *auth = rfo_test_header_value(req, "Authorization");
		char *ctype = rfo_test_header_value(req, "Content-Type");
		char *x = rfo_test_header_value(req, "X-Rfo-Test");
		char out[4096];
		int n = snprintf(out, sizeof(out), "%s|%s|%s|%s|%s", method, auth, ctype, x, body);
		respond(fd, 200, "Content-Type: text/plain\r\n", out, (size_t)n, true);
		free(auth);
		free(ctype);
		free(x);
	} else if (strncmp(path, "/status/", 8) == 0) {
		respond(fd, atoi(path + 8), NULL, "status", 6, true);
	} else if (strcmp(path, "/retry") == 0) {
		respond(fd, 429, "Retry-After: 7\r\n", "{}", 2, true);
	} else if (strcmp(path, "/retrydate") == 0) {
		char h[128];
		time_t when = time(NULL) + 120;
		struct tm tm;
		gmtime_r(&when, &tm);
		strftime(h, sizeof(h), "Retry-After: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
		respond(fd, 503, h, "", 0, true);
	} else if (strcmp(path, "/slow") == 0) {
		os_atomic_inc_long(&slow_requests_seen);
		if (linger(fd, 10000))
			respond(fd, 200, NULL, "slow", 4, true);
	} else if (strcmp(path, "/big") == 0 || strcmp(path, "/bigstream") == 0) {
		size_t size = 9 * 1024 * 1024;
		char *big = malloc(size);
		memset(big, 'x', size);
		respond(fd, 200, NULL, big, size, strcmp(path, "/big") == 0);
		free(big);
	} else if (strncmp(path, "/size/", 6) == 0) {
		size_t size = (size_t)atol(path + 6);
		char *b = malloc(size + 1);
		memset(b, 'y', size);
		respond(fd, 200, NULL, b, size, false);
		free(b);
	} else {
		respond(fd, 404, NULL, "nope", 4, true);
	}
done:
	free(req);
	close(fd);
	return NULL;
}

static void *accept_main(void *param)
{
	(void)param;
	while (!os_atomic_load_bool(&server_stop)) {
		struct pollfd p = {listen_fd, POLLIN, 0};
		if (poll(&p, 1, 20) <= 0)
			continue;
		int fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&server_mutex);
		if (conn_count < MAX_CONNS &&
		    pthread_create(&conn_threads[conn_count], NULL, conn_main, (void *)(intptr_t)fd) == 0)
			conn_count++;
		else
			close(fd);
		pthread_mutex_unlock(&server_mutex);
	}
	return NULL;
}

static void server_start(void)
{
	listen_fd = rfo_test_listen(16, &server_port);
	check(pthread_create(&accept_thread, NULL, accept_main, NULL) == 0);
}

static void server_stop_all(void)
{
	os_atomic_set_bool(&server_stop, true);
	pthread_join(accept_thread, NULL);
	for (int i = 0; i < conn_count; i++)
		pthread_join(conn_threads[i], NULL);
	close(listen_fd);
}

/* ------------------------------------------------------------------ self-signed TLS server */
/* `openssl s_server` with a throw-away self-signed certificate: TLS verification must refuse it. */

static struct rfo_test_tls tls = {.pid = -1};

/* ---------------------------------------------------------------- log capture */

static volatile long log_leaks;
static volatile long log_lines;

/* no credential and no query value may reach the log */
static void log_handler(int level, const char *format, va_list args, void *param)
{
	static const char *const secrets[] = {"tok123", "SECRET", "secret", "cmZvOnNlY3JldA", "=1", "grant_type", NULL};
	char buf[4096];
	(void)param;
	vsnprintf(buf, sizeof(buf), format, args);
	os_atomic_inc_long(&log_lines);
	for (const char *const *s = secrets; *s; s++)
		if (strstr(buf, *s)) {
			fprintf(stderr, "LEAK in log line: %s\n", buf);
			os_atomic_inc_long(&log_leaks);
		}
	fprintf(stderr, "log %d: %s\n", level, buf);
}

/* ---------------------------------------------------------------- client side */

struct result {
	os_event_t *event;
	int calls;
	long status;
	int code;
	char message[256];
	char *body;
	size_t len;
	int64_t retry_after;
	double elapsed;
	uint64_t done_ns;
	bool took_body;
};

static void result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
	check(os_event_init(&r->event, OS_EVENT_TYPE_MANUAL) == 0);
}

static void result_free(struct result *r)
{
	os_event_destroy(r->event);
	free(r->body);
}

static void on_done(void *param, struct rfo_http_response *resp)
{
	struct result *r = param;
	r->calls++;
	r->status = resp->status;
	r->code = resp->error.code;
	snprintf(r->message, sizeof(r->message), "%s", resp->error.message);
	if (resp->body) {
		r->body = malloc(resp->len + 1);
		memcpy(r->body, resp->body, resp->len + 1);
		check(resp->body[resp->len] == 0);
	}
	r->len = resp->len;
	r->retry_after = resp->retry_after;
	r->elapsed = resp->elapsed;
	r->done_ns = os_gettime_ns();
	if (r->took_body) { /* exercise the "take the body" contract */
		bfree(resp->body);
		resp->body = NULL;
	}
	os_event_signal(r->event);
}

static void wait_done(struct result *r)
{
	if (os_event_timedwait(r->event, 20000) != 0)
		fail("request did not finish within 20 s");
}

static char *url(const char *path)
{
	static char buf[128];
	snprintf(buf, sizeof(buf), "http://127.0.0.1:%d%s", server_port, path);
	return buf;
}

static void run(struct rfo_http *http, struct rfo_http_request *req, struct result *r)
{
	result_init(r);
	check(rfo_http_submit(http, req, on_done, r));
	wait_done(r);
	check(r->calls == 1);
}

static void test_methods_and_auth(struct rfo_http *http)
{
	struct result r;
	struct rfo_http_request req = {0};
	const char *headers[] = {"X-Rfo-Test: yes", NULL};

	req.method = RFO_HTTP_GET;
	req.url = url("/echo");
	req.bearer_token = "tok123";
	req.headers = headers;
	req.body = "ignored"; /* a GET sends no body (and stays a GET) */
	run(http, &req, &r);
	check(r.code == RFO_ERR_NONE);
	check(r.status == 200);
	check_str(r.body, "GET|Bearer tok123||yes|");
	check(r.retry_after == -1);
	check(r.elapsed >= 0.0 && r.elapsed < 5.0);
	result_free(&r);

	memset(&req, 0, sizeof(req));
	req.method = RFO_HTTP_POST;
	req.url = url("/echo");
	req.basic_user = "rfo";
	req.basic_password = "secret";
	req.content_type = "application/x-www-form-urlencoded";
	req.body = "grant_type=refresh_token&x=1";
	run(http, &req, &r);
	check(r.status == 200);
	check_str(r.body,
		  "POST|Basic cmZvOnNlY3JldA==|application/x-www-form-urlencoded||grant_type=refresh_token&x=1");
	result_free(&r);

	memset(&req, 0, sizeof(req));
	req.method = RFO_HTTP_PATCH;
	req.url = url("/echo");
	req.bearer_token = "abc";
	req.content_type = "application/json";
	req.body = "{\"active\":true}XXXX";
	req.body_len = 15; /* explicit length: the tail must not be sent */
	result_init(&r);
	r.took_body = true;
	check(rfo_http_submit(http, &req, on_done, &r));
	wait_done(&r);
	check(r.status == 200);
	check_str(r.body, "PATCH|Bearer abc|application/json||{\"active\":true}");
	result_free(&r);

	memset(&req, 0, sizeof(req));
	req.method = RFO_HTTP_DELETE;
	req.url = url("/echo");
	run(http, &req, &r);
	check(r.status == 200);
	check_str(r.body, "DELETE||||");
	result_free(&r);
}

static void test_status(struct rfo_http *http)
{
	struct result r;
	struct rfo_http_request req = {0};
	req.url = url("/status/404");
	run(http, &req, &r);
	check(r.code == RFO_ERR_NONE); /* HTTP errors are not transport errors */
	check(r.status == 404);
	check_str(r.body, "status");
	result_free(&r);

	req.url = url("/status/404?access_token=SECRET&x=1"); /* logged without any query value */
	run(http, &req, &r);
	check(r.status == 404);
	result_free(&r);

	char name_url[128]; /* a host name: curl's resolver thread */
	snprintf(name_url, sizeof(name_url), "http://localhost:%d/status/500", server_port);
	req.url = name_url;
	run(http, &req, &r);
	check(r.status == 500);
	result_free(&r);

	req.url = url("/status/500");
	run(http, &req, &r);
	check(r.status == 500);
	result_free(&r);

	req.url = url("/status/204");
	run(http, &req, &r);
	check(r.status == 204);
	check(r.body == NULL && r.len == 0);
	result_free(&r);

	req.url = url("/retry");
	run(http, &req, &r);
	check(r.status == 429);
	check(r.retry_after == 7);
	result_free(&r);

	req.url = url("/retrydate");
	run(http, &req, &r);
	check(r.status == 503);
	check(r.retry_after >= 115 && r.retry_after <= 121);
	result_free(&r);
}

static void test_parallel(struct rfo_http *http)
{
	struct result slow, fast;
	struct rfo_http_request req = {0};
	result_init(&slow);
	result_init(&fast);
	req.url = url("/slow");
	long seen = os_atomic_load_long(&slow_requests_seen);
	uint64_t t0 = os_gettime_ns();
	check(rfo_http_submit(http, &req, on_done, &slow));
	for (int i = 0; i < 200 && os_atomic_load_long(&slow_requests_seen) == seen; i++)
		os_sleep_ms(10);
	check(os_atomic_load_long(&slow_requests_seen) > seen);
	req.url = url("/echo");
	check(rfo_http_submit(http, &req, on_done, &fast));
	wait_done(&fast);
	check(fast.status == 200);
	check(os_event_try(slow.event) == EAGAIN); /* slow one still running */
	double fast_s = (double)(fast.done_ns - t0) / 1e9;
	printf("fast request next to a 10-s one finished after %.3f s\n", fast_s);
	check(fast_s < 2.0);
	wait_done(&slow);
	check(slow.status == 200);
	check(slow.elapsed >= 9.5);
	result_free(&slow);
	result_free(&fast);
}

static void test_timeout(struct rfo_http *http)
{
	struct result r;
	struct rfo_http_request req = {0};
	req.url = url("/slow");
	req.timeout_ms = 500;
	uint64_t t0 = os_gettime_ns();
	run(http, &req, &r);
	double s = (double)(r.done_ns - t0) / 1e9;
	printf("timeout error after %.3f s: %s\n", s, r.message);
	check(r.code == RFO_ERR_NETWORK);
	check(r.status == 0);
	check(strstr(r.message, "in time") != NULL); /* rfo_http_failure_text(RFO_HTTP_FAIL_TIMEOUT) */
	check(s >= 0.4 && s < 3.0);
	result_free(&r);

	/* nothing listens on port 1 of loopback: connection refused */
	req.url = "http://127.0.0.1:1/x";
	req.timeout_ms = 0;
	run(http, &req, &r);
	check(r.code == RFO_ERR_NETWORK);
	check(r.message[0] != 0);
	result_free(&r);

	/* TLS against a plain HTTP server fails (verification on, no fallback) */
	char tls_url[128];
	snprintf(tls_url, sizeof(tls_url), "https://127.0.0.1:%d/echo", server_port);
	req.url = tls_url;
	run(http, &req, &r);
	check(r.code == RFO_ERR_NETWORK);
	result_free(&r);
}

static void test_tls_verification(struct rfo_http *http)
{
	struct result r;
	struct rfo_http_request req = {0};
	char tls_url[128];
	snprintf(tls_url, sizeof(tls_url), "https://127.0.0.1:%d/", tls.port);
	req.url = tls_url;
	run(http, &req, &r);
	printf("self-signed https server: %s\n", r.message);
	check(r.code == RFO_ERR_NETWORK);
	check(r.status == 0);
	check(strstr(r.message, "certificate") != NULL);
	result_free(&r);
}

static void test_policy_and_limits(struct rfo_http *http)
{
	struct result r;
	struct rfo_http_request req = {0};
	req.url = "http://example.com/v2/user?accessToken=SECRET";
	run(http, &req, &r);
	check(r.code == RFO_ERR_INVALID);
	check(r.status == 0);
	check(strstr(r.message, "SECRET") == NULL);
	check(strstr(r.message, "example.com") != NULL);
	result_free(&r);

	req.url = "ftp://127.0.0.1/x";
	run(http, &req, &r);
	check(r.code == RFO_ERR_INVALID);
	result_free(&r);

	req.url = url("/big"); /* 9 MiB with Content-Length: over the 8 MiB default */
	run(http, &req, &r);
	check(r.code == RFO_ERR_NETWORK);
	check(strstr(r.message, "larger than") != NULL);
	check(r.body == NULL);
	result_free(&r);

	req.url = url("/bigstream"); /* 9 MiB without Content-Length */
	run(http, &req, &r);
	check(r.code == RFO_ERR_NETWORK);
	check(strstr(r.message, "larger than") != NULL);
	result_free(&r);

	req.url = url("/size/2000");
	req.max_body_bytes = 1999;
	run(http, &req, &r);
	check(r.code == RFO_ERR_NETWORK);
	result_free(&r);

	req.max_body_bytes = 2000;
	run(http, &req, &r);
	check(r.code == RFO_ERR_NONE);
	check(r.len == 2000);
	result_free(&r);
}

static void test_stop_in_flight(bool destroy_only)
{
	struct rfo_http *http = rfo_http_create("rfo-http-test");
	check(http != NULL);
	struct result slow, queued;
	result_init(&slow);
	result_init(&queued);
	struct rfo_http_request req = {0};
	req.url = url("/slow");
	long seen = os_atomic_load_long(&slow_requests_seen);
	check(rfo_http_submit(http, &req, on_done, &slow));
	for (int i = 0; i < 200 && os_atomic_load_long(&slow_requests_seen) == seen; i++)
		os_sleep_ms(10);
	check(os_atomic_load_long(&slow_requests_seen) > seen);
	check(rfo_http_submit(http, &req, on_done, &queued));

	uint64_t t0 = os_gettime_ns();
	if (destroy_only) {
		rfo_http_destroy(http);
	} else {
		rfo_http_stop(http);
		rfo_http_stop(http); /* idempotent */
	}
	double ms = (double)(os_gettime_ns() - t0) / 1e6;
	printf("%s with a request in flight took %.1f ms\n", destroy_only ? "destroy" : "stop", ms);
	check(ms < 300.0);
	check(slow.calls == 1 && slow.code == RFO_ERR_CANCELLED);
	check(queued.calls == 1 && queued.code == RFO_ERR_CANCELLED);
	if (!destroy_only) {
		struct result late;
		result_init(&late);
		check(!rfo_http_submit(http, &req, on_done, &late));
		check(late.calls == 0);
		result_free(&late);
		rfo_http_destroy(http);
	}
	result_free(&slow);
	result_free(&queued);
}

/* ---------------------------------------------------------------- failure codes (resthttp) */

struct failure_result {
	os_event_t *event;
	int code;
	enum rfo_http_failure failure;
	char message[256];
};

static void on_failure_done(void *param, struct rfo_http_response *resp)
{
	struct failure_result *r = param;
	r->code = resp->error.code;
	r->failure = resp->failure;
	snprintf(r->message, sizeof(r->message), "%s", resp->error.message);
	os_event_signal(r->event);
}

static void expect_failure(struct rfo_http *http, const char *u, int timeout_ms, size_t max_body, int code,
			   enum rfo_http_failure failure)
{
	struct failure_result r = {0};
	check(os_event_init(&r.event, OS_EVENT_TYPE_MANUAL) == 0);
	struct rfo_http_request req = {.url = u, .timeout_ms = timeout_ms, .max_body_bytes = max_body};
	check(rfo_http_submit(http, &req, on_failure_done, &r));
	check(os_event_timedwait(r.event, 20000) == 0);
	printf("%s -> code %d, failure %d: %s\n", u, r.code, (int)r.failure, r.message);
	check(r.code == code);
	check(r.failure == failure);
	if (code == RFO_ERR_NETWORK) {
		/* the user sees one of the fixed sentences, never curl's text */
		check(strcmp(r.message, rfo_http_failure_text(failure)) == 0);
		check(strstr(r.message, "curl") == NULL && strstr(r.message, "127.0.0.1") == NULL);
		check(strstr(r.message, "port") == NULL && strstr(r.message, "errno") == NULL);
	}
	os_event_destroy(r.event);
}

static void test_failure_codes(void)
{
	struct rfo_http *http = rfo_http_create("rfo-http-fail");
	check(http != NULL);
	char buf[128];
	expect_failure(http, "http://127.0.0.1:1/x", 0, 0, RFO_ERR_NETWORK, RFO_HTTP_FAIL_CONNECT);
	expect_failure(http, url("/slow"), 400, 0, RFO_ERR_NETWORK, RFO_HTTP_FAIL_TIMEOUT);
	expect_failure(http, url("/size/2000"), 0, 100, RFO_ERR_NETWORK, RFO_HTTP_FAIL_TOO_LARGE);
	expect_failure(http, url("/bigstream"), 0, 0, RFO_ERR_NETWORK, RFO_HTTP_FAIL_TOO_LARGE);
	snprintf(buf, sizeof(buf), "https://127.0.0.1:%d/echo", server_port); /* TLS against plain HTTP */
	expect_failure(http, buf, 0, 0, RFO_ERR_NETWORK, RFO_HTTP_FAIL_TLS);
	expect_failure(http, "http://example.com/x", 0, 0, RFO_ERR_INVALID, RFO_HTTP_FAIL_REFUSED);
	rfo_http_destroy(http);

	/* every failure has a locale key and a sentence */
	check(rfo_http_failure_key(RFO_HTTP_FAIL_NONE) == NULL);
	for (int f = RFO_HTTP_FAIL_CONNECT; f <= RFO_HTTP_FAIL_OTHER; f++) {
		check(strncmp(rfo_http_failure_key(f), "Http.Error.", 11) == 0);
		check(strlen(rfo_http_failure_text(f)) > 20);
	}
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	base_set_log_handler(log_handler, NULL);
	server_start();

	rfo_http_destroy(NULL);
	check(!rfo_http_submit(NULL, NULL, on_done, NULL));

	struct rfo_http *http = rfo_http_create("rfo-http-test");
	check(http != NULL);
	test_methods_and_auth(http);
	test_status(http);
	test_policy_and_limits(http);
	test_timeout(http);
	test_parallel(http);
	rfo_test_tls_start(&tls);
	test_tls_verification(http);
	rfo_test_tls_stop(&tls);
	rfo_http_destroy(http);

	test_stop_in_flight(false);
	test_stop_in_flight(true);
	test_failure_codes();

	server_stop_all();
	curl_global_cleanup();
	check(os_atomic_load_long(&log_lines) > 0);
	check(os_atomic_load_long(&log_leaks) == 0);
	return rfo_test_end();
}
