/* restream-token-broker: the listener, the connections and the one event loop.
 *
 * One thread and one epoll set: the listener, the clients, a self-pipe that SIGTERM writes to and the sockets curl
 * asks for (curl_multi_socket_action), so requests never wait on a lock or a queue, and a turn of the loop only
 * touches what is ready. */
#define _GNU_SOURCE
#include "rfo-broker-server.h"
#include "rfo-broker-addr.h"
#include "rfo-broker-conn.h"
#include "rfo-broker-log.h"
#include "rfo-broker-upstream.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RATE_TABLE 16384
#define ACCEPT_BATCH 64
#define DRAIN_SLACK_MS 2000
#define EVENTS 256
#define SCAN_MS 50 /* how often deadlines are checked: they are whole seconds, the scan is O(connections) */

/* epoll data: a connection's pointer (malloc'd, so its low bits are 0), or one of these in the low byte with the
 * socket in the bits above */
enum tag { TAG_WAKE = 1, TAG_LISTEN = 2, TAG_CURL = 3 };

struct rfo_broker_server {
	struct rfo_broker_config config;
	char redirect_uri[1100];
	int listen_fd;
	int port;
	int wake[2]; /* self-pipe: rfo_broker_server_stop writes, the loop wakes */
	volatile int stop_requested;
	struct rfo_broker_env env;
	struct rfo_broker_routes routes;
	struct rfo_broker_upstream *upstream;
	struct rfo_broker_conn **conns;
	size_t count, cap;
	int epoll_fd;
	bool listening;   /* the listener is in the epoll set with EPOLLIN (not while at max_connections) */
	bool reap_needed; /* a connection is dead */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint32_t epoll_events(short poll_events)
{
	return (poll_events & POLLIN ? EPOLLIN : 0u) | (poll_events & POLLOUT ? EPOLLOUT : 0u);
}

/* after anything happened to c: its epoll registration follows what it waits for now */
static void sync_conn(struct rfo_broker_server *s, struct rfo_broker_conn *c)
{
	if (c->dead) {
		s->reap_needed = true;
		return;
	}
	if (c->state == RFO_BROKER_CONN_UPSTREAM)
		return; /* still registered for input: cheaper than two changes per request (see on_event) */
	uint32_t want = epoll_events(rfo_broker_conn_events(c));
	if (want != c->watched) {
		struct epoll_event ev = {.events = want, .data.ptr = c};
		epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
		c->watched = want;
	}
}

static void on_upstream_done(void *loop, void *ctx, const struct rfo_broker_upstream_result *res)
{
	rfo_broker_conn_on_upstream(ctx, res);
	sync_conn(loop, ctx);
}

static void on_upstream_watch(void *loop, curl_socket_t sock, int what, bool known)
{
	struct rfo_broker_server *s = loop;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, sock, NULL);
		return;
	}
	struct epoll_event ev = {.events =
					 (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u),
				 .data.u64 = (uint64_t)sock << 8 | TAG_CURL};
	if (epoll_ctl(s->epoll_fd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, sock, &ev) != 0)
		epoll_ctl(s->epoll_fd, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, sock, &ev);
}

static bool watch_fd(struct rfo_broker_server *s, int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)fd << 8 | tag};
	return epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

static int listen_on(const char *host, int port, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	char service[8];
	snprintf(service, sizeof(service), "%d", port);
	int rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve the listen address %s: %s", host, gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 511) == 0)
			break;
		snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

struct rfo_broker_server *rfo_broker_server_create(const struct rfo_broker_config *config, const char *auth_header,
						   char *err, size_t errlen)
{
	struct rfo_broker_server *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->config = *config;
	s->listen_fd = s->wake[0] = s->wake[1] = s->epoll_fd = -1;
	snprintf(s->redirect_uri, sizeof(s->redirect_uri), "%s/redirect", config->public_url);
	s->cap = (size_t)config->max_connections + ACCEPT_BATCH + 512; /* a drain takes the whole backlog */
	s->conns = calloc(s->cap, sizeof(*s->conns));
	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	s->upstream = rfo_broker_upstream_create(config->upstream, auth_header, config->upstream_timeout_ms,
						 on_upstream_done, on_upstream_watch, s);
	if (!s->conns || s->epoll_fd < 0 || !s->upstream || pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) != 0 ||
	    !watch_fd(s, s->wake[0], TAG_WAKE)) {
		snprintf(err, errlen, "out of memory or file descriptors");
		goto fail;
	}
	if (config->rate > 0) {
		s->env.ratelimit = rfo_broker_ratelimit_create(config->rate, config->burst, RATE_TABLE);
		if (!s->env.ratelimit) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	s->routes.redirect_uri = s->redirect_uri;
	s->routes.upstream = s->upstream;
	s->env.config = &s->config;
	s->env.routes = &s->routes;
	s->listen_fd = listen_on(config->listen_host, config->listen_port, err, errlen);
	if (s->listen_fd < 0)
		goto fail;
	if (!watch_fd(s, s->listen_fd, TAG_LISTEN)) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		goto fail;
	}
	s->listening = true;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	getsockname(s->listen_fd, (struct sockaddr *)&ss, &len);
	s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						 : ((struct sockaddr_in *)&ss)->sin_port);
	return s;
fail:
	rfo_broker_server_destroy(s);
	return NULL;
}

void rfo_broker_server_destroy(struct rfo_broker_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++)
		rfo_broker_conn_destroy(s->conns[i]);
	rfo_broker_upstream_destroy(s->upstream);
	rfo_broker_ratelimit_destroy(s->env.ratelimit);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	for (int i = 0; i < 2; i++)
		if (s->wake[i] >= 0)
			close(s->wake[i]);
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
	free(s->conns);
	free(s);
}

int rfo_broker_server_port(const struct rfo_broker_server *s)
{
	return s->port;
}

void rfo_broker_server_stop(struct rfo_broker_server *s)
{
	s->stop_requested = 1;
	char b = 1;
	ssize_t n = write(s->wake[1], &b, 1);
	(void)n;
}

static void accept_some(struct rfo_broker_server *s, size_t batch)
{
	for (size_t i = 0; i < batch && s->count < s->cap; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(s->listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
				rfo_broker_log("warning", "accept: %s", strerror(errno));
			return;
		}
		unsigned char peer[16] = {0};
		rfo_broker_addr_from_sockaddr(&ss, peer);
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		struct rfo_broker_conn *c = rfo_broker_conn_create(fd, peer, &s->env);
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
		if (!c || epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			if (c)
				rfo_broker_conn_destroy(c);
			else
				close(fd);
			return;
		}
		c->watched = EPOLLIN;
		s->conns[s->count++] = c;
	}
}

/* SIGTERM: take what the kernel already accepted, close the listener, let idle connections go */
static void begin_drain(struct rfo_broker_server *s)
{
	s->env.draining = true;
	accept_some(s, s->cap);
	close(s->listen_fd);
	s->listen_fd = -1;
	size_t busy = 0;
	for (size_t i = 0; i < s->count; i++) {
		rfo_broker_conn_drain(s->conns[i]);
		sync_conn(s, s->conns[i]);
		busy += !s->conns[i]->dead;
	}
	rfo_broker_log("info", "stopping: no new connections; finishing %zu request(s) in progress", busy);
}

static void reap(struct rfo_broker_server *s)
{
	s->reap_needed = false;
	size_t j = 0;
	for (size_t i = 0; i < s->count; i++) {
		if (s->conns[i]->dead)
			rfo_broker_conn_destroy(s->conns[i]);
		else
			s->conns[j++] = s->conns[i];
	}
	s->count = j;
}

/* at max_connections the listener leaves the epoll set (new connections wait in the kernel's backlog) */
static void sync_listener(struct rfo_broker_server *s)
{
	bool want = s->listen_fd >= 0 && s->count < (size_t)s->config.max_connections;
	if (want == s->listening || s->listen_fd < 0)
		return;
	struct epoll_event ev = {.events = want ? EPOLLIN : 0u, .data.u64 = (uint64_t)s->listen_fd << 8 | TAG_LISTEN};
	epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, s->listen_fd, &ev);
	s->listening = want;
}

static void scan_deadlines(struct rfo_broker_server *s)
{
	for (size_t i = 0; i < s->count; i++) {
		struct rfo_broker_conn *c = s->conns[i];
		if (!c->dead && c->deadline_ms > 0 && s->env.now_ms >= c->deadline_ms) {
			rfo_broker_conn_on_deadline(c);
			sync_conn(s, c);
		}
	}
}

static void on_event(struct rfo_broker_server *s, const struct epoll_event *ev)
{
	uint64_t tag = ev->data.u64 & 0xff;
	if (tag == TAG_WAKE) {
		char sink[64];
		while (read(s->wake[0], sink, sizeof(sink)) > 0)
			;
	} else if (tag == TAG_LISTEN) {
		if (s->listen_fd >= 0)
			accept_some(s, ACCEPT_BATCH);
	} else if (tag == TAG_CURL) {
		int bits = (ev->events & EPOLLIN ? CURL_CSELECT_IN : 0) |
			   (ev->events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
			   (ev->events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
		rfo_broker_upstream_socket(s->upstream, (curl_socket_t)(ev->data.u64 >> 8), bits);
	} else {
		struct rfo_broker_conn *c = ev->data.ptr;
		if (c->dead)
			return;
		if (c->state == RFO_BROKER_CONN_UPSTREAM) { /* the client sent more, or left: not before the reply */
			struct epoll_event none = {.events = 0, .data.ptr = c};
			epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, c->fd, &none);
			c->watched = 0;
			return;
		}
		short re = (short)((ev->events & EPOLLIN ? POLLIN : 0) | (ev->events & EPOLLOUT ? POLLOUT : 0) |
				   (ev->events & EPOLLERR ? POLLERR : 0) | (ev->events & EPOLLHUP ? POLLHUP : 0));
		rfo_broker_conn_on_ready(c, re);
		sync_conn(s, c);
	}
}

bool rfo_broker_server_run(struct rfo_broker_server *s)
{
	struct epoll_event events[EVENTS];
	double drain_until = 0, next_scan = 0;
	bool clean = true;
	for (;;) {
		s->env.now_ms = now_ms();
		if (s->stop_requested && !s->env.draining) {
			begin_drain(s);
			drain_until = s->env.now_ms + s->config.upstream_timeout_ms + s->config.request_timeout_ms +
				      DRAIN_SLACK_MS;
			reap(s);
		}
		if (s->env.draining && s->count == 0 && rfo_broker_upstream_in_flight(s->upstream) == 0)
			break;
		if (s->env.draining && s->env.now_ms > drain_until) {
			rfo_broker_log("warning", "stopping: %zu connection(s) still open at the drain limit",
				       s->count);
			clean = false;
			break;
		}
		sync_listener(s);
		double until = next_scan, curl_due = rfo_broker_upstream_deadline(s->upstream);
		if (curl_due > 0 && curl_due < until)
			until = curl_due;
		double wait = until - s->env.now_ms;
		int n = epoll_wait(s->epoll_fd, events, EVENTS, wait <= 0 ? 0 : wait > 1000 ? 1000 : (int)wait + 1);
		if (n < 0 && errno != EINTR)
			rfo_broker_log("warning", "epoll_wait: %s", strerror(errno));
		s->env.now_ms = now_ms();
		for (int i = 0; i < n; i++)
			on_event(s, &events[i]);
		curl_due = rfo_broker_upstream_deadline(s->upstream);
		if (curl_due > 0 && s->env.now_ms >= curl_due)
			rfo_broker_upstream_timeout(s->upstream);
		if (s->env.now_ms >= next_scan) {
			scan_deadlines(s);
			next_scan = s->env.now_ms + SCAN_MS;
		}
		if (s->reap_needed)
			reap(s);
		rfo_broker_log_flush();
	}
	return clean;
}
