/* restream-emulator: chat WebSocket (/ws?accessToken=...): connection_info on connect, heartbeats,
 * pushed events, flood; records what clients send. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMU_KEEP_CLIENT_TEXTS 50

static void send_json(struct emu_ws_sess *s, json_t *f)
{
	char *txt = json_dumps(f, JSON_COMPACT);
	emu_ws_send(s, txt, strlen(txt));
	free(txt);
}

static void heartbeat_fire(lws_sorted_usec_list_t *sul)
{
	struct emu_ws_sess *s = lws_container_of(sul, struct emu_ws_sess, hb_sul);
	if (!s->wsi)
		return;
	if (!emu.kinds[EMU_KIND_CHAT].silence_heartbeats) {
		json_t *f = emu_chat_preset("heartbeat", NULL);
		send_json(s, f);
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
		send_json(s, f);
		json_decref(f);
	}
	json_t *f = json_pack("{s:s,s:o,s:I}", "action", "connection_info", "payload", emu_chat_discord_info(),
			      "timestamp", (json_int_t)emu_now_s());
	send_json(s, f);
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

static int chat_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct emu_ws_sess *s = user;
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return emu_ws_filter_upgrade(wsi, EMU_KIND_CHAT);
	case LWS_CALLBACK_ESTABLISHED:
		emu_ws_attach(s, wsi, EMU_KIND_CHAT);
		on_connect(s);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		record_client_text(in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return emu_ws_writeable(s);
	case LWS_CALLBACK_CLOSED:
		emu_ws_detach(s);
		return 0;
	case LWS_CALLBACK_HTTP:
		lws_return_http_status(wsi, 426, "WebSocket upgrade required at /ws");
		return -1;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols chat_protocol = {
	"restream-chat", chat_cb, sizeof(struct emu_ws_sess), 65536, 0, NULL, 0};

const struct lws_protocols *emu_chat_protocol(void)
{
	return &chat_protocol;
}

void emu_chat_push_frame(json_t *frame)
{
	char *txt = json_dumps(frame, JSON_COMPACT);
	emu_ws_broadcast(EMU_KIND_CHAT, txt);
	free(txt);
}

/* ---- flood ---- */
static struct {
	lws_sorted_usec_list_t sul;
	int remaining, sent;
	int interval_us;
	char preset[48];
} flood;

static void flood_fire(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (flood.remaining <= 0)
		return;
	char text[64];
	snprintf(text, sizeof(text), "flood message #%d", ++flood.sent);
	json_t *opts = json_pack("{s:s}", "text", text);
	json_t *f = emu_chat_preset(flood.preset, opts);
	json_decref(opts);
	if (f) {
		emu_chat_push_frame(f);
		json_decref(f);
	}
	if (--flood.remaining > 0)
		lws_sul_schedule(emu.ctx, 0, &flood.sul, flood_fire, flood.interval_us);
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
	flood.remaining = rate * seconds;
	flood.sent = 0;
	flood.interval_us = 1000000 / rate;
	lws_sul_schedule(emu.ctx, 0, &flood.sul, flood_fire, 1);
	return true;
}
