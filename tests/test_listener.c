/* rfo-listener: a real client socket against the loopback redirect listener. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>

#include "rfo-listener.h"
#include "rfo-test.h"

#define STATE "0123456789abcdef0123456789abcdef"

struct seen {
	pthread_mutex_t m;
	int calls;
	enum rfo_listener_outcome outcome;
	char *code, *scope, *error;
};

static void on_result(void *param, const struct rfo_listener_result *r)
{
	struct seen *s = param;
	pthread_mutex_lock(&s->m);
	s->calls++;
	s->outcome = r->outcome;
	s->code = r->code ? bstrdup(r->code) : NULL;
	s->scope = r->scope ? bstrdup(r->scope) : NULL;
	s->error = r->error ? bstrdup(r->error) : NULL;
	pthread_mutex_unlock(&s->m);
}

static void seen_free(struct seen *s)
{
	bfree(s->code);
	bfree(s->scope);
	bfree(s->error);
	pthread_mutex_destroy(&s->m);
}

static struct rfo_listener *start(struct seen *s, uint32_t timeout_ms)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->m, NULL);
	struct rfo_listener_config cfg = {
		.port = 0,
		.expected_state = STATE,
		.timeout_ms = timeout_ms,
		.pages = {.title = "Restream <OBS>",
			  .success = "Fertig. Du kannst diesen Tab schlie\xc3\x9f"
				     "en."},
		.cb = on_result,
		.param = s,
	};
	struct rfo_error err = {0};
	struct rfo_listener *l = rfo_listener_create(&cfg, &err);
	check(l != NULL);
	check(rfo_listener_port(l) != 0);
	return l;
}

static int connect_to(uint32_t addr_be, uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	check(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = addr_be};
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Sends `request` raw, returns the whole response (until the server closes). */
static char *exchange(uint16_t port, const char *request, size_t len)
{
	int fd = connect_to(htonl(INADDR_LOOPBACK), port);
	check(fd >= 0);
	size_t off = 0;
	while (off < len) {
		ssize_t n = send(fd, request + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may close early (oversize) */
		off += (size_t)n;
	}
	struct dstr resp = {0};
	char buf[4096];
	ssize_t n;
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		dstr_ncat(&resp, buf, (size_t)n);
	close(fd);
	if (!resp.array)
		dstr_copy(&resp, "");
	return resp.array;
}

static char *get(uint16_t port, const char *target)
{
	struct dstr req = {0};
	dstr_printf(&req, "GET %s HTTP/1.1\r\nHost: localhost:%u\r\nUser-Agent: test\r\nAccept: text/html\r\n\r\n",
		    target, port);
	char *resp = exchange(port, req.array, req.len);
	dstr_free(&req);
	return resp;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void wait_calls(struct seen *s, int n)
{
	for (int i = 0; i < 300; i++) {
		pthread_mutex_lock(&s->m);
		int c = s->calls;
		pthread_mutex_unlock(&s->m);
		if (c >= n)
			return;
		os_sleep_ms(10);
	}
}

static void test_good_callback(void)
{
	struct seen s;
	struct rfo_listener *l = start(&s, 0);
	uint16_t port = rfo_listener_port(l);

	/* a browser's favicon request and other paths: 404, the flow goes on */
	char *r = get(port, "/favicon.ico");
	check(starts_with(r, "HTTP/1.1 404"));
	bfree(r);
	r = get(port, "/callbackx?code=c&state=" STATE);
	check(starts_with(r, "HTTP/1.1 404"));
	bfree(r);
	/* an idle speculative connection must not hold up the real request */
	int idle = connect_to(htonl(INADDR_LOOPBACK), port);
	check(idle >= 0);
	check(s.calls == 0 && !rfo_listener_finished(l));

	r = get(port, "/callback?code=the%20code&scope=profile.read%2Cchat.read&state=" STATE);
	check(starts_with(r, "HTTP/1.1 200"));
	check(strstr(r, "Content-Type: text/html; charset=utf-8") != NULL);
	check(strstr(r, "Cache-Control: no-store") != NULL);
	check(strstr(r, "Fertig. Du kannst diesen Tab schlie\xc3\x9f"
			"en.") != NULL);
	check(strstr(r, "Restream &lt;OBS&gt;") != NULL); /* caller text is escaped */
	check(strstr(r, "the code") == NULL);             /* the page never echoes the code */
	bfree(r);
	wait_calls(&s, 1);
	check(s.calls == 1);
	check(s.outcome == RFO_LISTENER_CODE);
	check_str(s.code, "the code");
	check_str(s.scope, "profile.read,chat.read");
	check(rfo_listener_finished(l));

	/* one-shot: the socket is closed afterwards (the flag is set just before the listener thread closes
	 * it, so allow it a moment) */
	bool closed = false;
	for (int i = 0; i < 200 && !closed; i++) {
		int fd = connect_to(htonl(INADDR_LOOPBACK), port);
		closed = fd < 0;
		if (fd >= 0) {
			close(fd);
			os_sleep_ms(10);
		}
	}
	check(closed);
	close(idle);
	rfo_listener_destroy(l);
	check(s.calls == 1);
	seen_free(&s);
}

/* A callback without the right state is answered 400 and ignored: the listener keeps waiting, and the real
 * redirect that follows still ends the flow with its code. */
static void test_rejections(void)
{
	const char *bad[] = {
		"/callback?code=abc&state=ffffffffffffffffffffffffffffffff", /* wrong state */
		"/callback?code=abc",                                        /* missing state */
		"/callback?code=abc&state=" STATE "0",                       /* longer */
		"/callback?code=abc&state=",                                 /* empty */
		"/callback?error=access_denied",                             /* an error without state */
		"/callback?error=access_denied&state=wrong",                 /* an error with a wrong state */
		"/callback?foo=1",                                           /* neither code, error nor state */
		"/callback?error=access_denied&state=" STATE "x",            /* a denial with a wrong state */
	};
	struct seen s;
	struct rfo_listener *l = start(&s, 0);
	uint16_t port = rfo_listener_port(l);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *r = get(port, bad[i]);
		check(starts_with(r, "HTTP/1.1 400"));
		check(strstr(r, "not valid any more") != NULL);
		bfree(r);
	}
	os_sleep_ms(50);
	check(s.calls == 0); /* nothing reported: no code leaves the listener, no token request can follow */
	check(!rfo_listener_finished(l));

	char *r = get(port, "/callback?code=real&state=" STATE);
	check(starts_with(r, "HTTP/1.1 200"));
	bfree(r);
	wait_calls(&s, 1);
	check(s.calls == 1 && s.outcome == RFO_LISTENER_CODE);
	check_str(s.code, "real");
	check(rfo_listener_finished(l));
	rfo_listener_destroy(l);
	seen_free(&s);
}

/* 40 idle connections (more than the slots), half of them with a half-sent request, do not keep the real
 * redirect out, and it is answered at once. */
static void test_idle_connections(void)
{
	struct seen s;
	struct rfo_listener *l = start(&s, 0);
	uint16_t port = rfo_listener_port(l);
	int idle[40];
	for (size_t i = 0; i < 40; i++) {
		idle[i] = connect_to(htonl(INADDR_LOOPBACK), port);
		check(idle[i] >= 0);
		if (i % 2)
			check(send(idle[i], "GET /callback?code=x", 20, MSG_NOSIGNAL) == 20);
	}
	os_sleep_ms(100);
	uint64_t t0 = os_gettime_ns();
	char *r = get(port, "/callback?code=real&state=" STATE);
	uint64_t ms = (os_gettime_ns() - t0) / 1000000ULL;
	printf("the real redirect behind 40 idle connections: answered in %llu ms\n", (unsigned long long)ms);
	check(starts_with(r, "HTTP/1.1 200"));
	check(ms < 1000);
	bfree(r);
	wait_calls(&s, 1);
	check(s.calls == 1 && s.outcome == RFO_LISTENER_CODE);
	check_str(s.code, "real");
	for (size_t i = 0; i < 40; i++)
		close(idle[i]);
	rfo_listener_destroy(l);
	seen_free(&s);
}

static void test_denied_and_error(void)
{
	struct seen s;
	struct rfo_listener *l = start(&s, 0);
	char *r = get(rfo_listener_port(l), "/callback");
	check(starts_with(r, "HTTP/1.1 200"));
	check(strstr(r, "cancelled") != NULL);
	bfree(r);
	wait_calls(&s, 1);
	check(s.calls == 1 && s.outcome == RFO_LISTENER_DENIED && s.code == NULL);
	rfo_listener_destroy(l);
	seen_free(&s);

	l = start(&s, 0);
	r = get(rfo_listener_port(l), "/callback?error=server_error&error_description=boom&state=" STATE);
	check(starts_with(r, "HTTP/1.1 200"));
	check(strstr(r, "server_error") != NULL);
	bfree(r);
	wait_calls(&s, 1);
	check(s.calls == 1 && s.outcome == RFO_LISTENER_ERROR);
	check_str(s.error, "server_error");
	rfo_listener_destroy(l);
	seen_free(&s);

	/* an error parameter carrying markup is shown escaped */
	l = start(&s, 0);
	r = get(rfo_listener_port(l), "/callback?error=%3Cscript%3E&state=" STATE);
	check(strstr(r, "<script>") == NULL && strstr(r, "&lt;script&gt;") != NULL);
	bfree(r);
	wait_calls(&s, 1);
	check(s.outcome == RFO_LISTENER_ERROR);
	rfo_listener_destroy(l);
	seen_free(&s);
}

static void test_oversize(void)
{
	struct seen s;
	struct rfo_listener *l = start(&s, 0);
	uint16_t port = rfo_listener_port(l);
	struct dstr req = {0};
	dstr_printf(&req, "GET /callback?code=x&state=%s HTTP/1.1\r\nX-Pad: ", STATE);
	while (req.len < 9000)
		dstr_cat(&req, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	dstr_cat(&req, "\r\n\r\n");
	char *r = exchange(port, req.array, req.len);
	check(starts_with(r, "HTTP/1.1 431"));
	bfree(r);
	dstr_free(&req);
	check(s.calls == 0 && !rfo_listener_finished(l)); /* the flow goes on */

	r = get(port, "/callback?code=ok&state=" STATE);
	check(starts_with(r, "HTTP/1.1 200"));
	bfree(r);
	wait_calls(&s, 1);
	check(s.calls == 1 && s.outcome == RFO_LISTENER_CODE);
	check_str(s.code, "ok");
	rfo_listener_destroy(l);
	seen_free(&s);
}

static void test_timeout_and_destroy(void)
{
	struct seen s;
	uint64_t t0 = os_gettime_ns();
	struct rfo_listener *l = start(&s, 300);
	wait_calls(&s, 1);
	check(s.calls == 1 && s.outcome == RFO_LISTENER_TIMEOUT);
	check(os_gettime_ns() - t0 >= 290000000ULL);
	check(rfo_listener_finished(l));
	rfo_listener_destroy(l);
	seen_free(&s);

	/* destroy while a client is connected and idle: prompt, and no callback */
	l = start(&s, 0);
	int fd = connect_to(htonl(INADDR_LOOPBACK), rfo_listener_port(l));
	check(fd >= 0);
	check(send(fd, "GET /call", 9, 0) == 9);
	os_sleep_ms(50);
	t0 = os_gettime_ns();
	rfo_listener_destroy(l);
	check(os_gettime_ns() - t0 < 200000000ULL);
	check(s.calls == 0);
	close(fd);
	seen_free(&s);
}

static void test_fixed_port_and_loopback_only(void)
{
	struct seen s;
	struct rfo_listener *l = start(&s, 0);
	uint16_t port = rfo_listener_port(l);

	/* the port is taken: a second listener on it fails cleanly */
	struct rfo_listener_config cfg = {.port = port, .expected_state = STATE};
	struct rfo_error err = {0};
	check(rfo_listener_create(&cfg, &err) == NULL);
	check(err.code == RFO_ERR_NETWORK && strstr(err.message, "127.0.0.1") != NULL);

	/* every non-loopback IPv4 address of this machine refuses the connection */
	struct ifaddrs *ifs = NULL;
	check(getifaddrs(&ifs) == 0);
	int tried = 0;
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		uint32_t a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
		if ((ntohl(a) >> 24) == 127)
			continue;
		char name[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &a, name, sizeof(name));
		int fd = connect_to(a, port);
		printf("non-loopback %s:%u -> %s\n", name, port, fd < 0 ? "refused" : "CONNECTED");
		check(fd < 0);
		tried++;
	}
	freeifaddrs(ifs);
	if (!tried)
		printf("this machine has no non-loopback IPv4 address; checked 127.0.0.1 binding only\n");
	/* 127.0.0.2 is loopback but not the bound address */
	check(connect_to(htonl(0x7f000002), port) < 0);
	/* nothing listens on [::1] with the port the redirect URI names (the URI says 127.0.0.1) */
	int fd6 = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6,
				  .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	check(fd6 >= 0 && connect(fd6, (struct sockaddr *)&a6, sizeof(a6)) < 0);
	close(fd6);
	check(connect_to(htonl(INADDR_LOOPBACK), port) >= 0);

	rfo_listener_destroy(l);
	seen_free(&s);

	/* a fixed free port works too */
	int probe = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	check(bind(probe, (struct sockaddr *)&a, sizeof(a)) == 0);
	check(getsockname(probe, (struct sockaddr *)&a, &alen) == 0);
	close(probe);
	cfg.port = ntohs(a.sin_port);
	l = rfo_listener_create(&cfg, &err);
	check(l != NULL && rfo_listener_port(l) == cfg.port);
	rfo_listener_destroy(l);
}

int main(void)
{
	test_good_callback();
	test_rejections();
	test_idle_connections();
	test_denied_and_error();
	test_oversize();
	test_timeout_and_destroy();
	test_fixed_port_and_loopback_only();
	printf("listener: ok\n");
	return rfo_test_end();
}
