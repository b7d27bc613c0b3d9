/* restream-emulator: streaming WebSocket (docs/restream-api.md §3): replays the last 60 s on connect, then pushes
 * updateIncoming/deleteIncoming/updateOutgoing/deleteOutgoing/updateStatuses; silent while offline. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLAY_MS 60000

struct log_entry {
	struct log_entry *next;
	int64_t ms;
	char *text;
};

static struct log_entry *log_head, *log_tail;
static lws_sorted_usec_list_t step_sul, tick_sul, flap_sul;
static int tick_no;
/* Health on command (/_emu/stream/destination, /flap, /incoming): each channel's outgoing status while live
 * (NULL = CONNECTED), one flapping channel at a time, the incoming bitrate (0 = normal) and whether Restream
 * receives at all. */
static const char *dest_status[EMU_MAX_CHANNELS];
static int flap_index = -1, flap_left, flap_ms;
static int incoming_total;
static bool not_receiving;

static void log_prune(void)
{
	int64_t cutoff = emu_now_ms() - REPLAY_MS;
	while (log_head && log_head->ms < cutoff) {
		struct log_entry *e = log_head;
		log_head = e->next;
		free(e->text);
		free(e);
	}
	if (!log_head)
		log_tail = NULL;
}

json_t *emu_stream_log_json(void)
{
	log_prune();
	json_t *arr = json_array();
	for (struct log_entry *e = log_head; e; e = e->next)
		json_array_append_new(arr, json_pack("{s:I,s:s}", "time", (json_int_t)e->ms, "text", e->text));
	return arr;
}

void emu_stream_push_frame(json_t *frame)
{
	emu_analytics_record(frame);
	char *txt = json_dumps(frame, JSON_COMPACT);
	struct log_entry *e = calloc(1, sizeof(*e));
	if (!e || !txt)
		abort();
	e->ms = emu_now_ms();
	e->text = txt;
	if (log_tail)
		log_tail->next = e;
	else
		log_head = e;
	log_tail = e;
	emu_ws_broadcast(EMU_KIND_STREAMING, txt);
	log_prune();
}

static void replay(struct emu_ws_sess *s)
{
	log_prune();
	for (struct log_entry *e = log_head; e; e = e->next)
		emu_ws_send(s, e->text, strlen(e->text));
}

static const struct emu_ws_handlers streaming_handlers = {EMU_KIND_STREAMING, replay, NULL};

static int streaming_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	return emu_ws_callback(&streaming_handlers, wsi, reason, user, in, len);
}

static const struct lws_protocols streaming_protocol = {
	"restream-streaming", streaming_cb, sizeof(struct emu_ws_sess), 4096, 0, NULL, 0};

const struct lws_protocols *emu_streaming_protocol(void)
{
	return &streaming_protocol;
}

/* ---- presets ---- */
static const char *opt_str(json_t *opts, const char *key, const char *def)
{
	const char *v = json_string_value(json_object_get(opts, key));
	return v ? v : def;
}

static int chan_index(const struct emu_channel *c)
{
	return (int)(c - emu.channels);
}

static const char *event_ident(void)
{
	return emu.live_event_id[0] ? emu.live_event_id : "no-event";
}

static json_t *build(const char *name, json_t *opts)
{
	int64_t now = emu_now_s();
	if (strcmp(name, "update_incoming") == 0) {
		int vb = (int)json_integer_value(json_object_get(opts, "videoBitrate"));
		int ab = 160000;
		int total = (int)json_integer_value(json_object_get(opts, "totalBitrate"));
		if (!total && !vb && incoming_total > 0) /* /_emu/stream/incoming: a low bitrate on command */
			total = incoming_total;
		if (total > 0) {
			ab = total / 2 < 160000 ? total / 2 : 160000;
			vb = total - ab;
		}
		if (!vb)
			vb = 4500000 + emu_prng_range(-200000, 200000);
		return json_pack("{s:s,s:i,s:o,s:I,s:s,s:{s:f,s:i,s:f,s:{s:i,s:i,s:i},s:{s:s,s:s},s:s,s:i,s:i}}",
				 "action", "updateIncoming", "userId", EMU_USER_ID, "eventId",
				 emu.live_event_id[0] ? json_string(emu.live_event_id) : json_null(), "createdAt",
				 (json_int_t)now, "suid", emu.suid, "streaming", "fps", 30.0, "keyframeInterval", 2,
				 "lossRate", 0.0, "bitrate", "total", vb + ab, "audio", ab, "video", vb, "codec",
				 "audio", "aac", "video", "h264", "profileAndLevel", "high/4.1", "height", 1080,
				 "width", 1920);
	}
	if (strcmp(name, "delete_incoming") == 0)
		return json_pack("{s:s,s:i,s:I,s:s}", "action", "deleteIncoming", "userId", EMU_USER_ID, "createdAt",
				 (json_int_t)now, "suid", emu.suid);
	if (strcmp(name, "unknown_action") == 0)
		return json_pack("{s:s,s:i,s:I,s:{s:b}}", "action", "futureAction", "userId", EMU_USER_ID, "createdAt",
				 (json_int_t)now, "future", "ignoreMe", 1);
	int64_t cid = json_integer_value(json_object_get(opts, "channelId"));
	const struct emu_channel *c = emu_channel_find(cid ? cid : emu.channels[0].id);
	if (!c)
		return NULL;
	if (strcmp(name, "update_outgoing") == 0)
		return json_pack("{s:s,s:i,s:i,s:I,s:I,s:s,s:s,s:{s:s,s:i,s:i}}", "action", "updateOutgoing", "userId",
				 EMU_USER_ID, "platformId", c->platform_id, "channelId", (json_int_t)c->id, "createdAt",
				 (json_int_t)now, "channelIdentifier", c->identifier, "eventIdentifier", event_ident(),
				 "streaming", "status", opt_str(opts, "status", "CONNECTED"), "bitrate",
				 4400000 + emu_prng_range(-300000, 300000), "bufferedBytes", emu_prng_range(0, 65536));
	if (strcmp(name, "delete_outgoing") == 0)
		return json_pack("{s:s,s:i,s:i,s:I,s:I}", "action", "deleteOutgoing", "userId", EMU_USER_ID,
				 "platformId", c->platform_id, "channelId", (json_int_t)c->id, "createdAt",
				 (json_int_t)now);
	if (strcmp(name, "update_statuses") == 0) {
		json_t *v = json_object_get(opts, "viewers");
		json_t *online = json_object_get(opts, "online");
		bool yt = c->platform_id == 5;
		int idx = chan_index(c);
		/* when the platform's record began: the live session's start, else now (never 0) */
		int64_t created = emu.live && emu.live_since > 0 ? emu.live_since : now;
		return json_pack("{s:s,s:i,s:i,s:I,s:I,s:I,s:s,s:s,s:o,s:o,s:o,s:b,s:o,s:o,s:o}", "action",
				 "updateStatuses", "userId", EMU_USER_ID, "platformId", c->platform_id, "channelId",
				 (json_int_t)c->id, "createdAt", (json_int_t)created, "updatedAt", (json_int_t)now,
				 "channelIdentifier", c->identifier, "eventIdentifier", event_ident(), "channelViews",
				 yt ? json_null() : json_integer(123456), "followers",
				 yt ? json_null() : json_integer(4321), "gameTitle",
				 c->platform_id == 1 ? json_string("Software and Game Development") : json_null(),
				 "online", online ? json_is_true(online) : emu.live || !json_is_null(v), "streamViews",
				 yt ? json_null() : json_integer(emu.viewers[idx] * 3), "title",
				 c->title ? json_string(c->title) : json_null(), "viewers",
				 v                 ? json_deep_copy(v)
				 : yt && !emu.live ? json_null()
						   : json_integer(emu.viewers[idx]));
	}
	return NULL;
}

json_t *emu_stream_preset(const char *name, json_t *opts)
{
	return emu_preset_override(build(name, opts), opts);
}

json_t *emu_stream_preset_names(void)
{
	return json_pack("[s,s,s,s,s,s]", "update_incoming", "delete_incoming", "update_outgoing", "delete_outgoing",
			 "update_statuses", "unknown_action");
}

static void push_preset(const char *name, const struct emu_channel *c, const char *status)
{
	json_t *opts = json_object();
	if (c)
		json_object_set_new(opts, "channelId", json_integer(c->id));
	if (status)
		json_object_set_new(opts, "status", json_string(status));
	json_t *f = emu_stream_preset(name, opts);
	json_decref(opts);
	if (f) {
		emu_stream_push_frame(f);
		json_decref(f);
	}
}

static void live_tick(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (!emu.live)
		return;
	tick_no++;
	if (!not_receiving)
		push_preset("update_incoming", NULL, NULL);
	for (int i = 0; i < emu.n_channels; i++) {
		if (!emu.channels[i].active)
			continue;
		emu.viewers[i] += emu_prng_range(-3, 5);
		if (emu.viewers[i] < 0)
			emu.viewers[i] = 0;
		push_preset("update_outgoing", &emu.channels[i], dest_status[i] ? dest_status[i] : "CONNECTED");
		if (tick_no % 3 == 0)
			push_preset("update_statuses", &emu.channels[i], NULL);
	}
	lws_sul_schedule(emu.ctx, 0, &tick_sul, live_tick, (lws_usec_t)emu.live_interval_ms * 1000);
}

static void live_step2(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (!emu.live)
		return;
	for (int i = 0; i < emu.n_channels; i++) {
		if (!emu.channels[i].active)
			continue;
		emu.viewers[i] = emu_prng_range(3, 40);
		push_preset("update_outgoing", &emu.channels[i], dest_status[i] ? dest_status[i] : "CONNECTED");
		push_preset("update_statuses", &emu.channels[i], NULL);
	}
	lws_sul_schedule(emu.ctx, 0, &tick_sul, live_tick, (lws_usec_t)emu.live_interval_ms * 1000);
}

void emu_stream_go_live(void)
{
	if (emu.live)
		return;
	emu.live = true;
	emu.live_since = emu_now_s();
	tick_no = 0;
	emu_uuid(emu.suid);
	if (emu.n_events < EMU_MAX_EVENTS) {
		struct emu_event *e = &emu.events[emu.n_events++];
		memset(e, 0, sizeof(*e));
		emu_uuid(e->id);
		snprintf(e->status, sizeof(e->status), "in-progress");
		snprintf(e->title, sizeof(e->title), "Live from the emulator");
		e->started_at = emu.live_since;
		for (int i = 0; i < emu.n_channels && e->n_dest < 4; i++)
			if (emu.channels[i].active)
				e->dest_channels[e->n_dest++] = emu.channels[i].id;
		snprintf(e->stream_key, sizeof(e->stream_key), "%s", emu.stream_key);
		snprintf(e->srt_id, sizeof(e->srt_id), "%s", emu.srt_id);
		snprintf(e->srt_pass, sizeof(e->srt_pass), "%s", emu.srt_pass);
		snprintf(emu.live_event_id, sizeof(emu.live_event_id), "%s", e->id);
	}
	push_preset("update_incoming", NULL, NULL);
	for (int i = 0; i < emu.n_channels; i++)
		if (emu.channels[i].active)
			push_preset("update_outgoing", &emu.channels[i], "CONNECTING");
	lws_sul_schedule(emu.ctx, 0, &step_sul, live_step2, 1000 * 1000);
}

void emu_stream_go_offline(void)
{
	if (!emu.live)
		return;
	lws_sul_cancel(&step_sul);
	lws_sul_cancel(&tick_sul);
	lws_sul_cancel(&flap_sul);
	flap_index = -1;
	memset(dest_status, 0, sizeof(dest_status));
	incoming_total = 0;
	not_receiving = false;
	for (int i = 0; i < emu.n_channels; i++)
		if (emu.channels[i].active)
			push_preset("delete_outgoing", &emu.channels[i], NULL);
	push_preset("delete_incoming", NULL, NULL);
	struct emu_event *e = emu_event_find(emu.live_event_id);
	if (e) {
		snprintf(e->status, sizeof(e->status), "finished");
		e->finished_at = emu_now_s();
	}
	emu.live = false;
	emu.live_event_id[0] = '\0';
}

/* ---- health on command ---- */

static const char *known_status(const char *s)
{
	static const char *const statuses[] = {"CONNECTED", "CONNECTING", "DISCONNECTED", "ERROR"};
	for (size_t i = 0; s && i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(s, statuses[i]) == 0)
			return statuses[i];
	return NULL;
}

bool emu_stream_set_destination(int64_t channel_id, const char *status)
{
	const struct emu_channel *c = emu_channel_find(channel_id);
	const char *st = known_status(status);
	if (!c || !st)
		return false;
	int i = chan_index(c);
	dest_status[i] = strcmp(st, "CONNECTED") == 0 ? NULL : st;
	if (emu.live)
		push_preset("update_outgoing", c, st);
	return true;
}

static void flap_step(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (!emu.live || flap_index < 0 || flap_left <= 0)
		return;
	const struct emu_channel *c = &emu.channels[flap_index];
	/* even steps left: down; odd: up again, so the last step leaves it connected */
	emu_stream_set_destination(c->id, flap_left % 2 == 0 ? "DISCONNECTED" : "CONNECTED");
	if (--flap_left > 0)
		lws_sul_schedule(emu.ctx, 0, &flap_sul, flap_step, (lws_usec_t)flap_ms * 1000);
	else
		flap_index = -1;
}

bool emu_stream_flap(int64_t channel_id, int times, int ms)
{
	const struct emu_channel *c = emu_channel_find(channel_id);
	if (!c || !emu.live || times < 1 || times > 100 || ms < 50 || ms > 60000)
		return false;
	flap_index = chan_index(c);
	flap_left = times * 2;
	flap_ms = ms;
	lws_sul_cancel(&flap_sul);
	flap_step(&flap_sul);
	return true;
}

void emu_stream_set_incoming(int total_bps, bool receiving)
{
	incoming_total = total_bps > 0 ? total_bps : 0;
	bool was_receiving = !not_receiving;
	not_receiving = !receiving;
	if (!emu.live)
		return;
	if (receiving)
		push_preset("update_incoming", NULL, NULL);
	else if (was_receiving)
		push_preset("delete_incoming", NULL, NULL);
}
