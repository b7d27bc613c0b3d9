/* restream-token-broker: configuration from the command line and the environment. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define RFO_BROKER_MAX_PROXIES 8

struct rfo_broker_config {
	char listen_host[256]; /* without brackets */
	int listen_port;       /* 0: any free port (printed as LISTEN=… before READY) */
	char public_url[1024]; /* its own external base URL, no trailing '/' */
	char upstream[1024];   /* Restream's API base, no trailing '/' */
	char client_id[256];
	char secret_file[4096];
	int upstream_timeout_ms; /* whole upstream exchange; past it: 504 */
	int request_timeout_ms;  /* to receive a whole request, and to send a whole reply */
	int idle_timeout_ms;     /* a kept-alive connection with no request in progress */
	double rate;             /* requests per second per client address; 0: no rate limit */
	double burst;
	int max_connections;
	unsigned char trusted_proxies[RFO_BROKER_MAX_PROXIES][16];
	size_t trusted_proxy_count;
	bool access_log;
	bool help;
};

/* Fills c from the environment (RESTREAM_BROKER_*), then argv (flags win), then defaults, and checks it.
 * False with a sentence in err on anything missing or invalid. */
bool rfo_broker_config_load(struct rfo_broker_config *c, int argc, char **argv, char *err, size_t errlen);
/* the --help text */
const char *rfo_broker_config_usage(void);
