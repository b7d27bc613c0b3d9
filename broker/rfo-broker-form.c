/* restream-token-broker: application/x-www-form-urlencoded bodies and query strings, sans I/O. */
#include "rfo-broker-form.h"
#include "rfo-broker-buf.h"

#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* decodes in[0..len) into out (NUL-terminated); false on a malformed escape or a decoded NUL */
static bool decode(const char *in, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (len - i < 3)
				return false;
			int hi = hexval(in[i + 1]);
			int lo = hexval(in[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0')
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

static bool key_ok(const char *k)
{
	if (!*k)
		return false;
	for (const unsigned char *p = (const unsigned char *)k; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return false;
	return true;
}

bool rfo_broker_form_parse(struct rfo_broker_form *form, const char *s, size_t len)
{
	memset(form, 0, sizeof(*form));
	/* decoding never grows: len + one NUL per key and per value is enough */
	form->storage_len = len + 2 * RFO_BROKER_FORM_MAX_FIELDS + 2;
	form->storage = malloc(form->storage_len);
	if (!form->storage)
		return false;
	char *out = form->storage;
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && s[end] != '&')
			end++;
		if (end > i) { /* empty pairs ("a=1&&b=2") are skipped, as browsers do */
			if (form->count == RFO_BROKER_FORM_MAX_FIELDS)
				goto fail;
			const char *eq = memchr(s + i, '=', end - i);
			size_t klen = eq ? (size_t)(eq - (s + i)) : end - i;
			char *key = out;
			if (!decode(s + i, klen, key) || !key_ok(key))
				goto fail;
			out += strlen(key) + 1;
			char *value = out;
			if (!decode(eq ? eq + 1 : s + end, eq ? (size_t)(s + end - (eq + 1)) : 0, value))
				goto fail;
			out += strlen(value) + 1;
			if (rfo_broker_form_get(form, key))
				goto fail;
			form->keys[form->count] = key;
			form->values[form->count] = value;
			form->count++;
		}
		i = end + 1;
	}
	return true;
fail:
	rfo_broker_form_free(form);
	return false;
}

const char *rfo_broker_form_get(const struct rfo_broker_form *form, const char *key)
{
	for (size_t i = 0; i < form->count; i++)
		if (strcmp(form->keys[i], key) == 0)
			return form->values[i];
	return NULL;
}

void rfo_broker_form_free(struct rfo_broker_form *form)
{
	if (form->storage) {
		rfo_broker_wipe(form->storage, form->storage_len);
		free(form->storage);
	}
	memset(form, 0, sizeof(*form));
}
