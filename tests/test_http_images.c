/* Image fetches (rfo_http_request.public_only) against a server on 127.0.0.1 written here: remote data cannot steer
 * them to this computer or its network. The address is checked after name resolution, so neither a loopback literal,
 * nor "localhost", nor a mapped IPv6 form gets through; plain http to loopback only under the tests' switch. */
#include "rfo-test.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <util/platform.h>
#include <util/threading.h>

#include "rfo-http.h"
#include "rfo-test-server.h"
#include "rfo-url.h"

static int listen_fd = -1;
static int port;
static volatile bool stop;
static volatile long connections;
static pthread_t thread;

/* Counts connections and answers each request with a 3-byte "image". */
static void *serve(void *param)
{
	(void)param;
	while (!stop) {
		int fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		if (stop) {
			close(fd);
			break;
		}
		os_atomic_inc_long(&connections);
		char buf[4096];
		if (rfo_test_read_request(fd, buf, sizeof(buf), &stop)) {
			static const char reply[] =
				"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\npng";
			rfo_test_send_all(fd, reply, sizeof(reply) - 1);
		}
		close(fd);
	}
	return NULL;
}

struct result {
	os_event_t *event;
	int code;
	enum rfo_http_failure failure;
	long status;
	size_t len;
};

static void on_done(void *param, struct rfo_http_response *resp)
{
	struct result *r = param;
	r->code = resp->error.code;
	r->failure = resp->failure;
	r->status = resp->status;
	r->len = resp->len;
	os_event_signal(r->event);
}

static struct result fetch(struct rfo_http *http, const char *url, bool public_only)
{
	struct result r = {0};
	check(os_event_init(&r.event, OS_EVENT_TYPE_MANUAL) == 0);
	struct rfo_http_request req = {
		.method = RFO_HTTP_GET,
		.url = url,
		.public_only = public_only,
		.connect_timeout_ms = 3000,
		.timeout_ms = 5000,
	};
	check(rfo_http_submit(http, &req, on_done, &r));
	if (os_event_timedwait(r.event, 10000) != 0)
		fail("request did not finish within 10 s");
	os_event_destroy(r.event);
	r.event = NULL;
	return r;
}

/* origin: scheme and host ("https://10.1.2.3"); the test server's port goes between it and path. */
static void expect_refused(struct rfo_http *http, const char *origin, const char *path)
{
	char url[256];
	snprintf(url, sizeof(url), "%s:%d%s", origin, port, path);
	long before = os_atomic_load_long(&connections);
	struct result r = fetch(http, url, true);
	if (r.code != RFO_ERR_INVALID || r.failure != RFO_HTTP_FAIL_REFUSED) {
		fprintf(stderr, "%s: code %d failure %d status %ld\n", url, r.code, (int)r.failure, r.status);
		fail("an image from a local address was not refused");
	}
	check(os_atomic_load_long(&connections) == before); /* not a byte sent */
}

static void expect_fetched(struct rfo_http *http, const char *origin, const char *path, bool public_only)
{
	char url[256];
	snprintf(url, sizeof(url), "%s:%d%s", origin, port, path);
	struct result r = fetch(http, url, public_only);
	if (r.code != RFO_ERR_NONE || r.status != 200 || r.len != 3) {
		fprintf(stderr, "%s: code %d failure %d status %ld\n", url, r.code, (int)r.failure, r.status);
		fail("the fetch did not arrive");
	}
}

static void test_policy(struct rfo_http *http)
{
	unsetenv(RFO_HTTP_LOOPBACK_IMAGES_ENV);
	check(!rfo_http_loopback_images_allowed());
	/* plain http, loopback by literal, by name, by mapped form; https to loopback and private ranges */
	expect_refused(http, "http://127.0.0.1", "/e.png");
	expect_refused(http, "http://localhost", "/e.png");
	expect_refused(http, "https://127.0.0.1", "/e.png");
	expect_refused(http, "https://localhost", "/e.png");
	expect_refused(http, "https://[::ffff:127.0.0.1]", "/e.png");
	expect_refused(http, "https://10.1.2.3", "/e.png");
	expect_refused(http, "https://192.168.1.1", "/e.png");
	expect_refused(http, "https://169.254.169.254", "/latest/meta-data");
	expect_refused(http, "https://100.64.0.1", "/e.png");
	expect_refused(http, "https://[fd00::1]", "/e.png");
	expect_refused(http, "https://[fe80::1]", "/e.png");
	expect_refused(http, "https://0.0.0.0", "/e.png");
	/* requests to the API itself are not image fetches: plain http to loopback stays allowed for them */
	expect_fetched(http, "http://127.0.0.1", "/v2/user/profile", false);

	/* the tests' switch (the emulator prints it): loopback, and only loopback, opens up */
	setenv(RFO_HTTP_LOOPBACK_IMAGES_ENV, "1", 1);
	check(rfo_http_loopback_images_allowed());
	expect_fetched(http, "http://127.0.0.1", "/e.png", true);
	expect_fetched(http, "http://localhost", "/e.png", true);
	expect_refused(http, "https://10.1.2.3", "/e.png");
	expect_refused(http, "https://[fd00::1]", "/e.png");
	setenv(RFO_HTTP_LOOPBACK_IMAGES_ENV, "yes", 1); /* only "1" counts */
	check(!rfo_http_loopback_images_allowed());
	expect_refused(http, "http://127.0.0.1", "/e.png");
	unsetenv(RFO_HTTP_LOOPBACK_IMAGES_ENV);
}

static void expect_class(const char *text, enum rfo_addr_class want)
{
	unsigned char a[16];
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;
	check(inet_pton(family, text, a) == 1);
	if (rfo_url_addr_class(family, a) != want) {
		fprintf(stderr, "%s: class %d, expected %d\n", text, (int)rfo_url_addr_class(family, a), (int)want);
		fail("address class");
	}
}

static void test_classes(void)
{
	static const char *const public_addrs[] = {
		"1.1.1.1",     "8.8.8.8",         "100.63.255.255",  "100.128.0.0",      "172.15.255.255", "172.32.0.0",
		"192.167.1.1", "2606:4700::1111", "2001:4860::8888", "64:ff9b::808:808", "2002:808:808::1"};
	static const char *const loopback_addrs[] = {"127.0.0.1",        "127.255.0.9",     "::1",
						     "::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"};
	static const char *const local_addrs[] = {"0.0.0.0",
						  "10.0.0.1",
						  "100.64.0.1",
						  "169.254.169.254",
						  "172.16.0.1",
						  "172.31.255.255",
						  "192.0.0.8",
						  "192.0.2.1",
						  "192.168.0.1",
						  "198.18.0.1",
						  "198.51.100.1",
						  "203.0.113.1",
						  "224.0.0.1",
						  "255.255.255.255",
						  "::",
						  "::ffff:10.0.0.1",
						  "::ffff:192.168.1.1",
						  "fc00::1",
						  "fd12:3456::1",
						  "fe80::1",
						  "fec0::1",
						  "ff02::1",
						  "2001:db8::1",
						  "64:ff9b::a00:1",
						  "2002:c0a8:101::",
						  "::10.0.0.1",
						  "100::1"};
	for (size_t i = 0; i < sizeof(public_addrs) / sizeof(public_addrs[0]); i++)
		expect_class(public_addrs[i], RFO_ADDR_PUBLIC);
	for (size_t i = 0; i < sizeof(loopback_addrs) / sizeof(loopback_addrs[0]); i++)
		expect_class(loopback_addrs[i], RFO_ADDR_LOOPBACK);
	for (size_t i = 0; i < sizeof(local_addrs) / sizeof(local_addrs[0]); i++)
		expect_class(local_addrs[i], RFO_ADDR_LOCAL);
	check(rfo_url_addr_class(AF_UNIX, "x") == RFO_ADDR_LOCAL);
	check(rfo_url_addr_class(AF_INET, NULL) == RFO_ADDR_LOCAL);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_classes();
	listen_fd = rfo_test_listen(16, &port);
	check(pthread_create(&thread, NULL, serve, NULL) == 0);

	struct rfo_http *http = rfo_http_create("rfo-http-img");
	check(http != NULL);
	test_policy(http);
	rfo_http_destroy(http);

	stop = true;
	shutdown(listen_fd, SHUT_RDWR);
	close(listen_fd);
	pthread_join(thread, NULL);
	curl_global_cleanup();
	return rfo_test_end();
}
