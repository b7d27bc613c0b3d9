/* restream-token-broker: the listener, the connections and the one event loop. */
#pragma once

#include "rfo-broker-config.h"

#include <stdbool.h>

struct rfo_broker_server;

/* Binds and listens (port 0: a free one). NULL with a sentence in err. auth_header: the upstream's Authorization
 * line (the server keeps a copy, wiped at _destroy). */
struct rfo_broker_server *rfo_broker_server_create(const struct rfo_broker_config *config, const char *auth_header,
						   char *err, size_t errlen);
void rfo_broker_server_destroy(struct rfo_broker_server *s);
/* the port it listens on */
int rfo_broker_server_port(const struct rfo_broker_server *s);
/* Serves until rfo_broker_server_stop: then stops accepting (connections the kernel had already accepted are
 * still taken), finishes every request received, and returns true once all are answered (false if the drain
 * limit passed first). */
bool rfo_broker_server_run(struct rfo_broker_server *s);
/* async-signal-safe: asks the loop to drain and return */
void rfo_broker_server_stop(struct rfo_broker_server *s);
