/* rfo-chat-batch: one drain scheduled per batch, order, bound, flags, replies, a producer thread. */
#include "rfo-test.h"

#include <util/threading.h>

#include "rfo-chat-batch.h"

static struct rfo_chat_message *msg(int i)
{
	struct rfo_chat_message *m = bzalloc(sizeof(*m));
	char buf[32];
	m->refs = 1;
	snprintf(buf, sizeof(buf), "id-%d", i);
	m->id = bstrdup(buf);
	m->connection_id = bstrdup("c");
	m->platform = "Twitch";
	m->author = bstrdup("a");
	snprintf(buf, sizeof(buf), "%d", i);
	m->text = bstrdup(buf);
	m->seq = (uint64_t)i;
	return m;
}

static void test_coalesce(void)
{
	struct rfo_chat_batch *b = rfo_chat_batch_create(5);
	struct rfo_chat_batch_items it;

	check(!rfo_chat_batch_add(b, NULL));
	check(rfo_chat_batch_add(b, msg(1))); /* first: schedule */
	for (int i = 2; i <= 8; i++)
		check(!rfo_chat_batch_add(b, msg(i))); /* already scheduled */
	check(!rfo_chat_batch_flag(b, RFO_CHAT_BATCH_CONNECTIONS));
	check(!rfo_chat_batch_reply(b, "r1"));
	check(!rfo_chat_batch_reply(b, "r1"));
	check(!rfo_chat_batch_reply(b, ""));

	rfo_chat_batch_take(b, &it);
	check(it.count == 5); /* bounded: the 3 oldest dropped */
	check(it.dropped == 3);
	check_str(it.messages[0]->text, "4");
	check_str(it.messages[4]->text, "8");
	check(it.flags == RFO_CHAT_BATCH_CONNECTIONS);
	check(it.num_replies == 1);
	check_str(it.replies[0], "r1");
	rfo_chat_batch_items_free(&it);

	/* after a take, the next addition schedules again */
	check(rfo_chat_batch_flag(b, RFO_CHAT_BATCH_LINK));
	check(!rfo_chat_batch_add(b, msg(9)));
	rfo_chat_batch_take(b, &it);
	check(it.count == 1 && it.dropped == 0 && it.flags == RFO_CHAT_BATCH_LINK && it.num_replies == 0);
	rfo_chat_batch_items_free(&it);

	/* empty take */
	rfo_chat_batch_take(b, &it);
	check(it.count == 0 && !it.messages && it.flags == 0);
	rfo_chat_batch_items_free(&it);

	/* clear drops what is pending */
	check(rfo_chat_batch_add(b, msg(10)));
	check(!rfo_chat_batch_reply(b, "r2"));
	check(!rfo_chat_batch_flag(b, RFO_CHAT_BATCH_CLEAR));
	check(!rfo_chat_batch_add(b, msg(11)));
	rfo_chat_batch_take(b, &it);
	check(it.count == 1 && (it.flags & RFO_CHAT_BATCH_CLEAR) && it.num_replies == 0);
	check_str(it.messages[0]->text, "11");
	rfo_chat_batch_items_free(&it);

	/* many replies: the most recent RFO_CHAT_BATCH_MAX_REPLIES kept */
	for (int i = 0; i < RFO_CHAT_BATCH_MAX_REPLIES + 10; i++) {
		char u[16];
		snprintf(u, sizeof(u), "u%d", i);
		rfo_chat_batch_reply(b, u);
	}
	rfo_chat_batch_take(b, &it);
	check(it.num_replies == RFO_CHAT_BATCH_MAX_REPLIES);
	check_str(it.replies[0], "u10");
	rfo_chat_batch_items_free(&it);

	/* shrinking the bound trims, destroy releases what is left */
	for (int i = 0; i < 5; i++)
		rfo_chat_batch_add(b, msg(100 + i));
	rfo_chat_batch_set_max(b, 2);
	rfo_chat_batch_take(b, &it);
	check(it.count == 2 && it.dropped == 3);
	check_str(it.messages[0]->text, "103");
	rfo_chat_batch_items_free(&it);
	rfo_chat_batch_add(b, msg(200));
	rfo_chat_batch_destroy(b);
	rfo_chat_batch_destroy(NULL);
}

#define PRODUCED 20000

struct producer {
	struct rfo_chat_batch *b;
	volatile long schedules;
};

static void *produce(void *param)
{
	struct producer *p = param;
	for (int i = 1; i <= PRODUCED; i++)
		if (rfo_chat_batch_add(p->b, msg(i)))
			os_atomic_inc_long(&p->schedules);
	return NULL;
}

/* A producer thread against a draining consumer: nothing lost within the bound, order kept, and the
 * number of drains asked for never exceeds the number of takes + 1. */
static void test_threads(void)
{
	struct producer p = {rfo_chat_batch_create(PRODUCED), 0};
	pthread_t t;
	check(pthread_create(&t, NULL, produce, &p) == 0);
	size_t got = 0, takes = 0;
	int last = 0;
	bool ordered = true;
	while (got < PRODUCED) {
		struct rfo_chat_batch_items it;
		rfo_chat_batch_take(p.b, &it);
		takes++;
		for (size_t i = 0; i < it.count; i++) {
			int v = atoi(it.messages[i]->text);
			ordered = ordered && v == last + 1;
			last = v;
		}
		got += it.count;
		rfo_chat_batch_items_free(&it);
		check(p.schedules <= (long)takes + 1);
	}
	pthread_join(t, NULL);
	check(ordered);
	check(got == PRODUCED);
	rfo_chat_batch_destroy(p.b);
}

int main(void)
{
	test_coalesce();
	test_threads();
	return rfo_test_end();
}
