/* restream-token-broker: GET /redirect, sans I/O — where the browser goes next, or why it does not. */
#pragma once

#include "rfo-broker-buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Takes the raw query string (without '?') of GET /redirect. On success appends the one place the broker ever
 * sends a browser, http://127.0.0.1:<port>/callback?code=…&state=… (or error/error_description instead of code),
 * to `location` and returns true. Otherwise returns false and sets *why to a sentence for the plain 400 page. */
bool rfo_broker_redirect_target(const char *query, size_t len, struct rfo_broker_buf *location, const char **why);

/* state = <port>.<nonce>: port decimal 1024-65535 without leading zeros, nonce 16-128 of [A-Za-z0-9_-].
 * Returns the port, or 0 when the state is not of that form. */
int rfo_broker_redirect_state_port(const char *state);
