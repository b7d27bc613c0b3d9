#pragma once
/* Internals shared by rfo-chat.c (the frame: action, connections, replies, lifetimes) and rfo-chat-event.c (an
 * "event" payload turned into a message). Not for use outside plugin/core/rfo-chat*.c. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <util/bmem.h>

#include "rfo-chat.h"
#include "rfo-json.h"
#include "rfo-text.h"

/* Sanitised copy of a string member, or NULL when absent or only whitespace. */
static inline char *clean_str(const json_t *obj, const char *key, size_t max)
{
	const json_t *v = rfo_json_get(obj, key);
	if (!v || !json_is_string(v))
		return NULL;
	char *s = rfo_text_sanitize(json_string_value(v), json_string_length(v), max);
	if (strspn(s, " ") == strlen(s)) {
		bfree(s);
		return NULL;
	}
	return s;
}

/* An id (string or integer) as a string cut to RFO_CHAT_MAX_ID bytes (on a code-point boundary), or NULL when
 * absent. */
static inline char *id_str(const json_t *obj, const char *key)
{
	char *s = rfo_json_id_dup(obj, key);
	if (s) {
		size_t len = strlen(s);
		if (len > RFO_CHAT_MAX_ID)
			s[rfo_text_utf8_prefix(s, len, RFO_CHAT_MAX_ID)] = 0;
	}
	return s;
}

/* A URL member kept as sent when it is clean text of at most RFO_CHAT_MAX_URL bytes, else NULL. */
static inline char *url_str(const json_t *obj, const char *key)
{
	const json_t *v = rfo_json_get(obj, key);
	if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > RFO_CHAT_MAX_URL)
		return NULL;
	char *s = rfo_text_sanitize(json_string_value(v), json_string_length(v), 0);
	if (strcmp(s, json_string_value(v)) != 0 || strchr(s, ' ')) {
		bfree(s);
		return NULL;
	}
	return s;
}

/* First of a NULL-terminated list of keys that gives a non-blank string. */
static inline char *clean_first(const json_t *obj, size_t max, const char *const *keys)
{
	for (; *keys; keys++) {
		char *s = clean_str(obj, *keys, max);
		if (s)
			return s;
	}
	return NULL;
}

static inline void set_platform(const char **platform, char *buf, size_t size, int64_t source_id, const char *known)
{
	if (!known)
		known = rfo_chat_platform_name(source_id);
	if (known) {
		*platform = known;
	} else {
		snprintf(buf, size, "Platform %" PRId64, source_id);
		*platform = buf;
	}
}

/* The message of an "event" frame's payload `p`, or NULL when it has nothing to show (rfo-chat-event.c). */
struct rfo_chat_message *rfo_chat_parse_event(const json_t *p, int64_t timestamp);
