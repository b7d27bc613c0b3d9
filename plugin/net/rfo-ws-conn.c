/* The WebSocket connection state machine, run on the ws thread: URL check, host name lookup, connect,
 * backoff after a loss, connect/idle deadlines and pings, and the libwebsockets callback that moves a
 * connection between phases. The thread and its lifecycle are in rfo-ws.c. */
#include "rfo-ws-private.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <util/dstr.h>

#include "rfo-error.h"
#include "rfo-url.h"
#include "rfo-ws-log.h"

/* When a connection is lost, the backoff position starts over if the connection had proven useful: a whole data
 * message arrived (chat's connection_info/heartbeat, a streaming update) and it stayed up at least twice the
 * first delay; or, for a socket that is silent by design (streaming while nothing is live), it stayed up STABLE_NS.
 * An upgrade alone does not count, nor a greeting followed at once by a close (a connection limit): a server that
 * accepts and drops sockets keeps being backed off. */
#define STABLE_NS (30 * NS_PER_S)

static bool is_current(struct rfo_ws *ws, struct lws *wsi)
{
	return wsi && wsi == ws->wsi && (uintptr_t)lws_get_opaque_user_data(wsi) == ws->gen;
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

	if (!ws->ctx && !rfo_ws_context_create(ws)) {
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

/* Plain ws:// is allowed to loopback host names only ("localhost"), and the URL carries the token: the name must
 * also resolve to a loopback address (a hosts file or resolver could point "localhost" elsewhere). */
static bool plain_target_ok(const struct rfo_ws *ws, const char *addr)
{
	unsigned char a[16];
	if (ws->target.tls)
		return true;
	if (inet_pton(AF_INET, addr, a) == 1)
		return rfo_url_addr_class(AF_INET, a) == RFO_ADDR_LOOPBACK;
	return inet_pton(AF_INET6, addr, a) == 1 && rfo_url_addr_class(AF_INET6, a) == RFO_ADDR_LOOPBACK;
}

/* PHASE_RESOLVING: connect once the lookup has finished. */
static void check_resolve(struct rfo_ws *ws, uint64_t now)
{
	char addr[64], error[200];
	if (rfo_ws_resolve_poll(ws->resolve, addr, sizeof(addr), error, sizeof(error))) {
		rfo_ws_resolve_release(ws->resolve);
		ws->resolve = NULL;
		if (addr[0] && !plain_target_ok(ws, addr)) {
			ws_log(ws, LOG_WARNING, "refusing plain ws:// to %s: it resolves to %s, not to this computer",
			       ws->target.host, addr);
			connection_lost(ws, 0, "plain ws:// is only allowed to this computer");
		} else if (addr[0]) {
			connect_to(ws, addr);
		} else {
			connection_lost(ws, 0, error);
		}
	} else if (now >= ws->connect_deadline_ns) {
		connection_lost(ws, 0, "host name lookup timed out");
	}
}

/* Runs on the ws thread after every service round: requests, deadlines, pings. */
void rfo_ws_housekeeping(struct rfo_ws *ws)
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

uint64_t rfo_ws_next_deadline(struct rfo_ws *ws)
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

int rfo_ws_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
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
