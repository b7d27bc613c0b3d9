#pragma once
/* Internals shared by rfo-ws.c (the socket thread and its lifecycle: create/start/stop/destroy, the lws
 * context, wake-ups) and rfo-ws-conn.c (the connection state machine run on that thread: connect, host name
 * lookup, backoff, deadlines and pings, the lws callback). Not for use outside plugin/net/rfo-ws*.c. */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libwebsockets.h>
#include <util/base.h>
#include <util/bmem.h>
#include <util/platform.h>
#include <util/threading.h>

#include "rfo-url.h"
#include "rfo-ws.h"
#include "rfo-ws-msg.h"
#include "rfo-ws-resolve.h"

/* The name is only known at run time, so the sub-prefix is a format argument here. */
#define ws_log(ws, level, format, ...) blog(level, "[restream-for-obs/%s] " format, (ws)->name, ##__VA_ARGS__)

#define NS_PER_MS 1000000ULL
#define NS_PER_S 1000000000ULL

enum phase {
	PHASE_WAIT_URL,   /* no URL (signed out) or URL refused: wait for rfo_ws_reconnect() */
	PHASE_BACKOFF,    /* next attempt at next_attempt_ns */
	PHASE_RESOLVING,  /* host name lookup running (resolve) */
	PHASE_CONNECTING, /* wsi being connected */
	PHASE_CONNECTED,
};

struct rfo_ws {
	/* config (copied, immutable while running) */
	char *name;
	char *thread_name;
	char *(*get_url)(void *param);
	void (*on_state)(void *param, enum rfo_ws_state state, int http_status, const char *reason);
	void (*on_message)(void *param, const char *text, size_t len);
	void *param;
	uint64_t ping_interval_ns;
	int max_missed_pongs;
	uint64_t idle_timeout_ns;
	uint32_t *backoff;    /* copy of the table, referenced by retry */
	lws_retry_bo_t retry; /* backoff table + jitter; also disables lws' own idle pings */
	int connect_timeout_s;
#if LWS_LIBRARY_VERSION_NUMBER >= 4003000
	lws_log_cx_t log_cx; /* the ws thread's own (see rfo_ws_log_cx_init) */
#endif

	/* cross-thread */
	/* Guards ctx (for lws_cancel_service), thread_active. Taken inside the chat feed's ws_mutex (rfo_ws_reconnect);
	 * nothing else is locked while it is held. */
	pthread_mutex_t mutex;
	bool mutex_ok;
	struct lws_context *ctx;
	os_event_t *wake; /* wakes the thread while there is no lws context yet */
	pthread_t thread;
	bool thread_active;
	/* Set by any thread (rfo_ws_stop/rfo_ws_reconnect), taken by the ws thread; read through stop_requested(). */
	volatile bool stop_req;
	volatile bool reconnect_req;
	volatile long state;

	/* ws thread only */
	enum phase phase;
	struct lws *wsi; /* current connection, NULL when none */
	struct rfo_ws_resolve *resolve;
	struct rfo_url_parts target; /* where the attempt in progress goes (path has the token) */
	char *attempt_target;        /* path?query of the last attempt (a secret), for callbacks */
	bool proven;                 /* the current connection delivered a data message */
	struct lws *closing_wsi;     /* being closed politely (close frame on next writeable) */
	uintptr_t gen;               /* connection generation, in the wsi's opaque user data */
	uint16_t retry_count;
	uint64_t next_attempt_ns;
	uint64_t connect_deadline_ns;
	uint64_t connected_ns;
	uint64_t last_rx_ns;
	uint64_t next_ping_ns;
	bool awaiting_pong;
	bool ping_due;
	int missed_pongs;
	uint16_t peer_close_code;
	struct rfo_ws_msg msg;
	bool msg_drop_logged;
	lws_sorted_usec_list_t sul;
};

static inline bool stop_requested(struct rfo_ws *ws)
{
	return os_atomic_load_bool(&ws->stop_req);
}

static inline void set_state(struct rfo_ws *ws, enum rfo_ws_state state, int http_status, const char *reason)
{
	long old = os_atomic_set_long(&ws->state, (long)state);
	if (old == (long)state)
		return;
	if (ws->on_state)
		ws->on_state(ws->param, state, http_status, reason);
}

static inline void wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		bfree(s);
	}
}

static inline void target_free(struct rfo_ws *ws)
{
	if (ws->target.path)
		memset(ws->target.path, 0, strlen(ws->target.path)); /* carries the token */
	rfo_url_parts_free(&ws->target);
	memset(&ws->target, 0, sizeof(ws->target));
}

/* ---- the connection state machine (rfo-ws-conn.c), on the ws thread ---------------------------- */

/* Runs after every service round: requests, deadlines, pings. */
void rfo_ws_housekeeping(struct rfo_ws *ws);
/* When housekeeping is due next (UINT64_MAX: only on a wake-up). */
uint64_t rfo_ws_next_deadline(struct rfo_ws *ws);
/* The lws protocol callback (rfo-ws.c registers it with the context). */
int rfo_ws_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

/* ---- the socket thread (rfo-ws.c) -------------------------------------------------------------- */

/* Makes ws->ctx (at the first connection attempt); false and logged on failure. */
bool rfo_ws_context_create(struct rfo_ws *ws);
