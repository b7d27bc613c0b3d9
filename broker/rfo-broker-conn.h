/* restream-token-broker: one client connection — read a request, answer it, keep the connection or close it. */
#pragma once

#include "rfo-broker-buf.h"
#include "rfo-broker-config.h"
#include "rfo-broker-http.h"
#include "rfo-broker-ratelimit.h"
#include "rfo-broker-routes.h"

#include <stdbool.h>

/* what every connection shares, owned by the server */
struct rfo_broker_env {
	const struct rfo_broker_config *config;
	const struct rfo_broker_routes *routes;
	struct rfo_broker_ratelimit *ratelimit; /* NULL: no rate limit */
	bool draining;                          /* SIGTERM: no new requests after those received */
	double now_ms;                          /* monotonic, set by the loop once per turn */
};

enum rfo_broker_conn_state {
	RFO_BROKER_CONN_READING,  /* waiting for (the rest of) a request */
	RFO_BROKER_CONN_UPSTREAM, /* its request is with Restream */
	RFO_BROKER_CONN_WRITING,  /* sending the reply */
	RFO_BROKER_CONN_LINGER,   /* reply sent, write side shut: reading what is left so the reply is not reset */
};

struct rfo_broker_conn {
	int fd;
	const struct rfo_broker_env *env;
	enum rfo_broker_conn_state state;
	bool dead;        /* the server closes and frees it */
	unsigned watched; /* the server's: the epoll events it is registered for */
	unsigned char peer[16];
	char *in; /* request bytes: head + body (+ a pipelined next request) */
	size_t in_len;
	size_t in_high; /* the most bytes it ever held (what to wipe) */
	struct rfo_broker_buf out;
	size_t out_off;
	double deadline_ms; /* 0: none (while upstream, whose own limit applies) */
	/* the request being served */
	bool started; /* a byte of it arrived */
	bool continue_sent;
	bool close_after;
	double t0_ms;
	struct rfo_broker_request req;
	const char *method; /* for the access log: "GET", "POST" or "other" */
	const char *route;
	int status;
	double upstream_ms;
};

struct rfo_broker_conn *rfo_broker_conn_create(int fd, const unsigned char peer[16], const struct rfo_broker_env *env);
/* closes the socket and wipes the buffers */
void rfo_broker_conn_destroy(struct rfo_broker_conn *c);

/* the poll events it waits for now (0 while its request is upstream) */
short rfo_broker_conn_events(const struct rfo_broker_conn *c);
void rfo_broker_conn_on_ready(struct rfo_broker_conn *c, short revents);
void rfo_broker_conn_on_upstream(struct rfo_broker_conn *c, const struct rfo_broker_upstream_result *res);
/* past deadline_ms: a half-sent request gets 408, an idle connection or a stalled reader is closed */
void rfo_broker_conn_on_deadline(struct rfo_broker_conn *c);
/* SIGTERM: an idle connection takes a request already in its socket, else it closes; others finish */
void rfo_broker_conn_drain(struct rfo_broker_conn *c);
