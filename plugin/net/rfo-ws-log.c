#include "rfo-ws-log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libwebsockets.h>
#include <util/base.h>
#include <util/dstr.h>

static _Thread_local char last_tls_error[128];

void rfo_ws_log_strip_queries(char *out, size_t size, const char *in)
{
	size_t o = 0;
	if (size == 0)
		return;
	while (*in && o + 4 < size) {
		char c = *in++;
		if (c == '\n' || c == '\r')
			continue;
		if (c == '?' && *in && *in != ' ') {
			memcpy(out + o, "?...", 4);
			o += 4;
			while (*in && *in != ' ' && *in != '\'' && *in != '"' && *in != '>' && *in != ')')
				in++;
			continue;
		}
		out[o++] = c;
	}
	out[o] = 0;
}

static void lws_log_emit(int level, const char *line)
{
	char buf[512];
	rfo_ws_log_strip_queries(buf, sizeof(buf), line);
	if (astrstri(buf, "token") || astrstri(buf, "authorization"))
		return; /* never risk a credential in the log */
	const char *tls = strstr(buf, "SSL error: ");
	if (tls) {
		snprintf(last_tls_error, sizeof(last_tls_error), "%s", tls + 11);
		char *paren = strstr(last_tls_error, " (");
		if (paren)
			*paren = 0;
	}
	blog((level & LLL_ERR) ? LOG_WARNING : LOG_DEBUG, "[restream-for-obs/lws] %s", buf);
}

static void log_init_once(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN | LLL_NOTICE, lws_log_emit);
}

void rfo_ws_log_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, log_init_once);
}

#if LWS_LIBRARY_VERSION_NUMBER >= 4003000
void rfo_ws_log_cx_init(struct lws_log_cx *cx)
{
	memset(cx, 0, sizeof(*cx));
	cx->u.emit = lws_log_emit;
	cx->lll_flags = LLL_ERR | LLL_WARN | LLL_NOTICE;
}
#endif

const char *rfo_ws_log_tls_error(void)
{
	return last_tls_error;
}

void rfo_ws_log_clear_tls_error(void)
{
	last_tls_error[0] = 0;
}
