/* restream-token-broker: a growable byte buffer, and the wiping of memory that held a secret. */
#define _DEFAULT_SOURCE
#include "rfo-broker-buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rfo_broker_wipe(void *p, size_t len)
{
	if (p && len)
		explicit_bzero(p, len);
}

/* grows by copying, so the old block can be wiped before it is freed (realloc would leave tokens behind) */
static bool reserve(struct rfo_broker_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *n = malloc(cap);
	if (!n)
		return false;
	if (b->data) {
		memcpy(n, b->data, b->len);
		rfo_broker_wipe(b->data, b->cap);
		free(b->data);
	}
	n[b->len] = '\0';
	b->data = n;
	b->cap = cap;
	return true;
}

bool rfo_broker_buf_append(struct rfo_broker_buf *b, const void *data, size_t len)
{
	if (!reserve(b, len))
		return false;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return true;
}

bool rfo_broker_buf_puts(struct rfo_broker_buf *b, const char *s)
{
	return rfo_broker_buf_append(b, s, strlen(s));
}

bool rfo_broker_buf_printf(struct rfo_broker_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return false;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.' || c == '~';
}

bool rfo_broker_buf_put_encoded(struct rfo_broker_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	if (!reserve(b, n * 3))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (unreserved(*p)) {
			b->data[b->len++] = (char)*p;
		} else {
			b->data[b->len++] = '%';
			b->data[b->len++] = hex[*p >> 4];
			b->data[b->len++] = hex[*p & 15];
		}
	}
	b->data[b->len] = '\0';
	return true;
}

void rfo_broker_buf_reset(struct rfo_broker_buf *b)
{
	if (b->data) {
		rfo_broker_wipe(b->data, b->len);
		b->data[0] = '\0';
	}
	b->len = 0;
}

void rfo_broker_buf_free(struct rfo_broker_buf *b)
{
	if (b->data) {
		rfo_broker_wipe(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = b->cap = 0;
}
