#include "rfo-rest.h"
#include "rfo-rest-parse.h"
#include "rfo-json.h"
#include "rfo-secret.h"
#include "rfo-text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <util/bmem.h>
#include <util/dstr.h>

char *rfo_rest_text(const char *s, size_t max, const char *fallback)
{
	if (!s)
		s = fallback;
	return s ? rfo_text_sanitize_str(s, max) : NULL;
}

char *rfo_rest_lines(const char *s, size_t max)
{
	return s ? rfo_text_sanitize_lines(s, strlen(s), max) : NULL;
}

char *rfo_rest_token(const char *s, size_t max)
{
	size_t len = s ? strlen(s) : 0;
	if (!s || len > max || strchr(s, ' '))
		return NULL;
	char *clean = rfo_text_sanitize(s, len, 0);
	if (strcmp(clean, s) != 0) {
		bfree(clean);
		return NULL;
	}
	return clean;
}

/* Allocates room for every element of arr; the caller fills the first *count ones. */
static void *alloc_items(const json_t *arr, size_t item_size)
{
	size_t n = json_array_size(arr);
	return n ? bzalloc(n * item_size) : NULL;
}

bool rfo_rest_parse_object(const char *json, size_t len, const char *what, rfo_rest_item_fn item_from, void *out,
			   size_t out_size, struct rfo_error *err)
{
	if (!out)
		return false;
	memset(out, 0, out_size);
	json_t *root = rfo_json_load_object(json, len, what, err);
	if (!root)
		return false;
	bool ok = item_from(root, out);
	if (!ok)
		rfo_json_fail(err, what);
	json_decref(root);
	return ok;
}

json_t *rfo_rest_parse_items(const char *json, size_t len, const char *what, bool items_object,
			     rfo_rest_item_fn item_from, size_t item_size, void **items, size_t *count,
			     struct rfo_error *err)
{
	json_t *root = items_object ? rfo_json_load(json, len, what, err) : rfo_json_load_array(json, len, what, err);
	if (!root)
		return NULL;
	json_t *arr = json_is_array(root) ? root : rfo_json_array(root, "items");
	if (!arr) {
		rfo_json_fail(err, what);
		json_decref(root);
		return NULL;
	}
	char *base = alloc_items(arr, item_size);
	size_t n = 0, i;
	json_t *v;
	json_array_foreach (arr, i, v) {
		if (json_is_object(v) && item_from(v, base + n * item_size))
			n++;
	}
	*items = base;
	*count = n;
	return root;
}

/* ---- profile ---- */

bool rfo_rest_parse_profile(const char *json, size_t len, struct rfo_profile *out, struct rfo_error *err)
{
	static const char what[] = "/v2/user/profile";
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	json_t *root = rfo_json_load_object(json, len, what, err);
	if (!root)
		return false;
	bool has_id = rfo_json_int(root, "id", &out->id);
	const char *username = rfo_json_str2(root, "username", "userName");
	if (!has_id && !username) {
		rfo_json_fail(err, what);
		json_decref(root);
		return false;
	}
	out->username = rfo_rest_text(username, RFO_REST_MAX_NAME, "");
	out->email = rfo_rest_text(rfo_json_str(root, "email"), RFO_REST_MAX_NAME, NULL);
	const char *display = rfo_json_str2(root, "displayName", "display_name");
	if (!display || !*display)
		display = username && *username ? username : rfo_json_str(root, "email");
	out->display_name = rfo_rest_text(display, RFO_REST_MAX_NAME, "");
	json_decref(root);
	return true;
}

void rfo_profile_free(struct rfo_profile *p)
{
	if (!p)
		return;
	bfree(p->username);
	bfree(p->email);
	bfree(p->display_name);
	memset(p, 0, sizeof(*p));
}

/* ---- platforms ---- */

static void image_pair(const json_t *obj, const char *key, char **png, char **svg)
{
	json_t *img = rfo_json_object(obj, key);
	*png = rfo_rest_token(rfo_json_str(img, "png"), RFO_REST_MAX_URL);
	*svg = rfo_rest_token(rfo_json_str(img, "svg"), RFO_REST_MAX_URL);
}

static bool platform_from(const json_t *v, void *item)
{
	struct rfo_platform *p = item;
	memset(p, 0, sizeof(*p));
	if (!rfo_json_int(v, "id", &p->id))
		return false;
	const char *name = rfo_json_str(v, "name");
	if (name) {
		p->name = rfo_rest_text(name, RFO_REST_MAX_NAME, NULL);
	} else {
		char buf[48];
		snprintf(buf, sizeof(buf), "Platform %lld", (long long)p->id);
		p->name = bstrdup(buf);
	}
	p->url = rfo_rest_token(rfo_json_str(v, "url"), RFO_REST_MAX_URL);
	image_pair(v, "image", &p->image_png, &p->image_svg);
	image_pair(v, "altImage", &p->alt_image_png, &p->alt_image_svg);
	return true;
}

bool rfo_rest_parse_platforms(const char *json, size_t len, struct rfo_platform_list *out, struct rfo_error *err)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	void *items = NULL;
	json_t *root = rfo_rest_parse_items(json, len, "/v2/platform/all", false, platform_from, sizeof(*out->items),
					    &items, &out->count, err);
	out->items = items;
	json_decref(root);
	return root != NULL;
}

void rfo_platform_list_free(struct rfo_platform_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++) {
		struct rfo_platform *p = &list->items[i];
		bfree(p->name);
		bfree(p->url);
		bfree(p->image_png);
		bfree(p->image_svg);
		bfree(p->alt_image_png);
		bfree(p->alt_image_svg);
	}
	bfree(list->items);
	memset(list, 0, sizeof(*list));
}

const struct rfo_platform *rfo_platform_list_find(const struct rfo_platform_list *list, int64_t id)
{
	for (size_t i = 0; list && i < list->count; i++)
		if (list->items[i].id == id)
			return &list->items[i];
	return NULL;
}

/* ---- servers ---- */

static bool server_from(const json_t *v, void *item)
{
	struct rfo_server *s = item;
	memset(s, 0, sizeof(*s));
	const char *rtmp = rfo_json_str2(v, "rtmpUrl", "rtmp_url");
	if (!rfo_json_int(v, "id", &s->id) || !rtmp || !*rtmp)
		return false;
	s->rtmp_url = rfo_rest_token(rtmp, RFO_REST_MAX_URL);
	if (!s->rtmp_url)
		return false;
	s->url = rfo_rest_token(rfo_json_str(v, "url"), RFO_REST_MAX_URL);
	s->name = rfo_rest_text(rfo_json_str(v, "name"), RFO_REST_MAX_NAME, s->url ? s->url : s->rtmp_url);
	s->has_location =
		rfo_json_double(v, "latitude", &s->latitude) && rfo_json_double(v, "longitude", &s->longitude);
	if (!s->has_location)
		s->latitude = s->longitude = 0.0;
	return true;
}

bool rfo_rest_parse_servers(const char *json, size_t len, struct rfo_server_list *out, struct rfo_error *err)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	void *items = NULL;
	json_t *root = rfo_rest_parse_items(json, len, "/v2/server/all", false, server_from, sizeof(*out->items),
					    &items, &out->count, err);
	out->items = items;
	json_decref(root);
	return root != NULL;
}

void rfo_server_list_free(struct rfo_server_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++) {
		bfree(list->items[i].name);
		bfree(list->items[i].url);
		bfree(list->items[i].rtmp_url);
	}
	bfree(list->items);
	memset(list, 0, sizeof(*list));
}

const struct rfo_server *rfo_server_list_find(const struct rfo_server_list *list, int64_t id)
{
	for (size_t i = 0; list && i < list->count; i++)
		if (list->items[i].id == id)
			return &list->items[i];
	return NULL;
}

/* ---- ingest, stream keys ---- */

bool rfo_rest_parse_ingest(const char *json, size_t len, int64_t *ingest_id, struct rfo_error *err)
{
	static const char what[] = "/v2/user/ingest";
	json_t *root = rfo_json_load_object(json, len, what, err);
	int64_t id;
	bool ok = root && rfo_json_int2(root, "ingestId", "ingest_id", &id);
	if (ok && ingest_id)
		*ingest_id = id;
	else if (root && !ok)
		rfo_json_fail(err, what);
	json_decref(root);
	return ok;
}

bool rfo_rest_parse_stream_key(const char *json, size_t len, struct rfo_stream_key *out, struct rfo_error *err)
{
	static const char what[] = "/v2/user/streamKey";
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	json_t *root = rfo_json_load_object(json, len, what, err);
	if (!root)
		return false;
	const char *key = rfo_json_str2(root, "streamKey", "stream_key");
	if (!key || !*key) {
		rfo_json_fail(err, what);
		json_decref(root);
		return false;
	}
	out->stream_key = bstrdup(key);
	const char *srt = rfo_json_str2(root, "srtUrl", "srt_url");
	out->srt_url = srt && *srt ? bstrdup(srt) : NULL;
	json_decref(root);
	return true;
}

void rfo_stream_key_free(struct rfo_stream_key *k)
{
	if (!k)
		return;
	rfo_secret_wipe_free(k->stream_key);
	rfo_secret_wipe_free(k->srt_url);
	memset(k, 0, sizeof(*k));
}

bool rfo_rest_parse_srt_key(const char *json, size_t len, struct rfo_srt_key *out, struct rfo_error *err)
{
	static const char what[] = "/v2/user/events/…/srt/streamKey";
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	json_t *root = rfo_json_load_object(json, len, what, err);
	if (!root)
		return false;
	const char *id = rfo_json_str2(root, "streamId", "stream_id");
	const char *pass = rfo_json_str2(root, "passPhrase", "passphrase");
	const char *url = rfo_json_str2(root, "url", "srtUrl");
	if ((!id || !*id || !pass || !*pass) && (!url || !*url)) {
		rfo_json_fail(err, what);
		json_decref(root);
		return false;
	}
	out->stream_id = id && *id ? bstrdup(id) : NULL;
	out->passphrase = pass && *pass ? bstrdup(pass) : NULL;
	out->url = url && *url ? bstrdup(url) : NULL;
	json_decref(root);
	return true;
}

void rfo_srt_key_free(struct rfo_srt_key *k)
{
	if (!k)
		return;
	rfo_secret_wipe_free(k->stream_id);
	rfo_secret_wipe_free(k->passphrase);
	rfo_secret_wipe_free(k->url);
	memset(k, 0, sizeof(*k));
}

/* ---- channels ---- */

/* Either shape: camelCase (docs) or snake_case (S20). false when there is no usable id. */
static bool channel_from(const json_t *v, void *item)
{
	struct rfo_channel *c = item;
	memset(c, 0, sizeof(*c));
	if (!rfo_json_int(v, "id", &c->id))
		return false;
	if (!rfo_json_int2(v, "streamingPlatformId", "platformId", &c->platform_id))
		rfo_json_int2(v, "service_id", "streaming_platform_id", &c->platform_id);
	c->embed_url = rfo_rest_token(rfo_json_str2(v, "embedUrl", "embed"), RFO_REST_MAX_URL);
	const char *url = rfo_json_str2(v, "url", "channelUrl");
	c->url = rfo_rest_token(url ? url : rfo_json_str(v, "channel_url"), RFO_REST_MAX_URL);
	c->identifier = rfo_rest_text(rfo_json_str2(v, "identifier", "channel_identifier"), RFO_REST_MAX_NAME, NULL);
	const char *name = rfo_json_str2(v, "displayName", "display_name");
	c->display_name = rfo_rest_text(name && *name ? name : c->identifier, RFO_REST_MAX_NAME, "");
	if (!rfo_json_bool2(v, "enabled", "active", &c->enabled))
		c->enabled = false;
	return true;
}

bool rfo_rest_parse_channels(const char *json, size_t len, struct rfo_channel_list *out, struct rfo_error *err)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	void *items = NULL;
	json_t *root = rfo_rest_parse_items(json, len, "/v2/user/channel/all", true, channel_from, sizeof(*out->items),
					    &items, &out->count, err);
	out->items = items;
	json_decref(root);
	return root != NULL;
}

bool rfo_rest_parse_channel(const char *json, size_t len, struct rfo_channel *out, struct rfo_error *err)
{
	return rfo_rest_parse_object(json, len, "/v2/user/channel/…", channel_from, out, sizeof(*out), err);
}

void rfo_channel_free(struct rfo_channel *c)
{
	if (!c)
		return;
	bfree(c->embed_url);
	bfree(c->url);
	bfree(c->identifier);
	bfree(c->display_name);
	memset(c, 0, sizeof(*c));
}

void rfo_channel_list_free(struct rfo_channel_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		rfo_channel_free(&list->items[i]);
	bfree(list->items);
	memset(list, 0, sizeof(*list));
}

struct rfo_channel *rfo_channel_list_find(const struct rfo_channel_list *list, int64_t id)
{
	for (size_t i = 0; list && i < list->count; i++)
		if (list->items[i].id == id)
			return &list->items[i];
	return NULL;
}

bool rfo_rest_parse_channel_meta(const char *json, size_t len, struct rfo_channel_meta *out, struct rfo_error *err)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	json_t *root = rfo_json_load_object(json, len, "/v2/user/channel-meta/…", err);
	if (!root)
		return false;
	out->title = rfo_rest_text(rfo_json_str(root, "title"), RFO_REST_MAX_TITLE, "");
	out->description = rfo_rest_lines(rfo_json_str(root, "description"), RFO_REST_MAX_DESCRIPTION);
	json_decref(root);
	return true;
}

void rfo_channel_meta_free(struct rfo_channel_meta *m)
{
	if (!m)
		return;
	bfree(m->title);
	bfree(m->description);
	memset(m, 0, sizeof(*m));
}

/* ---- errors ---- */

/* "TitleTooLong" / "title_too_long" -> "Title Too Long" / "Title too long" */
static void humanize(struct dstr *out, const char *name)
{
	bool prev_lower = false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		unsigned char c = *p;
		if (c == '_' || c == '-' || c < 0x20 || c == 0x7f) {
			if (out->len && out->array[out->len - 1] != ' ')
				dstr_cat_ch(out, ' ');
			prev_lower = false;
			continue;
		}
		if (isupper(c) && prev_lower)
			dstr_cat_ch(out, ' ');
		if (!out->len)
			c = (unsigned char)toupper(c);
		dstr_cat_ch(out, (char)c);
		prev_lower = islower(c) || isdigit(c);
	}
	while (out->len && out->array[out->len - 1] == ' ')
		dstr_resize(out, out->len - 1);
}

static void set_clean(struct rfo_error *err, int code, const char *text)
{
	char *clean = rfo_text_sanitize_str(text, sizeof(err->message) - 1);
	rfo_error_set(err, code, "%s", clean);
	bfree(clean);
}

bool rfo_rest_parse_error(const char *json, size_t len, long http_status, struct rfo_error *err)
{
	json_t *root = rfo_json_load_object(json, len, NULL, NULL);
	json_t *e = rfo_json_get(root, "error");
	const char *message = NULL, *name = NULL;
	int64_t status = 0;
	bool known = false;
	if (json_is_object(e)) {
		known = true;
		message = rfo_json_str(e, "message");
		name = rfo_json_str(e, "name");
		if (!rfo_json_int(e, "statusCode", &status) && !rfo_json_int(e, "status", &status))
			rfo_json_int(e, "code", &status);
		if (!name)
			name = rfo_json_str(e, "code");
	} else if (json_is_string(e)) {
		known = true;
		name = json_string_value(e);
		message = rfo_json_str2(root, "error_description", "message");
	} else if (rfo_json_str(root, "message")) {
		known = true;
		message = rfo_json_str(root, "message");
		name = rfo_json_str(root, "name");
		rfo_json_int2(root, "statusCode", "status", &status);
	}
	int code = http_status ? (int)http_status : (status > 0 && status < 1000 ? (int)status : RFO_ERR_PARSE);
	if (message && *message) {
		set_clean(err, code, message);
	} else if (name && *name) {
		struct dstr h = {0};
		humanize(&h, name);
		if (h.len)
			set_clean(err, code, h.array);
		else
			rfo_error_set(err, code, "Restream sent an unexpected reply");
		dstr_free(&h);
	} else if (code > 0) {
		rfo_error_set(err, code, "Restream answered with HTTP %d", code);
	} else {
		rfo_error_set(err, code, "Restream sent an unexpected reply");
	}
	json_decref(root);
	return known;
}

/* ---- bodies ---- */

char *rfo_rest_channel_patch_body(bool active)
{
	return bstrdup(active ? "{\"active\":true}" : "{\"active\":false}");
}

char *rfo_rest_meta_patch_body(const char *title, const char *description)
{
	if (!title)
		return NULL;
	json_t *root = json_object();
	json_t *t = json_string(title);
	if (!t) { /* not valid UTF-8 */
		json_decref(root);
		return NULL;
	}
	json_object_set_new(root, "title", t);
	if (description) {
		json_t *d = json_string(description);
		if (!d) {
			json_decref(root);
			return NULL;
		}
		json_object_set_new(root, "description", d);
	}
	char *s = rfo_json_dump(root);
	json_decref(root);
	return s;
}
