#pragma once

#include <obs-data.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <util/darray.h>

/* The vendor requests' arguments, checked the same way for every request before its handler runs (the feature
 * registry calls rfo_vendor_args_check with the request's spec). A failure answers ok:false with errorCode
 * "missingArgument" or "invalidArgument" and a sentence; the handler then reads the checked values with the
 * readers below. obs-websocket hands over JSON numbers as int or double, arrays only when every element is an
 * object, and never a JSON null (such a field is absent). */

enum rfo_vendor_arg_type {
	RFO_VENDOR_ARG_ID,      /* a positive id: a whole number, or a string of digits ("123") */
	RFO_VENDOR_ARG_ID_LIST, /* ids as [{"id":1},…] (also {"value":1}) or as a string "1,2,3" */
	RFO_VENDOR_ARG_TEXT_ID, /* an id Restream gives as text (a UUID): letters, digits, '-', '_'; or a number */
	RFO_VENDOR_ARG_BOOL,    /* true or false */
	RFO_VENDOR_ARG_STRING,  /* text */
	RFO_VENDOR_ARG_COUNT,   /* a whole number of 1 or more (a number or a string of digits) */
};

struct rfo_vendor_arg {
	const char *name;
	enum rfo_vendor_arg_type type;
	bool required;
	bool zero_ok;   /* ID: 0 is accepted too (e.g. "the default") */
	size_t max_len; /* STRING: at most this many bytes (0 = no limit) */
	/* Locale key of the sentence for a missing or invalid value; NULL = a generic sentence naming the field. */
	const char *error_key;
};

/* Checks `request` (may be NULL: no fields) against `args`. On the first failure answers ok:false, errorCode and
 * error in `response` and returns false. Any thread. */
bool rfo_vendor_args_check(obs_data_t *request, const struct rfo_vendor_arg *args, size_t count, obs_data_t *response);

/* Readers, also usable unchecked: false (and *out untouched) when the field is absent or not of that kind. */
bool rfo_vendor_arg_id(obs_data_t *request, const char *name, int64_t *out);
/* Appends the ids to `out` (a DARRAY(int64_t)'s .da); false when absent or when an element is not an id. */
bool rfo_vendor_arg_ids(obs_data_t *request, const char *name, struct darray *out);
bool rfo_vendor_arg_bool(obs_data_t *request, const char *name, bool *out);
/* The string (borrowed from request), or NULL when absent or not a string. */
const char *rfo_vendor_arg_string(obs_data_t *request, const char *name);
/* A TEXT_ID as a string: the string itself (borrowed from request), or a number written into buf; "" when
 * absent. */
const char *rfo_vendor_arg_text_id(obs_data_t *request, const char *name, char *buf, size_t size);
bool rfo_vendor_arg_count(obs_data_t *request, const char *name, int64_t *out);
