/* Tolerant JSON getters: spellings, nulls, wrong types, numbers as strings, malformed input. */
#define _GNU_SOURCE /* mkdtemp, setenv */
#include "rfo-test.h"
#include "rfo-json.h"

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>

static json_t *load(const char *s)
{
	struct rfo_error err;
	json_t *j = rfo_json_load(s, strlen(s), "/v2/test", &err);
	if (!j)
		fail(err.message);
	return j;
}

static void test_load_errors(void)
{
	struct rfo_error err;
	rfo_error_clear(&err);
	check(!rfo_json_load(NULL, 0, "/v2/user/profile", &err));
	check(err.code == RFO_ERR_PARSE);
	check_str(err.message, "Restream sent an unexpected reply to /v2/user/profile");

	const char *bad[] = {"", "{", "{\"a\":", "[1,2", "nul", "{\"a\":1}}", "\xff\xfe", "{'a':1}", "{\"a\":01}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rfo_error_clear(&err);
		check(!rfo_json_load(bad[i], strlen(bad[i]), "/x", &err));
		check(err.code == RFO_ERR_PARSE);
	}
	/* embedded NUL byte inside the buffer */
	check(!rfo_json_load("{\"a\":1}\0{}", 10, "/x", &err));
	/* NULL err must be accepted */
	check(!rfo_json_load("{", 1, "/x", NULL));
	/* length limits the parse: only "[1]" is read out of "[1]garbage" */
	json_t *j = rfo_json_load("[1]garbage", 3, "/x", &err);
	check(json_is_array(j));
	json_decref(j);

	check(!rfo_json_load_object("[]", 2, "/x", &err));
	check(err.code == RFO_ERR_PARSE);
	check(!rfo_json_load_array("{}", 2, "/x", &err));
	j = rfo_json_load_object("{}", 2, "/x", &err);
	check(json_is_object(j));
	json_decref(j);
	j = rfo_json_load_array(" [ ] ", 5, "/x", &err);
	check(json_is_array(j));
	json_decref(j);
	j = rfo_json_load("\"s\"", 3, "/x", &err);
	check(json_is_string(j));
	json_decref(j);

	rfo_json_fail(&err, NULL);
	check_str(err.message, "Restream sent an unexpected reply to a request");
}

static void test_strings(void)
{
	json_t *j = load("{\"a\":\"x\",\"b\":null,\"c\":5,\"accessToken\":\"cam\",\"e\":\"\"}");
	check_str(rfo_json_str(j, "a"), "x");
	check(rfo_json_str(j, "b") == NULL);
	check(rfo_json_str(j, "c") == NULL);
	check(rfo_json_str(j, "missing") == NULL);
	check_str(rfo_json_str(j, "e"), "");
	check_str(rfo_json_str2(j, "access_token", "accessToken"), "cam");
	check_str(rfo_json_str2(j, "a", "accessToken"), "x");
	check_str(rfo_json_str2(j, "b", "a"), "x"); /* null first spelling falls through */
	check(rfo_json_str2(j, "missing", NULL) == NULL);
	char *d = rfo_json_str2_dup(j, "access_token", "accessToken");
	check_str(d, "cam");
	bfree(d);
	check(rfo_json_str_dup(j, "c") == NULL);
	d = rfo_json_str_dup(j, "a");
	check_str(d, "x");
	bfree(d);
	check(rfo_json_get(j, "b") == NULL);
	check(rfo_json_get2(j, "b", "c") != NULL);
	check(rfo_json_object(j, "a") == NULL);
	check(rfo_json_array(j, "a") == NULL);
	/* NULL and non-object containers */
	check(rfo_json_str(NULL, "a") == NULL);
	json_t *arr = json_array();
	check(rfo_json_str(arr, "a") == NULL);
	check(rfo_json_str(j, NULL) == NULL);
	json_decref(arr);
	json_decref(j);
}

static void test_ints(void)
{
	json_t *j = load("{\"i\":42,\"s\":\"1520280067\",\"neg\":\"-7\",\"r\":1599983310.0,\"f\":\"1.5\","
			 "\"big\":9223372036854775807,\"bigs\":\"99999999999999999999\",\"bool\":true,"
			 "\"empty\":\"\",\"junk\":\"12ab\",\"n\":null,\"inf\":1e300,\"sp\":\" 12 \",\"sign\":\"-\"}");
	int64_t v = 0;
	check(rfo_json_int(j, "i", &v) && v == 42);
	check(rfo_json_int(j, "s", &v) && v == 1520280067);
	check(rfo_json_int(j, "neg", &v) && v == -7);
	check(rfo_json_int(j, "r", &v) && v == 1599983310);
	check(rfo_json_int(j, "big", &v) && v == INT64_MAX);
	check(rfo_json_int(j, "sp", &v) && v == 12);
	v = 99;
	check(!rfo_json_int(j, "f", &v) && v == 99);
	check(!rfo_json_int(j, "bigs", &v) && v == 99);
	check(!rfo_json_int(j, "bool", &v));
	check(!rfo_json_int(j, "empty", &v));
	check(!rfo_json_int(j, "junk", &v));
	check(!rfo_json_int(j, "n", &v));
	check(!rfo_json_int(j, "inf", &v));
	check(!rfo_json_int(j, "sign", &v));
	check(!rfo_json_int(j, "missing", &v) && v == 99);
	check(rfo_json_int_or(j, "missing", -1) == -1);
	check(rfo_json_int_or(j, "s", -1) == 1520280067);
	check(rfo_json_int2(j, "missing", "i", &v) && v == 42);
	check(rfo_json_int2(j, "junk", "i", &v) && v == 42); /* unusable first spelling falls through */
	check(rfo_json_id(j, "i", &v) && v == 42);

	double d = 0;
	check(rfo_json_double(j, "f", &d) && d == 1.5);
	check(rfo_json_double(j, "i", &d) && d == 42.0);
	check(!rfo_json_double(j, "junk", &d));
	check(!rfo_json_double(j, "empty", &d));
	json_decref(j);

	j = load("{\"lat\":\"51.50735100\",\"long\":\"-0.12775800\"}");
	check(rfo_json_double(j, "lat", &d) && d > 51.5 && d < 51.51);
	check(rfo_json_double(j, "long", &d) && d < -0.12 && d > -0.13);
	json_decref(j);
}

/* Makes LC_NUMERIC a locale whose decimal separator is ',' (generating de_DE.UTF-8 into a temporary folder when the
 * system has none installed). false when that is impossible here. */
static bool comma_locale(char *dir, size_t size)
{
	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "de_DE.utf8"))
		return true;
	snprintf(dir, size, "/tmp/rfo-test-locale-XXXXXX");
	if (!mkdtemp(dir)) {
		dir[0] = 0;
		return false;
	}
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", dir);
	if (system(cmd) != 0)
		return false;
	setenv("LOCPATH", dir, 1);
	return setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL;
}

/* Numbers sent as strings keep their '.' meaning under a locale whose decimal separator is ','. */
static void test_double_locale(void)
{
	char dir[64] = "";
	if (!comma_locale(dir, sizeof(dir))) {
		fprintf(stderr, "note: no de_DE locale available: the LC_NUMERIC check is skipped\n");
	} else {
		check(strtod("1.5", NULL) == 1.0); /* the locale is really in effect */
		json_t *j = load("{\"fps\":\"29.97\",\"loss\":\"0.25\",\"n\":2.5,\"comma\":\"1,5\"}");
		double d = 0;
		check(rfo_json_double(j, "fps", &d) && d > 29.96 && d < 29.98);
		check(rfo_json_double(j, "loss", &d) && d == 0.25);
		check(rfo_json_double(j, "n", &d) && d == 2.5);
		check(!rfo_json_double(j, "comma", &d)); /* not a number in JSON's (and Restream's) notation */
		json_decref(j);
		setlocale(LC_NUMERIC, "C");
	}
	if (dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		check(system(cmd) == 0);
	}
}

static void test_bools(void)
{
	json_t *j = load("{\"t\":true,\"f\":false,\"one\":1,\"zero\":0,\"two\":2,\"st\":\"true\",\"sf\":\"false\","
			 "\"s1\":\"1\",\"s0\":\"0\",\"junk\":\"yes\",\"n\":null}");
	bool b = false;
	check(rfo_json_bool(j, "t", &b) && b);
	check(rfo_json_bool(j, "f", &b) && !b);
	check(rfo_json_bool(j, "one", &b) && b);
	check(rfo_json_bool(j, "zero", &b) && !b);
	check(rfo_json_bool(j, "st", &b) && b);
	check(rfo_json_bool(j, "sf", &b) && !b);
	check(rfo_json_bool(j, "s1", &b) && b);
	check(rfo_json_bool(j, "s0", &b) && !b);
	b = true;
	check(!rfo_json_bool(j, "two", &b) && b);
	check(!rfo_json_bool(j, "junk", &b) && b);
	check(!rfo_json_bool(j, "n", &b) && b);
	check(rfo_json_bool_or(j, "missing", true));
	check(!rfo_json_bool_or(j, "f", true));
	check(rfo_json_bool2(j, "n", "one", &b) && b);
	check(rfo_json_bool2(j, "zero", "one", &b) && !b);
	json_decref(j);
}

static void test_ids(void)
{
	json_t *j = load("{\"uuid\":\"2527849f-f961-4b1d-8ae0-8eae4f068327\",\"num\":123456,"
			 "\"neg\":-5,\"r\":1.5,\"n\":null}");
	char *s = rfo_json_id_dup(j, "uuid");
	check_str(s, "2527849f-f961-4b1d-8ae0-8eae4f068327");
	bfree(s);
	s = rfo_json_id_dup(j, "num");
	check_str(s, "123456");
	bfree(s);
	s = rfo_json_id_dup(j, "neg");
	check_str(s, "-5");
	bfree(s);
	check(rfo_json_id_dup(j, "r") == NULL);
	check(rfo_json_id_dup(j, "n") == NULL);
	check(rfo_json_id_dup(NULL, "n") == NULL);
	json_decref(j);
}

static void test_times(void)
{
	int64_t t = 0;
	check(rfo_json_parse_iso8601("2018-03-05T20:01:07.215Z", &t) && t == 1520280067);
	check(rfo_json_parse_iso8601("2018-03-05T20:01:07Z", &t) && t == 1520280067);
	check(rfo_json_parse_iso8601("2018-03-05T21:01:07+01:00", &t) && t == 1520280067);
	check(rfo_json_parse_iso8601("2018-03-05T19:31:07-0030", &t) && t == 1520280067);
	check(rfo_json_parse_iso8601("2018-03-05 20:01:07", &t) && t == 1520280067);
	check(rfo_json_parse_iso8601("1970-01-01T00:00:00Z", &t) && t == 0);
	check(rfo_json_parse_iso8601("2024-02-29T00:00:00Z", &t) && t == 1709164800);
	check(!rfo_json_parse_iso8601("2023-02-29T00:00:00Z", &t));
	check(!rfo_json_parse_iso8601("2018-13-05T20:01:07Z", &t));
	check(!rfo_json_parse_iso8601("2018-03-05", &t));
	check(!rfo_json_parse_iso8601("2018-03-05T20:01:07Zjunk", &t));
	check(!rfo_json_parse_iso8601("2018-03-05T20:01:07.Z", &t));
	check(!rfo_json_parse_iso8601("", &t));
	check(!rfo_json_parse_iso8601(NULL, &t));

	json_t *j = load("{\"s\":1599983310,\"ms\":1599983310123,\"str\":\"1599983310\",\"iso\":"
			 "\"2020-09-13T07:48:30Z\",\"n\":null,\"bad\":\"soon\",\"b\":true}");
	check(rfo_json_time(j, "s", &t) && t == 1599983310);
	check(rfo_json_time(j, "ms", &t) && t == 1599983310);
	check(rfo_json_time(j, "str", &t) && t == 1599983310);
	check(rfo_json_time(j, "iso", &t) && t == 1599983310);
	t = 5;
	check(!rfo_json_time(j, "n", &t) && t == 5);
	check(!rfo_json_time(j, "bad", &t) && t == 5);
	check(!rfo_json_time(j, "b", &t) && t == 5);
	char *d = rfo_json_dump(rfo_json_get(j, "s"));
	check_str(d, "1599983310");
	bfree(d);
	check(rfo_json_dump(NULL) == NULL);
	json_decref(j);
}

static void test_huge(void)
{
	/* deep nesting must be refused (jansson's depth limit), not crash */
	size_t n = 200000;
	char *buf = bmalloc(n * 2);
	memset(buf, '[', n);
	memset(buf + n, ']', n);
	struct rfo_error err;
	check(!rfo_json_load(buf, n * 2, "/deep", &err));
	check(err.code == RFO_ERR_PARSE);
	bfree(buf);

	/* a long string value is fine */
	size_t len = 1 << 20;
	char *big = bmalloc(len + 16);
	strcpy(big, "{\"a\":\"");
	memset(big + 6, 'x', len);
	strcpy(big + 6 + len, "\"}");
	json_t *j = rfo_json_load(big, strlen(big), "/big", &err);
	check(j != NULL);
	check(strlen(rfo_json_str(j, "a")) == len);
	json_decref(j);
	bfree(big);
}

int main(void)
{
	test_load_errors();
	test_strings();
	test_ints();
	test_double_locale();
	test_bools();
	test_ids();
	test_times();
	test_huge();
	return rfo_test_end();
}
