/* restream-emulator: REST v2 routes (profile, platforms, servers, keys, channels, channel-meta, events). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool authorized(struct emu_req *req)
{
	char hdr[256];
	if (!emu_req_header(req, WSI_TOKEN_HTTP_AUTHORIZATION, hdr, sizeof(hdr)))
		return false;
	if (strncmp(hdr, "Bearer ", 7) != 0)
		return false;
	return emu_token_valid(hdr + 7);
}

json_t *emu_channel_json(const struct emu_channel *c, bool single)
{
	json_t *o = json_pack("{s:I,s:i,s:s,s:s,s:s,s:s}", "id", (json_int_t)c->id, "streamingPlatformId",
			      c->platform_id, "embedUrl", c->embed_url, "url", c->url, "identifier", c->identifier,
			      "displayName", c->display_name);
	json_object_set_new(o, single ? "active" : "enabled", json_boolean(c->active));
	json_object_set_new(o, "emuExtra", json_pack("{s:s}", "note", "unknown field, ignore"));
	return o;
}

json_t *emu_event_json(const struct emu_event *e)
{
	json_t *dest = json_array();
	for (int i = 0; i < e->n_dest; i++) {
		const struct emu_channel *c = emu_channel_find(e->dest_channels[i]);
		char ext[256];
		bool live = strcmp(e->status, "in-progress") == 0 && c;
		if (live)
			snprintf(ext, sizeof(ext), "%s/live", c->url);
		json_array_append_new(dest, json_pack("{s:I,s:o,s:i}", "channelId", (json_int_t)e->dest_channels[i],
						      "externalUrl", live ? json_string(ext) : json_null(),
						      "streamingPlatformId", c ? c->platform_id : 0));
	}
	char cover[128];
	snprintf(cover, sizeof(cover), "https://restream.io/covers/%.8s.jpg", e->id);
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:o,s:b,s:i}", "id", e->id, "status", e->status,
			 "title", e->title, "description", emu_json_nullable_str(e->description), "coverUrl",
			 e->has_cover ? json_string(cover) : json_null(), "isRecordOnly", e->record_only,
			 "scheduledFor", emu_json_nullable_int(e->scheduled_for), "startedAt",
			 emu_json_nullable_int(e->started_at), "finishedAt", emu_json_nullable_int(e->finished_at),
			 "destinations", dest, "showId", e->has_show_id ? json_string(e->show_id) : json_null(),
			 "isInstant", 0, "emuRevision", 3);
}

static int64_t event_time(const struct emu_event *e)
{
	return e->started_at ? e->started_at : e->scheduled_for;
}

/* history: newest first */
static int cmp_newest_first(const void *a, const void *b)
{
	int64_t ta = event_time(*(const struct emu_event *const *)a),
		tb = event_time(*(const struct emu_event *const *)b);
	return ta < tb ? 1 : ta > tb ? -1 : 0;
}

static json_t *events_with(const char *status1, const char *status2, bool only_scheduled)
{
	const struct emu_event *sel[EMU_MAX_EVENTS];
	size_t n = 0;
	for (int i = 0; i < emu.n_events; i++) {
		const struct emu_event *e = &emu.events[i];
		if (strcmp(e->status, status1) != 0 && (!status2 || strcmp(e->status, status2) != 0))
			continue;
		if (only_scheduled && !e->scheduled_for)
			continue;
		sel[n++] = e;
	}
	if (status2)
		qsort(sel, n, sizeof(sel[0]), cmp_newest_first);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, emu_event_json(sel[i]));
	return arr;
}

/* a channel switched on/off: chat connection appears/disappears, and the live push starts/stops */
static void channel_toggled(const struct emu_channel *c)
{
	json_t *opts = json_pack("{s:I,s:s}", "channelId", (json_int_t)c->id, "status", "CONNECTED");
	json_t *f = NULL;
	if (c->chat_source) {
		f = emu_chat_preset(c->active ? "connection_info" : "connection_closed", opts);
		if (f)
			emu_chat_push_frame(f);
		json_decref(f);
	}
	if (emu.live) {
		f = emu_stream_preset(c->active ? "update_outgoing" : "delete_outgoing", opts);
		if (f)
			emu_stream_push_frame(f);
		json_decref(f);
	}
	json_decref(opts);
}

static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void record_patch(struct emu_channel *c, struct emu_req *req, json_t *body)
{
	json_array_append_new(c->patches, json_pack("{s:I,s:s,s:O}", "time", (json_int_t)emu_now_ms(), "path",
						    req->path, "body", body ? body : json_null()));
}

static void channel_route(struct emu_req *req, struct emu_resp *resp, struct emu_channel *c, bool meta)
{
	if (strcmp(req->method, "GET") == 0) {
		if (meta)
			emu_resp_json(resp, 200,
				      json_pack("{s:s,s:o}", "title", c->title, "description",
						emu_json_nullable_str(c->description)));
		else
			emu_resp_json(resp, 200, emu_channel_json(c, true));
		return;
	}
	if (strcmp(req->method, "PATCH") != 0)
		return emu_resp_error(resp, 405, "method_not_allowed", "Method Not Allowed");
	json_t *body = emu_json_parse(req->body, req->body_len);
	record_patch(c, req, body);
	if (!json_is_object(body)) {
		json_decref(body);
		return emu_resp_error(resp, 400, "InvalidBodyParams", "Invalid body params");
	}
	if (!meta) {
		json_t *a = json_object_get(body, "active");
		if (!json_is_boolean(a)) {
			json_decref(body);
			return emu_resp_error(resp, 400, "InvalidBodyParams", "\"active\" must be a boolean");
		}
		if (c->active != json_is_true(a)) {
			c->active = json_is_true(a);
			channel_toggled(c);
		}
	} else {
		const char *title = json_string_value(json_object_get(body, "title"));
		json_t *desc = json_object_get(body, "description");
		if (!title || !*title) {
			json_decref(body);
			return emu_resp_error(resp, 400, "InvalidBodyParams", "\"title\" is required");
		}
		if ((int)utf8_len(title) > c->title_max) {
			json_decref(body);
			return emu_resp_error(resp, 400, "TitleTooLong", "Title Too Long");
		}
		free(c->title);
		c->title = strdup(title);
		if (json_is_string(desc)) {
			free(c->description);
			c->description = strdup(json_string_value(desc));
		}
	}
	json_decref(body);
	emu_resp_empty(resp, 200);
}

static void key_json(struct emu_resp *resp, const char *key, const char *id, const char *pass)
{
	char srt[512];
	emu_make_srt_url(id, pass, srt, sizeof(srt));
	emu_resp_json(resp, 200,
		      json_pack("{s:s,s:o}", "streamKey", key, "srtUrl", emu.no_srt ? json_null() : json_string(srt)));
}

static void event_route(struct emu_req *req, struct emu_resp *resp, const char *rest)
{
	char q[32];
	if (strcmp(rest, "upcoming") == 0) {
		bool sched = emu_req_query(req, "scheduled", q, sizeof(q)) && strcmp(q, "true") == 0;
		return emu_resp_json(resp, 200, events_with("upcoming", NULL, sched));
	}
	if (strcmp(rest, "in-progress") == 0)
		return emu_resp_json(resp, 200, events_with("in-progress", NULL, false));
	if (strcmp(rest, "history") == 0) {
		int page = emu_req_query(req, "page", q, sizeof(q)) ? atoi(q) : 1;
		int limit = emu_req_query(req, "limit", q, sizeof(q)) ? atoi(q) : 10;
		if (page < 1)
			page = 1;
		if (limit < 1 || limit > 100)
			return emu_resp_error(resp, 400, "InvalidQueryParams", "limit must be between 1 and 100");
		json_t *all = events_with("finished", "missed", false);
		int total = (int)json_array_size(all);
		json_t *items = json_array();
		for (int i = (page - 1) * limit; i < total && i < page * limit; i++)
			json_array_append(items, json_array_get(all, (size_t)i));
		json_decref(all);
		return emu_resp_json(resp, 200,
				     json_pack("{s:o,s:{s:i,s:i,s:i}}", "items", items, "pagination", "pages_total",
					       (total + limit - 1) / limit, "page", page, "limit", limit));
	}
	char id[64];
	const char *slash = strchr(rest, '/');
	size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
	if (idlen >= sizeof(id))
		return emu_resp_error(resp, 404, "not_found", "Event not found");
	memcpy(id, rest, idlen);
	id[idlen] = '\0';
	struct emu_event *e = emu_event_find(id);
	if (!e)
		return emu_resp_error(resp, 404, "not_found", "Event not found");
	if (!slash)
		return emu_resp_json(resp, 200, emu_event_json(e));
	if (strcmp(slash, "/streamKey") == 0)
		return key_json(resp, e->stream_key, e->srt_id, e->srt_pass);
	if (strcmp(slash, "/srt/streamKey") == 0) {
		if (emu.no_srt)
			return emu_resp_error(resp, 403, "insufficient_plan", "SRT is not available on this plan");
		char url[512];
		emu_make_srt_url(e->srt_id, e->srt_pass, url, sizeof(url));
		return emu_resp_json(
			resp, 200,
			json_pack("{s:s,s:s,s:s}", "streamId", e->srt_id, "passPhrase", e->srt_pass, "url", url));
	}
	emu_resp_error(resp, 404, "not_found", "Not Found");
}

bool emu_rest_route(struct emu_req *req, struct emu_resp *resp)
{
	const char *p = req->path;
	if (strncmp(p, "/v2/", 4) != 0)
		return false;
	p += 4;
	bool get = strcmp(req->method, "GET") == 0;
	if (strcmp(p, "platform/all") == 0 && get) {
		emu_resp_json(resp, 200, emu_platforms_json());
		return true;
	}
	if (strcmp(p, "server/all") == 0 && get) {
		emu_resp_json(resp, 200, emu_servers_json());
		return true;
	}
	if (!authorized(req)) {
		emu_resp_error(resp, 401, "invalid_token", "Invalid token: access token is invalid");
		return true;
	}
	if (strncmp(p, "user/channel/", 13) == 0 || strncmp(p, "user/channel-meta/", 18) == 0) {
		bool meta = p[12] == '-';
		const char *ids = p + (meta ? 18 : 13);
		if (!meta && strcmp(ids, "all") == 0 && get) {
			json_t *arr = json_array();
			for (int i = 0; i < emu.n_channels; i++)
				json_array_append_new(arr, emu_channel_json(&emu.channels[i], false));
			emu_resp_json(resp, 200, arr);
			return true;
		}
		char *end = NULL;
		long long id = strtoll(ids, &end, 10);
		struct emu_channel *c = end && *end == '\0' && end != ids ? emu_channel_find(id) : NULL;
		if (!c)
			emu_resp_error(resp, 404, "not_found", "Channel not found");
		else
			channel_route(req, resp, c, meta);
		return true;
	}
	if (strncmp(p, "user/events/", 12) == 0) {
		if (emu_events_handles(req->method, p + 12))
			emu_events_route(req, resp, p + 12);
		else if (!get)
			emu_resp_error(resp, 405, "method_not_allowed", "Method Not Allowed");
		else
			event_route(req, resp, p + 12);
		return true;
	}
	if (!get) {
		emu_resp_error(resp, 404, "not_found", "Not Found");
		return true;
	}
	if (strcmp(p, "user/profile") == 0)
		emu_resp_json(resp, 200,
			      json_pack("{s:i,s:s,s:s,s:s}", "id", EMU_USER_ID, "username", "emu_streamer", "email",
					"emu.streamer@example.invalid", "emuPlan",
					emu.no_srt ? "standard" : "business"));
	else if (strcmp(p, "user/ingest") == 0)
		emu_resp_json(resp, 200, json_pack("{s:i}", "ingestId", emu.ingest_id));
	else if (strcmp(p, "user/streamKey") == 0)
		key_json(resp, emu.stream_key, emu.srt_id, emu.srt_pass);
	else if (strcmp(p, "user/webchat/url") == 0) {
		char url[256], tok[40];
		emu_rand_hex(tok, 32);
		snprintf(url, sizeof(url), "https://chat.restream.io/embed?token=%s", tok);
		emu_resp_json(resp, 200, json_pack("{s:s}", "webchatUrl", url));
	} else
		emu_resp_error(resp, 404, "not_found", "Not Found");
	return true;
}
