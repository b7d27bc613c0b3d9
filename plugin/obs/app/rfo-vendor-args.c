/* The vendor requests' shared argument checks and failure answers (errorCode + sentence). No OBS frontend: the
 * feature registry's unit test links this file. */
#include "rfo-vendor-args.h"
#include "rfo-vendor.h"

#include <obs-module.h>
#include <stdio.h>
#include <stdlib.h>
#include <util/dstr.h>

#define TEXT_ID_MAX 64

static const char *const code_names[] = {
	[RFO_VENDOR_MISSING_ARGUMENT] = "missingArgument",
	[RFO_VENDOR_INVALID_ARGUMENT] = "invalidArgument",
	[RFO_VENDOR_NOT_SIGNED_IN] = "notSignedIn",
	[RFO_VENDOR_UNAUTHORIZED] = "unauthorized",
	[RFO_VENDOR_NOT_FOUND] = "notFound",
	[RFO_VENDOR_BUSY] = "busy",
	[RFO_VENDOR_TIMEOUT] = "timeout",
	[RFO_VENDOR_RATE_LIMITED] = "rateLimited",
	[RFO_VENDOR_RESTREAM_ERROR] = "restreamError",
	[RFO_VENDOR_NETWORK_ERROR] = "networkError",
	[RFO_VENDOR_NOT_READY] = "notReady",
	[RFO_VENDOR_INVALID_STATE] = "invalidState",
	[RFO_VENDOR_STREAM_ACTIVE] = "streamActive",
	[RFO_VENDOR_UNSUPPORTED] = "unsupported",
	[RFO_VENDOR_UNAVAILABLE] = "unavailable",
	[RFO_VENDOR_STOPPING] = "stopping",
	[RFO_VENDOR_OBS_ERROR] = "obsError",
};

const char *rfo_vendor_code_name(enum rfo_vendor_code code)
{
	size_t i = (size_t)code;
	return i < sizeof(code_names) / sizeof(code_names[0]) && code_names[i] ? code_names[i] : "invalidState";
}

enum rfo_vendor_code rfo_vendor_code_of(const struct rfo_error *err)
{
	switch (err ? err->code : RFO_ERR_NONE) {
	case RFO_ERR_PARSE:
		return RFO_VENDOR_RESTREAM_ERROR;
	case RFO_ERR_NETWORK:
		return RFO_VENDOR_NETWORK_ERROR;
	case RFO_ERR_CANCELLED:
		return RFO_VENDOR_STOPPING;
	case RFO_ERR_AUTH:
		return RFO_VENDOR_NOT_SIGNED_IN;
	case RFO_ERR_INVALID:
		return RFO_VENDOR_INVALID_ARGUMENT;
	case RFO_API_STILL_WAITING:
		return RFO_VENDOR_TIMEOUT;
	case 401:
		return RFO_VENDOR_UNAUTHORIZED;
	case 404:
		return RFO_VENDOR_NOT_FOUND;
	case 429:
		return RFO_VENDOR_RATE_LIMITED;
	case RFO_ERR_STATE:
	case RFO_ERR_NONE:
		return RFO_VENDOR_INVALID_STATE;
	default:
		return RFO_VENDOR_RESTREAM_ERROR; /* any other HTTP status */
	}
}

void rfo_vendor_fail(obs_data_t *response, enum rfo_vendor_code code, const char *error)
{
	obs_data_set_bool(response, "ok", false);
	obs_data_set_string(response, "error", error ? error : "");
	obs_data_set_string(response, "errorCode", rfo_vendor_code_name(code));
}

void rfo_vendor_fail_error(obs_data_t *response, const struct rfo_error *err)
{
	rfo_vendor_fail(response, rfo_vendor_code_of(err), err ? err->message : "");
}

/* ---------------------------------------------------------------- readers */

/* A whole number (int, or a double without fraction) or a string strtoll reads entirely; false otherwise. */
static bool item_number(obs_data_item_t *item, long long *out)
{
	switch (item ? obs_data_item_gettype(item) : OBS_DATA_NULL) {
	case OBS_DATA_NUMBER:
		if (obs_data_item_numtype(item) == OBS_DATA_NUM_DOUBLE) {
			double d = obs_data_item_get_double(item);
			if (!(d >= -9.2e18 && d <= 9.2e18))
				return false;
			*out = (long long)d;
			return (double)*out == d;
		}
		*out = obs_data_item_get_int(item);
		return true;
	case OBS_DATA_STRING: {
		const char *s = obs_data_item_get_string(item);
		char *end = NULL;
		long long v = s && *s ? strtoll(s, &end, 10) : 0;
		*out = v;
		return end && !*end;
	}
	default:
		return false;
	}
}

static bool item_id(obs_data_item_t *item, bool zero_ok, int64_t *out)
{
	long long v = 0;
	if (!item_number(item, &v) || v < 0 || (v == 0 && !zero_ok))
		return false;
	*out = v;
	return true;
}

bool rfo_vendor_arg_id(obs_data_t *request, const char *name, int64_t *out)
{
	obs_data_item_t *item = request ? obs_data_item_byname(request, name) : NULL;
	bool ok = item_id(item, true, out);
	obs_data_item_release(&item);
	return ok;
}

bool rfo_vendor_arg_count(obs_data_t *request, const char *name, int64_t *out)
{
	obs_data_item_t *item = request ? obs_data_item_byname(request, name) : NULL;
	long long v = 0;
	bool ok = item_number(item, &v) && v >= 1;
	if (ok)
		*out = v;
	obs_data_item_release(&item);
	return ok;
}

static bool ids_from_array(obs_data_item_t *item, struct darray *out)
{
	obs_data_array_t *arr = obs_data_item_get_array(item);
	bool ok = true;
	for (size_t i = 0; i < obs_data_array_count(arr); i++) {
		obs_data_t *o = obs_data_array_item(arr, i);
		obs_data_item_t *v = obs_data_item_byname(o, "id");
		if (!v)
			v = obs_data_item_byname(o, "value");
		int64_t id = 0;
		if (item_id(v, false, &id))
			darray_push_back(sizeof(int64_t), out, &id);
		else
			ok = false;
		obs_data_item_release(&v);
		obs_data_release(o);
	}
	obs_data_array_release(arr);
	return ok;
}

static bool ids_from_string(const char *s, struct darray *out)
{
	while (s && *s) {
		char *end = NULL;
		long long v = strtoll(s, &end, 10);
		if (end == s || v <= 0)
			return false;
		int64_t id = v;
		darray_push_back(sizeof(int64_t), out, &id);
		s = end;
		while (*s == ',' || *s == ' ')
			s++;
	}
	return true;
}

bool rfo_vendor_arg_ids(obs_data_t *request, const char *name, struct darray *out)
{
	obs_data_item_t *item = request ? obs_data_item_byname(request, name) : NULL;
	bool ok = false;
	if (item && obs_data_item_gettype(item) == OBS_DATA_ARRAY)
		ok = ids_from_array(item, out);
	else if (item && obs_data_item_gettype(item) == OBS_DATA_STRING)
		ok = ids_from_string(obs_data_item_get_string(item), out);
	obs_data_item_release(&item);
	return ok;
}

bool rfo_vendor_arg_bool(obs_data_t *request, const char *name, bool *out)
{
	obs_data_item_t *item = request ? obs_data_item_byname(request, name) : NULL;
	bool ok = item && obs_data_item_gettype(item) == OBS_DATA_BOOLEAN;
	if (ok)
		*out = obs_data_item_get_bool(item);
	obs_data_item_release(&item);
	return ok;
}

const char *rfo_vendor_arg_string(obs_data_t *request, const char *name)
{
	obs_data_item_t *item = request ? obs_data_item_byname(request, name) : NULL;
	/* the string belongs to the request's item, which the request keeps */
	const char *s = item && obs_data_item_gettype(item) == OBS_DATA_STRING ? obs_data_item_get_string(item) : NULL;
	obs_data_item_release(&item);
	return s;
}

/* Restream's event ids go into URL paths: only what its UUIDs (or numbers) contain. */
static bool text_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n > TEXT_ID_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			return false;
	return true;
}

const char *rfo_vendor_arg_text_id(obs_data_t *request, const char *name, char *buf, size_t size)
{
	const char *s = rfo_vendor_arg_string(request, name);
	if (s)
		return s;
	int64_t id = 0;
	obs_data_item_t *item = request ? obs_data_item_byname(request, name) : NULL;
	bool number = item && obs_data_item_gettype(item) == OBS_DATA_NUMBER && item_id(item, false, &id);
	obs_data_item_release(&item);
	if (!number || !size)
		return "";
	snprintf(buf, size, "%lld", (long long)id);
	return buf;
}

/* ---------------------------------------------------------------- the check */

static bool arg_valid(obs_data_t *request, const struct rfo_vendor_arg *arg, obs_data_item_t *item)
{
	int64_t id = 0;
	bool b = false;
	switch (arg->type) {
	case RFO_VENDOR_ARG_ID:
		return item_id(item, arg->zero_ok, &id);
	case RFO_VENDOR_ARG_ID_LIST: {
		DARRAY(int64_t) ids;
		da_init(ids);
		bool ok = rfo_vendor_arg_ids(request, arg->name, &ids.da) && ids.num > 0;
		da_free(ids);
		return ok;
	}
	case RFO_VENDOR_ARG_TEXT_ID:
		if (obs_data_item_gettype(item) == OBS_DATA_NUMBER)
			return item_id(item, false, &id);
		return obs_data_item_gettype(item) == OBS_DATA_STRING && text_id_valid(obs_data_item_get_string(item));
	case RFO_VENDOR_ARG_BOOL:
		return rfo_vendor_arg_bool(request, arg->name, &b);
	case RFO_VENDOR_ARG_STRING:
		return obs_data_item_gettype(item) == OBS_DATA_STRING &&
		       (!arg->max_len || strlen(obs_data_item_get_string(item)) <= arg->max_len);
	case RFO_VENDOR_ARG_COUNT:
		return rfo_vendor_arg_count(request, arg->name, &id);
	}
	return false;
}

/* A sentence naming the field ("%1"; "%2": its maximum length), for a spec without its own. */
static const char *generic_text(const struct rfo_vendor_arg *arg, bool missing)
{
	if (missing)
		return obs_module_text("Vendor.Error.Missing");
	switch (arg->type) {
	case RFO_VENDOR_ARG_ID:
		return obs_module_text("Vendor.Error.NotId");
	case RFO_VENDOR_ARG_ID_LIST:
		return obs_module_text("Vendor.Error.NotIds");
	case RFO_VENDOR_ARG_TEXT_ID:
		return obs_module_text("Vendor.Error.NotTextId");
	case RFO_VENDOR_ARG_BOOL:
		return obs_module_text("Vendor.Error.NotBool");
	case RFO_VENDOR_ARG_COUNT:
		return obs_module_text("Vendor.Error.NotCount");
	case RFO_VENDOR_ARG_STRING:
		break;
	}
	if (arg->max_len)
		return obs_module_text("Vendor.Error.NotShortText");
	return obs_module_text("Vendor.Error.NotText");
}

static void fail_arg(obs_data_t *response, const struct rfo_vendor_arg *arg, bool missing)
{
	enum rfo_vendor_code code = missing ? RFO_VENDOR_MISSING_ARGUMENT : RFO_VENDOR_INVALID_ARGUMENT;
	if (arg->error_key) {
		rfo_vendor_fail(response, code, obs_module_text(arg->error_key));
		return;
	}
	struct dstr s = {0}, n = {0};
	dstr_copy(&s, generic_text(arg, missing));
	dstr_printf(&n, "%zu", arg->max_len);
	dstr_replace(&s, "%1", arg->name);
	dstr_replace(&s, "%2", n.array);
	rfo_vendor_fail(response, code, s.array);
	dstr_free(&n);
	dstr_free(&s);
}

bool rfo_vendor_args_check(obs_data_t *request, const struct rfo_vendor_arg *args, size_t count, obs_data_t *response)
{
	for (size_t i = 0; i < count; i++) {
		const struct rfo_vendor_arg *arg = &args[i];
		obs_data_item_t *item = request ? obs_data_item_byname(request, arg->name) : NULL;
		/* An empty TEXT_ID means "none", as an absent one does. */
		bool absent =
			!item || (arg->type == RFO_VENDOR_ARG_TEXT_ID &&
				  obs_data_item_gettype(item) == OBS_DATA_STRING && !*obs_data_item_get_string(item));
		bool ok = absent ? !arg->required : arg_valid(request, arg, item);
		obs_data_item_release(&item);
		if (!ok) {
			fail_arg(response, arg, absent);
			return false;
		}
	}
	return true;
}
