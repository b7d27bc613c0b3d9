/* restream-emulator: WebSocket plumbing shared by the chat and streaming sockets
 * (the session callback, upgrade auth, per-connection send queues, drop, silence, refuse). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMU_MAX_QUEUE 20000

struct emu_wsmsg {
	struct emu_wsmsg *next;
	size_t len;
	unsigned char data[];
};

const char *emu_kind_name(int kind)
{
	return kind == EMU_KIND_CHAT ? "chat" : "streaming";
}

int emu_kind_parse(const char *name)
{
	if (!name || strcmp(name, "all") == 0)
		return -1;
	if (strcmp(name, "chat") == 0)
		return EMU_KIND_CHAT;
	if (strcmp(name, "streaming") == 0 || strcmp(name, "stream") == 0)
		return EMU_KIND_STREAMING;
	return -2;
}

static int refuse(struct lws *wsi, struct emu_sock_kind *k, unsigned int status)
{
	k->refused_total++;
	if (!emu.quiet)
		fprintf(stderr, "[emu] %s upgrade refused -> %u\n", emu_kind_name((int)(k - emu.kinds)), status);
	lws_return_http_status(wsi, status, status == 401 ? "Unauthorized" : NULL);
	return -1;
}

/* LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: nonzero refuses the upgrade */
int emu_ws_filter_upgrade(struct lws *wsi, int kind)
{
	struct emu_sock_kind *k = &emu.kinds[kind];
	char path[128] = "", tok[128] = "";
	lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI);
	if (strcmp(path, "/ws") != 0)
		return refuse(wsi, k, 404);
	if (k->refuse_status && k->refuse_count != 0) {
		if (k->refuse_count > 0)
			k->refuse_count--;
		return refuse(wsi, k, (unsigned int)k->refuse_status);
	}
	const char *v = lws_get_urlarg_by_name(wsi, "accessToken=", tok, sizeof(tok));
	if (!v || !emu_token_valid(v))
		return refuse(wsi, k, 401);
	return 0;
}

void emu_ws_attach(struct emu_ws_sess *s, struct lws *wsi, int kind)
{
	struct emu_sock_kind *k = &emu.kinds[kind];
	memset(s, 0, sizeof(*s));
	s->wsi = wsi;
	s->kind = kind;
	s->connected_ms = emu_now_ms();
	s->next = k->sessions;
	k->sessions = s;
	k->connections++;
	k->connects_total++;
	if (!emu.quiet)
		fprintf(stderr, "[emu] %s socket connected (%d open)\n", emu_kind_name(kind), k->connections);
	if (k->silence_pings)
		lws_rx_flow_control(wsi, 0);
}

void emu_ws_detach(struct emu_ws_sess *s)
{
	struct emu_sock_kind *k = &emu.kinds[s->kind];
	for (struct emu_ws_sess **pp = &k->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			k->connections--;
			if (!emu.quiet)
				fprintf(stderr, "[emu] %s socket closed (%d open)\n", emu_kind_name(s->kind),
					k->connections);
			break;
		}
	}
	lws_sul_cancel(&s->hb_sul);
	while (s->head) {
		struct emu_wsmsg *m = s->head;
		s->head = m->next;
		free(m);
	}
	s->tail = NULL;
	s->wsi = NULL;
}

void emu_ws_send(struct emu_ws_sess *s, const char *text, size_t len)
{
	if (!s->wsi || emu.kinds[s->kind].silence_sends)
		return;
	if (s->queued >= EMU_MAX_QUEUE) { /* a client that does not read: say so, since a test would miss frames */
		static unsigned dropped;
		if (!emu.quiet && dropped++ % 1000 == 0)
			fprintf(stderr, "[emu] %s socket: send queue full (%d frames), frames dropped: %u\n",
				emu_kind_name(s->kind), EMU_MAX_QUEUE, dropped);
		return;
	}
	struct emu_wsmsg *m = malloc(sizeof(*m) + LWS_PRE + len + 1);
	if (!m)
		abort();
	m->next = NULL;
	m->len = len;
	memcpy(m->data + LWS_PRE, text, len);
	if (s->tail)
		s->tail->next = m;
	else
		s->head = m;
	s->tail = m;
	s->queued++;
	lws_callback_on_writable(s->wsi);
}

void emu_ws_broadcast(int kind, const char *text)
{
	emu_ws_broadcast_len(kind, text, strlen(text));
}

void emu_ws_broadcast_len(int kind, const char *data, size_t len)
{
	for (struct emu_ws_sess *s = emu.kinds[kind].sessions; s; s = s->next)
		emu_ws_send(s, data, len);
}

int emu_ws_writeable(struct emu_ws_sess *s)
{
	if (s->close_pending) {
		static const char why[] = "emulator drop";
		lws_close_reason(s->wsi, (enum lws_close_status)s->close_code, (unsigned char *)why, sizeof(why) - 1);
		return -1;
	}
	struct emu_wsmsg *m = s->head;
	if (!m)
		return 0;
	int n = lws_write(s->wsi, m->data + LWS_PRE, m->len, LWS_WRITE_TEXT);
	if (n < (int)m->len)
		return -1;
	s->head = m->next;
	if (!s->head)
		s->tail = NULL;
	s->queued--;
	free(m);
	if (s->head)
		lws_callback_on_writable(s->wsi);
	return 0;
}

int emu_ws_drop(int kind, int code)
{
	int n = 0;
	for (int k = 0; k < EMU_KIND_COUNT; k++) {
		if (kind >= 0 && k != kind)
			continue;
		for (struct emu_ws_sess *s = emu.kinds[k].sessions; s; s = s->next) {
			n++;
			if (code > 0) {
				s->close_pending = true;
				s->close_code = code;
				lws_callback_on_writable(s->wsi);
			} else {
				s->kill_pending = true;
				lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			}
		}
	}
	return n;
}

void emu_ws_apply_silence(int kind)
{
	struct emu_sock_kind *k = &emu.kinds[kind];
	for (struct emu_ws_sess *s = k->sessions; s; s = s->next)
		lws_rx_flow_control(s->wsi, k->silence_pings ? 0 : 1);
}

void emu_ws_send_json(struct emu_ws_sess *s, json_t *frame)
{
	char *txt = json_dumps(frame, JSON_COMPACT);
	emu_ws_send(s, txt, strlen(txt));
	free(txt);
}

void emu_ws_broadcast_json(int kind, json_t *frame)
{
	char *txt = json_dumps(frame, JSON_COMPACT);
	emu_ws_broadcast(kind, txt);
	free(txt);
}

int emu_ws_callback(const struct emu_ws_handlers *h, struct lws *wsi, enum lws_callback_reasons reason, void *user,
		    void *in, size_t len)
{
	struct emu_ws_sess *s = user;
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return emu_ws_filter_upgrade(wsi, h->kind);
	case LWS_CALLBACK_ESTABLISHED:
		emu_ws_attach(s, wsi, h->kind);
		if (h->on_connect)
			h->on_connect(s);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (h->on_receive)
			h->on_receive(in, len);
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

json_t *emu_preset_override(json_t *frame, json_t *opts)
{
	json_t *ov = json_object_get(opts, "overrides");
	if (frame && json_is_object(ov))
		json_object_update_recursive(frame, ov);
	return frame;
}
