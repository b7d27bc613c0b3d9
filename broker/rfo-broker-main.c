/* restream-token-broker: holds a Restream app's client secret so that OBS never has to.
 *
 * Wiring only: configuration, the secret, signals, the server. See README.md. */
#define _GNU_SOURCE /* POSIX and Linux calls (clock_gettime, sigaction, strtok_r, O_CLOEXEC…) in strict C11 too */
#include "rfo-broker-buf.h"
#include "rfo-broker-config.h"
#include "rfo-broker-log.h"
#include "rfo-broker-secret.h"
#include "rfo-broker-server.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

static struct rfo_broker_server *running;

static void on_stop_signal(int sig)
{
	(void)sig;
	if (running)
		rfo_broker_server_stop(running);
}

int main(int argc, char **argv)
{
	struct rfo_broker_config config;
	char err[512];
	rfo_broker_log_buffer(); /* before anything is written to stderr */
	if (!rfo_broker_config_load(&config, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "restream-token-broker: %s\n", err);
		return 2;
	}
	if (config.help) {
		fputs(rfo_broker_config_usage(), stdout);
		return 0;
	}
	/* the secret must not end up in a core dump, nor be readable through /proc/<pid>/mem by the same user */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	rfo_broker_log_enable_access(config.access_log);

	char *auth = rfo_broker_secret_auth_header(config.secret_file, config.client_id, err, sizeof(err));
	if (!auth) {
		rfo_broker_log("error", "%s", err);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		rfo_broker_log("error", "libcurl did not start");
		rfo_broker_wipe(auth, strlen(auth));
		free(auth);
		return 1;
	}
	struct rfo_broker_server *server = rfo_broker_server_create(&config, auth, err, sizeof(err));
	rfo_broker_wipe(auth, strlen(auth));
	free(auth);
	if (!server) {
		rfo_broker_log("error", "%s", err);
		curl_global_cleanup();
		return 1;
	}

	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigemptyset(&sa.sa_mask);
	running = server;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rfo_broker_log("info", "listening on %s:%d; public URL %s; upstream %s; rate limit %s", config.listen_host,
		       rfo_broker_server_port(server), config.public_url, config.upstream,
		       config.rate > 0 ? "on" : "off");
	if (strcmp(config.listen_host, "127.0.0.1") != 0 && strcmp(config.listen_host, "::1") != 0 &&
	    strcmp(config.listen_host, "localhost") != 0)
		rfo_broker_log("warning",
			       "listening beyond loopback: the broker speaks plain HTTP, so TLS must come from a "
			       "reverse proxy in front of it (README.md, \"Deployment\")");
	rfo_broker_log_flush();
	printf("LISTEN=%s:%d\nREADY\n", config.listen_host, rfo_broker_server_port(server));
	fflush(stdout);

	bool clean = rfo_broker_server_run(server);
	running = NULL;
	rfo_broker_server_destroy(server);
	curl_global_cleanup();
	rfo_broker_log("info", "stopped");
	rfo_broker_log_flush();
	return clean ? 0 : 1;
}
