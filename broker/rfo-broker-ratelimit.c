/* restream-token-broker: per-client-address token buckets, sans I/O (the caller passes the clock).
 *
 * An open-addressed table. A bucket that has refilled completely says nothing an absent bucket would not, so when
 * the table fills up those are dropped (a sweep); if it is still full, the newcomer uses the shared overflow
 * bucket. */
#include "rfo-broker-ratelimit.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct bucket {
	unsigned char key[16];
	double tokens;
	double last;
	bool used;
};

struct rfo_broker_ratelimit {
	double rate;
	double burst;
	size_t mask; /* capacity - 1 */
	size_t used;
	double last_sweep; /* a sweep at most once a second: a flood of new addresses must not make each request O(n) */
	struct bucket *table;
	struct bucket overflow;
};

static uint64_t hash(const unsigned char key[16])
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 1099511628211ULL;
	return h;
}

struct rfo_broker_ratelimit *rfo_broker_ratelimit_create(double rate, double burst, size_t capacity)
{
	if (!(rate > 0) || !(burst >= 1) || capacity < 2)
		return NULL;
	size_t cap = 2;
	while (cap < capacity)
		cap *= 2;
	struct rfo_broker_ratelimit *rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	rl->table = calloc(cap, sizeof(*rl->table));
	if (!rl->table) {
		free(rl);
		return NULL;
	}
	rl->rate = rate;
	rl->burst = burst;
	rl->mask = cap - 1;
	rl->overflow.tokens = burst;
	return rl;
}

void rfo_broker_ratelimit_destroy(struct rfo_broker_ratelimit *rl)
{
	if (!rl)
		return;
	free(rl->table);
	free(rl);
}

static void refill(const struct rfo_broker_ratelimit *rl, struct bucket *b, double now)
{
	if (now > b->last) {
		b->tokens = fmin(rl->burst, b->tokens + (now - b->last) * rl->rate);
		b->last = now;
	}
}

static struct bucket *slot(struct rfo_broker_ratelimit *rl, const unsigned char key[16])
{
	for (size_t i = hash(key) & rl->mask;; i = (i + 1) & rl->mask) {
		struct bucket *b = &rl->table[i];
		if (!b->used || memcmp(b->key, key, 16) == 0)
			return b;
	}
}

/* rebuilds the table without the buckets that are full again (re-inserting keeps probe chains intact) */
static void sweep(struct rfo_broker_ratelimit *rl, double now)
{
	size_t cap = rl->mask + 1;
	struct bucket *old = rl->table;
	struct bucket *fresh = calloc(cap, sizeof(*fresh));
	if (!fresh)
		return;
	rl->table = fresh;
	rl->used = 0;
	for (size_t i = 0; i < cap; i++) {
		if (!old[i].used)
			continue;
		refill(rl, &old[i], now);
		if (old[i].tokens >= rl->burst)
			continue;
		*slot(rl, old[i].key) = old[i];
		rl->used++;
	}
	free(old);
}

bool rfo_broker_ratelimit_take(struct rfo_broker_ratelimit *rl, const unsigned char key[16], double now_s,
			       int *retry_after_s)
{
	struct bucket *b = slot(rl, key);
	if (!b->used) {
		size_t cap = rl->mask + 1;
		if ((rl->used + 1) * 4 > cap * 3 && now_s - rl->last_sweep >= 1) { /* probes stay short: <= 3/4 full */
			rl->last_sweep = now_s;
			sweep(rl, now_s);
			b = slot(rl, key);
		}
		if ((rl->used + 1) * 4 > cap * 3) {
			b = &rl->overflow;
		} else {
			memcpy(b->key, key, 16);
			b->tokens = rl->burst;
			b->last = now_s;
			b->used = true;
			rl->used++;
		}
	}
	refill(rl, b, now_s);
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return true;
	}
	int wait = (int)ceil((1 - b->tokens) / rl->rate);
	*retry_after_s = wait < 1 ? 1 : wait;
	return false;
}

size_t rfo_broker_ratelimit_tracked(const struct rfo_broker_ratelimit *rl)
{
	return rl->used;
}
