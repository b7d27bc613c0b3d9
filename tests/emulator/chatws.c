/* restream-emulator: chat WebSocket (/ws?accessToken=...): connection_info on connect, heartbeats,
 * pushed events, flood; records what clients send. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EMU_KEEP_CLIENT_TEXTS 50

static void heartbeat_fire(lws_sorted_usec_list_t *sul)
{
	struct emu_ws_sess *s = lws_container_of(sul, struct emu_ws_sess, hb_sul);
	if (!s->wsi)
		return;
	if (!emu.kinds[EMU_KIND_CHAT].silence_heartbeats) {
		json_t *f = emu_chat_preset("heartbeat", NULL);
		emu_ws_send_json(s, f);
		json_decref(f);
	}
	lws_sul_schedule(emu.ctx, 0, &s->hb_sul, heartbeat_fire, (lws_usec_t)emu.heartbeat_s * LWS_US_PER_SEC);
}

static void on_connect(struct emu_ws_sess *s)
{
	for (int i = 0; i < emu.n_channels; i++) {
		const struct emu_channel *c = &emu.channels[i];
		if (!c->chat_source || !c->active)
			continue;
		json_t *f = json_pack("{s:s,s:o,s:I}", "action", "connection_info", "payload",
				      emu_chat_connection_info(c), "timestamp", (json_int_t)emu_now_s());
		emu_ws_send_json(s, f);
		json_decref(f);
	}
	json_t *f = json_pack("{s:s,s:o,s:I}", "action", "connection_info", "payload", emu_chat_discord_info(),
			      "timestamp", (json_int_t)emu_now_s());
	emu_ws_send_json(s, f);
	json_decref(f);
	lws_sul_schedule(emu.ctx, 0, &s->hb_sul, heartbeat_fire, (lws_usec_t)emu.heartbeat_s * LWS_US_PER_SEC);
}

static void record_client_text(const char *in, size_t len)
{
	emu.chat_client_msgs++;
	json_array_append_new(emu.chat_client_texts, json_stringn_nocheck(in, len < 4096 ? len : 4096));
	while (json_array_size(emu.chat_client_texts) > EMU_KEEP_CLIENT_TEXTS)
		json_array_remove(emu.chat_client_texts, 0);
}

static const struct emu_ws_handlers chat_handlers = {EMU_KIND_CHAT, on_connect, record_client_text};

static int chat_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	return emu_ws_callback(&chat_handlers, wsi, reason, user, in, len);
}

static const struct lws_protocols chat_protocol = {
	"restream-chat", chat_cb, sizeof(struct emu_ws_sess), 65536, 0, NULL, 0};

const struct lws_protocols *emu_chat_protocol(void)
{
	return &chat_protocol;
}

void emu_chat_push_frame(json_t *frame)
{
	emu_ws_broadcast_json(EMU_KIND_CHAT, frame);
}

/* ---- flood ----
 * Message k (1-based) is due at start + (k - 1) / rate. Each timer tick sends every message due by the
 * clock (a batch), then sleeps until the next one is due but at least FLOOD_TICK_US, so the rate holds
 * however coarse the event loop's timers are. Each socket's queue is drained one frame per writeable
 * callback (emu_ws_writeable asks for the next one). */
#define FLOOD_TICK_US 4000

static struct {
	lws_sorted_usec_list_t sul;
	int total, sent, rate;
	int64_t start_us, last_us;
	char preset[48];
} flood;

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void flood_send_one(void)
{
	char text[64];
	snprintf(text, sizeof(text), "flood message #%d", ++flood.sent);
	json_t *opts = json_pack("{s:s}", "text", text);
	json_t *f = emu_chat_preset(flood.preset, opts);
	json_decref(opts);
	if (f) {
		emu_chat_push_frame(f);
		json_decref(f);
	}
}

static void flood_fire(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	int64_t now = mono_us();
	int64_t due = (now - flood.start_us) * flood.rate / 1000000 + 1;
	if (due > flood.total)
		due = flood.total;
	while (flood.sent < due)
		flood_send_one();
	flood.last_us = now;
	if (flood.sent >= flood.total)
		return;
	int64_t next = flood.start_us + (int64_t)flood.sent * 1000000 / flood.rate - now;
	lws_sul_schedule(emu.ctx, 0, &flood.sul, flood_fire, next > FLOOD_TICK_US ? next : FLOOD_TICK_US);
}

bool emu_chat_flood(int rate, int seconds, const char *preset)
{
	json_t *probe = emu_chat_preset(preset, NULL);
	if (!probe || rate <= 0 || rate > 2000 || seconds <= 0 || seconds > 600) {
		json_decref(probe);
		return false;
	}
	json_decref(probe);
	snprintf(flood.preset, sizeof(flood.preset), "%s", preset);
	flood.total = rate * seconds;
	flood.rate = rate;
	flood.sent = 0;
	flood.start_us = flood.last_us = mono_us();
	lws_sul_schedule(emu.ctx, 0, &flood.sul, flood_fire, 1);
	return true;
}

json_t *emu_chat_flood_json(void)
{
	int64_t span = flood.last_us - flood.start_us;
	return json_pack("{s:b,s:i,s:i,s:i,s:I}", "active", flood.sent < flood.total, "rate", flood.rate, "total",
			 flood.total, "sent", flood.sent, "elapsedMs", (json_int_t)(span / 1000));
}
