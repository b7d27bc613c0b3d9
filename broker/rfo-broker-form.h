/* restream-token-broker: application/x-www-form-urlencoded bodies and query strings, sans I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define RFO_BROKER_FORM_MAX_FIELDS 16

struct rfo_broker_form {
	size_t count;
	const char *keys[RFO_BROKER_FORM_MAX_FIELDS];   /* decoded, point into storage */
	const char *values[RFO_BROKER_FORM_MAX_FIELDS]; /* decoded, point into storage */
	char *storage;                                  /* owned; wiped by _free (values may be tokens) */
	size_t storage_len;
};

/* Decodes `len` bytes ('+' is a space, %XX a byte). Fails (and leaves nothing to free) on a malformed escape, a
 * decoded NUL or control character in a key, an empty key, a repeated key (a second value would be a way to make
 * the broker and Restream read different requests) or more than RFO_BROKER_FORM_MAX_FIELDS fields. */
bool rfo_broker_form_parse(struct rfo_broker_form *form, const char *s, size_t len);
/* the decoded value of key, or NULL; borrowed until _free */
const char *rfo_broker_form_get(const struct rfo_broker_form *form, const char *key);
void rfo_broker_form_free(struct rfo_broker_form *form);
