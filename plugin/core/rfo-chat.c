/* Chat WebSocket frame parser (docs/restream-api.md §4). Sans-I/O; see rfo-chat.h. */
#include "rfo-chat.h"

#include <util/threading.h>

#include "rfo-chat-private.h"

/* Here: the frame (its action, connections and replies) and the lifetimes of what it holds. The message of an
 * "event" frame is built in rfo-chat-event.c. */

/* ---- connections and replies ---------------------------------------------------------------------- */

static char *target_name(const json_t *target)
{
	static const char *const owner_keys[] = {"displayName", "name", "username", NULL};
	static const char *const name_keys[] = {"name", NULL};
	static const char *const title_keys[] = {"title", NULL};
	static const char *const holders[] = {"owner", "page", "user", "organization", "server", "channel"};
	for (size_t i = 0; i < sizeof(holders) / sizeof(holders[0]); i++) {
		char *s = clean_first(rfo_json_object(target, holders[i]), RFO_CHAT_MAX_NAME,
				      i == 0 ? owner_keys : name_keys);
		if (s)
			return s;
	}
	return clean_first(rfo_json_object(target, "event"), RFO_CHAT_MAX_NAME, title_keys);
}

static void parse_connection(const json_t *p, struct rfo_chat_connection *c)
{
	c->identifier = id_str(p, "connectionIdentifier");
	c->uuid = id_str(p, "connectionUuid");
	rfo_json_int(p, "eventSourceId", &c->source_id);
	set_platform(&c->platform, c->platform_buf, sizeof(c->platform_buf), c->source_id, NULL);
	const char *status = rfo_json_str(p, "status");
	if (status && strcmp(status, "connecting") == 0)
		c->status = RFO_CHAT_CONN_CONNECTING;
	else if (status && strcmp(status, "connected") == 0)
		c->status = RFO_CHAT_CONN_CONNECTED;
	else if (status && strcmp(status, "error") == 0)
		c->status = RFO_CHAT_CONN_ERROR;
	c->reason = clean_str(p, "reason", RFO_CHAT_MAX_NAME);
	const json_t *target = rfo_json_object(p, "target");
	c->target_name = target_name(target);
	rfo_json_int(target, "websiteChannelId", &c->website_channel_id);
}

static void parse_reply(const json_t *p, struct rfo_chat_reply *r)
{
	r->reply_uuid = id_str(p, "replyUuid");
	r->client_reply_uuid = id_str(p, "clientReplyUuid");
	r->source_event_id = id_str(p, "sourceEventIdentifier");
	r->connection_id = id_str(p, "connectionIdentifier");
	rfo_json_int(p, "eventSourceId", &r->source_id);
	r->reason = clean_str(p, "reason", RFO_CHAT_MAX_NAME);
	const json_t *tv = rfo_json_get(p, "text");
	if (json_is_string(tv))
		r->text = rfo_text_sanitize(json_string_value(tv), json_string_length(tv), RFO_CHAT_MAX_TEXT);
	const json_t *ids = rfo_json_array(p, "connectionIdentifiers");
	size_t n = json_array_size(ids);
	if (n > RFO_CHAT_MAX_REPLY_TARGETS)
		n = RFO_CHAT_MAX_REPLY_TARGETS;
	if (n) {
		r->connection_ids = bzalloc(sizeof(char *) * n);
		for (size_t i = 0; i < n; i++) {
			char *s = rfo_json_as_id_dup(json_array_get(ids, i));
			if (!s)
				continue;
			size_t len = strlen(s);
			if (len > RFO_CHAT_MAX_ID)
				s[rfo_text_utf8_prefix(s, len, RFO_CHAT_MAX_ID)] = 0;
			r->connection_ids[r->num_connection_ids++] = s;
		}
	}
}

/* ---- frame ------------------------------------------------------------------------------------- */

static const struct {
	const char *name;
	enum rfo_chat_action action;
} actions[] = {
	{"heartbeat", RFO_CHAT_HEARTBEAT},
	{"connection_info", RFO_CHAT_CONNECTION_INFO},
	{"connection_closed", RFO_CHAT_CONNECTION_CLOSED},
	{"event", RFO_CHAT_EVENT},
	{"reply_created", RFO_CHAT_REPLY_CREATED},
	{"reply_accepted", RFO_CHAT_REPLY_ACCEPTED},
	{"reply_confirmed", RFO_CHAT_REPLY_CONFIRMED},
	{"reply_failed", RFO_CHAT_REPLY_FAILED},
	{"relay_accepted", RFO_CHAT_RELAY_ACCEPTED},
	{"relay_confirmed", RFO_CHAT_RELAY_CONFIRMED},
	{"relay_failed", RFO_CHAT_RELAY_FAILED},
};

bool rfo_chat_parse(const char *data, size_t len, struct rfo_chat_frame *frame, struct rfo_error *err)
{
	memset(frame, 0, sizeof(*frame));
	json_t *root = NULL;
	if (data && len)
		root = json_loadb(data, len, JSON_ALLOW_NUL, NULL);
	if (!root && data && len && !rfo_text_utf8_valid(data, len)) {
		/* jansson refuses invalid UTF-8: repair the bytes and try once more */
		size_t rlen;
		char *fixed = rfo_text_utf8_repair(data, len, &rlen);
		root = json_loadb(fixed, rlen, JSON_ALLOW_NUL, NULL);
		bfree(fixed);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		rfo_json_fail(err, "a chat message");
		return false;
	}

	const char *action = rfo_json_str(root, "action");
	for (size_t i = 0; action && i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].name, action) == 0) {
			frame->action = actions[i].action;
			break;
		}
	}
	rfo_json_int(root, "timestamp", &frame->timestamp);
	const json_t *p = rfo_json_object(root, "payload");

	switch (frame->action) {
	case RFO_CHAT_EVENT:
		frame->message = rfo_chat_parse_event(p, frame->timestamp);
		break;
	case RFO_CHAT_CONNECTION_INFO:
	case RFO_CHAT_CONNECTION_CLOSED:
		parse_connection(p, &frame->conn);
		break;
	case RFO_CHAT_REPLY_CREATED:
	case RFO_CHAT_REPLY_ACCEPTED:
	case RFO_CHAT_REPLY_CONFIRMED:
	case RFO_CHAT_REPLY_FAILED:
	case RFO_CHAT_RELAY_ACCEPTED:
	case RFO_CHAT_RELAY_CONFIRMED:
	case RFO_CHAT_RELAY_FAILED:
		parse_reply(p, &frame->reply);
		break;
	case RFO_CHAT_HEARTBEAT:
	case RFO_CHAT_UNKNOWN:
		break;
	}
	json_decref(root);
	return true;
}

/* ---- lifetime ------------------------------------------------------------------------------------ */

void rfo_chat_connection_free(struct rfo_chat_connection *c)
{
	if (!c)
		return;
	bfree(c->identifier);
	bfree(c->uuid);
	bfree(c->reason);
	bfree(c->target_name);
	memset(c, 0, sizeof(*c));
}

void rfo_chat_connection_copy(struct rfo_chat_connection *dst, const struct rfo_chat_connection *src)
{
	*dst = *src;
	dst->identifier = src->identifier ? bstrdup(src->identifier) : NULL;
	dst->uuid = src->uuid ? bstrdup(src->uuid) : NULL;
	dst->reason = src->reason ? bstrdup(src->reason) : NULL;
	dst->target_name = src->target_name ? bstrdup(src->target_name) : NULL;
	if (src->platform == src->platform_buf)
		dst->platform = dst->platform_buf;
}

void rfo_chat_reply_free(struct rfo_chat_reply *r)
{
	if (!r)
		return;
	bfree(r->reply_uuid);
	bfree(r->client_reply_uuid);
	bfree(r->source_event_id);
	bfree(r->connection_id);
	for (size_t i = 0; i < r->num_connection_ids; i++)
		bfree(r->connection_ids[i]);
	bfree(r->connection_ids);
	bfree(r->text);
	bfree(r->reason);
	memset(r, 0, sizeof(*r));
}

void rfo_chat_frame_free(struct rfo_chat_frame *frame)
{
	if (!frame)
		return;
	rfo_chat_message_release(frame->message);
	rfo_chat_connection_free(&frame->conn);
	rfo_chat_reply_free(&frame->reply);
	memset(frame, 0, sizeof(*frame));
}

struct rfo_chat_message *rfo_chat_message_addref(struct rfo_chat_message *msg)
{
	if (msg)
		os_atomic_inc_long(&msg->refs);
	return msg;
}

void rfo_chat_message_release(struct rfo_chat_message *m)
{
	if (!m || os_atomic_dec_long(&m->refs) > 0)
		return;
	bfree(m->id);
	bfree(m->connection_id);
	bfree(m->author);
	bfree(m->author_color);
	bfree(m->text);
	bfree(m->donation);
	bfree(m->link);
	bfree(m->parent_author);
	for (size_t i = 0; i < m->num_emotes; i++)
		bfree(m->emotes[i].url);
	bfree(m->emotes);
	bfree(m);
}
