/* Fuzz target: chat WebSocket frames (docs/restream-api.md §4): rfo_chat_parse, then the chat store applies the frame
 * as the chat feed does. Every string shown to people must be valid UTF-8 and within the documented limits. */
#include "fuzz-common.h"
#include "rfo-chat.h"
#include "rfo-chat-store.h"
#include "rfo-text.h"

RFO_FUZZ_INIT()

static void check_text(const char *s, size_t max)
{
	RFO_FUZZ_ASSERT(s != NULL);
	size_t len = strlen(s);
	RFO_FUZZ_ASSERT(rfo_text_utf8_valid(s, len));
	if (max)
		RFO_FUZZ_ASSERT(len <= max);
}

static void check_message(const struct rfo_chat_message *m)
{
	RFO_FUZZ_ASSERT(m->id && m->connection_id && m->platform);
	/* every stored field is capped: one frame cannot keep more than a few tens of KiB */
	RFO_FUZZ_ASSERT(strlen(m->id) <= RFO_CHAT_MAX_ID && strlen(m->connection_id) <= RFO_CHAT_MAX_ID);
	RFO_FUZZ_ASSERT(!m->link || (strlen(m->link) <= RFO_CHAT_MAX_URL && rfo_fuzz_clean_token(m->link, 0)));
	RFO_FUZZ_ASSERT(!m->parent_author || strlen(m->parent_author) <= RFO_CHAT_MAX_NAME);
	check_text(m->author, RFO_CHAT_MAX_NAME);
	check_text(m->text, RFO_CHAT_MAX_TEXT);
	if (m->donation)
		check_text(m->donation, 0);
	size_t tlen = strlen(m->text);
	uint32_t prev_end = 0;
	size_t url_bytes = 0;
	RFO_FUZZ_ASSERT(m->num_emotes <= RFO_CHAT_MAX_EMOTES);
	for (size_t i = 0; i < m->num_emotes; i++) {
		const struct rfo_chat_emote *e = &m->emotes[i];
		RFO_FUZZ_ASSERT(e->url != NULL && rfo_fuzz_clean_token(e->url, RFO_CHAT_MAX_URL));
		url_bytes += strlen(e->url);
		RFO_FUZZ_ASSERT(e->byte_start < e->byte_end && e->byte_end <= tlen);
		RFO_FUZZ_ASSERT(i == 0 || e->byte_start >= prev_end);
		/* spans lie on code-point boundaries */
		RFO_FUZZ_ASSERT(((unsigned char)m->text[e->byte_start] & 0xC0) != 0x80);
		RFO_FUZZ_ASSERT(e->byte_end == tlen || ((unsigned char)m->text[e->byte_end] & 0xC0) != 0x80);
		prev_end = e->byte_end;
	}
	RFO_FUZZ_ASSERT(url_bytes <= RFO_CHAT_MAX_EMOTE_URLS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long before = bnum_allocs();
	struct rfo_chat_store *store = rfo_chat_store_create(8);

	struct rfo_chat_frame frame;
	struct rfo_error err = {0};
	if (rfo_chat_parse((const char *)data, size, &frame, &err)) {
		(void)rfo_chat_action_name(frame.action);
		if (frame.message) {
			check_message(frame.message);
			(void)rfo_chat_kind_name(frame.message->kind);
		}
		if (frame.conn.target_name)
			check_text(frame.conn.target_name, RFO_CHAT_MAX_NAME);
		RFO_FUZZ_ASSERT(!frame.conn.identifier || strlen(frame.conn.identifier) <= RFO_CHAT_MAX_ID);
		RFO_FUZZ_ASSERT(!frame.conn.uuid || strlen(frame.conn.uuid) <= RFO_CHAT_MAX_ID);
		RFO_FUZZ_ASSERT(frame.reply.num_connection_ids <= RFO_CHAT_MAX_REPLY_TARGETS);
		for (size_t i = 0; i < frame.reply.num_connection_ids; i++)
			RFO_FUZZ_ASSERT(strlen(frame.reply.connection_ids[i]) <= RFO_CHAT_MAX_ID);
		RFO_FUZZ_ASSERT(!frame.reply.reply_uuid || strlen(frame.reply.reply_uuid) <= RFO_CHAT_MAX_ID);
		if (frame.reply.text)
			check_text(frame.reply.text, 0);
		(void)rfo_chat_reason_lookup(frame.conn.reason);
		(void)rfo_chat_reason_lookup(frame.reply.reason);
		/* twice: a re-sent frame after a reconnect is de-duplicated, never a crash */
		(void)rfo_chat_store_apply(store, &frame);
		(void)rfo_chat_store_apply(store, &frame);
		size_t n = 0;
		struct rfo_chat_message **msgs = rfo_chat_store_copy_recent(store, 100, 0, &n);
		RFO_FUZZ_ASSERT(n <= 2);
		rfo_chat_messages_release(msgs, n);
		size_t nconn = 0;
		struct rfo_chat_connection *conns = rfo_chat_store_copy_connections(store, &nconn);
		rfo_chat_connections_free(conns, nconn);
	}
	rfo_chat_frame_free(&frame);
	rfo_chat_store_destroy(store);
	rfo_fuzz_check_allocs(before, "chat");
	return 0;
}
