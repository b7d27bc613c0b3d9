#pragma once

#include <stdarg.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An error a person can act on: a code (HTTP status, or one of enum rfo_error_code) and a
 * sentence. Functions take an optional `struct rfo_error *` (NULL = caller does not care). */
enum rfo_error_code {
	RFO_ERR_NONE = 0,
	RFO_ERR_PARSE = -1,     /* malformed or unexpected JSON */
	RFO_ERR_NETWORK = -2,   /* could not connect, timed out, TLS failure */
	RFO_ERR_CANCELLED = -3, /* stopped because the plugin is shutting down */
	RFO_ERR_AUTH = -4,      /* signed out, token revoked or expired */
	RFO_ERR_INVALID = -5,   /* bad input from the caller */
	RFO_ERR_STATE = -6,     /* not possible right now (e.g. OBS is live) */
};

struct rfo_error {
	int code;
	char message[256];
};

#if defined(__GNUC__) || defined(__clang__)
#define RFO_PRINTF_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define RFO_PRINTF_FORMAT(fmt, args)
#endif

void rfo_error_set(struct rfo_error *err, int code, const char *format, ...) RFO_PRINTF_FORMAT(3, 4);
static inline void rfo_error_clear(struct rfo_error *err)
{
	if (err) {
		err->code = RFO_ERR_NONE;
		err->message[0] = 0;
	}
}

#ifdef __cplusplus
}
#endif
