#pragma once

/* Between rfo-golive.c (the cache and the session; its state is static there) and rfo-golive-fetch.c (the
 * requests that fill it, through the Restream request engine). Not a public interface. */

#include "rfo-golive.h"
#include "rfo-rest.h"

struct rfo_api_job;

/* What one fetch asks Restream for. */
enum rfo_golive_part {
	RFO_GOLIVE_SERVERS,
	RFO_GOLIVE_INGEST,
	RFO_GOLIVE_KEY,
	RFO_GOLIVE_UPCOMING,
	RFO_GOLIVE_IN_PROGRESS,
	RFO_GOLIVE_EVENT_KEY,
	RFO_GOLIVE_EVENT_SRT,
};

/* One parsed answer; the member that `part` names is filled. */
struct rfo_golive_answer {
	enum rfo_golive_part part;
	const char *event_id; /* RFO_GOLIVE_EVENT_KEY / _SRT */
	struct rfo_server_list servers;
	int64_t ingest;
	struct rfo_stream_key key;
	struct rfo_event_list events;
	struct rfo_srt_key srt;
};

/* rfo-golive.c: stores the answer into the cache when `job` is still current (checked under the cache lock),
 * taking what it stores (the caller frees the answer afterwards either way). *chain_srt: an event key came
 * without an SRT URL and the event's SRT key is not cached yet. */
void rfo_golive_cache_put(struct rfo_api_job *job, struct rfo_golive_answer *answer, bool *chain_srt);
/* rfo-golive.c: a refresh of `job` ended; when current, the cache is fresh and `error` (NULL: none) is the
 * last error. */
void rfo_golive_cache_fetched(struct rfo_api_job *job, const char *error);
/* rfo-golive.c: the event whose key the service needs (NULL when none). bfree. */
char *rfo_golive_wanted_event(void);
/* Event ids go into URL paths: only what Restream's UUIDs (or numbers) contain. */
bool rfo_golive_event_id_valid(const char *id);

/* rfo-golive.c: a just-created event joins the upcoming list (a deep copy; nothing when `job` is not current or the
 * list has it already). */
void rfo_golive_cache_add_event(struct rfo_api_job *job, const struct rfo_event *event);

/* rfo-golive-fetch.c: its request engine, from create to free (rfo-golive-create.c submits through it too). */
struct rfo_api *rfo_golive_fetch_api(void);
void rfo_golive_fetch_create(void);
void rfo_golive_fetch_stop(void);
void rfo_golive_fetch_free(void);
/* Sign-out: answers of older refreshes are dropped from now on and the Retry-After hold ends. Call it before
 * clearing the cache. */
void rfo_golive_fetch_new_session(void);
