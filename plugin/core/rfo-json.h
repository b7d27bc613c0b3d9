#pragma once
/* Tiny tolerant getters over jansson, shared by every core parser.
 *
 * Tolerance rules (docs/restream-api.md §7):
 *  - a missing key, a JSON null and a value of the wrong type all read as "absent";
 *  - integers come from JSON integers, integral-ish reals (truncated) or numeric strings ("42", "-7");
 *  - booleans come from true/false, the integers 0/1 and the strings "true"/"false"/"0"/"1";
 *  - `*2` variants take two key spellings (e.g. "access_token"/"accessToken") and use the first one
 *    that is present with a usable value.
 * All getters accept a NULL object (or a non-object) and then return "absent". None of them allocates
 * except the `_dup` ones, whose result the caller frees with bfree(). */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse `len` bytes (no NUL terminator needed; json may be NULL when len is 0). Returns a NEW
 * reference (json_decref it) or NULL with err = RFO_ERR_PARSE and the message
 * "Restream sent an unexpected reply to <what>". Any JSON value is accepted at the top level. */
json_t *rfo_json_load(const char *json, size_t len, const char *what, struct rfo_error *err);
/* Same, but the top level must be an object (resp. an array); otherwise NULL + error. */
json_t *rfo_json_load_object(const char *json, size_t len, const char *what, struct rfo_error *err);
json_t *rfo_json_load_array(const char *json, size_t len, const char *what, struct rfo_error *err);
/* Fill err with RFO_ERR_PARSE "Restream sent an unexpected reply to <what>" (what may be NULL). */
void rfo_json_fail(struct rfo_error *err, const char *what);

/* --- value-level conversions (v may be NULL) --- */
/* Borrowed string (valid while v lives) or NULL when v is not a string. */
const char *rfo_json_as_str(const json_t *v);
bool rfo_json_as_int(const json_t *v, int64_t *out);
bool rfo_json_as_double(const json_t *v, double *out); /* number or numeric string, finite only */
bool rfo_json_as_bool(const json_t *v, bool *out);
/* An id as text: strings are copied, integers printed in decimal. bfree() it; NULL if neither. */
char *rfo_json_as_id_dup(const json_t *v);

/* --- object members --- */
/* Borrowed member that is present and not null, or NULL. */
json_t *rfo_json_get(const json_t *obj, const char *key);
/* First of key1/key2 that is present and not null (key2 may be NULL). */
json_t *rfo_json_get2(const json_t *obj, const char *key1, const char *key2);
/* Member as object / array (borrowed), or NULL when absent or another type. */
json_t *rfo_json_object(const json_t *obj, const char *key);
json_t *rfo_json_array(const json_t *obj, const char *key);

/* Borrowed string (lives as long as obj) or NULL. */
const char *rfo_json_str(const json_t *obj, const char *key);
const char *rfo_json_str2(const json_t *obj, const char *key1, const char *key2);
/* bstrdup'd copy (caller bfree()s) or NULL. */
char *rfo_json_str_dup(const json_t *obj, const char *key);
char *rfo_json_str2_dup(const json_t *obj, const char *key1, const char *key2);

/* true and *out set when the member converts; *out untouched otherwise. */
bool rfo_json_int(const json_t *obj, const char *key, int64_t *out);
bool rfo_json_int2(const json_t *obj, const char *key1, const char *key2, int64_t *out);
int64_t rfo_json_int_or(const json_t *obj, const char *key, int64_t def);
bool rfo_json_double(const json_t *obj, const char *key, double *out);
bool rfo_json_bool(const json_t *obj, const char *key, bool *out);
bool rfo_json_bool2(const json_t *obj, const char *key1, const char *key2, bool *out);
bool rfo_json_bool_or(const json_t *obj, const char *key, bool def);

/* Ids: numeric ids as int64 (numbers or numeric strings), text ids (event UUIDs) as strings. */
static inline bool rfo_json_id(const json_t *obj, const char *key, int64_t *out)
{
	return rfo_json_int(obj, key, out);
}
/* bfree() the result; NULL when absent. Integers are printed in decimal. */
char *rfo_json_id_dup(const json_t *obj, const char *key);

/* A timestamp as Unix seconds: a number or numeric string (values above 1e11 are taken as
 * milliseconds and divided by 1000) or an ISO-8601 UTC string ("2018-03-05T20:01:07.215Z",
 * "…+01:00" offsets honoured). false for null/absent/unparseable. */
bool rfo_json_as_time(const json_t *v, int64_t *out);
bool rfo_json_time(const json_t *obj, const char *key, int64_t *out);
/* Parse ISO-8601 "YYYY-MM-DD[T ]hh:mm:ss[.frac](Z|±hh:mm|±hhmm)?" (no zone = UTC). */
bool rfo_json_parse_iso8601(const char *s, int64_t *out);

/* Compact serialization of v as a bstrdup'd string (caller bfree()s), NULL on failure. */
char *rfo_json_dump(const json_t *v);

#ifdef __cplusplus
}
#endif
