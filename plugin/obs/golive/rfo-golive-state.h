#pragma once

/* Internal to rfo-golive.c (the cache, session and reads) and rfo-golive-fetch.c (HTTP jobs). */

#include "rfo-golive.h"
#include "rfo-rest-hold.h"
#include "rfo-rest.h"

#include <util/darray.h>
#include <util/threading.h>

struct rfo_golive_event_key {
	char *event_id;
	bool have_key;
	struct rfo_stream_key key;
	struct rfo_srt_key srt;
	bool have_srt;
};

struct rfo_golive_state {
	bool created;
	volatile bool running;
	pthread_mutex_t mutex;
	uint64_t gen; /* bumped at sign-out: answers of older jobs are dropped */
	struct rfo_server_list servers;
	int64_t user_ingest;
	bool have_key;
	struct rfo_stream_key key;
	struct rfo_event_list upcoming, in_progress;
	DARRAY(struct rfo_golive_event_key) event_keys;
	char *wanted_event;
	char *last_error;
	uint64_t fetched_at;
	bool have_events;          /* the event lists arrived at least once this session */
	struct rfo_rest_hold hold; /* a 429/503 asked us (Retry-After) not to call Restream before then */
};

extern struct rfo_golive_state rfo_golive_g;

/* With rfo_golive_g.mutex held. _get adds an entry (dropping the oldest beyond a few dozen). */
struct rfo_golive_event_key *rfo_golive_event_key_find(const char *id);
struct rfo_golive_event_key *rfo_golive_event_key_get(const char *id);
/* Event ids go into URL paths: only what Restream's UUIDs (or numbers) contain. */
bool rfo_golive_event_id_valid(const char *id);
