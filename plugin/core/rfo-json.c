#define _GNU_SOURCE /* strtod_l */
#include "rfo-json.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <util/bmem.h>

void rfo_json_fail(struct rfo_error *err, const char *what)
{
	rfo_error_set(err, RFO_ERR_PARSE, "Restream sent an unexpected reply to %s",
		      what && *what ? what : "a request");
}

json_t *rfo_json_load(const char *json, size_t len, const char *what, struct rfo_error *err)
{
	if (!json || !len) {
		rfo_json_fail(err, what);
		return NULL;
	}
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_DECODE_ANY, &jerr);
	if (!root) {
		rfo_json_fail(err, what);
		return NULL;
	}
	return root;
}

static json_t *load_typed(const char *json, size_t len, const char *what, struct rfo_error *err, json_type type)
{
	json_t *root = rfo_json_load(json, len, what, err);
	if (root && json_typeof(root) != type) {
		json_decref(root);
		rfo_json_fail(err, what);
		return NULL;
	}
	return root;
}

json_t *rfo_json_load_object(const char *json, size_t len, const char *what, struct rfo_error *err)
{
	return load_typed(json, len, what, err, JSON_OBJECT);
}

json_t *rfo_json_load_array(const char *json, size_t len, const char *what, struct rfo_error *err)
{
	return load_typed(json, len, what, err, JSON_ARRAY);
}

const char *rfo_json_as_str(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool parse_int_text(const char *s, int64_t *out)
{
	if (!s)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE || end == s)
		return false;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end)
		return false;
	*out = (int64_t)v;
	return true;
}

bool rfo_json_as_int(const json_t *v, int64_t *out)
{
	if (!v || !out)
		return false;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		/* 9223372036854775808.0 is 2^63, the first value out of range */
		if (!isfinite(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
			return false;
		*out = (int64_t)d;
		return true;
	}
	if (json_is_string(v))
		return parse_int_text(json_string_value(v), out);
	return false;
}

bool rfo_json_as_double(const json_t *v, double *out)
{
	if (!v || !out)
		return false;
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return false;
	/* Restream writes numbers with a '.', whatever LC_NUMERIC OBS runs under (a German locale would stop
	 * plain strtod at the '.'). For "C", glibc hands back its static locale object: no allocation. */
	locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (!c_locale)
		return false;
	char *end = NULL;
	errno = 0;
	double d = strtod_l(s, &end, c_locale);
	freelocale(c_locale);
	if (end == s || errno == ERANGE || !isfinite(d))
		return false;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end)
		return false;
	*out = d;
	return true;
}

bool rfo_json_as_bool(const json_t *v, bool *out)
{
	if (!v || !out)
		return false;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return true;
	}
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i != 0 && i != 1)
			return false;
		*out = i == 1;
		return true;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
			*out = true;
			return true;
		}
		if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

char *rfo_json_as_id_dup(const json_t *v)
{
	if (json_is_string(v))
		return bstrdup(json_string_value(v));
	if (json_is_integer(v)) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%" PRId64, (int64_t)json_integer_value(v));
		return bstrdup(buf);
	}
	return NULL;
}

json_t *rfo_json_get(const json_t *obj, const char *key)
{
	if (!json_is_object(obj) || !key)
		return NULL;
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

json_t *rfo_json_get2(const json_t *obj, const char *key1, const char *key2)
{
	json_t *v = rfo_json_get(obj, key1);
	return v ? v : rfo_json_get(obj, key2);
}

json_t *rfo_json_object(const json_t *obj, const char *key)
{
	json_t *v = rfo_json_get(obj, key);
	return json_is_object(v) ? v : NULL;
}

json_t *rfo_json_array(const json_t *obj, const char *key)
{
	json_t *v = rfo_json_get(obj, key);
	return json_is_array(v) ? v : NULL;
}

const char *rfo_json_str(const json_t *obj, const char *key)
{
	return rfo_json_as_str(rfo_json_get(obj, key));
}

const char *rfo_json_str2(const json_t *obj, const char *key1, const char *key2)
{
	const char *s = rfo_json_str(obj, key1);
	return s ? s : rfo_json_str(obj, key2);
}

char *rfo_json_str_dup(const json_t *obj, const char *key)
{
	const char *s = rfo_json_str(obj, key);
	return s ? bstrdup(s) : NULL;
}

char *rfo_json_str2_dup(const json_t *obj, const char *key1, const char *key2)
{
	const char *s = rfo_json_str2(obj, key1, key2);
	return s ? bstrdup(s) : NULL;
}

bool rfo_json_int(const json_t *obj, const char *key, int64_t *out)
{
	return rfo_json_as_int(rfo_json_get(obj, key), out);
}

bool rfo_json_int2(const json_t *obj, const char *key1, const char *key2, int64_t *out)
{
	return rfo_json_int(obj, key1, out) || rfo_json_int(obj, key2, out);
}

int64_t rfo_json_int_or(const json_t *obj, const char *key, int64_t def)
{
	int64_t v;
	return rfo_json_int(obj, key, &v) ? v : def;
}

bool rfo_json_double(const json_t *obj, const char *key, double *out)
{
	return rfo_json_as_double(rfo_json_get(obj, key), out);
}

bool rfo_json_bool(const json_t *obj, const char *key, bool *out)
{
	return rfo_json_as_bool(rfo_json_get(obj, key), out);
}

bool rfo_json_bool2(const json_t *obj, const char *key1, const char *key2, bool *out)
{
	return rfo_json_bool(obj, key1, out) || rfo_json_bool(obj, key2, out);
}

bool rfo_json_bool_or(const json_t *obj, const char *key, bool def)
{
	bool v;
	return rfo_json_bool(obj, key, &v) ? v : def;
}

char *rfo_json_id_dup(const json_t *obj, const char *key)
{
	return rfo_json_as_id_dup(rfo_json_get(obj, key));
}

/* days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil) */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool read_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

bool rfo_json_parse_iso8601(const char *s, int64_t *out)
{
	if (!s || !out)
		return false;
	const char *p = s;
	int y, mo, d, h, mi, sec = 0;
	if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &mo) || *p++ != '-' ||
	    !read_digits(&p, 2, &d))
		return false;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return false;
	p++;
	if (!read_digits(&p, 2, &h) || *p++ != ':' || !read_digits(&p, 2, &mi))
		return false;
	if (*p == ':') {
		p++;
		if (!read_digits(&p, 2, &sec))
			return false;
		if (*p == '.' || *p == ',') {
			p++;
			if (*p < '0' || *p > '9')
				return false;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	int offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		int oh, om = 0;
		if (!read_digits(&p, 2, &oh))
			return false;
		if (*p == ':')
			p++;
		if (*p && !read_digits(&p, 2, &om))
			return false;
		if (oh > 23 || om > 59)
			return false;
		offset = sign * (oh * 3600 + om * 60);
	}
	if (*p)
		return false;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	return true;
}

bool rfo_json_as_time(const json_t *v, int64_t *out)
{
	if (!v || !out)
		return false;
	int64_t t;
	if (rfo_json_as_int(v, &t)) {
		/* milliseconds (or finer): scale down until it is plausible seconds, so that a value read
		 * back after being stored in seconds reads the same (found by fuzz_token_record) */
		while (t > 100000000000LL || t < -100000000000LL)
			t /= 1000;
		*out = t;
		return true;
	}
	if (json_is_string(v))
		return rfo_json_parse_iso8601(json_string_value(v), out);
	return false;
}

bool rfo_json_time(const json_t *obj, const char *key, int64_t *out)
{
	return rfo_json_as_time(rfo_json_get(obj, key), out);
}

char *rfo_json_dump(const json_t *v)
{
	if (!v)
		return NULL;
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		return NULL;
	char *copy = bstrdup(s);
	free(s);
	return copy;
}
