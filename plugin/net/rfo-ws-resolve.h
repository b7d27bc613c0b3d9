#pragma once
/* Internal to rfo-ws: a host name lookup that never blocks the ws thread. libwebsockets 4.1 (built
 * without its async DNS) calls getaddrinfo() inside lws_client_connect_via_info(), which can hang for
 * many seconds on a broken network and would hold up rfo_ws_stop(). The lookup runs on a short-lived
 * detached thread instead; the ws thread polls it and may abandon it at any time (stop, reconnect,
 * timeout). The lookup owns nothing of the ws, so an abandoned one just finishes and frees itself. */

#include <stdbool.h>
#include <stddef.h>

struct rfo_ws_resolve;

/* Starts resolving `host` (IPv4 addresses preferred). NULL if the thread could not start. */
struct rfo_ws_resolve *rfo_ws_resolve_start(const char *host);

/* false while running. When finished: true, with `addr` = numeric address ("" on failure, then
 * `error` says why). */
bool rfo_ws_resolve_poll(struct rfo_ws_resolve *r, char *addr, size_t addr_size, char *error, size_t error_size);

/* Drops the caller's reference (finished or not). NULL is fine. */
void rfo_ws_resolve_release(struct rfo_ws_resolve *r);

/* true when `host` is an IPv4 or IPv6 literal (no lookup needed). */
bool rfo_ws_host_is_numeric(const char *host);
