/* restream-token-broker: one client connection — read a request, answer it, keep the connection or close it.
 *
 * Time limits: a request must arrive whole within request_timeout_ms of its first byte (slow clients are cut with
 * 408), a reply must be taken within request_timeout_ms, and a kept-alive connection may idle idle_timeout_ms. */
#define _GNU_SOURCE /* POSIX and Linux calls (clock_gettime, sigaction, strtok_r, O_CLOEXEC…) in strict C11 too */
#include "rfo-broker-conn.h"
#include "rfo-broker-addr.h"
#include "rfo-broker-log.h"
#include "rfo-broker-reply.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IN_CAP (RFO_BROKER_HEAD_MAX + RFO_BROKER_BODY_MAX)
#define LINGER_MS 1000

static void process(struct rfo_broker_conn *c);

/* the log's latency reads the clock itself: the loop's now_ms is taken before the upstream transfers run */
static double clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct rfo_broker_conn *rfo_broker_conn_create(int fd, const unsigned char peer[16], const struct rfo_broker_env *env)
{
	struct rfo_broker_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->in = malloc(IN_CAP + 1);
	if (!c->in) {
		free(c);
		return NULL;
	}
	c->fd = fd;
	c->env = env;
	memcpy(c->peer, peer, 16);
	c->state = RFO_BROKER_CONN_READING;
	c->deadline_ms = env->now_ms + env->config->request_timeout_ms;
	return c;
}

void rfo_broker_conn_destroy(struct rfo_broker_conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	rfo_broker_wipe(c->in, c->in_high); /* only what was written: wiping all would touch pages never used */
	free(c->in);
	rfo_broker_buf_free(&c->out);
	free(c);
}

short rfo_broker_conn_events(const struct rfo_broker_conn *c)
{
	switch (c->state) {
	case RFO_BROKER_CONN_READING:
	case RFO_BROKER_CONN_LINGER:
		return POLLIN;
	case RFO_BROKER_CONN_WRITING:
		return POLLOUT;
	default:
		return 0;
	}
}

static void finished(struct rfo_broker_conn *c)
{
	const struct rfo_broker_env *env = c->env;
	rfo_broker_log_access(c->method ? c->method : "-", c->route ? c->route : "-", c->status, clock_ms() - c->t0_ms,
			      c->upstream_ms);
	rfo_broker_buf_reset(&c->out);
	c->out_off = 0;
	if (c->close_after || env->draining) {
		/* closing with unread bytes would reset the connection and could destroy the reply in flight */
		shutdown(c->fd, SHUT_WR);
		c->state = RFO_BROKER_CONN_LINGER;
		c->deadline_ms = env->now_ms + LINGER_MS;
		return;
	}
	size_t used = c->req.head_len + c->req.content_length;
	rfo_broker_wipe(c->in, used);
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	c->started = c->continue_sent = false;
	c->method = c->route = NULL;
	c->upstream_ms = -1;
	c->state = RFO_BROKER_CONN_READING;
	c->deadline_ms = env->now_ms + env->config->idle_timeout_ms;
	if (c->in_len > 0)
		process(c); /* a pipelined request */
}

static void write_some(struct rfo_broker_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			c->dead = true;
			return;
		}
		c->out_off += (size_t)n;
	}
	finished(c);
}

static void start_reply(struct rfo_broker_conn *c)
{
	c->state = RFO_BROKER_CONN_WRITING;
	c->deadline_ms = c->env->now_ms + c->env->config->request_timeout_ms;
	write_some(c);
}

static void error_reply(struct rfo_broker_conn *c, int status, const char *text, const char *retry_after)
{
	const char *word = status == 429   ? "rate_limited"
			   : status == 413 ? "request_too_large"
			   : status == 408 ? "request_timeout"
					   : "invalid_request";
	c->status = status;
	rfo_broker_reply_json_error(&c->out, status, word, text, retry_after, c->close_after);
	start_reply(c);
}

/* the address the rate limit counts: the peer, or what a trusted proxy says the client was */
static void client_key(const struct rfo_broker_conn *c, unsigned char key[16])
{
	const struct rfo_broker_config *cfg = c->env->config;
	unsigned char addr[16];
	memcpy(addr, c->peer, 16);
	for (size_t i = 0; i < cfg->trusted_proxy_count; i++) {
		if (memcmp(c->peer, cfg->trusted_proxies[i], 16) == 0) {
			if (c->req.forwarded_for[0])
				rfo_broker_addr_parse(c->req.forwarded_for, addr);
			break;
		}
	}
	rfo_broker_addr_rate_key(addr, key);
}

static void dispatch(struct rfo_broker_conn *c)
{
	const struct rfo_broker_env *env = c->env;
	c->close_after = !c->req.keep_alive || env->draining;
	c->method = c->req.method == RFO_BROKER_GET ? "GET" : c->req.method == RFO_BROKER_POST ? "POST" : "other";
	c->route = rfo_broker_routes_name(&c->req);
	if (env->ratelimit && rfo_broker_routes_limited(&c->req)) {
		unsigned char key[16];
		int wait = 1;
		client_key(c, key);
		if (!rfo_broker_ratelimit_take(env->ratelimit, key, env->now_ms / 1000.0, &wait)) {
			char retry[16];
			snprintf(retry, sizeof(retry), "%d", wait);
			error_reply(c, 429, "too many requests from this address; try again later", retry);
			return;
		}
	}
	const char *body = c->in + c->req.head_len;
	if (rfo_broker_routes_handle(env->routes, &c->req, body, &c->out, c->close_after, c, &c->status) ==
	    RFO_BROKER_ROUTE_UPSTREAM) {
		c->state = RFO_BROKER_CONN_UPSTREAM;
		c->deadline_ms = 0;
	} else {
		start_reply(c);
	}
}

static void process(struct rfo_broker_conn *c)
{
	const struct rfo_broker_env *env = c->env;
	if (!c->started) {
		c->started = true;
		c->t0_ms = env->now_ms;
		c->upstream_ms = -1;
		c->deadline_ms = env->now_ms + env->config->request_timeout_ms;
	}
	enum rfo_broker_parse r = rfo_broker_http_parse(c->in, c->in_len, &c->req);
	if (r == RFO_BROKER_PARSE_MORE)
		return;
	if (r == RFO_BROKER_PARSE_ERROR) {
		c->close_after = true; /* the stream cannot be trusted past a bad request */
		c->method = "-";
		c->route = "-";
		error_reply(c, c->req.error_status, c->req.error_text, NULL);
		return;
	}
	if (c->in_len < c->req.head_len + c->req.content_length) {
		if (c->req.expect_continue && !c->continue_sent && c->in_len == c->req.head_len) {
			static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
			c->continue_sent = true;
			if (send(c->fd, cont, sizeof(cont) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) != sizeof(cont) - 1)
				c->dead = true;
		}
		return;
	}
	dispatch(c);
}

static void read_some(struct rfo_broker_conn *c)
{
	if (c->in_len == IN_CAP)
		return; /* a whole request is there; the rest waits for its turn */
	ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		c->dead = true; /* the client left; a half-sent request cannot be answered */
		return;
	}
	c->in_len += (size_t)n;
	if (c->in_len > c->in_high)
		c->in_high = c->in_len;
	process(c);
}

void rfo_broker_conn_on_ready(struct rfo_broker_conn *c, short revents)
{
	if (c->state == RFO_BROKER_CONN_READING && (revents & (POLLIN | POLLHUP | POLLERR))) {
		read_some(c);
	} else if (c->state == RFO_BROKER_CONN_WRITING && (revents & (POLLOUT | POLLHUP | POLLERR))) {
		write_some(c);
	} else if (c->state == RFO_BROKER_CONN_LINGER && (revents & (POLLIN | POLLHUP | POLLERR))) {
		char sink[4096];
		ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			c->dead = true;
	}
}

void rfo_broker_conn_on_upstream(struct rfo_broker_conn *c, const struct rfo_broker_upstream_result *res)
{
	c->close_after = c->close_after || c->env->draining;
	c->status = rfo_broker_routes_upstream_reply(res, &c->out, c->close_after);
	c->upstream_ms = res->ms;
	start_reply(c);
}

void rfo_broker_conn_on_deadline(struct rfo_broker_conn *c)
{
	if (c->state == RFO_BROKER_CONN_READING && c->started && c->in_len > 0) {
		c->close_after = true;
		c->method = c->route = "-";
		error_reply(c, 408, "the request did not arrive in time", NULL);
		return;
	}
	c->dead = true; /* idle, a reader that does not take its reply, or a linger that is over */
}

void rfo_broker_conn_drain(struct rfo_broker_conn *c)
{
	if (c->state != RFO_BROKER_CONN_READING || c->started)
		return; /* it finishes, then closes */
	read_some(c);   /* a request already in the socket was sent before the stop: it is served */
	if (!c->dead && !c->started)
		c->dead = true;
}
