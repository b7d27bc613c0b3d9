#pragma once
/* Internal to rfo-rest*.c: the one body-to-struct walk every list and single-object REST parser
 * shares (implemented in rfo-rest.c). Not for other modules: they use rfo-rest.h. */
#include "rfo-json.h"
#include "rfo-rest.h"

/* s cleaned for display (rfo_text_sanitize, cut to max bytes), else fallback cleaned the same way, else NULL. */
char *rfo_rest_text(const char *s, size_t max, const char *fallback);
/* Multi-line text (descriptions): like rfo_rest_text, but line breaks are kept. NULL when s is NULL. */
char *rfo_rest_lines(const char *s, size_t max);
/* A copy of s when it is already clean text (nothing rfo_text_sanitize would change, no space) of at most max
 * bytes; NULL otherwise. For URLs and ids, which must not be altered. */
char *rfo_rest_token(const char *s, size_t max);

/* Fills *item (which it zeroes first) from one JSON object; false with nothing left allocated
 * when the object has no usable id. */
typedef bool (*rfo_rest_item_fn)(const json_t *v, void *item);

/* A body that is one object: item_from fills *out. Errors (RFO_ERR_PARSE, naming `what`): not an
 * object, or item_from refused it. out is zeroed first (out_size bytes). */
bool rfo_rest_parse_object(const char *json, size_t len, const char *what, rfo_rest_item_fn item_from, void *out,
			   size_t out_size, struct rfo_error *err);

/* A body that is a bare array (or, with items_object, {"items":[…]}): each object element that
 * item_from accepts, in order, into *items (bzalloc'd, item_size each; NULL when empty) and *count.
 * Returns the parsed root (a NEW reference, for extra fields such as "pagination") or NULL with err
 * set. */
json_t *rfo_rest_parse_items(const char *json, size_t len, const char *what, bool items_object,
			     rfo_rest_item_fn item_from, size_t item_size, void **items, size_t *count,
			     struct rfo_error *err);
