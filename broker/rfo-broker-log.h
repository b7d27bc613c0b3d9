/* restream-token-broker: its log on stderr (journald keeps it under systemd). */
#pragma once

#include <stdbool.h>

/* A line "<UTC time> restream-token-broker: <level>: <text>". Never pass a token, a code, the secret or a query
 * string: the tests grep the log for every value the emulator issued. */
void rfo_broker_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The access line: method, route, status, latency (ms; and the upstream's share of it, or -1). The route is the
 * path only when it is one of the broker's routes ("other" otherwise), so nothing a client puts into a path or a
 * query string reaches the log. */
void rfo_broker_log_access(const char *method, const char *route, int status, double ms, double upstream_ms);

void rfo_broker_log_enable_access(bool enabled);
/* From here on lines are buffered and written by rfo_broker_log_flush (the event loop calls it once per turn):
 * one write for many access lines instead of one each. */
void rfo_broker_log_buffer(void);
void rfo_broker_log_flush(void);
