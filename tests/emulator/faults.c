/* restream-emulator: per-route fault injection on the API port. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool route_matches(const struct emu_fault *f, const char *method, const char *path)
{
	size_t n = strlen(f->route);
	if (f->method[0] && strcmp(f->method, method) != 0)
		return false;
	if (n && f->route[n - 1] == '*')
		return strncmp(path, f->route, n - 1) == 0;
	return strcmp(path, f->route) == 0;
}

struct emu_fault *emu_fault_match(const char *method, const char *path)
{
	for (struct emu_fault *f = emu.faults; f; f = f->next) {
		if (f->count == 0 || !route_matches(f, method, path))
			continue;
		if (f->count > 0)
			f->count--;
		f->hits++;
		return f;
	}
	return NULL;
}

void emu_fault_apply_body(struct emu_fault *f, struct emu_resp *resp)
{
	if (strcmp(f->body_mode, "malformed") == 0) {
		emu_resp_text(resp, resp->status, "application/json; charset=utf-8",
			      "{\"error\":{\"statusCode\":5,\"message\":\"<html>oops</html>\",");
	} else if (strcmp(f->body_mode, "truncated") == 0) {
		if (resp->len < 2)
			emu_resp_text(resp, resp->status, "application/json; charset=utf-8",
				      "{\"truncated\":\"this body is cut in half by the emulator\"}");
		resp->truncate = true;
	} else if (strcmp(f->body_mode, "custom") == 0 && f->custom_body) {
		emu_resp_text(resp, resp->status, "application/json; charset=utf-8", f->custom_body);
	}
}

bool emu_fault_add(json_t *spec, char *err, size_t errlen)
{
	const char *route = json_string_value(json_object_get(spec, "route"));
	const char *method = json_string_value(json_object_get(spec, "method"));
	json_t *body = json_object_get(spec, "body");
	json_t *count = json_object_get(spec, "count");
	int status = (int)json_integer_value(json_object_get(spec, "status"));
	if (!route || !*route || strlen(route) >= sizeof(((struct emu_fault *)0)->route)) {
		snprintf(err, errlen, "\"route\" (string) is required");
		return false;
	}
	if (status && (status < 100 || status > 599)) {
		snprintf(err, errlen, "bad status");
		return false;
	}
	struct emu_fault *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	snprintf(f->route, sizeof(f->route), "%s", route);
	snprintf(f->method, sizeof(f->method), "%s", method ? method : "");
	f->status = status;
	f->delay_ms = (int)json_integer_value(json_object_get(spec, "delay_ms"));
	f->retry_after = (int)json_integer_value(json_object_get(spec, "retry_after"));
	f->count = json_is_integer(count) ? (int)json_integer_value(count) : 1;
	if (f->count < 0)
		f->count = -1;
	if (json_is_string(body)) {
		const char *b = json_string_value(body);
		if (strcmp(b, "malformed") == 0 || strcmp(b, "truncated") == 0) {
			snprintf(f->body_mode, sizeof(f->body_mode), "%s", b);
		} else {
			snprintf(f->body_mode, sizeof(f->body_mode), "custom");
			f->custom_body = strdup(b);
		}
	} else if (body && !json_is_null(body)) {
		snprintf(f->body_mode, sizeof(f->body_mode), "custom");
		f->custom_body = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	}
	/* drop used-up faults, then append so earlier faults match first */
	struct emu_fault **pp = &emu.faults;
	while (*pp) {
		if ((*pp)->count == 0) {
			struct emu_fault *dead = *pp;
			*pp = dead->next;
			free(dead->custom_body);
			free(dead);
		} else {
			pp = &(*pp)->next;
		}
	}
	*pp = f;
	return true;
}

json_t *emu_faults_json(void)
{
	json_t *arr = json_array();
	for (struct emu_fault *f = emu.faults; f; f = f->next)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:s}", "route", f->route, "method",
						     f->method, "status", f->status, "delay_ms", f->delay_ms,
						     "retry_after", f->retry_after, "remaining", f->count, "hits",
						     f->hits, "body", f->body_mode));
	return arr;
}

void emu_faults_clear(void)
{
	while (emu.faults) {
		struct emu_fault *f = emu.faults;
		emu.faults = f->next;
		free(f->custom_body);
		free(f);
	}
}
