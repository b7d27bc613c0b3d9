#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reconnecting WebSocket client (libwebsockets). Each rfo_ws owns one named thread ("rfo-ws-<name>")
 * and one lws context created and destroyed on it. Receive-only: Restream's chat and streaming
 * sockets ignore client messages, so there is no send API (protocol pings are sent when asked).
 *
 * Policy: wss:// with full certificate and host name checks against the system CA store; ws:// only
 * for loopback hosts (rfo_url_check); redirects are not followed. URLs are never logged with their
 * query (it carries the access token); lws' own log lines go to "[restream-for-obs/lws]" with queries
 * stripped. Host names are looked up on a short-lived detached helper thread ("rfo-ws-dns"), so a
 * hanging DNS server never delays rfo_ws_stop().
 *
 * All callbacks run ON THE WS THREAD; hand data to the UI with rfo_dispatch(). Callbacks must not
 * call rfo_ws_stop()/rfo_ws_destroy() on their own ws (rfo_ws_reconnect() is fine), must not block
 * (get_url() included), and must not take a lock that the caller of rfo_ws_stop() holds while it
 * waits: the final on_state(DISCONNECTED, "stopped") runs during that wait. */

enum rfo_ws_state {
	RFO_WS_DISCONNECTED = 0,
	RFO_WS_CONNECTING,
	RFO_WS_CONNECTED,
};

/* "disconnected" / "connecting" / "connected" (the vendor API's spelling). */
const char *rfo_ws_state_name(enum rfo_ws_state state);

struct rfo_ws_config {
	/* "chat" / "streaming": thread name "rfo-ws-<name>" and log prefix "[restream-for-obs/<name>]".
	 * Copied. */
	const char *name;
	/* Called on the ws thread before each connect attempt. Returns a bstrdup'd URL (the ws bfree's
	 * it) with the current token, or NULL = not signed in: the ws then stays DISCONNECTED and waits
	 * until rfo_ws_reconnect() is called (no polling). */
	char *(*get_url)(void *param);
	/* State changes. http_status: the HTTP status when the upgrade was refused (e.g. 401), else 0.
	 * reason: short text for people/logs (never a URL or token), NULL for CONNECTING/CONNECTED.
	 * DISCONNECTED is reported once per lost/failed connection, and once more from
	 * rfo_ws_stop() when a connection was up or being made (reason "stopped"). */
	void (*on_state)(void *param, enum rfo_ws_state state, int http_status, const char *reason);
	/* One whole, reassembled text message (fragments joined). `text` is NUL-terminated and valid
	 * only during the call. Binary messages are ignored. */
	void (*on_message)(void *param, const char *text, size_t len);
	void *param;

	int ping_interval_s;  /* send a protocol PING every N s while connected; 0 = never (streaming: 30) */
	int max_missed_pongs; /* reconnect when this many PINGs in a row got no PONG (streaming: 2);
	                       * 0 with pings on = 2 */
	int idle_timeout_s;   /* reconnect when no data message arrived (pongs do not count) for N s; 0 = never
	                       * (chat: 60, the server's heartbeat is every 45 s) */
	/* Reconnect delays in ms, used in order, the last repeated; up to +20% jitter is added.
	 * Copied. NULL/0 = {1000, 2000, 5000, 10000, 30000, 60000}. The position resets when a lost
	 * connection had proven useful: a whole data message arrived and it stayed up at least twice
	 * the first delay (or it stayed up 30 s, for sockets silent by design); an upgrade alone, or a
	 * greeting followed at once by a close, does not: a server that drops sockets keeps being backed off. rfo_ws_reconnect() skips the wait. */
	const uint32_t *backoff_ms;
	size_t backoff_count;
	/* Messages bigger than this are dropped (logged once per connection); 0 = 1 MiB. */
	size_t max_message_bytes;
	/* Connect (TCP+TLS+upgrade) timeout in s; 0 = 10. */
	int connect_timeout_s;
};

struct rfo_ws;

/* Copies the config; does not start anything. NULL when name or get_url is missing. */
struct rfo_ws *rfo_ws_create(const struct rfo_ws_config *config);

/* Starts the thread, which calls get_url() and connects. Idempotent; may be called again after
 * rfo_ws_stop(). Returns false if the thread could not be started. Never blocks. */
bool rfo_ws_start(struct rfo_ws *ws);

/* Thread-safe, never blocks: close the current connection (if any) and connect again now with a
 * fresh get_url() (e.g. the token changed or the user signed in). No-op when not started.
 * States go CONNECTED -> CONNECTING -> CONNECTED (no DISCONNECTED in between), or to
 * DISCONNECTED with a reason when get_url() returns NULL or the URL is refused. */
void rfo_ws_reconnect(struct rfo_ws *ws);

/* Closes the connection and joins the thread, within ~200 ms even during a connect attempt
 * (a host name lookup runs on a helper thread that is abandoned, never waited for). Idempotent. */
void rfo_ws_stop(struct rfo_ws *ws);

/* rfo_ws_stop() then frees. NULL is fine. */
void rfo_ws_destroy(struct rfo_ws *ws);

/* Only inside a callback of an rfo_ws (on its thread): the decoded value of query parameter `key`
 * in the URL of the connection or attempt being reported — e.g. the access token that a refused
 * upgrade (on_state DISCONNECTED, 401) carried. NULL when called elsewhere, before the first
 * attempt, or when the key is absent. The caller bfrees it; it may be a secret: wipe it first. */
char *rfo_ws_callback_query_value(const char *key);

/* Current state; thread-safe. RFO_WS_DISCONNECTED for NULL. */
enum rfo_ws_state rfo_ws_state_get(const struct rfo_ws *ws);

#ifdef __cplusplus
}
#endif
