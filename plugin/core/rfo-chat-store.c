/* Bounded chat history, id de-duplication, connection and reply maps. See rfo-chat-store.h. */
#include "rfo-chat-store.h"
#include "rfo-text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/threading.h>

#define MAX_CONNECTIONS 512

/* De-duplication: two generations of an open-addressing set of 64-bit id hashes. Inserts go to
 * `cur`; when it holds `gen_max` ids it becomes `old` and a fresh `cur` starts. Lookups check both, so
 * at least the last gen_max ids (and at most 2 × gen_max) are remembered in bounded memory. */
struct idset {
	uint64_t *slots; /* 0 = empty */
	size_t mask;
	size_t count;
};

struct rfo_chat_store {
	/* Guards every field below: the chat socket thread adds, obs-websocket's and the UI thread read. A leaf lock. */
	pthread_mutex_t mutex;
	struct rfo_chat_message **ring;
	size_t capacity, head, count; /* head = index of the oldest message */
	uint64_t next_seq;

	struct idset cur, old;
	size_t gen_max;

	DARRAY(struct rfo_chat_connection) conns; /* sorted by identifier */
	struct rfo_chat_reply_state replies[RFO_CHAT_STORE_MAX_REPLIES];
	size_t reply_next; /* ring position of the next new reply */

	/* Viewers' messages stored since creation, per platform name (the end-of-stream summary counts them). */
	struct platform_count {
		char platform[32];
		uint64_t count;
	} platforms[RFO_CHAT_STORE_MAX_PLATFORMS];
	size_t platform_count;
};

/* Caller holds the lock. The streamer's own replies are not counted. */
static void count_platform(struct rfo_chat_store *s, const struct rfo_chat_message *msg)
{
	if (msg->kind == RFO_CHAT_KIND_REPLY)
		return;
	for (size_t i = 0; i < s->platform_count; i++) {
		if (strcmp(s->platforms[i].platform, msg->platform) == 0) {
			s->platforms[i].count++;
			return;
		}
	}
	if (s->platform_count == RFO_CHAT_STORE_MAX_PLATFORMS)
		return;
	struct platform_count *p = &s->platforms[s->platform_count++];
	snprintf(p->platform, sizeof(p->platform), "%s", msg->platform);
	p->count = 1;
}

static void idset_init(struct idset *set, size_t max)
{
	size_t size = 16;
	while (size < max * 2)
		size <<= 1;
	bfree(set->slots);
	set->slots = bzalloc(sizeof(uint64_t) * size);
	set->mask = size - 1;
	set->count = 0;
}

static bool idset_has(const struct idset *set, uint64_t h)
{
	for (size_t i = h & set->mask;; i = (i + 1) & set->mask) {
		if (set->slots[i] == h)
			return true;
		if (!set->slots[i])
			return false;
	}
}

static void idset_add(struct idset *set, uint64_t h)
{
	size_t i = h & set->mask;
	while (set->slots[i] && set->slots[i] != h)
		i = (i + 1) & set->mask;
	if (!set->slots[i]) {
		set->slots[i] = h;
		set->count++;
	}
}

static bool seen_or_add(struct rfo_chat_store *s, const char *id)
{
	uint64_t h = rfo_text_hash(id);
	if (idset_has(&s->cur, h) || idset_has(&s->old, h))
		return true;
	if (s->cur.count >= s->gen_max) {
		struct idset t = s->old;
		s->old = s->cur;
		s->cur = t;
		memset(s->cur.slots, 0, sizeof(uint64_t) * (s->cur.mask + 1));
		s->cur.count = 0;
	}
	idset_add(&s->cur, h);
	return false;
}

static size_t clamp_capacity(size_t capacity)
{
	if (!capacity)
		return RFO_CHAT_STORE_DEFAULT_CAPACITY;
	return capacity > RFO_CHAT_STORE_MAX_CAPACITY ? RFO_CHAT_STORE_MAX_CAPACITY : capacity;
}

static void resize_locked(struct rfo_chat_store *s, size_t capacity)
{
	struct rfo_chat_message **ring = bzalloc(sizeof(*ring) * capacity);
	size_t keep = s->count < capacity ? s->count : capacity;
	size_t drop = s->count - keep;
	for (size_t i = 0; i < s->count; i++) {
		struct rfo_chat_message *m = s->ring[(s->head + i) % s->capacity];
		if (i < drop)
			rfo_chat_message_release(m);
		else
			ring[i - drop] = m;
	}
	bfree(s->ring);
	s->ring = ring;
	s->capacity = capacity;
	s->head = 0;
	s->count = keep;

	/* ids: one generation covers 2 × capacity recent ids; re-seed with what is held */
	s->gen_max = capacity * 2;
	idset_init(&s->cur, s->gen_max);
	idset_init(&s->old, s->gen_max);
	for (size_t i = 0; i < s->count; i++)
		idset_add(&s->cur, rfo_text_hash(s->ring[i]->id));
}

struct rfo_chat_store *rfo_chat_store_create(size_t capacity)
{
	struct rfo_chat_store *s = bzalloc(sizeof(*s));
	if (pthread_mutex_init(&s->mutex, NULL) != 0) {
		bfree(s);
		return NULL;
	}
	s->next_seq = 1;
	s->capacity = 1;
	s->ring = bzalloc(sizeof(*s->ring));
	resize_locked(s, clamp_capacity(capacity));
	return s;
}

static void clear_locked(struct rfo_chat_store *s)
{
	for (size_t i = 0; i < s->count; i++)
		rfo_chat_message_release(s->ring[(s->head + i) % s->capacity]);
	s->head = s->count = 0;
	for (size_t i = 0; i < s->conns.num; i++)
		rfo_chat_connection_free(&s->conns.array[i]);
	da_resize(s->conns, 0);
	memset(s->replies, 0, sizeof(s->replies));
	s->reply_next = 0;
}

void rfo_chat_store_destroy(struct rfo_chat_store *s)
{
	if (!s)
		return;
	clear_locked(s);
	da_free(s->conns);
	bfree(s->ring);
	bfree(s->cur.slots);
	bfree(s->old.slots);
	pthread_mutex_destroy(&s->mutex);
	bfree(s);
}

void rfo_chat_store_set_capacity(struct rfo_chat_store *s, size_t capacity)
{
	pthread_mutex_lock(&s->mutex);
	resize_locked(s, clamp_capacity(capacity));
	pthread_mutex_unlock(&s->mutex);
}

size_t rfo_chat_store_capacity(struct rfo_chat_store *s)
{
	pthread_mutex_lock(&s->mutex);
	size_t c = s->capacity;
	pthread_mutex_unlock(&s->mutex);
	return c;
}

void rfo_chat_store_clear(struct rfo_chat_store *s)
{
	pthread_mutex_lock(&s->mutex);
	clear_locked(s);
	pthread_mutex_unlock(&s->mutex);
}

uint64_t rfo_chat_store_push(struct rfo_chat_store *s, struct rfo_chat_message *msg)
{
	if (!msg)
		return 0;
	if (!msg->id) {
		rfo_chat_message_release(msg);
		return 0;
	}
	pthread_mutex_lock(&s->mutex);
	if (seen_or_add(s, msg->id)) {
		pthread_mutex_unlock(&s->mutex);
		rfo_chat_message_release(msg);
		return 0;
	}
	struct rfo_chat_message *evicted = NULL;
	if (s->count == s->capacity) {
		evicted = s->ring[s->head];
		s->head = (s->head + 1) % s->capacity;
		s->count--;
	}
	uint64_t seq = s->next_seq++;
	msg->seq = seq;
	count_platform(s, msg);
	s->ring[(s->head + s->count) % s->capacity] = msg;
	s->count++;
	pthread_mutex_unlock(&s->mutex);
	rfo_chat_message_release(evicted);
	return seq;
}

size_t rfo_chat_store_platform_counts(struct rfo_chat_store *s, rfo_chat_platform_count_cb cb, void *param)
{
	pthread_mutex_lock(&s->mutex);
	size_t n = s->platform_count;
	for (size_t i = 0; i < n; i++)
		cb(param, s->platforms[i].platform, s->platforms[i].count);
	pthread_mutex_unlock(&s->mutex);
	return n;
}

size_t rfo_chat_store_count(struct rfo_chat_store *s)
{
	pthread_mutex_lock(&s->mutex);
	size_t n = s->count;
	pthread_mutex_unlock(&s->mutex);
	return n;
}

uint64_t rfo_chat_store_last_seq(struct rfo_chat_store *s)
{
	pthread_mutex_lock(&s->mutex);
	uint64_t seq = s->next_seq - 1;
	pthread_mutex_unlock(&s->mutex);
	return seq;
}

/* First ring offset (from head) of the selection: the last `limit` messages with seq > after_seq.
 * O(1): the held messages have contiguous sequence numbers ending at next_seq - 1 (each push takes
 * next_seq++; only the oldest are ever dropped; a clear empties the ring), so offset i holds
 * next_seq - count + i. */
static size_t select_first(struct rfo_chat_store *s, size_t limit, uint64_t after_seq)
{
	if (!s->count)
		return 0;
	uint64_t oldest = s->next_seq - s->count;
	size_t first = after_seq < oldest               ? 0
		       : after_seq - oldest >= s->count ? s->count
							: (size_t)(after_seq - oldest + 1);
	if (limit && s->count - first > limit)
		first = s->count - limit;
	return first;
}

size_t rfo_chat_store_get_recent(struct rfo_chat_store *s, size_t limit, uint64_t after_seq, rfo_chat_message_cb cb,
				 void *param)
{
	pthread_mutex_lock(&s->mutex);
	size_t first = select_first(s, limit, after_seq);
	for (size_t i = first; i < s->count; i++)
		cb(param, s->ring[(s->head + i) % s->capacity]);
	pthread_mutex_unlock(&s->mutex);
	return s->count > first ? s->count - first : 0;
}

struct rfo_chat_message **rfo_chat_store_copy_recent(struct rfo_chat_store *s, size_t limit, uint64_t after_seq,
						     size_t *count)
{
	struct rfo_chat_message **out = NULL;
	size_t n = 0;
	pthread_mutex_lock(&s->mutex);
	size_t first = select_first(s, limit, after_seq);
	if (first < s->count) {
		out = bmalloc(sizeof(*out) * (s->count - first));
		for (size_t i = first; i < s->count; i++)
			out[n++] = rfo_chat_message_addref(s->ring[(s->head + i) % s->capacity]);
	}
	pthread_mutex_unlock(&s->mutex);
	if (count)
		*count = n;
	return out;
}

void rfo_chat_messages_release(struct rfo_chat_message **msgs, size_t count)
{
	for (size_t i = 0; msgs && i < count; i++)
		rfo_chat_message_release(msgs[i]);
	bfree(msgs);
}

/* ---- connections --------------------------------------------------------------------------------- */

/* Index of identifier, or where it would go (sets *found). */
static size_t conn_find(struct rfo_chat_store *s, const char *identifier, bool *found)
{
	size_t lo = 0, hi = s->conns.num;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->conns.array[mid].identifier, identifier);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

bool rfo_chat_store_set_connection(struct rfo_chat_store *s, const struct rfo_chat_connection *conn)
{
	if (!conn || !conn->identifier || !*conn->identifier)
		return false;
	pthread_mutex_lock(&s->mutex);
	bool found;
	size_t i = conn_find(s, conn->identifier, &found);
	if (found) {
		rfo_chat_connection_free(&s->conns.array[i]);
		rfo_chat_connection_copy(&s->conns.array[i], conn);
	} else if (s->conns.num < MAX_CONNECTIONS) {
		/* not da_insert_new: libobs 29's version keeps a pointer across its realloc */
		da_push_back_new(s->conns);
		memmove(&s->conns.array[i + 1], &s->conns.array[i], sizeof(*s->conns.array) * (s->conns.num - 1 - i));
		rfo_chat_connection_copy(&s->conns.array[i], conn);
	}
	pthread_mutex_unlock(&s->mutex);
	return true;
}

bool rfo_chat_store_close_connection(struct rfo_chat_store *s, const char *uuid)
{
	if (!uuid || !*uuid)
		return false;
	bool removed = false;
	pthread_mutex_lock(&s->mutex);
	for (size_t i = 0; i < s->conns.num; i++) {
		struct rfo_chat_connection *c = &s->conns.array[i];
		if (c->uuid && strcmp(c->uuid, uuid) == 0) {
			rfo_chat_connection_free(c);
			da_erase(s->conns, i);
			removed = true;
			break;
		}
	}
	pthread_mutex_unlock(&s->mutex);
	return removed;
}

struct rfo_chat_connection *rfo_chat_store_copy_connections(struct rfo_chat_store *s, size_t *count)
{
	struct rfo_chat_connection *out = NULL;
	pthread_mutex_lock(&s->mutex);
	size_t n = s->conns.num;
	if (n) {
		out = bzalloc(sizeof(*out) * n);
		for (size_t i = 0; i < n; i++)
			rfo_chat_connection_copy(&out[i], &s->conns.array[i]);
	}
	pthread_mutex_unlock(&s->mutex);
	if (count)
		*count = n;
	return out;
}

void rfo_chat_connections_free(struct rfo_chat_connection *conns, size_t count)
{
	for (size_t i = 0; conns && i < count; i++)
		rfo_chat_connection_free(&conns[i]);
	bfree(conns);
}

/* ---- replies ------------------------------------------------------------------------------------- */

static void copy_trunc(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= size) {
		n = size - 1;
		while (n && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, src, n);
	dst[n] = 0;
}

static struct rfo_chat_reply_state *reply_find(struct rfo_chat_store *s, const char *uuid, bool create)
{
	char key[sizeof(s->replies[0].reply_uuid)];
	copy_trunc(key, sizeof(key), uuid);
	if (!*key)
		return NULL;
	for (size_t i = 0; i < RFO_CHAT_STORE_MAX_REPLIES; i++) {
		if (strcmp(s->replies[i].reply_uuid, key) == 0)
			return &s->replies[i];
	}
	if (!create)
		return NULL;
	struct rfo_chat_reply_state *r = &s->replies[s->reply_next];
	s->reply_next = (s->reply_next + 1) % RFO_CHAT_STORE_MAX_REPLIES;
	memset(r, 0, sizeof(*r));
	memcpy(r->reply_uuid, key, sizeof(key));
	return r;
}

static void reply_update(struct rfo_chat_store *s, const struct rfo_chat_reply *rep, enum rfo_chat_reply_status st)
{
	pthread_mutex_lock(&s->mutex);
	struct rfo_chat_reply_state *r = reply_find(s, rep->reply_uuid, true);
	if (r) {
		/* confirmed may overtake accepted; failed always wins */
		if (st == RFO_CHAT_REPLY_STATUS_FAILED || st > r->status)
			r->status = st;
		if (st == RFO_CHAT_REPLY_STATUS_FAILED)
			copy_trunc(r->reason, sizeof(r->reason), rep->reason);
	}
	pthread_mutex_unlock(&s->mutex);
}

bool rfo_chat_store_get_reply(struct rfo_chat_store *s, const char *reply_uuid, struct rfo_chat_reply_state *out)
{
	pthread_mutex_lock(&s->mutex);
	struct rfo_chat_reply_state *r = reply_find(s, reply_uuid, false);
	if (r && out)
		*out = *r;
	pthread_mutex_unlock(&s->mutex);
	return r != NULL;
}

static struct rfo_chat_message *reply_message(const struct rfo_chat_reply *rep, int64_t timestamp)
{
	if (!rep->reply_uuid || !rep->text)
		return NULL;
	struct rfo_chat_message *m = bzalloc(sizeof(*m));
	m->refs = 1;
	struct dstr id = {0};
	dstr_printf(&id, "reply|%s", rep->reply_uuid);
	m->id = id.array;
	m->connection_id = bstrdup(rep->num_connection_ids ? rep->connection_ids[0] : "");
	m->source_id = rep->source_id;
	const char *name = rfo_chat_platform_name(rep->source_id);
	m->platform = name ? name : "Restream";
	m->kind = RFO_CHAT_KIND_REPLY;
	m->author = bstrdup("");
	m->text = bstrdup(rep->text);
	m->timestamp = timestamp;
	return m;
}

uint64_t rfo_chat_store_apply(struct rfo_chat_store *s, struct rfo_chat_frame *frame)
{
	if (!s || !frame)
		return 0;
	switch (frame->action) {
	case RFO_CHAT_EVENT: {
		struct rfo_chat_message *m = frame->message;
		frame->message = NULL;
		return rfo_chat_store_push(s, m);
	}
	case RFO_CHAT_CONNECTION_INFO:
		rfo_chat_store_set_connection(s, &frame->conn);
		return 0;
	case RFO_CHAT_CONNECTION_CLOSED:
		rfo_chat_store_close_connection(s, frame->conn.uuid);
		return 0;
	case RFO_CHAT_REPLY_CREATED:
		reply_update(s, &frame->reply, RFO_CHAT_REPLY_STATUS_CREATED);
		return rfo_chat_store_push(s, reply_message(&frame->reply, frame->timestamp));
	case RFO_CHAT_REPLY_ACCEPTED:
		reply_update(s, &frame->reply, RFO_CHAT_REPLY_STATUS_ACCEPTED);
		return 0;
	case RFO_CHAT_REPLY_CONFIRMED:
		reply_update(s, &frame->reply, RFO_CHAT_REPLY_STATUS_CONFIRMED);
		return 0;
	case RFO_CHAT_REPLY_FAILED:
		reply_update(s, &frame->reply, RFO_CHAT_REPLY_STATUS_FAILED);
		return 0;
	default:
		return 0;
	}
}
