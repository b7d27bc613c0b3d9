/* rfo-chat-store: bounded history, de-duplication, ordering, connection and reply maps, threads. */
#include "rfo-test.h"

#include <inttypes.h>
#include <util/threading.h>

#include "rfo-chat-store.h"

static struct rfo_chat_message *msg(const char *id, const char *text)
{
	struct rfo_chat_message *m = bzalloc(sizeof(*m));
	m->refs = 1;
	m->id = bstrdup(id);
	m->connection_id = bstrdup("c");
	m->platform = "Twitch";
	m->author = bstrdup("a");
	m->text = bstrdup(text);
	return m;
}

static struct rfo_chat_message *msgn(int i)
{
	char id[32], text[32];
	snprintf(id, sizeof(id), "id-%d", i);
	snprintf(text, sizeof(text), "text %d", i);
	return msg(id, text);
}

struct collect {
	char texts[1024][32];
	uint64_t seqs[1024];
	size_t n;
};

static void collect_cb(void *param, const struct rfo_chat_message *m)
{
	struct collect *c = param;
	if (c->n < 1024) {
		snprintf(c->texts[c->n], 32, "%s", m->text);
		c->seqs[c->n++] = m->seq;
	}
}

static void test_bound_order_dedup(void)
{
	struct rfo_chat_store *s = rfo_chat_store_create(0);
	check(rfo_chat_store_capacity(s) == RFO_CHAT_STORE_DEFAULT_CAPACITY);
	rfo_chat_store_set_capacity(s, 5);
	check(rfo_chat_store_capacity(s) == 5);
	check(rfo_chat_store_last_seq(s) == 0);
	check(rfo_chat_store_push(s, NULL) == 0);

	for (int i = 1; i <= 8; i++)
		check(rfo_chat_store_push(s, msgn(i)) == (uint64_t)i);
	check(rfo_chat_store_count(s) == 5);
	check(rfo_chat_store_last_seq(s) == 8);

	/* duplicates (re-sent after a reconnect) are dropped, even after eviction from the ring */
	check(rfo_chat_store_push(s, msgn(8)) == 0);
	check(rfo_chat_store_push(s, msgn(1)) == 0);
	check(rfo_chat_store_count(s) == 5 && rfo_chat_store_last_seq(s) == 8);

	struct collect *c = bzalloc(sizeof(*c));
	check(rfo_chat_store_get_recent(s, 0, 0, collect_cb, c) == 5);
	check(c->n == 5);
	for (size_t i = 0; i < 5; i++) {
		char want[32];
		snprintf(want, sizeof(want), "text %zu", i + 4);
		check_str(c->texts[i], want); /* oldest first */
		check(c->seqs[i] == i + 4);
	}
	memset(c, 0, sizeof(*c));
	check(rfo_chat_store_get_recent(s, 2, 0, collect_cb, c) == 2);
	check_str(c->texts[0], "text 7");
	check_str(c->texts[1], "text 8");
	memset(c, 0, sizeof(*c));
	check(rfo_chat_store_get_recent(s, 100, 6, collect_cb, c) == 2); /* only seq > 6 */
	check(c->seqs[0] == 7 && c->seqs[1] == 8);
	memset(c, 0, sizeof(*c));
	check(rfo_chat_store_get_recent(s, 0, 8, collect_cb, c) == 0 && c->n == 0);
	bfree(c);

	size_t n;
	struct rfo_chat_message **arr = rfo_chat_store_copy_recent(s, 3, 0, &n);
	check(n == 3 && arr);
	check_str(arr[0]->text, "text 6");
	check_str(arr[2]->text, "text 8");
	/* copies outlive eviction and the store */
	for (int i = 9; i <= 20; i++)
		check(rfo_chat_store_push(s, msgn(i)) != 0);
	check_str(arr[0]->text, "text 6");
	check(rfo_chat_store_copy_recent(s, 5, 20, &n) == NULL && n == 0);

	/* shrink drops the oldest, grow keeps all */
	rfo_chat_store_set_capacity(s, 2);
	rfo_chat_messages_release(arr, 3);
	arr = rfo_chat_store_copy_recent(s, 0, 0, &n);
	check(n == 2);
	check_str(arr[0]->text, "text 19");
	check_str(arr[1]->text, "text 20");
	rfo_chat_messages_release(arr, n);
	/* ids held after a resize are still known */
	check(rfo_chat_store_push(s, msgn(20)) == 0);
	rfo_chat_store_set_capacity(s, 10);
	check(rfo_chat_store_count(s) == 2);
	check(rfo_chat_store_push(s, msgn(21)) == 21);

	rfo_chat_store_clear(s);
	check(rfo_chat_store_count(s) == 0);
	check(rfo_chat_store_push(s, msgn(22)) == 22); /* seq keeps counting */

	/* a message held by a reader survives destroy */
	struct rfo_chat_message *keep = rfo_chat_message_addref(msgn(100));
	check(rfo_chat_store_push(s, keep) == 23);
	rfo_chat_store_destroy(s);
	check_str(keep->text, "text 100");
	check(keep->seq == 23);
	rfo_chat_message_release(keep);
	rfo_chat_store_destroy(NULL);
}

/* The id memory is bounded: with capacity 4 it forgets ids after far more than 4 × 4 newer ones. */
static void test_dedup_bound(void)
{
	struct rfo_chat_store *s = rfo_chat_store_create(4);
	for (int i = 0; i < 1000; i++)
		check(rfo_chat_store_push(s, msgn(i)) != 0);
	check(rfo_chat_store_push(s, msgn(999)) == 0);
	check(rfo_chat_store_push(s, msgn(992)) == 0); /* the last 2 × capacity are always remembered */
	check(rfo_chat_store_push(s, msgn(0)) != 0);   /* long forgotten: accepted again */
	check(rfo_chat_store_count(s) == 4);
	rfo_chat_store_destroy(s);
	s = rfo_chat_store_create(RFO_CHAT_STORE_MAX_CAPACITY * 10);
	check(rfo_chat_store_capacity(s) == RFO_CHAT_STORE_MAX_CAPACITY);
	rfo_chat_store_destroy(s);
}

static void apply(struct rfo_chat_store *s, const char *json)
{
	struct rfo_chat_frame f;
	check(rfo_chat_parse(json, strlen(json), &f, NULL));
	rfo_chat_store_apply(s, &f);
	rfo_chat_frame_free(&f);
}

static void test_connections(void)
{
	struct rfo_chat_store *s = rfo_chat_store_create(10);
	size_t n;
	check(!rfo_chat_store_copy_connections(s, &n) && n == 0);
	apply(s,
	      "{\"action\":\"connection_info\",\"payload\":{\"connectionIdentifier\":\"b-yt\",\"connectionUuid\":\"u1\","
	      "\"eventSourceId\":13,\"status\":\"connecting\"}}");
	apply(s,
	      "{\"action\":\"connection_info\",\"payload\":{\"connectionIdentifier\":\"a-tw\",\"connectionUuid\":\"t1\","
	      "\"eventSourceId\":2,\"status\":\"connected\"}}");
	/* duplicate / replacement for the same identifier: overwrite (new uuid) */
	apply(s,
	      "{\"action\":\"connection_info\",\"payload\":{\"connectionIdentifier\":\"b-yt\",\"connectionUuid\":\"u2\","
	      "\"eventSourceId\":13,\"status\":\"error\",\"reason\":\"youtube_broadcast_completed\"}}");
	apply(s, "{\"action\":\"connection_info\",\"payload\":{\"connectionUuid\":\"no-identifier\"}}");
	struct rfo_chat_connection *c = rfo_chat_store_copy_connections(s, &n);
	check(n == 2);
	check_str(c[0].identifier, "a-tw");
	check_str(c[0].platform, "Twitch");
	check_str(c[1].identifier, "b-yt");
	check_str(c[1].uuid, "u2");
	check(c[1].status == RFO_CHAT_CONN_ERROR);
	check_str(c[1].reason, "youtube_broadcast_completed");
	rfo_chat_connections_free(c, n);

	/* a close for the replaced connection removes nothing; the matching one removes the entry */
	apply(s, "{\"action\":\"connection_closed\",\"payload\":{\"connectionUuid\":\"u1\",\"reason\":\"replaced\"}}");
	c = rfo_chat_store_copy_connections(s, &n);
	check(n == 2);
	rfo_chat_connections_free(c, n);
	check(!rfo_chat_store_close_connection(s, NULL));
	check(!rfo_chat_store_close_connection(s, "zzz"));
	apply(s, "{\"action\":\"connection_closed\",\"payload\":{\"connectionUuid\":\"u2\",\"reason\":\"removed\"}}");
	c = rfo_chat_store_copy_connections(s, &n);
	check(n == 1);
	check_str(c[0].identifier, "a-tw");
	rfo_chat_connections_free(c, n);
	rfo_chat_store_destroy(s);
}

static void test_replies_and_events(void)
{
	struct rfo_chat_store *s = rfo_chat_store_create(10);
	const char *ev =
		"{\"action\":\"event\",\"timestamp\":3,\"payload\":{\"connectionIdentifier\":\"c\","
		"\"eventIdentifier\":\"e\",\"eventSourceId\":2,\"eventTypeId\":4,\"eventPayload\":{\"text\":\"hi\"}}}";
	apply(s, ev);
	apply(s, ev); /* re-sent after reconnect */
	apply(s, "{\"action\":\"heartbeat\",\"payload\":{}}");
	apply(s, "{\"action\":\"reply_created\",\"timestamp\":4,\"payload\":{\"clientReplyUuid\":\"x\","
		 "\"connectionIdentifiers\":[\"c\"],\"eventSourceId\":1,\"replyUuid\":\"r1\",\"text\":\"my reply\"}}");
	check(rfo_chat_store_count(s) == 2);
	size_t n;
	struct rfo_chat_message **arr = rfo_chat_store_copy_recent(s, 0, 0, &n);
	check(n == 2);
	check_str(arr[0]->text, "hi");
	check(arr[1]->kind == RFO_CHAT_KIND_REPLY);
	check_str(arr[1]->text, "my reply");
	check_str(arr[1]->id, "reply|r1");
	check_str(arr[1]->platform, "Restream");
	check(arr[1]->seq == 2 && arr[1]->timestamp == 4);
	rfo_chat_messages_release(arr, n);

	struct rfo_chat_reply_state st;
	check(rfo_chat_store_get_reply(s, "r1", &st));
	check(st.status == RFO_CHAT_REPLY_STATUS_CREATED);
	/* confirmed may arrive before accepted: never downgraded */
	apply(s, "{\"action\":\"reply_confirmed\",\"payload\":{\"connectionIdentifier\":\"c\",\"replyUuid\":\"r1\"}}");
	apply(s, "{\"action\":\"reply_accepted\",\"payload\":{\"connectionIdentifier\":\"c\",\"replyUuid\":\"r1\"}}");
	check(rfo_chat_store_get_reply(s, "r1", &st) && st.status == RFO_CHAT_REPLY_STATUS_CONFIRMED);
	apply(s, "{\"action\":\"reply_failed\",\"payload\":{\"connectionIdentifier\":\"c\",\"replyUuid\":\"r2\","
		 "\"reason\":\"discord_rate_limit\"}}");
	check(rfo_chat_store_get_reply(s, "r2", &st) && st.status == RFO_CHAT_REPLY_STATUS_FAILED);
	check_str(st.reason, "discord_rate_limit");
	check(!rfo_chat_store_get_reply(s, "nope", &st));
	/* the reply map is bounded */
	for (int i = 0; i < RFO_CHAT_STORE_MAX_REPLIES + 5; i++) {
		char buf[200];
		snprintf(buf, sizeof(buf), "{\"action\":\"reply_accepted\",\"payload\":{\"replyUuid\":\"bulk-%d\"}}",
			 i);
		apply(s, buf);
	}
	check(!rfo_chat_store_get_reply(s, "r1", &st));
	check(rfo_chat_store_get_reply(s, "bulk-68", &st) && st.status == RFO_CHAT_REPLY_STATUS_ACCEPTED);
	rfo_chat_store_destroy(s);
}

/* One network thread pushes while two readers read: no lost or reordered messages. */
struct thread_ctx {
	struct rfo_chat_store *s;
	volatile bool done;
};
struct reader_ctx {
	struct thread_ctx *t;
	bool ok; /* written by one reader only */
};

static void *pusher(void *p)
{
	struct thread_ctx *t = p;
	for (int i = 0; i < 20000; i++)
		rfo_chat_store_push(t->s, msgn(i / 2)); /* every message twice */
	os_atomic_set_bool((volatile bool *)&t->done, true);
	return NULL;
}

static void *reader(void *p)
{
	struct reader_ctx *r = p;
	struct thread_ctx *t = r->t;
	r->ok = true;
	while (!os_atomic_load_bool((volatile bool *)&t->done)) {
		size_t n;
		struct rfo_chat_message **arr = rfo_chat_store_copy_recent(t->s, 50, 0, &n);
		for (size_t i = 1; i < n; i++) {
			if (arr[i]->seq != arr[i - 1]->seq + 1)
				r->ok = false;
		}
		rfo_chat_messages_release(arr, n);
	}
	return NULL;
}

/* The selection (last `limit` with seq > after) is computed by index arithmetic: compare it with the
 * definition over many shapes of the ring (wrapped, after a shrink, a grow, a clear, duplicates). */
static void check_selection(struct rfo_chat_store *s)
{
	struct collect *all = bzalloc(sizeof(*all)), *c = bzalloc(sizeof(*c));
	rfo_chat_store_get_recent(s, 0, 0, collect_cb, all);
	check(all->n == rfo_chat_store_count(s));
	for (size_t i = 1; i < all->n; i++)
		check(all->seqs[i] == all->seqs[i - 1] + 1); /* contiguous, oldest first */
	uint64_t last = rfo_chat_store_last_seq(s);
	static const size_t limits[] = {0, 1, 2, 3, 7, 1000};
	for (uint64_t after = 0; after <= last + 2; after++) {
		for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
			size_t first = 0; /* the definition, by a scan */
			while (first < all->n && all->seqs[first] <= after)
				first++;
			if (limits[l] && all->n - first > limits[l])
				first = all->n - limits[l];
			c->n = 0;
			size_t got = rfo_chat_store_get_recent(s, limits[l], after, collect_cb, c);
			bool same = got == all->n - first && c->n == got;
			for (size_t i = 0; same && i < got; i++)
				same = c->seqs[i] == all->seqs[first + i];
			size_t n = 0;
			struct rfo_chat_message **arr = rfo_chat_store_copy_recent(s, limits[l], after, &n);
			same = same && n == got && (n ? arr[0]->seq == all->seqs[first] : arr == NULL);
			rfo_chat_messages_release(arr, n);
			if (!same)
				fprintf(stderr, "selection: after=%" PRIu64 " limit=%zu got %zu, want %zu\n", after,
					limits[l], got, all->n - first);
			check(same);
		}
	}
	bfree(all);
	bfree(c);
}

static void test_selection(void)
{
	struct rfo_chat_store *s = rfo_chat_store_create(6);
	check_selection(s); /* empty */
	int id = 0;
	for (int i = 0; i < 4; i++)
		rfo_chat_store_push(s, msgn(++id));
	check_selection(s); /* partly full */
	for (int i = 0; i < 9; i++)
		rfo_chat_store_push(s, msgn(++id));
	check_selection(s);                   /* wrapped */
	rfo_chat_store_push(s, msgn(id - 1)); /* a duplicate takes no seq */
	check_selection(s);
	rfo_chat_store_set_capacity(s, 4);
	check_selection(s); /* shrunk */
	rfo_chat_store_set_capacity(s, 9);
	for (int i = 0; i < 3; i++)
		rfo_chat_store_push(s, msgn(++id));
	check_selection(s); /* grown, then refilled */
	rfo_chat_store_clear(s);
	check_selection(s); /* cleared: seq keeps counting */
	for (int i = 0; i < 11; i++)
		rfo_chat_store_push(s, msgn(++id));
	check(rfo_chat_store_count(s) == 9 && rfo_chat_store_last_seq(s) == 27);
	check_selection(s);
	rfo_chat_store_destroy(s);
}

static void test_threads(void)
{
	struct thread_ctx t = {.s = rfo_chat_store_create(100)};
	struct reader_ctx r1 = {.t = &t}, r2 = {.t = &t};
	pthread_t a, b, c;
	check(pthread_create(&b, NULL, reader, &r1) == 0);
	check(pthread_create(&c, NULL, reader, &r2) == 0);
	check(pthread_create(&a, NULL, pusher, &t) == 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	pthread_join(c, NULL);
	check(r1.ok && r2.ok);
	check(rfo_chat_store_last_seq(t.s) == 10000);
	check(rfo_chat_store_count(t.s) == 100);
	rfo_chat_store_destroy(t.s);
}

struct counts {
	char text[256];
};

static void add_count(void *param, const char *platform, uint64_t count)
{
	struct counts *c = param;
	size_t n = strlen(c->text);
	snprintf(c->text + n, sizeof(c->text) - n, "%s=%" PRIu64 ";", platform, count);
}

/* Per-platform counts for the end-of-stream summary: duplicates, the streamer's replies and eviction do not change
 * them. */
static void test_platform_counts(void)
{
	struct rfo_chat_store *s = rfo_chat_store_create(2);
	struct counts c = {0};
	check(rfo_chat_store_platform_counts(s, add_count, &c) == 0);
	rfo_chat_store_push(s, msg("a", "1"));
	rfo_chat_store_push(s, msg("a", "1 again")); /* duplicate */
	struct rfo_chat_message *yt = msg("b", "2");
	yt->platform = "YouTube";
	rfo_chat_store_push(s, yt);
	rfo_chat_store_push(s, msg("c", "3")); /* evicts "a": still counted */
	struct rfo_chat_message *reply = msg("reply|r", "mine");
	reply->kind = RFO_CHAT_KIND_REPLY;
	rfo_chat_store_push(s, reply);
	check(rfo_chat_store_platform_counts(s, add_count, &c) == 2);
	check_str(c.text, "Twitch=2;YouTube=1;");
	rfo_chat_store_destroy(s);
}

int main(void)
{
	test_platform_counts();
	test_bound_order_dedup();
	test_dedup_bound();
	test_connections();
	test_replies_and_events();
	test_selection();
	test_threads();
	return rfo_test_end();
}
