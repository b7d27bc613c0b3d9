/* restream-token-broker: a growable byte buffer, and the wiping of memory that held a secret. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct rfo_broker_buf {
	char *data; /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
};

bool rfo_broker_buf_append(struct rfo_broker_buf *b, const void *data, size_t len);
bool rfo_broker_buf_puts(struct rfo_broker_buf *b, const char *s);
bool rfo_broker_buf_printf(struct rfo_broker_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* appends s percent-encoded: everything but RFC 3986's unreserved characters becomes %XX */
bool rfo_broker_buf_put_encoded(struct rfo_broker_buf *b, const char *s);
void rfo_broker_buf_reset(struct rfo_broker_buf *b);
/* wipes the bytes (they may hold a token or a code), then frees them */
void rfo_broker_buf_free(struct rfo_broker_buf *b);

/* zeroes memory in a way the compiler may not drop (explicit_bzero) */
void rfo_broker_wipe(void *p, size_t len);
