/* restream-token-broker: the listener, the connections and the one event loop.
 *
 * One thread: curl_multi_poll waits on Restream's sockets and on the broker's own (the listener, the clients and
 * a self-pipe that SIGTERM writes to), so requests never wait on a lock or a queue. */
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RATE_TABLE 16384
#define ACCEPT_BATCH 64
#define DRAIN_SLACK_MS 2000

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
	/* one turn's poll set: fds[i] belongs to owner[i] (NULL for the pipe and the listener) */
	struct pollfd *fds;
	struct rfo_broker_conn **owner;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void on_upstream_done(void *ctx, const struct rfo_broker_upstream_result *res)
{
	rfo_broker_conn_on_upstream(ctx, res);
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
	s->listen_fd = s->wake[0] = s->wake[1] = -1;
	snprintf(s->redirect_uri, sizeof(s->redirect_uri), "%s/redirect", config->public_url);
	s->cap = (size_t)config->max_connections + ACCEPT_BATCH + 512; /* a drain takes the whole backlog */
	s->conns = calloc(s->cap, sizeof(*s->conns));
	s->fds = calloc(s->cap + 2, sizeof(*s->fds));
	s->owner = calloc(s->cap + 2, sizeof(*s->owner));
	s->upstream = rfo_broker_upstream_create(config->upstream, auth_header, config->upstream_timeout_ms,
						 on_upstream_done);
	if (!s->conns || !s->fds || !s->owner || !s->upstream || pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
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
	free(s->conns);
	free(s->fds);
	free(s->owner);
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
		if (!c) {
			close(fd);
			return;
		}
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
		busy += !s->conns[i]->dead;
	}
	rfo_broker_log("info", "stopping: no new connections; finishing %zu request(s) in progress", busy);
}

static void reap(struct rfo_broker_server *s)
{
	size_t j = 0;
	for (size_t i = 0; i < s->count; i++) {
		if (s->conns[i]->dead)
			rfo_broker_conn_destroy(s->conns[i]);
		else
			s->conns[j++] = s->conns[i];
	}
	s->count = j;
}

/* builds the poll set; returns its size and the time to the next deadline (capped at a second) */
static nfds_t poll_set(struct rfo_broker_server *s, int *timeout_ms)
{
	nfds_t n = 0;
	double next = s->env.now_ms + 1000;
	s->fds[n] = (struct pollfd){.fd = s->wake[0], .events = POLLIN};
	s->owner[n++] = NULL;
	if (s->listen_fd >= 0 && s->count < (size_t)s->config.max_connections) {
		s->fds[n] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
		s->owner[n++] = NULL;
	}
	for (size_t i = 0; i < s->count; i++) {
		struct rfo_broker_conn *c = s->conns[i];
		if (c->deadline_ms > 0 && c->deadline_ms < next)
			next = c->deadline_ms;
		short ev = rfo_broker_conn_events(c);
		if (!ev)
			continue;
		s->fds[n] = (struct pollfd){.fd = c->fd, .events = ev};
		s->owner[n++] = c;
	}
	double wait = next - s->env.now_ms;
	*timeout_ms = wait <= 0 ? 0 : (int)wait + 1;
	return n;
}

bool rfo_broker_server_run(struct rfo_broker_server *s)
{
	double drain_until = 0;
	struct curl_waitfd *waits = calloc(s->cap + 2, sizeof(*waits));
	if (!waits)
		return false;
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
		int timeout = 0;
		nfds_t n = poll_set(s, &timeout);
		for (nfds_t i = 0; i < n; i++)
			waits[i] = (struct curl_waitfd){.fd = s->fds[i].fd, .events = CURL_WAIT_POLLIN};
		for (nfds_t i = 0; i < n; i++)
			if (s->fds[i].events & POLLOUT)
				waits[i].events = CURL_WAIT_POLLOUT;
		rfo_broker_upstream_wait(s->upstream, waits, (unsigned)n, timeout);
		/* curl_multi_poll does not report which of our fds woke it: ask the kernel without waiting */
		if (poll(s->fds, n, 0) < 0 && errno != EINTR)
			rfo_broker_log("warning", "poll: %s", strerror(errno));
		s->env.now_ms = now_ms();
		rfo_broker_upstream_run(s->upstream);
		for (nfds_t i = 0; i < n; i++) {
			short re = s->fds[i].revents;
			if (!re)
				continue;
			if (!s->owner[i] && s->fds[i].fd == s->wake[0]) {
				char sink[64];
				while (read(s->wake[0], sink, sizeof(sink)) > 0)
					;
			} else if (!s->owner[i]) {
				if (s->listen_fd >= 0)
					accept_some(s, ACCEPT_BATCH);
			} else {
				rfo_broker_conn_on_ready(s->owner[i], re);
			}
		}
		for (size_t i = 0; i < s->count; i++) {
			struct rfo_broker_conn *c = s->conns[i];
			if (!c->dead && c->deadline_ms > 0 && s->env.now_ms >= c->deadline_ms)
				rfo_broker_conn_on_deadline(c);
		}
		reap(s);
		rfo_broker_log_flush();
	}
	free(waits);
	return clean;
}
