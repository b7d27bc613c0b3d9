/* Socket thread -> UI thread hand-over of chat messages in batches. See rfo-chat-batch.h. */
#include "rfo-chat-batch.h"
#include "rfo-chat-store.h"

#include <string.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/threading.h>

struct rfo_chat_batch {
	/* Guards every field below: the socket thread adds, the UI thread drains. A leaf lock: nothing else is
	 * locked while it is held. */
	pthread_mutex_t mutex;
	DARRAY(struct rfo_chat_message *) msgs;
	size_t start; /* msgs.array[start..] are pending; earlier slots were dropped */
	size_t max;
	size_t dropped;
	uint32_t flags;
	char *replies[RFO_CHAT_BATCH_MAX_REPLIES];
	size_t num_replies;
	bool scheduled; /* a drain was asked for and has not taken the items yet */
};

struct rfo_chat_batch *rfo_chat_batch_create(size_t max_messages)
{
	struct rfo_chat_batch *b = bzalloc(sizeof(*b));
	pthread_mutex_init(&b->mutex, NULL);
	b->max = max_messages ? max_messages : 500;
	return b;
}

static void release_range(struct rfo_chat_message **msgs, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		rfo_chat_message_release(msgs[i]);
}

void rfo_chat_batch_destroy(struct rfo_chat_batch *b)
{
	if (!b)
		return;
	release_range(b->msgs.array, b->start, b->msgs.num);
	da_free(b->msgs);
	for (size_t i = 0; i < b->num_replies; i++)
		bfree(b->replies[i]);
	pthread_mutex_destroy(&b->mutex);
	bfree(b);
}

/* With the lock held: drop the oldest pending beyond max; compact when half the array is dead. */
static void trim(struct rfo_chat_batch *b)
{
	while (b->msgs.num - b->start > b->max) {
		rfo_chat_message_release(b->msgs.array[b->start++]);
		b->dropped++;
	}
	if (b->start && b->start * 2 >= b->msgs.num) {
		size_t live = b->msgs.num - b->start;
		memmove(b->msgs.array, b->msgs.array + b->start, live * sizeof(*b->msgs.array));
		b->msgs.num = live;
		b->start = 0;
	}
}

void rfo_chat_batch_set_max(struct rfo_chat_batch *b, size_t max_messages)
{
	pthread_mutex_lock(&b->mutex);
	b->max = max_messages ? max_messages : 500;
	trim(b);
	pthread_mutex_unlock(&b->mutex);
}

/* With the lock held: returns true when this is the first item since the last take. */
static bool schedule(struct rfo_chat_batch *b)
{
	if (b->scheduled)
		return false;
	b->scheduled = true;
	return true;
}

bool rfo_chat_batch_add(struct rfo_chat_batch *b, struct rfo_chat_message *msg)
{
	if (!msg)
		return false;
	pthread_mutex_lock(&b->mutex);
	da_push_back(b->msgs, &msg);
	trim(b);
	bool first = schedule(b);
	pthread_mutex_unlock(&b->mutex);
	return first;
}

bool rfo_chat_batch_flag(struct rfo_chat_batch *b, uint32_t flags)
{
	pthread_mutex_lock(&b->mutex);
	b->flags |= flags;
	if (flags & RFO_CHAT_BATCH_CLEAR) {
		/* what was pending belongs to the history being cleared */
		release_range(b->msgs.array, b->start, b->msgs.num);
		b->msgs.num = 0;
		b->start = 0;
		for (size_t i = 0; i < b->num_replies; i++)
			bfree(b->replies[i]);
		b->num_replies = 0;
	}
	bool first = schedule(b);
	pthread_mutex_unlock(&b->mutex);
	return first;
}

bool rfo_chat_batch_reply(struct rfo_chat_batch *b, const char *reply_uuid)
{
	if (!reply_uuid || !*reply_uuid)
		return false;
	pthread_mutex_lock(&b->mutex);
	bool known = false;
	for (size_t i = 0; i < b->num_replies && !known; i++)
		known = strcmp(b->replies[i], reply_uuid) == 0;
	if (!known) {
		if (b->num_replies == RFO_CHAT_BATCH_MAX_REPLIES) {
			bfree(b->replies[0]);
			memmove(b->replies, b->replies + 1, (RFO_CHAT_BATCH_MAX_REPLIES - 1) * sizeof(char *));
			b->num_replies--;
		}
		b->replies[b->num_replies++] = bstrdup(reply_uuid);
	}
	bool first = schedule(b);
	pthread_mutex_unlock(&b->mutex);
	return first;
}

void rfo_chat_batch_take(struct rfo_chat_batch *b, struct rfo_chat_batch_items *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&b->mutex);
	size_t live = b->msgs.num - b->start;
	if (live) {
		out->messages = bmalloc(live * sizeof(*out->messages));
		memcpy(out->messages, b->msgs.array + b->start, live * sizeof(*out->messages));
		out->count = live;
	}
	b->msgs.num = 0;
	b->start = 0;
	out->dropped = b->dropped;
	out->flags = b->flags;
	if (b->num_replies) {
		out->replies = bmalloc(b->num_replies * sizeof(char *));
		memcpy(out->replies, b->replies, b->num_replies * sizeof(char *));
		out->num_replies = b->num_replies;
	}
	b->num_replies = 0;
	b->dropped = 0;
	b->flags = 0;
	b->scheduled = false;
	pthread_mutex_unlock(&b->mutex);
}

void rfo_chat_batch_items_free(struct rfo_chat_batch_items *items)
{
	rfo_chat_messages_release(items->messages, items->count);
	for (size_t i = 0; i < items->num_replies; i++)
		bfree(items->replies[i]);
	bfree(items->replies);
	memset(items, 0, sizeof(*items));
}
