/* Destination health while live: the rules of rfo-health-monitor.h, with no I/O and no lock. */
#include "rfo-health-monitor.h"

#include <stdio.h>
#include <string.h>
#include <util/bmem.h>

#define KEY_BITRATE "bitrate"
#define KEY_INGEST "ingest"

/* One watched thing: a destination, a chat connection, the bitrate or the ingest. */
struct watched {
	bool used;
	bool observed; /* seen in the current round */
	enum rfo_health_kind kind;
	char key[96];
	int64_t channel_id;
	char platform[48];
	char name[96];
	char detail[64];
	bool armed; /* was healthy during this live session (the bitrate is armed from the start) */
	bool bad;
	enum rfo_health_cause bad_cause;
	int64_t bad_since, good_since;
	bool raised;
	enum rfo_health_cause cause;
	uint32_t episode;
	int64_t since;
	int64_t drops[RFO_HEALTH_FLAP_DROPS]; /* the last drops (good -> bad), a ring */
	size_t next_drop;
};

struct rfo_health_monitor {
	int64_t grace_ms;
	int bitrate_pct;
	bool live;
	int64_t now;
	uint32_t episodes;
	int64_t incoming_bps, sent_bps;
	struct watched w[RFO_HEALTH_MAX_WATCHED + 2]; /* [0] bitrate, [1] ingest, then destinations and chats */
};

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

struct rfo_health_monitor *rfo_health_monitor_create(void)
{
	struct rfo_health_monitor *m = bzalloc(sizeof(*m));
	rfo_health_monitor_configure(m, RFO_HEALTH_DEFAULT_GRACE_S, RFO_HEALTH_DEFAULT_BITRATE_PCT);
	m->incoming_bps = m->sent_bps = -1;
	return m;
}

void rfo_health_monitor_destroy(struct rfo_health_monitor *m)
{
	bfree(m);
}

void rfo_health_monitor_configure(struct rfo_health_monitor *m, int grace_s, int bitrate_pct)
{
	m->grace_ms = (int64_t)clamp(grace_s, RFO_HEALTH_MIN_GRACE_S, RFO_HEALTH_MAX_GRACE_S) * 1000;
	m->bitrate_pct = clamp(bitrate_pct, RFO_HEALTH_MIN_BITRATE_PCT, RFO_HEALTH_MAX_BITRATE_PCT);
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static struct watched *find_or_add(struct rfo_health_monitor *m, enum rfo_health_kind kind, const char *key)
{
	struct watched *free_slot = NULL;
	for (size_t i = 2; i < RFO_HEALTH_MAX_WATCHED + 2; i++) {
		struct watched *w = &m->w[i];
		if (w->used && w->kind == kind && strcmp(w->key, key) == 0)
			return w;
		if (!w->used && !free_slot)
			free_slot = w;
	}
	if (!free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->kind = kind;
	copy_str(free_slot->key, sizeof(free_slot->key), key);
	return free_slot;
}

static struct watched *fixed(struct rfo_health_monitor *m, size_t i, enum rfo_health_kind kind, const char *key)
{
	struct watched *w = &m->w[i];
	if (!w->used) {
		memset(w, 0, sizeof(*w));
		w->used = true;
		w->kind = kind;
		copy_str(w->key, sizeof(w->key), key);
	}
	return w;
}

/* One observation: healthy, or bad for `cause`. */
static void observe(struct rfo_health_monitor *m, struct watched *w, bool bad, enum rfo_health_cause cause)
{
	w->observed = true;
	if (!bad) {
		w->armed = true;
		if (w->bad || !w->good_since)
			w->good_since = m->now;
		w->bad = false;
		return;
	}
	if (!w->armed || w->bad)
		return;
	w->bad = true;
	w->bad_since = m->now;
	w->bad_cause = cause;
	w->good_since = 0;
	w->drops[w->next_drop] = m->now;
	w->next_drop = (w->next_drop + 1) % RFO_HEALTH_FLAP_DROPS;
}

void rfo_health_monitor_begin(struct rfo_health_monitor *m, int64_t now_ms, bool live)
{
	m->now = now_ms;
	m->live = live;
	for (size_t i = 0; i < RFO_HEALTH_MAX_WATCHED + 2; i++)
		m->w[i].observed = false;
}

static enum rfo_health_cause cause_of(enum rfo_health_seen seen, bool chat)
{
	if (chat)
		return RFO_HEALTH_CAUSE_CHAT_ERROR;
	switch (seen) {
	case RFO_HEALTH_SEEN_CONNECTING:
		return RFO_HEALTH_CAUSE_CONNECTING;
	case RFO_HEALTH_SEEN_DISCONNECTED:
		return RFO_HEALTH_CAUSE_DISCONNECTED;
	default:
		return RFO_HEALTH_CAUSE_ERROR;
	}
}

void rfo_health_monitor_destination(struct rfo_health_monitor *m, int64_t channel_id, const char *platform,
				    const char *name, enum rfo_health_seen seen)
{
	if (!m->live || channel_id <= 0)
		return;
	char key[32];
	snprintf(key, sizeof(key), "%lld", (long long)channel_id);
	struct watched *w = find_or_add(m, RFO_HEALTH_DESTINATION, key);
	if (!w)
		return;
	w->channel_id = channel_id;
	copy_str(w->platform, sizeof(w->platform), platform);
	copy_str(w->name, sizeof(w->name), name);
	observe(m, w, seen != RFO_HEALTH_SEEN_OK, cause_of(seen, false));
}

void rfo_health_monitor_chat(struct rfo_health_monitor *m, const char *identifier, const char *platform,
			     const char *name, enum rfo_health_seen seen, const char *reason)
{
	if (!m->live || !identifier || !*identifier)
		return;
	struct watched *w = find_or_add(m, RFO_HEALTH_CHAT, identifier);
	if (!w)
		return;
	copy_str(w->platform, sizeof(w->platform), platform);
	copy_str(w->name, sizeof(w->name), name);
	/* "connecting" is a chat connection's normal way back: it neither heals nor breaks one */
	if (seen == RFO_HEALTH_SEEN_CONNECTING) {
		w->observed = true;
		return;
	}
	bool bad = seen != RFO_HEALTH_SEEN_OK;
	if (bad && !w->bad)
		copy_str(w->detail, sizeof(w->detail), reason);
	observe(m, w, bad, RFO_HEALTH_CAUSE_CHAT_ERROR);
}

void rfo_health_monitor_bitrate(struct rfo_health_monitor *m, int64_t incoming_bps, int64_t sent_bps)
{
	if (!m->live)
		return;
	m->incoming_bps = incoming_bps;
	m->sent_bps = sent_bps;
	struct watched *b = fixed(m, 0, RFO_HEALTH_BITRATE, KEY_BITRATE);
	struct watched *in = fixed(m, 1, RFO_HEALTH_INGEST, KEY_INGEST);
	b->armed = true;
	bool low = incoming_bps >= 0 && sent_bps > 0 && incoming_bps * 100 < (int64_t)m->bitrate_pct * sent_bps;
	/* unknown (nothing received, OBS's rate not measured yet) counts as healthy here: the ingest rule owns it */
	observe(m, b, low, RFO_HEALTH_CAUSE_LOW_BITRATE);
	observe(m, in, incoming_bps < 0, RFO_HEALTH_CAUSE_NOT_RECEIVING);
}

static void notify(struct rfo_health_monitor *m, struct watched *w, bool raised, enum rfo_health_end end, int64_t at,
		   rfo_health_notice_fn cb, void *param)
{
	struct rfo_health_notice n = {
		.raised = raised,
		.kind = w->kind,
		.cause = w->cause,
		.end = end,
		.episode = w->episode,
		.channel_id = w->channel_id,
		.key = w->key,
		.platform = w->platform,
		.name = w->name,
		.detail = w->detail,
		.since_ms = w->since,
		.at_ms = at,
		.incoming_bps = m->incoming_bps,
		.sent_bps = m->sent_bps,
	};
	if (cb)
		cb(param, &n);
}

static size_t recent_drops(const struct rfo_health_monitor *m, const struct watched *w, int64_t *first)
{
	size_t n = 0;
	*first = m->now;
	for (size_t i = 0; i < RFO_HEALTH_FLAP_DROPS; i++) {
		int64_t t = w->drops[i];
		if (t && m->now - t <= RFO_HEALTH_FLAP_WINDOW_MS) {
			n++;
			if (t < *first)
				*first = t;
		}
	}
	return n;
}

static void raise_alert(struct rfo_health_monitor *m, struct watched *w, enum rfo_health_cause cause, int64_t since,
			rfo_health_notice_fn cb, void *param)
{
	w->raised = true;
	w->cause = cause;
	w->since = since;
	w->episode = ++m->episodes;
	notify(m, w, true, RFO_HEALTH_END_RECOVERED, m->now, cb, param);
}

static void evaluate(struct rfo_health_monitor *m, struct watched *w, rfo_health_notice_fn cb, void *param)
{
	if (!w->observed) {
		if (w->raised)
			notify(m, w, false, RFO_HEALTH_END_GONE, m->now, cb, param);
		w->used = false;
		return;
	}
	int64_t first = 0;
	if (!w->raised) {
		if (w->bad && m->now - w->bad_since >= m->grace_ms)
			raise_alert(m, w, w->bad_cause, w->bad_since, cb, param);
		else if (w->kind != RFO_HEALTH_BITRATE && w->kind != RFO_HEALTH_INGEST &&
			 recent_drops(m, w, &first) >= RFO_HEALTH_FLAP_DROPS)
			raise_alert(m, w, RFO_HEALTH_CAUSE_FLAPPING, first, cb, param);
		return;
	}
	if (!w->bad && m->now - w->good_since >= m->grace_ms) {
		notify(m, w, false, RFO_HEALTH_END_RECOVERED, w->good_since, cb, param);
		w->raised = false;
		memset(w->drops, 0, sizeof(w->drops)); /* a new episode starts from nothing */
	}
}

void rfo_health_monitor_end(struct rfo_health_monitor *m, rfo_health_notice_fn cb, void *param)
{
	for (size_t i = 0; i < RFO_HEALTH_MAX_WATCHED + 2; i++) {
		struct watched *w = &m->w[i];
		if (!w->used)
			continue;
		if (!m->live) {
			if (w->raised)
				notify(m, w, false, RFO_HEALTH_END_OFF_AIR, m->now, cb, param);
			w->used = false;
			continue;
		}
		evaluate(m, w, cb, param);
	}
	if (!m->live)
		m->incoming_bps = m->sent_bps = -1;
}

size_t rfo_health_monitor_open_count(const struct rfo_health_monitor *m)
{
	size_t n = 0;
	for (size_t i = 0; i < RFO_HEALTH_MAX_WATCHED + 2; i++)
		n += m->w[i].used && m->w[i].raised;
	return n;
}

const char *rfo_health_kind_name(enum rfo_health_kind kind)
{
	switch (kind) {
	case RFO_HEALTH_DESTINATION:
		return "destination";
	case RFO_HEALTH_BITRATE:
		return "bitrate";
	case RFO_HEALTH_INGEST:
		return "ingest";
	case RFO_HEALTH_CHAT:
		return "chat";
	}
	return "destination";
}

const char *rfo_health_cause_name(enum rfo_health_cause c)
{
	static const char *const names[] = {"connecting", "disconnected", "error",    "flapping",
					    "lowBitrate", "notReceiving", "chatError"};
	return (size_t)c < sizeof(names) / sizeof(names[0]) ? names[c] : "error";
}
