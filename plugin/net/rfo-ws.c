#include "rfo-ws.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#include "rfo-error.h"
#include "rfo-log.h"
#include "rfo-url.h"
#include "rfo-ws-log.h"
#include "rfo-ws-msg.h"
#include "rfo-ws-resolve.h"

/* The name is only known at run time, so the sub-prefix is a format argument here. */
#define ws_log(ws, level, format, ...) blog(level, "[restream-for-obs/%s] " format, (ws)->name, ##__VA_ARGS__)

#define NS_PER_MS 1000000ULL
#define NS_PER_S 1000000000ULL
/* When a connection is lost, the backoff position starts over if the connection had proven useful: a whole data
 * message arrived (chat's connection_info/heartbeat, a streaming update) and it stayed up at least twice the
 * first delay; or, for a socket that is silent by design (streaming while nothing is live), it stayed up STABLE_NS.
 * An upgrade alone does not count, nor a greeting followed at once by a close (a connection limit): a server that
 * accepts and drops sockets keeps being backed off. */
#define STABLE_NS (30 * NS_PER_S)
#define DEFAULT_MAX_MESSAGE (1024 * 1024)
#define DEFAULT_CONNECT_TIMEOUT_S 10

static const uint32_t default_backoff[] = {1000, 2000, 5000, 10000, 30000, 60000};

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
	pthread_mutex_t mutex; /* guards ctx (for lws_cancel_service), thread_active */
	bool mutex_ok;
	struct lws_context *ctx;
	os_event_t *wake; /* wakes the thread while there is no lws context yet */
	pthread_t thread;
	bool thread_active;
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

const char *rfo_ws_state_name(enum rfo_ws_state state)
{
	switch (state) {
	case RFO_WS_CONNECTING:
		return "connecting";
	case RFO_WS_CONNECTED:
		return "connected";
	case RFO_WS_DISCONNECTED:
		break;
	}
	return "disconnected";
}

/* ------------------------------------------------------------------------------------------ */

static void set_state(struct rfo_ws *ws, enum rfo_ws_state state, int http_status, const char *reason)
{
	long old = os_atomic_set_long(&ws->state, (long)state);
	if (old == (long)state)
		return;
	if (ws->on_state)
		ws->on_state(ws->param, state, http_status, reason);
}

static bool is_current(struct rfo_ws *ws, struct lws *wsi)
{
	return wsi && wsi == ws->wsi && (uintptr_t)lws_get_opaque_user_data(wsi) == ws->gen;
}

/* The ws whose thread this is (rfo_ws_callback_query_value). */
static __thread struct rfo_ws *thread_ws;

static void wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		bfree(s);
	}
}

static void target_free(struct rfo_ws *ws)
{
	if (ws->target.path)
		memset(ws->target.path, 0, strlen(ws->target.path)); /* carries the token */
	rfo_url_parts_free(&ws->target);
	memset(&ws->target, 0, sizeof(ws->target));
}

/* Closes the current connection without reporting anything. */
static void drop_connection(struct rfo_ws *ws)
{
	struct lws *wsi = ws->wsi;
	ws->wsi = NULL;
	ws->gen++;
	rfo_ws_msg_reset(&ws->msg);
	rfo_ws_resolve_release(ws->resolve); /* abandons a running lookup */
	ws->resolve = NULL;
	target_free(ws);
	if (!wsi)
		return;
	if (ws->phase == PHASE_CONNECTED && !ws->closing_wsi) {
		/* polite close: a close frame on the next writeable, killed anyway after 2 s */
		ws->closing_wsi = wsi;
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, 2);
		lws_callback_on_writable(wsi);
	} else {
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	}
}

static uint64_t backoff_delay_ns(struct rfo_ws *ws)
{
	char conceal;
	return (uint64_t)lws_retry_get_delay_ms(ws->ctx, &ws->retry, &ws->retry_count, &conceal) * NS_PER_MS;
}

/* The connection failed or was lost: report it and schedule the next attempt. */
static void connection_lost(struct rfo_ws *ws, int http_status, const char *reason)
{
	uint64_t now = os_gettime_ns();
	uint64_t up = ws->phase == PHASE_CONNECTED ? now - ws->connected_ns : 0;
	if (up >= STABLE_NS || (ws->proven && up >= 2ULL * ws->retry.retry_ms_table[0] * NS_PER_MS))
		ws->retry_count = 0;
	drop_connection(ws);
	uint64_t delay = backoff_delay_ns(ws);
	ws->phase = PHASE_BACKOFF;
	ws->next_attempt_ns = now + delay;
	ws_log(ws, LOG_INFO, "disconnected: %s; reconnecting in %.1f s", reason, (double)delay / 1e9);
	set_state(ws, RFO_WS_DISCONNECTED, http_status, reason);
}

/* Connects to ws->target at the numeric `address`, then forgets the target. */
static void connect_to(struct rfo_ws *ws, const char *address)
{
	struct rfo_url_parts *t = &ws->target;
	struct dstr host = {0};
	bool v6 = strchr(t->host, ':') != NULL;
	if ((t->tls && t->port == 443) || (!t->tls && t->port == 80))
		dstr_printf(&host, v6 ? "[%s]" : "%s", t->host);
	else
		dstr_printf(&host, v6 ? "[%s]:%d" : "%s:%d", t->host, t->port);

	struct lws_client_connect_info info = {0};
	info.context = ws->ctx;
	info.address = address;
	info.port = t->port;
	/* full certificate and host name checks (against info.host, not the address): never
	 * LCCSCF_ALLOW_SELFSIGNED / LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK */
	info.ssl_connection = (t->tls ? LCCSCF_USE_SSL : 0) | LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
	info.path = t->path;
	info.host = host.array;
	info.origin = host.array;
	info.ietf_version_or_minus_one = -1;
	info.local_protocol_name = "rfo-ws";
	info.opaque_user_data = (void *)++ws->gen;
	info.pwsi = &ws->wsi;
	info.retry_and_idle_policy = &ws->retry;
	rfo_ws_log_clear_tls_error();

	ws->phase = PHASE_CONNECTING;
	struct lws *wsi = lws_client_connect_via_info(&info); /* lws copies what it keeps */
	dstr_free(&host);
	target_free(ws);
	if (!wsi && ws->phase == PHASE_CONNECTING) {
		ws->wsi = NULL;
		connection_lost(ws, 0, "could not start the connection");
	}
}

static bool create_context(struct rfo_ws *ws);

static void start_connect(struct rfo_ws *ws)
{
	struct rfo_error err;
	rfo_error_clear(&err);

	char *url = ws->get_url(ws->param);
	if (!url) {
		ws->phase = PHASE_WAIT_URL;
		set_state(ws, RFO_WS_DISCONNECTED, 0, "not signed in");
		return;
	}
	wipe_free(ws->attempt_target);
	ws->attempt_target = NULL;
	bool ok = rfo_url_check(url, &err);
	if (ok) {
		target_free(ws);
		ok = rfo_url_parts_parse(url, &ws->target) && ws->target.host && *ws->target.host &&
		     (strcmp(ws->target.scheme, "ws") == 0 || strcmp(ws->target.scheme, "wss") == 0);
		if (!ok) {
			target_free(ws);
			rfo_error_set(&err, RFO_ERR_INVALID, "not a ws:// or wss:// URL");
		}
	}
	if (ok)
		ws->attempt_target = bstrdup(ws->target.path ? ws->target.path : "");
	memset(url, 0, strlen(url));
	bfree(url);
	if (!ok) {
		ws_log(ws, LOG_WARNING, "WebSocket URL refused: %s", err.message);
		ws->phase = PHASE_WAIT_URL;
		set_state(ws, RFO_WS_DISCONNECTED, 0, err.message[0] ? err.message : "URL refused");
		return;
	}

	if (!ws->ctx && !create_context(ws)) {
		ws->phase = PHASE_WAIT_URL;
		set_state(ws, RFO_WS_DISCONNECTED, 0, "internal error");
		return;
	}
	rfo_ws_msg_reset(&ws->msg);
	ws->connect_deadline_ns = os_gettime_ns() + (uint64_t)ws->connect_timeout_s * NS_PER_S;
	set_state(ws, RFO_WS_CONNECTING, 0, NULL);
	if (rfo_ws_host_is_numeric(ws->target.host)) {
		connect_to(ws, ws->target.host);
		return;
	}
	ws->resolve = rfo_ws_resolve_start(ws->target.host);
	ws->phase = PHASE_RESOLVING;
	if (!ws->resolve)
		connection_lost(ws, 0, "could not start the host name lookup");
}

/* PHASE_RESOLVING: connect once the lookup has finished. */
static void check_resolve(struct rfo_ws *ws, uint64_t now)
{
	char addr[64], error[200];
	if (rfo_ws_resolve_poll(ws->resolve, addr, sizeof(addr), error, sizeof(error))) {
		rfo_ws_resolve_release(ws->resolve);
		ws->resolve = NULL;
		if (addr[0])
			connect_to(ws, addr);
		else
			connection_lost(ws, 0, error);
	} else if (now >= ws->connect_deadline_ns) {
		connection_lost(ws, 0, "host name lookup timed out");
	}
}

/* Runs on the ws thread after every service round: requests, deadlines, pings. */
static void housekeeping(struct rfo_ws *ws)
{
	uint64_t now = os_gettime_ns();

	if (os_atomic_set_bool(&ws->reconnect_req, false)) {
		/* no DISCONNECTED in between: CONNECTED -> CONNECTING (or DISCONNECTED with the reason
		 * when there is no usable URL any more) */
		if (ws->phase == PHASE_CONNECTED || ws->phase == PHASE_CONNECTING || ws->phase == PHASE_RESOLVING) {
			drop_connection(ws);
			ws_log(ws, LOG_INFO, "reconnecting now");
		}
		ws->phase = PHASE_BACKOFF;
		ws->next_attempt_ns = now;
	}

	switch (ws->phase) {
	case PHASE_WAIT_URL:
		break;
	case PHASE_BACKOFF:
		if (now >= ws->next_attempt_ns)
			start_connect(ws);
		break;
	case PHASE_RESOLVING:
		check_resolve(ws, now);
		break;
	case PHASE_CONNECTING:
		if (now >= ws->connect_deadline_ns)
			connection_lost(ws, 0, "connect timed out");
		break;
	case PHASE_CONNECTED:
		if (ws->idle_timeout_ns && now - ws->last_rx_ns >= ws->idle_timeout_ns) {
			connection_lost(ws, 0, "no message from the server in time");
			break;
		}
		if (ws->ping_interval_ns && now >= ws->next_ping_ns) {
			if (ws->awaiting_pong && ++ws->missed_pongs >= ws->max_missed_pongs) {
				connection_lost(ws, 0, "server stopped answering pings");
				break;
			}
			ws->awaiting_pong = true;
			ws->ping_due = true;
			ws->next_ping_ns = now + ws->ping_interval_ns;
			lws_callback_on_writable(ws->wsi);
		}
		break;
	}
}

static uint64_t next_deadline(struct rfo_ws *ws)
{
	uint64_t d = UINT64_MAX;
	switch (ws->phase) {
	case PHASE_WAIT_URL:
		break;
	case PHASE_BACKOFF:
		d = ws->next_attempt_ns;
		break;
	case PHASE_RESOLVING: /* poll the lookup every 20 ms */
		d = os_gettime_ns() + 20 * NS_PER_MS;
		if (ws->connect_deadline_ns < d)
			d = ws->connect_deadline_ns;
		break;
	case PHASE_CONNECTING:
		d = ws->connect_deadline_ns;
		break;
	case PHASE_CONNECTED:
		if (ws->idle_timeout_ns)
			d = ws->last_rx_ns + ws->idle_timeout_ns;
		if (ws->ping_interval_ns && ws->next_ping_ns < d)
			d = ws->next_ping_ns;
		break;
	}
	return d;
}

/* lws runs ripe timers at the start of lws_service() and then polls until the next one, so a timer
 * that only "woke" the loop would let the poll sleep past our deadline. Interrupt the poll instead;
 * housekeeping() runs after lws_service() returns. */
static void sul_wake(lws_sorted_usec_list_t *sul)
{
	struct rfo_ws *ws = lws_container_of(sul, struct rfo_ws, sul);
	if (ws->ctx)
		lws_cancel_service(ws->ctx);
}

static void on_receive(struct rfo_ws *ws, struct lws *wsi, const char *in, size_t len)
{
	ws->last_rx_ns = os_gettime_ns();
	enum rfo_ws_msg_result r =
		rfo_ws_msg_feed(&ws->msg, in, len, lws_is_first_fragment(wsi) != 0, lws_is_final_fragment(wsi) != 0);
	if (r != RFO_WS_MSG_MORE)
		ws->proven = true; /* the server serves this socket (see STABLE_NS) */
	if (r == RFO_WS_MSG_DROPPED && !ws->msg_drop_logged) {
		ws_log(ws, LOG_WARNING, "dropped a message larger than %zu bytes", ws->msg.max);
		ws->msg_drop_logged = true;
	} else if (r == RFO_WS_MSG_READY && !lws_frame_is_binary(wsi) && ws->on_message) {
		ws->on_message(ws->param, ws->msg.buf, ws->msg.len);
	}
	if (r != RFO_WS_MSG_MORE)
		rfo_ws_msg_reset(&ws->msg);
}

static int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct rfo_ws *ws = lws_context_user(lws_get_context(wsi));
	(void)user;
	if (!ws)
		return 0;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = in, *end = *p + len;
		static const char ua[] = "restream-for-obs";
		if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_USER_AGENT, (const unsigned char *)ua,
						 (int)sizeof(ua) - 1, p, end))
			return -1;
		break;
	}
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (is_current(ws, wsi)) {
			int status = (int)lws_http_client_http_response(wsi);
			char reason_buf[200];
			/* a TLS failure: lws 4.1 says "...SSL...", 4.3 "server's cert didn't look good, tls=..." */
			if (status > 0 && status != 101)
				snprintf(reason_buf, sizeof(reason_buf), "upgrade refused (HTTP %d)", status);
			else if (rfo_ws_log_tls_error()[0] && in && (astrstri(in, "SSL") || astrstri(in, "tls=")))
				snprintf(reason_buf, sizeof(reason_buf), "TLS handshake failed: %s",
					 rfo_ws_log_tls_error());
			else
				rfo_ws_log_strip_queries(reason_buf, sizeof(reason_buf),
							 in && len ? (const char *)in : "could not connect");
			ws->wsi = NULL;
			connection_lost(ws, status != 101 ? status : 0, reason_buf);
		}
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (is_current(ws, wsi)) {
			uint64_t now = os_gettime_ns();
			ws->phase = PHASE_CONNECTED;
			ws->connected_ns = now;
			ws->last_rx_ns = now;
			ws->next_ping_ns = now + ws->ping_interval_ns;
			ws->awaiting_pong = false;
			ws->ping_due = false;
			ws->missed_pongs = 0;
			ws->peer_close_code = 0;
			ws->msg_drop_logged = false;
			ws->proven = false;
			rfo_ws_msg_reset(&ws->msg);
			ws_log(ws, LOG_INFO, "connected");
			set_state(ws, RFO_WS_CONNECTED, 0, NULL);
		}
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (is_current(ws, wsi))
			on_receive(ws, wsi, in, len);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		if (is_current(ws, wsi)) {
			ws->awaiting_pong = false;
			ws->missed_pongs = 0;
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (wsi == ws->closing_wsi) {
			ws->closing_wsi = NULL;
			lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, NULL, 0);
			return -1;
		}
		if (is_current(ws, wsi) && ws->ping_due) {
			unsigned char buf[LWS_PRE + 4];
			ws->ping_due = false;
			if (lws_write(wsi, buf + LWS_PRE, 0, LWS_WRITE_PING) < 0)
				return -1;
		}
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (is_current(ws, wsi) && in && len >= 2) {
			const unsigned char *b = in;
			ws->peer_close_code = (uint16_t)((b[0] << 8) | b[1]);
		}
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (is_current(ws, wsi)) {
			char reason_buf[64];
			if (ws->peer_close_code)
				snprintf(reason_buf, sizeof(reason_buf), "closed by the server (code %u)",
					 (unsigned)ws->peer_close_code);
			else
				snprintf(reason_buf, sizeof(reason_buf), "connection closed");
			ws->wsi = NULL;
			connection_lost(ws, 0, reason_buf);
		}
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		if (wsi == ws->closing_wsi)
			ws->closing_wsi = NULL;
		if (wsi == ws->wsi) {
			ws->wsi = NULL;
			if (ws->phase == PHASE_CONNECTING || ws->phase == PHASE_CONNECTED)
				connection_lost(ws, 0, "connection closed");
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{"rfo-ws", ws_callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

/* The lws context is made at the first connection attempt, not when the thread starts: making it loads the
 * system's CA store (~30 ms of CPU), which a signed-out OBS never needs, and which would otherwise compete with
 * OBS's own start-up. */
static bool create_context(struct rfo_ws *ws)
{
	struct lws_context_creation_info info = {0};
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	/* Deliberately no LWS_SERVER_OPTION_VALIDATE_UTF8: with it lws closes the socket (1007) on a text frame
	 * with invalid UTF-8 and the frame is lost; without it the frame reaches the parser, which repairs the
	 * bytes (U+FFFD) — e2e.chat_utf8 checks that the socket stays up. */
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.gid = -1;
	info.uid = -1;
	info.user = ws;
	info.fd_limit_per_thread = 16;
	info.timeout_secs = (unsigned int)ws->connect_timeout_s;
	info.connect_timeout_secs = (unsigned int)ws->connect_timeout_s;
#if LWS_LIBRARY_VERSION_NUMBER >= 4003000
	rfo_ws_log_cx_init(&ws->log_cx);
	info.log_cx = &ws->log_cx;
#endif

	struct lws_context *ctx = lws_create_context(&info);
	if (!ctx) {
		ws_log(ws, LOG_ERROR, "could not create the libwebsockets context");
		return false;
	}
	pthread_mutex_lock(&ws->mutex);
	ws->ctx = ctx;
	pthread_mutex_unlock(&ws->mutex);
	return true;
}

/* Wakes the thread (call with ws->mutex held). */
static void wake_locked(struct rfo_ws *ws)
{
	if (ws->ctx)
		lws_cancel_service(ws->ctx);
	else
		os_event_signal(ws->wake);
}

static void *ws_thread(void *param)
{
	struct rfo_ws *ws = param;
	os_set_thread_name(ws->thread_name);
	thread_ws = ws;

	ws->phase = PHASE_BACKOFF;
	ws->next_attempt_ns = 0;
	ws->retry_count = 0;

	while (!os_atomic_load_bool(&ws->stop_req)) {
		housekeeping(ws);
		if (os_atomic_load_bool(&ws->stop_req))
			break;
		uint64_t d = next_deadline(ws);
		struct lws_context *ctx = ws->ctx;
		if (!ctx) { /* no connection attempt yet (signed out) */
			uint64_t now = os_gettime_ns();
			if (d == UINT64_MAX)
				os_event_wait(ws->wake);
			else if (d > now)
				os_event_timedwait(ws->wake, (unsigned long)((d - now) / NS_PER_MS) + 1);
			continue;
		}
		if (os_event_try(ws->wake) == 0)
			continue; /* woken just before the context existed: housekeeping first */
		if (d != UINT64_MAX) {
			uint64_t now = os_gettime_ns();
			lws_usec_t us = d > now ? (lws_usec_t)((d - now) / 1000) + 1 : 1;
			lws_sul_schedule(ctx, 0, &ws->sul, sul_wake, us);
		} else {
			lws_sul_schedule(ctx, 0, &ws->sul, sul_wake, LWS_SET_TIMER_USEC_CANCEL);
		}
		lws_service(ctx, 0);
	}

	/* callbacks fired while the context goes away must not report anything */
	struct lws_context *ctx = ws->ctx;
	if (ctx)
		lws_sul_schedule(ctx, 0, &ws->sul, sul_wake, LWS_SET_TIMER_USEC_CANCEL);
	ws->wsi = NULL;
	ws->closing_wsi = NULL;
	ws->gen++;
	rfo_ws_resolve_release(ws->resolve);
	ws->resolve = NULL;
	target_free(ws);
	pthread_mutex_lock(&ws->mutex);
	ws->ctx = NULL;
	pthread_mutex_unlock(&ws->mutex);
	if (ctx)
		lws_context_destroy(ctx);

	if (os_atomic_load_long(&ws->state) != RFO_WS_DISCONNECTED)
		ws_log(ws, LOG_INFO, "stopped");
	set_state(ws, RFO_WS_DISCONNECTED, 0, "stopped");
	rfo_ws_msg_free(&ws->msg);
	wipe_free(ws->attempt_target);
	ws->attempt_target = NULL;
	thread_ws = NULL;
	return NULL;
}

struct rfo_ws *rfo_ws_create(const struct rfo_ws_config *config)
{
	if (!config || !config->name || !*config->name || !config->get_url)
		return NULL;
	rfo_ws_log_init();

	struct rfo_ws *ws = bzalloc(sizeof(*ws));
	ws->name = bstrdup(config->name);
	struct dstr tn = {0};
	dstr_printf(&tn, "rfo-ws-%s", config->name);
	ws->thread_name = tn.array;
	ws->get_url = config->get_url;
	ws->on_state = config->on_state;
	ws->on_message = config->on_message;
	ws->param = config->param;
	ws->ping_interval_ns = config->ping_interval_s > 0 ? (uint64_t)config->ping_interval_s * NS_PER_S : 0;
	ws->max_missed_pongs = config->max_missed_pongs > 0 ? config->max_missed_pongs : 2;
	ws->idle_timeout_ns = config->idle_timeout_s > 0 ? (uint64_t)config->idle_timeout_s * NS_PER_S : 0;
	bool own_table = config->backoff_ms && config->backoff_count;
	const uint32_t *table = own_table ? config->backoff_ms : default_backoff;
	size_t count = own_table ? config->backoff_count : sizeof(default_backoff) / sizeof(default_backoff[0]);
	if (count > UINT16_MAX)
		count = UINT16_MAX;
	ws->backoff = bmemdup(table, count * sizeof(uint32_t));
	ws->retry.retry_ms_table = ws->backoff;
	ws->retry.retry_ms_table_count = (uint16_t)count;
	ws->retry.conceal_count = LWS_RETRY_CONCEAL_ALWAYS; /* never give up */
	ws->retry.jitter_percent = 20;
	/* secs_since_valid_ping/hangup stay 0: pings and idle checks are ours (config) */
	ws->msg.max = config->max_message_bytes ? config->max_message_bytes : DEFAULT_MAX_MESSAGE;
	ws->connect_timeout_s = config->connect_timeout_s > 0 ? config->connect_timeout_s : DEFAULT_CONNECT_TIMEOUT_S;
	ws->state = RFO_WS_DISCONNECTED;
	if (pthread_mutex_init(&ws->mutex, NULL) != 0) {
		rfo_ws_destroy(ws);
		return NULL;
	}
	ws->mutex_ok = true;
	if (os_event_init(&ws->wake, OS_EVENT_TYPE_AUTO) != 0) {
		rfo_ws_destroy(ws);
		return NULL;
	}
	return ws;
}

bool rfo_ws_start(struct rfo_ws *ws)
{
	if (!ws)
		return false;
	pthread_mutex_lock(&ws->mutex);
	bool ok = true;
	if (!ws->thread_active) {
		os_atomic_set_bool(&ws->stop_req, false);
		os_atomic_set_bool(&ws->reconnect_req, false);
		ok = pthread_create(&ws->thread, NULL, ws_thread, ws) == 0;
		ws->thread_active = ok;
		if (!ok)
			ws_log(ws, LOG_ERROR, "could not start the WebSocket thread");
	}
	pthread_mutex_unlock(&ws->mutex);
	return ok;
}

void rfo_ws_reconnect(struct rfo_ws *ws)
{
	if (!ws)
		return;
	pthread_mutex_lock(&ws->mutex);
	if (ws->thread_active) {
		os_atomic_set_bool(&ws->reconnect_req, true);
		wake_locked(ws);
	}
	pthread_mutex_unlock(&ws->mutex);
}

void rfo_ws_stop(struct rfo_ws *ws)
{
	if (!ws || !ws->mutex_ok)
		return;
	pthread_mutex_lock(&ws->mutex);
	bool join = ws->thread_active;
	ws->thread_active = false;
	if (join) {
		os_atomic_set_bool(&ws->stop_req, true);
		wake_locked(ws);
	}
	pthread_mutex_unlock(&ws->mutex);
	if (!join)
		return;
	if (pthread_equal(pthread_self(), ws->thread)) {
		ws_log(ws, LOG_ERROR, "rfo_ws_stop called from its own thread");
		pthread_detach(ws->thread);
		return;
	}
	pthread_join(ws->thread, NULL);
}

void rfo_ws_destroy(struct rfo_ws *ws)
{
	if (!ws)
		return;
	rfo_ws_stop(ws);
	if (ws->mutex_ok)
		pthread_mutex_destroy(&ws->mutex);
	os_event_destroy(ws->wake);
	bfree(ws->backoff);
	bfree(ws->thread_name);
	bfree(ws->name);
	bfree(ws);
}

char *rfo_ws_callback_query_value(const char *key)
{
	struct rfo_ws *ws = thread_ws;
	return ws && key && ws->attempt_target ? rfo_url_query_get(ws->attempt_target, key) : NULL;
}

enum rfo_ws_state rfo_ws_state_get(const struct rfo_ws *ws)
{
	if (!ws)
		return RFO_WS_DISCONNECTED;
	return (enum rfo_ws_state)os_atomic_load_long((volatile long *)&ws->state);
}
