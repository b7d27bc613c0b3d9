#pragma once
/* Internal to rfo-ws: libwebsockets' log lines routed into the OBS log, with URL queries removed
 * (lws may print a request path carrying the accessToken). */

#include <stddef.h>

/* Installs the lws log handler once per process (lws logging is global): errors at LOG_WARNING,
 * warnings and notices at LOG_DEBUG, prefix "[restream-for-obs/lws]". Thread-safe. */
void rfo_ws_log_init(void);

/* libwebsockets >= 4.3 only: makes `cx` a log context of its own for one lws context, routed like
 * rfo_ws_log_init. lws counts the objects bound to a log context without a lock (LWS_MAX_SMP 1), so lws
 * contexts on several threads sharing the global one corrupt its count and trip an lws assertion. */
struct lws_log_cx;
void rfo_ws_log_cx_init(struct lws_log_cx *cx);

/* Copies `in` to `out` (NUL-terminated, at most size-1 bytes) with line breaks dropped and every
 * "?query" replaced by "?...". */
void rfo_ws_log_strip_queries(char *out, size_t size, const char *in);

/* The last "SSL error: ..." lws logged on the calling thread (e.g. "self-signed certificate"), or
 * "" — lws reports a failed certificate check only as a log line. */
const char *rfo_ws_log_tls_error(void);
void rfo_ws_log_clear_tls_error(void);
