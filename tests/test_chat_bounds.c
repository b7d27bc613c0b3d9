/* rfo-chat: what one hostile frame can make the plugin keep. Every stored field has a cap, so a 1-MiB frame leaves
 * a message of a few tens of KiB in the history (and bounded connection and reply entries), not ~1 MiB. */
#include "rfo-test.h"

#include <util/dstr.h>

#include "rfo-chat.h"
#include "rfo-chat-store.h"

/* What a message holds on the heap: the struct, its strings and its emotes. */
#define MESSAGE_BOUND (32 * 1024)

static size_t str_bytes(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static size_t message_bytes(const struct rfo_chat_message *m)
{
	size_t n = sizeof(*m) + str_bytes(m->id) + str_bytes(m->connection_id) + str_bytes(m->author) +
		   str_bytes(m->author_color) + str_bytes(m->text) + str_bytes(m->donation) + str_bytes(m->link) +
		   str_bytes(m->parent_author);
	n += m->num_emotes * sizeof(*m->emotes);
	for (size_t i = 0; i < m->num_emotes; i++)
		n += str_bytes(m->emotes[i].url);
	return n;
}

/* `n` copies of `c`. */
static void cat_n(struct dstr *s, char c, size_t n)
{
	char buf[1024];
	memset(buf, c, sizeof(buf));
	while (n) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);
		dstr_ncat(s, buf, k);
		n -= k;
	}
}

/* An emote entry covering code point `at` with a URL of `url_len` bytes. */
static void cat_replace(struct dstr *s, size_t at, size_t url_len, bool comma)
{
	dstr_catf(s, "%s{\"from\":%zu,\"to\":%zu,\"type\":\"imageUrl\",\"payload\":{\"url\":\"https://e.example/",
		  comma ? "," : "", at, at);
	cat_n(s, 'u', url_len - strlen("https://e.example/"));
	dstr_cat(s, "\"}}");
}

static void test_huge_event(void)
{
	struct dstr f = {0};
	dstr_cat(&f, "{\"action\":\"event\",\"timestamp\":1700000000,\"payload\":{\"connectionIdentifier\":\"");
	cat_n(&f, 'c', 128 * 1024);
	dstr_cat(&f, "\",\"eventIdentifier\":\"");
	cat_n(&f, 'e', 64 * 1024);
	dstr_cat(&f, "\",\"eventSourceId\":2,\"eventTypeId\":4,\"eventPayload\":{\"author\":{\"displayName\":\"");
	cat_n(&f, 'a', 64 * 1024);
	dstr_cat(&f, "\"},\"link\":\"https://s.example/");
	cat_n(&f, 'l', 64 * 1024);
	dstr_cat(&f, "\",\"parent\":{\"name\":\"");
	cat_n(&f, 'p', 32 * 1024);
	dstr_cat(&f, "\"},\"donation\":{\"amount\":\"");
	cat_n(&f, '9', 32 * 1024);
	dstr_cat(&f, "\",\"currency\":\"USD\"},\"replaces\":[");
	/* 32 emotes whose URLs are far too long, then 200 of 500 bytes (100 KiB of URLs in all) */
	for (size_t i = 0; i < 32; i++)
		cat_replace(&f, i * 2, 16 * 1024, i > 0);
	for (size_t i = 32; i < 232; i++)
		cat_replace(&f, i * 2, 500, true);
	dstr_cat(&f, "],\"text\":\"");
	size_t text = 1024 * 1024 - f.len - 16;
	for (size_t i = 0; i < text / 2; i++)
		dstr_cat(&f, "K ");
	dstr_cat(&f, "\"}}}");
	check(f.len >= 1000 * 1024);

	struct rfo_chat_store *store = rfo_chat_store_create(0);
	struct rfo_chat_frame frame;
	check(rfo_chat_parse(f.array, f.len, &frame, NULL));
	check(frame.message);
	const struct rfo_chat_message *m = frame.message;
	size_t bytes = message_bytes(m);
	fprintf(stderr, "a %zu-byte frame keeps %zu bytes (%zu emotes)\n", f.len, bytes, m->num_emotes);
	check(bytes <= MESSAGE_BOUND);
	check(strlen(m->text) <= RFO_CHAT_MAX_TEXT);
	check(strlen(m->id) <= RFO_CHAT_MAX_ID);
	check(strlen(m->connection_id) <= RFO_CHAT_MAX_ID);
	check(strlen(m->author) <= RFO_CHAT_MAX_NAME);
	check(!m->link); /* longer than any image URL the fetcher takes: dropped, not cut */
	check(m->num_emotes > 0);
	size_t urls = 0;
	for (size_t i = 0; i < m->num_emotes; i++) {
		check(strlen(m->emotes[i].url) <= RFO_CHAT_MAX_URL);
		urls += strlen(m->emotes[i].url);
	}
	check(urls <= RFO_CHAT_MAX_EMOTE_URLS);
	check(rfo_chat_store_apply(store, &frame) != 0);
	rfo_chat_frame_free(&frame);
	dstr_free(&f);
	rfo_chat_store_destroy(store);
}

static void test_huge_connection_and_reply(void)
{
	struct rfo_chat_store *store = rfo_chat_store_create(0);
	struct dstr f = {0};
	dstr_cat(&f, "{\"action\":\"connection_info\",\"payload\":{\"connectionIdentifier\":\"");
	cat_n(&f, 'i', 400 * 1024);
	dstr_cat(&f, "\",\"connectionUuid\":\"");
	cat_n(&f, 'u', 400 * 1024);
	dstr_cat(&f, "\",\"eventSourceId\":2,\"status\":\"connected\",\"target\":{\"owner\":{\"displayName\":\"");
	cat_n(&f, 'n', 200 * 1024);
	dstr_cat(&f, "\"}}}}");
	struct rfo_chat_frame frame;
	check(rfo_chat_parse(f.array, f.len, &frame, NULL));
	check(frame.action == RFO_CHAT_CONNECTION_INFO);
	check(strlen(frame.conn.identifier) <= RFO_CHAT_MAX_ID);
	check(strlen(frame.conn.uuid) <= RFO_CHAT_MAX_ID);
	check(strlen(frame.conn.target_name) <= RFO_CHAT_MAX_NAME);
	rfo_chat_store_apply(store, &frame);
	rfo_chat_frame_free(&frame);
	size_t n = 0;
	struct rfo_chat_connection *conns = rfo_chat_store_copy_connections(store, &n);
	check(n == 1 && strlen(conns[0].identifier) <= RFO_CHAT_MAX_ID);
	rfo_chat_connections_free(conns, n);

	dstr_copy(&f, "{\"action\":\"reply_created\",\"payload\":{\"replyUuid\":\"");
	cat_n(&f, 'r', 100 * 1024);
	dstr_cat(&f, "\",\"clientReplyUuid\":\"");
	cat_n(&f, 'q', 100 * 1024);
	dstr_cat(&f, "\",\"eventSourceId\":1,\"text\":\"hi\",\"connectionIdentifiers\":[");
	for (size_t i = 0; i < 200; i++) {
		dstr_cat(&f, i ? ",\"" : "\"");
		cat_n(&f, 'k', 4 * 1024);
		dstr_cat(&f, "\"");
	}
	dstr_cat(&f, "]}}");
	check(rfo_chat_parse(f.array, f.len, &frame, NULL));
	check(frame.action == RFO_CHAT_REPLY_CREATED);
	check(strlen(frame.reply.reply_uuid) <= RFO_CHAT_MAX_ID);
	check(strlen(frame.reply.client_reply_uuid) <= RFO_CHAT_MAX_ID);
	check(frame.reply.num_connection_ids <= RFO_CHAT_MAX_REPLY_TARGETS);
	for (size_t i = 0; i < frame.reply.num_connection_ids; i++)
		check(strlen(frame.reply.connection_ids[i]) <= RFO_CHAT_MAX_ID);
	check(rfo_chat_store_apply(store, &frame) != 0);
	rfo_chat_frame_free(&frame);

	size_t count = 0;
	struct rfo_chat_message **msgs = rfo_chat_store_copy_recent(store, 10, 0, &count);
	check(count == 1 && message_bytes(msgs[0]) <= MESSAGE_BOUND);
	rfo_chat_messages_release(msgs, count);
	dstr_free(&f);
	rfo_chat_store_destroy(store);
}

int main(void)
{
	test_huge_event();
	test_huge_connection_and_reply();
	return rfo_test_end();
}
