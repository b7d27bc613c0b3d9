/* restream-token-broker: its log on stderr (journald keeps it under systemd). */
#define _GNU_SOURCE /* POSIX and Linux calls (clock_gettime, sigaction, strtok_r, O_CLOEXEC…) in strict C11 too */
#include "rfo-broker-log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static bool access_enabled = true;

void rfo_broker_log_enable_access(bool enabled)
{
	access_enabled = enabled;
}

void rfo_broker_log_buffer(void)
{
	static char buffer[64 * 1024];
	setvbuf(stderr, buffer, _IOFBF, sizeof(buffer));
}

void rfo_broker_log_flush(void)
{
	fflush(stderr);
}

static void stamp(char *out, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

void rfo_broker_log(const char *level, const char *fmt, ...)
{
	char when[40], text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	stamp(when, sizeof(when));
	fprintf(stderr, "%s restream-token-broker: %s: %s\n", when, level, text);
}

void rfo_broker_log_access(const char *method, const char *route, int status, double ms, double upstream_ms)
{
	if (!access_enabled)
		return;
	char when[40];
	stamp(when, sizeof(when));
	if (upstream_ms >= 0)
		fprintf(stderr, "%s restream-token-broker: access: %s %s %d %.1f ms (upstream %.1f ms)\n", when, method,
			route, status, ms, upstream_ms);
	else
		fprintf(stderr, "%s restream-token-broker: access: %s %s %d %.1f ms\n", when, method, route, status,
			ms);
}
