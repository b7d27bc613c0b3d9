/* restream-emulator: the /_emu/ control interface for tests (JSON in, JSON out; see README.md). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *grant_json(const struct emu_stats_grant *g)
{
	return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:O}", "count", g->count, "errors", g->errors, "inFlight",
			 g->in_flight, "maxConcurrent", g->max_concurrent, "overlaps", g->overlaps,
			 "reusedRefreshToken", g->reused, "times", g->times);
}

static json_t *sockets_json(void)
{
	json_t *o = json_object();
	for (int k = 0; k < EMU_KIND_COUNT; k++) {
		const struct emu_sock_kind *s = &emu.kinds[k];
		json_object_set_new(o, emu_kind_name(k),
				    json_pack("{s:i,s:i,s:i,s:{s:b,s:b,s:b},s:i,s:i}", "connections", s->connections,
					      "connectsTotal", s->connects_total, "refusedTotal", s->refused_total,
					      "silenced", "heartbeats", s->silence_heartbeats, "pings",
					      s->silence_pings, "sends", s->silence_sends, "refuseStatus",
					      s->refuse_status, "refuseRemaining", s->refuse_count));
	}
	return o;
}

static json_t *tokens_json(void)
{
	json_t *all = json_array();
	json_t *current = json_null();
	for (struct emu_token *t = emu.tokens; t; t = t->next) {
		json_array_append_new(all, emu_token_json(t));
		if (json_is_null(current) && !t->revoked && !t->rotated)
			current = emu_token_json(t);
	}
	return json_pack("{s:o,s:o,s:i,s:i}", "current", current, "all", all, "accessLifetime", emu.token_lifetime,
			 "refreshLifetime", emu.refresh_lifetime);
}

static json_t *received_json(void)
{
	json_t *patches = json_object();
	for (int i = 0; i < emu.n_channels; i++) {
		char id[32];
		snprintf(id, sizeof(id), "%lld", (long long)emu.channels[i].id);
		json_object_set(patches, id, emu.channels[i].patches);
	}
	return json_pack("{s:o,s:{s:o,s:o},s:{s:i,s:O},s:{s:i,s:O},s:o}", "patches", patches, "tokenCalls",
			 "authorization_code", grant_json(&emu.grant_code), "refresh_token",
			 grant_json(&emu.grant_refresh), "revokes", "count", emu.revokes, "log", emu.revoke_log,
			 "chatClient", "count", emu.chat_client_msgs, "texts", emu.chat_client_texts, "sockets",
			 sockets_json());
}

static json_t *state_json(void)
{
	json_t *chans = json_array(), *events = json_array();
	for (int i = 0; i < emu.n_channels; i++) {
		const struct emu_channel *c = &emu.channels[i];
		json_t *o = emu_channel_json(c, true);
		json_object_set_new(o, "title", json_string(c->title));
		json_object_set_new(o, "description", emu_json_nullable_str(c->description));
		json_object_set_new(o, "titleMax", json_integer(c->title_max));
		json_object_set_new(o, "chatConnectionIdentifier", json_string(c->conn_id));
		json_object_set_new(o, "viewers", json_integer(emu.viewers[i]));
		json_array_append_new(chans, o);
	}
	for (int i = 0; i < emu.n_events; i++)
		json_array_append_new(events, emu_event_json(&emu.events[i]));
	char srt[512];
	emu_make_srt_url(emu.srt_id, emu.srt_pass, srt, sizeof(srt));
	return json_pack("{s:o,s:o,s:s,s:o,s:s,s:s,s:b,s:o,s:o,s:o,s:o,s:b,s:b,s:i,s:i,s:o}", "channels", chans,
			 "events", events, "streamKey", emu.stream_key, "srtUrl",
			 emu.no_srt ? json_null() : json_string(srt), "clientId", emu.client_id, "clientSecret",
			 emu.client_secret, "live", emu.live, "liveEventId",
			 emu.live_event_id[0] ? json_string(emu.live_event_id) : json_null(), "sockets", sockets_json(),
			 "faults", emu_faults_json(), "tokens", tokens_json(), "denyLogin", emu.deny_login, "demo",
			 emu.demo, "tokenDelayMs", emu.token_delay_ms, "heartbeatSeconds", emu.heartbeat_s, "streamLog",
			 emu_stream_log_json());
}

/* The registered clients (the broker client's secret included: the tests grep for it). */
static json_t *clients_json(void)
{
	json_t *app = json_array(), *broker = json_array();
	for (int i = 0; i < emu.n_redirect_uris; i++)
		json_array_append_new(app, json_string(emu.redirect_uris[i]));
	for (int i = 0; i < emu.broker.n_redirects; i++)
		json_array_append_new(broker, json_string(emu.broker.redirects[i]));
	return json_pack("{s:o,s:b,s:s,s:s,s:o,s:i}", "redirectUris", app, "anyLoopbackRedirect",
			 emu.any_loopback_redirect, "brokerClientId", emu.broker.id, "brokerClientSecret",
			 emu.broker.secret, "brokerRedirectUris", broker, "redirectsRefused", emu.redirects_refused);
}

static void ok(struct emu_resp *resp, json_t *extra)
{
	json_t *o = extra ? extra : json_object();
	json_object_set_new(o, "ok", json_true());
	emu_resp_json(resp, 200, o);
}

static void bad(struct emu_resp *resp, const char *msg)
{
	emu_resp_json(resp, 400, json_pack("{s:b,s:s}", "ok", 0, "error", msg));
}

static bool kind_loop(struct emu_resp *resp, json_t *body, int *first, int *last)
{
	int k = emu_kind_parse(json_string_value(json_object_get(body, "kind")));
	if (k == -2) {
		bad(resp, "kind must be chat, streaming or all");
		return false;
	}
	*first = k < 0 ? 0 : k;
	*last = k < 0 ? EMU_KIND_COUNT - 1 : k;
	return true;
}

static void tokens_route(const char *op, json_t *body, struct emu_resp *resp)
{
	const char *tok = json_string_value(json_object_get(body, "token"));
	const char *which = json_string_value(json_object_get(body, "which"));
	int n = 0;
	if (strcmp(op, "issue") == 0)
		return ok(resp, emu_token_json(emu_token_issue("control")));
	if (strcmp(op, "lifetime") == 0) {
		json_t *a = json_object_get(body, "access_seconds"), *r = json_object_get(body, "refresh_seconds");
		if (!json_is_integer(a) && !json_is_integer(r))
			return bad(resp, "access_seconds and/or refresh_seconds required");
		if (json_is_integer(a))
			emu.token_lifetime = (int)json_integer_value(a);
		if (json_is_integer(r))
			emu.refresh_lifetime = (int)json_integer_value(r);
		return ok(resp, NULL);
	}
	for (struct emu_token *t = emu.tokens; t; t = t->next) {
		if (tok ? strcmp(t->access, tok) != 0 && strcmp(t->refresh, tok) != 0 : (t->revoked || t->rotated))
			continue;
		n++;
		if (strcmp(op, "revoke") == 0) {
			emu_token_revoke_pair(t);
		} else {
			int64_t past = emu_now_s() - 1;
			if (!which || strcmp(which, "access") == 0 || strcmp(which, "both") == 0)
				t->access_exp = past;
			if (which && (strcmp(which, "refresh") == 0 || strcmp(which, "both") == 0))
				t->refresh_exp = past;
		}
	}
	ok(resp, json_pack("{s:i}", "affected", n));
}

static void sockets_route(const char *op, json_t *body, struct emu_resp *resp)
{
	int first, last;
	if (!kind_loop(resp, body, &first, &last))
		return;
	if (strcmp(op, "drop") == 0) {
		int code = (int)json_integer_value(json_object_get(body, "code"));
		int n = 0;
		for (int k = first; k <= last; k++)
			n += emu_ws_drop(k, code);
		return ok(resp, json_pack("{s:i}", "dropped", n));
	}
	for (int k = first; k <= last; k++) {
		struct emu_sock_kind *s = &emu.kinds[k];
		if (strcmp(op, "silence") == 0 || strcmp(op, "unsilence") == 0) {
			bool on = strcmp(op, "silence") == 0;
			json_t *h = json_object_get(body, "heartbeats"), *p = json_object_get(body, "pings"),
			       *d = json_object_get(body, "sends");
			bool any = h || p || d;
			/* A flag set to true names what to (un)silence; no flags means all of them. */
			s->silence_heartbeats = (any ? json_is_true(h) : true) ? on : s->silence_heartbeats;
			s->silence_pings = (any ? json_is_true(p) : true) ? on : s->silence_pings;
			s->silence_sends = (any ? json_is_true(d) : true) ? on : s->silence_sends;
			emu_ws_apply_silence(k);
		} else if (strcmp(op, "refuse") == 0) {
			json_t *st = json_object_get(body, "status"), *c = json_object_get(body, "count");
			s->refuse_status = st ? (int)json_integer_value(st) : 401;
			s->refuse_count = json_is_integer(c) ? (int)json_integer_value(c) : -1;
		} else {
			return bad(resp, "unknown sockets operation");
		}
	}
	ok(resp, sockets_json());
}

/* Standard base64 with padding: the alphabet, a length that is a multiple of 4, '=' only at the end. */
static bool base64_valid(const char *s, size_t len)
{
	if (len % 4)
		return false;
	size_t pad = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
			     c == '/';
		if (c == '=' && i + 2 >= len)
			pad++;
		else if (!alpha || pad)
			return false;
	}
	return true;
}

/* {"raw_base64": "…"}: the decoded bytes as one text frame, verbatim (invalid UTF-8 and NULs included). */
static void push_base64(bool chat, json_t *b64, struct emu_resp *resp)
{
	const char *in = json_string_value(b64);
	size_t in_len = json_string_length(b64);
	if (!in || in_len > 16 * 1024 * 1024 || !base64_valid(in, in_len))
		return bad(resp, "raw_base64 must be a padded base64 string (at most 16 MiB)");
	int size = (int)(in_len / 4 * 3 + 4);
	char *bytes = malloc((size_t)size);
	if (!bytes)
		abort();
	int want = (int)(in_len / 4 * 3) - (in_len && in[in_len - 1] == '=') - (in_len > 1 && in[in_len - 2] == '=');
	int n = in_len ? lws_b64_decode_string_len(in, (int)in_len, bytes, size) : 0;
	if (n != want) {
		free(bytes);
		return bad(resp, "raw_base64 is not valid base64");
	}
	emu_ws_broadcast_len(chat ? EMU_KIND_CHAT : EMU_KIND_STREAMING, bytes, (size_t)n);
	free(bytes);
	ok(resp, json_pack("{s:i}", "bytes", n));
}

static void push_route(bool chat, const char *op, json_t *body, struct emu_resp *resp)
{
	if (strcmp(op, "push") != 0)
		return bad(resp, "unknown operation");
	const char *raw_text = json_string_value(json_object_get(body, "raw_text"));
	json_t *raw_b64 = json_object_get(body, "raw_base64");
	json_t *raw = json_object_get(body, "raw");
	if (raw_text) {
		emu_ws_broadcast(chat ? EMU_KIND_CHAT : EMU_KIND_STREAMING, raw_text);
		return ok(resp, NULL);
	}
	if (raw_b64)
		return push_base64(chat, raw_b64, resp);
	if (json_is_object(raw)) {
		if (chat)
			emu_chat_push_frame(raw);
		else
			emu_stream_push_frame(raw);
		return ok(resp, json_pack("{s:O}", "frame", raw));
	}
	const char *preset = json_string_value(json_object_get(body, "preset"));
	if (!preset)
		return bad(resp, "\"preset\", \"raw\", \"raw_text\" or \"raw_base64\" required");
	json_t *f = chat ? emu_chat_preset(preset, body) : emu_stream_preset(preset, body);
	if (!f)
		return bad(resp, "unknown preset");
	if (chat)
		emu_chat_push_frame(f);
	else
		emu_stream_push_frame(f);
	ok(resp, json_pack("{s:o}", "frame", f));
}

static void post_route(const char *p, json_t *body, struct emu_resp *resp)
{
	char err[128];
	if (strncmp(p, "tokens/", 7) == 0)
		return tokens_route(p + 7, body, resp);
	if (strncmp(p, "sockets/", 8) == 0)
		return sockets_route(p + 8, body, resp);
	if (strncmp(p, "chat/", 5) == 0 && strcmp(p + 5, "flood") != 0)
		return push_route(true, p + 5, body, resp);
	if (strcmp(p, "chat/flood") == 0) {
		const char *preset = json_string_value(json_object_get(body, "preset"));
		if (!emu_chat_flood((int)json_integer_value(json_object_get(body, "rate")),
				    (int)json_integer_value(json_object_get(body, "seconds")),
				    preset ? preset : "twitch_text"))
			return bad(resp, "rate (1..2000), seconds (1..600) and a valid preset required");
		return ok(resp, NULL);
	}
	if (strcmp(p, "stream/go-live") == 0) {
		emu_stream_go_live();
		return ok(resp, json_pack("{s:s}", "eventId", emu.live_event_id));
	}
	if (strcmp(p, "stream/go-offline") == 0) {
		emu_stream_go_offline();
		return ok(resp, NULL);
	}
	if (strcmp(p, "stream/interval") == 0) {
		int ms = (int)json_integer_value(json_object_get(body, "ms"));
		if (ms < 50)
			return bad(resp, "ms >= 50 required");
		emu.live_interval_ms = ms;
		return ok(resp, NULL);
	}
	if (strcmp(p, "stream/destination") == 0) {
		if (!emu_stream_set_destination(json_integer_value(json_object_get(body, "channelId")),
						json_string_value(json_object_get(body, "status"))))
			return bad(
				resp,
				"a known channelId and status (CONNECTED, CONNECTING, DISCONNECTED, ERROR) required");
		return ok(resp, NULL);
	}
	if (strcmp(p, "stream/flap") == 0) {
		json_t *times = json_object_get(body, "times"), *ms = json_object_get(body, "ms");
		if (!emu_stream_flap(json_integer_value(json_object_get(body, "channelId")),
				     times ? (int)json_integer_value(times) : 10,
				     ms ? (int)json_integer_value(ms) : 500))
			return bad(resp, "live, a known channelId, times (1..100) and ms (50..60000) required");
		return ok(resp, NULL);
	}
	if (strcmp(p, "stream/incoming") == 0) {
		json_t *receiving = json_object_get(body, "receiving");
		emu_stream_set_incoming((int)json_integer_value(json_object_get(body, "totalBitrate")),
					receiving ? json_is_true(receiving) : true);
		return ok(resp, NULL);
	}
	if (strncmp(p, "stream/", 7) == 0)
		return push_route(false, p + 7, body, resp);
	if (strcmp(p, "faults") == 0) {
		if (!emu_fault_add(body, err, sizeof(err)))
			return bad(resp, err);
		return ok(resp, json_pack("{s:o}", "faults", emu_faults_json()));
	}
	if (strcmp(p, "faults/clear") == 0) {
		emu_faults_clear();
		return ok(resp, NULL);
	}
	if (strcmp(p, "oauth/deny") == 0) {
		json_t *e = json_object_get(body, "enabled");
		emu.deny_login = e ? json_is_true(e) : true;
		return ok(resp, NULL);
	}
	if (strcmp(p, "oauth/delay") == 0) {
		emu.token_delay_ms = (int)json_integer_value(json_object_get(body, "ms"));
		return ok(resp, NULL);
	}
	if (emu_events_control("POST", p, body, resp))
		return;
	if (strcmp(p, "reset-counters") == 0) {
		struct emu_stats_grant *g[2] = {&emu.grant_code, &emu.grant_refresh};
		for (int i = 0; i < 2; i++) {
			json_decref(g[i]->times);
			int inflight = g[i]->in_flight;
			memset(g[i], 0, sizeof(*g[i]));
			g[i]->in_flight = inflight;
			g[i]->times = json_array();
		}
		emu.revokes = 0;
		json_array_clear(emu.revoke_log);
		emu.chat_client_msgs = 0;
		json_array_clear(emu.chat_client_texts);
		for (int i = 0; i < emu.n_channels; i++)
			json_array_clear(emu.channels[i].patches);
		return ok(resp, NULL);
	}
	bad(resp, "unknown control route");
}

bool emu_control_route(struct emu_req *req, struct emu_resp *resp)
{
	if (strncmp(req->path, "/_emu/", 6) != 0)
		return false;
	const char *p = req->path + 6;
	if (strcmp(req->method, "GET") == 0 && emu_events_control("GET", p, NULL, resp))
		return true;
	if (strcmp(req->method, "GET") == 0) {
		if (strcmp(p, "state") == 0)
			emu_resp_json(resp, 200, state_json());
		else if (strcmp(p, "received") == 0)
			emu_resp_json(resp, 200, received_json());
		else if (strcmp(p, "clients") == 0)
			emu_resp_json(resp, 200, clients_json());
		else if (strcmp(p, "tokens") == 0)
			emu_resp_json(resp, 200, tokens_json());
		else if (strcmp(p, "faults") == 0)
			emu_resp_json(resp, 200, emu_faults_json());
		else if (strcmp(p, "sockets") == 0)
			emu_resp_json(resp, 200, sockets_json());
		else if (strcmp(p, "chat/flood") == 0)
			emu_resp_json(resp, 200, emu_chat_flood_json());
		else if (strcmp(p, "chat/presets") == 0)
			emu_resp_json(resp, 200, emu_chat_preset_names());
		else if (strcmp(p, "stream/presets") == 0)
			emu_resp_json(resp, 200, emu_stream_preset_names());
		else if (strcmp(p, "stream/log") == 0)
			emu_resp_json(resp, 200, emu_stream_log_json());
		else
			bad(resp, "unknown control route");
		return true;
	}
	if (strcmp(req->method, "DELETE") == 0 && strcmp(p, "faults") == 0) {
		emu_faults_clear();
		ok(resp, NULL);
		return true;
	}
	if (strcmp(req->method, "POST") != 0) {
		bad(resp, "use GET or POST");
		return true;
	}
	json_t *body = req->body_len ? emu_json_parse(req->body, req->body_len) : json_object();
	if (!json_is_object(body)) {
		json_decref(body);
		bad(resp, "body must be a JSON object");
		return true;
	}
	post_route(p, body, resp);
	json_decref(body);
	return true;
}
