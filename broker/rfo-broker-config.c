/* restream-token-broker: configuration from the command line and the environment. */
#define _GNU_SOURCE /* POSIX and Linux calls (clock_gettime, sigaction, strtok_r, O_CLOEXEC…) in strict C11 too */
#include "rfo-broker-config.h"
#include "rfo-broker-addr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LISTEN "127.0.0.1:8787"
#define DEFAULT_UPSTREAM "https://api.restream.io"

enum kind { TEXT, MS, NUMBER, COUNT, PROXIES, SWITCH_OFF };

struct option {
	const char *flag;
	const char *env;
	enum kind kind;
	const char *help;
};

/* one table: each flag, the environment variable that sets the same thing, and its line in --help */
static const struct option options[] = {
	{"--listen", "RESTREAM_BROKER_LISTEN", TEXT, "HOST:PORT to listen on (default " DEFAULT_LISTEN ")"},
	{"--public-url", "RESTREAM_BROKER_PUBLIC_URL", TEXT,
	 "its external base URL; <url>/redirect is the redirect URI registered with Restream"},
	{"--upstream", "RESTREAM_BROKER_UPSTREAM", TEXT, "Restream's API base URL (default " DEFAULT_UPSTREAM ")"},
	{"--client-id", "RESTREAM_BROKER_CLIENT_ID", TEXT, "the Restream app's client id"},
	{"--client-secret-file", "RESTREAM_BROKER_CLIENT_SECRET_FILE", TEXT,
	 "file holding the client secret, readable by its owner only (default $CREDENTIALS_DIRECTORY/client-secret)"},
	{"--upstream-timeout-ms", "RESTREAM_BROKER_UPSTREAM_TIMEOUT_MS", MS,
	 "upstream limit, then 504 (default 10000)"},
	{"--request-timeout-ms", "RESTREAM_BROKER_REQUEST_TIMEOUT_MS", MS,
	 "to receive a request or send a reply (default 10000)"},
	{"--idle-timeout-ms", "RESTREAM_BROKER_IDLE_TIMEOUT_MS", MS, "an idle kept-alive connection (default 30000)"},
	{"--rate", "RESTREAM_BROKER_RATE", NUMBER, "requests/s per client address; 0 = no limit (default 1)"},
	{"--burst", "RESTREAM_BROKER_BURST", NUMBER, "requests a client may send at once (default 20)"},
	{"--max-connections", "RESTREAM_BROKER_MAX_CONNECTIONS", COUNT, "open connections at most (default 1024)"},
	{"--trusted-proxy", "RESTREAM_BROKER_TRUSTED_PROXIES", PROXIES,
	 "comma-separated proxy addresses whose X-Forwarded-For names the client (default none)"},
	{"--no-access-log", "RESTREAM_BROKER_NO_ACCESS_LOG", SWITCH_OFF,
	 "no access log lines (errors are still logged)"},
};
#define OPTION_COUNT (sizeof(options) / sizeof(options[0]))

__attribute__((format(printf, 3, 4))) static bool failf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

static bool copy(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);
	if (n >= cap)
		return false;
	memcpy(dst, v, n + 1);
	return true;
}

static bool proxies(struct rfo_broker_config *c, const char *v)
{
	char tmp[1024];
	if (!copy(tmp, sizeof(tmp), v))
		return false;
	c->trusted_proxy_count = 0;
	for (char *save = NULL, *t = strtok_r(tmp, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (c->trusted_proxy_count == RFO_BROKER_MAX_PROXIES ||
		    !rfo_broker_addr_parse(t, c->trusted_proxies[c->trusted_proxy_count]))
			return false;
		c->trusted_proxy_count++;
	}
	return true;
}

static bool set(struct rfo_broker_config *c, int i, const char *v, char *err, size_t errlen)
{
	char *end = NULL;
	errno = 0;
	switch (options[i].kind) {
	case TEXT: {
		char *dst[] = {NULL, c->public_url, c->upstream, c->client_id, c->secret_file};
		size_t cap[] = {0, sizeof(c->public_url), sizeof(c->upstream), sizeof(c->client_id),
				sizeof(c->secret_file)};
		if (i == 0) {
			const char *colon = strrchr(v, ':');
			long port = colon ? strtol(colon + 1, &end, 10) : -1;
			const char *h = v;
			size_t hl = colon ? (size_t)(colon - v) : 0;
			if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']')
				h++, hl -= 2;
			if (!colon || !*(colon + 1) || *end || port < 0 || port > 65535 || hl == 0 ||
			    hl >= sizeof(c->listen_host))
				return failf(err, errlen, "%s: expected HOST:PORT, got \"%s\"", options[i].flag, v);
			memcpy(c->listen_host, h, hl);
			c->listen_host[hl] = '\0';
			c->listen_port = (int)port;
			return true;
		}
		if (!copy(dst[i], cap[i], v))
			return failf(err, errlen, "%s: too long", options[i].flag);
		return true;
	}
	case MS: {
		long ms = strtol(v, &end, 10);
		if (!*v || *end || errno || ms < 100 || ms > 600000)
			return failf(err, errlen, "%s: expected milliseconds from 100 to 600000", options[i].flag);
		int *dst[] = {&c->upstream_timeout_ms, &c->request_timeout_ms, &c->idle_timeout_ms};
		*dst[i - 5] = (int)ms;
		return true;
	}
	case NUMBER: {
		double d = strtod(v, &end);
		if (!*v || *end || errno || !(d >= 0) || d > 1e6 || (i == 9 && d < 1))
			return failf(err, errlen, "%s: expected a number%s", options[i].flag,
				     i == 9 ? " of at least 1" : " of at least 0");
		*(i == 8 ? &c->rate : &c->burst) = d;
		return true;
	}
	case COUNT: {
		long n = strtol(v, &end, 10);
		if (!*v || *end || errno || n < 1 || n > 65536)
			return failf(err, errlen, "%s: expected a count from 1 to 65536", options[i].flag);
		c->max_connections = (int)n;
		return true;
	}
	case PROXIES:
		if (!proxies(c, v))
			return failf(err, errlen, "%s: expected up to %d comma-separated IP addresses", options[i].flag,
				     RFO_BROKER_MAX_PROXIES);
		return true;
	case SWITCH_OFF:
		if (strcmp(v, "0") != 0)
			c->access_log = false;
		return true;
	}
	return false;
}

static bool loopback_host(const char *h, size_t n)
{
	return (n == 9 && strncmp(h, "127.0.0.1", n) == 0) || (n == 9 && strncmp(h, "localhost", n) == 0) ||
	       (n == 5 && strncmp(h, "[::1]", n) == 0);
}

/* http(s)://host[:port][/path] with no query, fragment or user info; plain http only for a loopback host (the
 * project's rule: anything that leaves the machine is TLS). The trailing '/' is dropped. */
static bool check_url(char *url, const char *flag, char *err, size_t errlen)
{
	bool tls = strncmp(url, "https://", 8) == 0;
	if (!tls && strncmp(url, "http://", 7) != 0)
		return failf(err, errlen, "%s: expected an http:// or https:// URL", flag);
	const char *host = url + (tls ? 8 : 7);
	size_t hl = strcspn(host, ":/");
	if (host[0] == '[')
		hl = strcspn(host, "]") + 1;
	if (hl == 0 || strpbrk(url, "?#@ \t\r\n"))
		return failf(err, errlen, "%s: expected a base URL with no query, fragment or user name", flag);
	if (!tls && !loopback_host(host, hl))
		return failf(err, errlen, "%s: plain http:// is allowed only for 127.0.0.1, localhost and [::1]", flag);
	size_t n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	return true;
}

static bool finish(struct rfo_broker_config *c, char *err, size_t errlen)
{
	if (!c->client_id[0])
		return failf(err, errlen, "no client id: pass --client-id or set RESTREAM_BROKER_CLIENT_ID");
	for (const char *p = c->client_id; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return failf(err, errlen, "the client id has a space or a control character");
	if (!c->secret_file[0]) {
		const char *dir = getenv("CREDENTIALS_DIRECTORY"); /* systemd's LoadCredential= */
		if (!dir || snprintf(c->secret_file, sizeof(c->secret_file), "%s/client-secret", dir) >=
				    (int)sizeof(c->secret_file))
			return failf(
				err, errlen,
				"no client secret file: pass --client-secret-file or set "
				"RESTREAM_BROKER_CLIENT_SECRET_FILE (or LoadCredential=client-secret:… in systemd)");
	}
	if (!check_url(c->upstream, "--upstream", err, errlen))
		return false;
	if (!c->public_url[0]) {
		if (!loopback_host(c->listen_host, strlen(c->listen_host)) || c->listen_port == 0)
			return failf(err, errlen,
				     "no public URL: pass --public-url (the https:// address clients use)");
		snprintf(c->public_url, sizeof(c->public_url), "http://%s:%d", c->listen_host, c->listen_port);
	}
	return check_url(c->public_url, "--public-url", err, errlen);
}

bool rfo_broker_config_load(struct rfo_broker_config *c, int argc, char **argv, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->upstream_timeout_ms = 10000;
	c->request_timeout_ms = 10000;
	c->idle_timeout_ms = 30000;
	c->rate = 1;
	c->burst = 20;
	c->max_connections = 1024;
	c->access_log = true;
	strcpy(c->upstream, DEFAULT_UPSTREAM);
	if (!set(c, 0, DEFAULT_LISTEN, err, errlen))
		return false;

	for (size_t i = 0; i < OPTION_COUNT; i++) {
		const char *v = getenv(options[i].env);
		if (v && *v && !set(c, (int)i, v, err, errlen))
			return false;
	}
	for (int a = 1; a < argc; a++) {
		const char *arg = argv[a];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			c->help = true;
			return true;
		}
		size_t i = 0;
		const char *value = NULL;
		for (; i < OPTION_COUNT; i++) {
			size_t fl = strlen(options[i].flag);
			if (strncmp(arg, options[i].flag, fl) == 0 && (arg[fl] == '\0' || arg[fl] == '=')) {
				value = arg[fl] == '=' ? arg + fl + 1 : NULL;
				break;
			}
		}
		if (i == OPTION_COUNT)
			return failf(err, errlen, "unknown option \"%s\" (see --help)", arg);
		if (options[i].kind == SWITCH_OFF) {
			c->access_log = false;
			continue;
		}
		if (!value) {
			if (a + 1 >= argc)
				return failf(err, errlen, "%s needs a value", options[i].flag);
			value = argv[++a];
		}
		if (!set(c, (int)i, value, err, errlen))
			return false;
	}
	return finish(c, err, errlen);
}

const char *rfo_broker_config_usage(void)
{
	static char text[4096];
	if (!text[0]) {
		size_t n = (size_t)snprintf(
			text, sizeof(text),
			"usage: restream-token-broker [options]\n"
			"Each option can also be set by the environment variable beside it (the option wins).\n");
		for (size_t i = 0; i < OPTION_COUNT && n < sizeof(text); i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "  %-22s %s\n      %s\n", options[i].flag,
					      options[i].env, options[i].help);
	}
	return text;
}
