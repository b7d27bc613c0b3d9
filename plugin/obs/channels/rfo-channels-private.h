#pragma once
/* Between the channels files; not a public interface. Each file keeps its own state static:
 *   rfo-channels-ops.c    the channel list (model, refresh bookkeeping, the dock's notices), the session, the
 *                         reads for vendor requests and the dock, the lifecycle;
 *   rfo-channels.c        the request engine, the operations (refresh, switch, title) and their answers;
 *   rfo-channels-cache.c  the platform list and the platform icons, kept on disk.
 * Lock order: the channel list's lock, then the platform cache's; the request engine's lock is a leaf. */
#include "rfo-channel-model.h"
#include "rfo-error.h"
#include "rfo-rest.h"

#include <obs-data.h>
#include <stdbool.h>
#include <stdint.h>
#include <util/darray.h>

#define SEC_NS 1000000000ULL
#define REFRESH_MIN_NS (30ULL * SEC_NS) /* no refresh of our own more often than this */
#define RETRY_MIN_NS (5ULL * SEC_NS)    /* no list yet: a failed fetch is retried after this */
#define PARK_MAX_NS (8ULL * SEC_NS)     /* no new token after a 401 within this: fail */
#define PLATFORMS_MAX_AGE_S (24 * 3600)
#define ICON_MAX_BYTES (128 * 1024)
#define MAX_ICONS 64

struct rfo_api;
struct rfo_api_job;

/* What a job of the channels' request engine does; its data (rfo_api_job_data). */
enum rfo_ch_op_kind { RFO_CH_OP_REFRESH, RFO_CH_OP_SWITCH, RFO_CH_OP_TITLE, RFO_CH_OP_ICONS };

struct rfo_ch_title_out {
	int64_t id;
	char *error; /* NULL = updated */
};

struct rfo_ch_op {
	enum rfo_ch_op_kind kind;
	uint64_t started;
	bool changed;                           /* refresh: the list changed (under the channel list's lock) */
	int64_t id;                             /* switch */
	bool enabled;                           /* switch */
	char *title;                            /* title */
	char *description;                      /* title, may be NULL */
	DARRAY(struct rfo_ch_title_out) titles; /* title: per-channel outcomes (under the channel list's lock) */
};

/* ---- rfo-channels.c: the request engine and the operations ---- */

/* The engine (with the expiry tick for calls parked after a 401), from rfo_channels_create to _free. */
void rfo_ch_api_create(void);
void rfo_ch_api_stop(void);
void rfo_ch_api_free(void);
struct rfo_api *rfo_ch_api(void);
/* A job of `kind` in the current generation, with the creator's reference and guard. */
struct rfo_api_job *rfo_ch_op_create(enum rfo_ch_op_kind kind);
/* Fetches platform icons: urls[i] (taken) for platform ids[i]. */
void rfo_ch_fetch_icons(const int64_t *ids, char **urls, size_t count);

/* ---- rfo-channels-ops.c: the channel list ---- */

bool rfo_ch_running(void);
bool rfo_ch_signed_in(void);
void rfo_ch_ui_push_task(void *param);
/* ChannelsChanged, with `error` (a sentence, may be NULL) when one of our changes failed. */
void rfo_ch_emit_changed(const char *error);

enum rfo_ch_refresh_plan {
	RFO_CH_REFRESH_JOIN,  /* one is in flight: *job (with a reference for the caller when want_ref) */
	RFO_CH_REFRESH_START, /* *job is a new refresh, now the one in flight; the caller holds the creator's ref */
	RFO_CH_REFRESH_FRESH, /* tried in the last 30 s: answer from the cache; *last_error when that try failed */
	RFO_CH_REFRESH_RETRY_LATER, /* no list and the last try just failed (*last_error): do not hammer Restream */
	RFO_CH_REFRESH_HELD,        /* a Retry-After hold: nothing is asked of Restream before it ends */
};
/* Decides under the list's lock whether a refresh starts. *last_error: bfree. */
enum rfo_ch_refresh_plan rfo_ch_refresh_begin(bool force, bool held, bool want_ref, struct rfo_api_job **job,
					      char **last_error);
/* A refresh completed with `err` (code 0: none): no longer in flight; when current, the list's error. *again: our
 * own change happened meanwhile (refresh again); *changed: the list changed. Returns whether it is current. */
bool rfo_ch_refresh_end(struct rfo_api_job *job, const struct rfo_error *err, bool *again, bool *changed);
/* The channel list arrived: replaces the model when the job is current (setting its op's `changed`) and fills
 * ids (int64_t: every channel) and platform_ids (int64_t: their platforms); else leaves them empty. */
void rfo_ch_store_list(struct rfo_api_job *job, struct rfo_channel_list *list, struct darray *ids,
		       struct darray *platform_ids);
/* A channel's title and description, unless the job is stale or older than our last title change. */
void rfo_ch_store_meta(struct rfo_api_job *job, int64_t id, const struct rfo_channel_meta *meta);
/* Every channel's platform id (int64_t). */
void rfo_ch_platform_ids(struct darray *platform_ids);
/* A display name for messages ("?" when unknown). bfree. */
char *rfo_ch_channel_name(int64_t id);

/* Switches: the shown state moves at once (false with err when unknown or in flight) and comes back on failure. */
bool rfo_ch_begin_switch(int64_t id, bool enabled, struct rfo_error *err);
void rfo_ch_end_switch(int64_t id, bool ok, const char *message);
/* false when there is no such channel. */
bool rfo_ch_channel_enabled(int64_t id, bool *enabled);
/* Channels (int64_t) not `enabled` now and not being switched. */
void rfo_ch_ids_to_switch(bool enabled, struct darray *ids);

/* A title change for `ids` (NULL: every enabled channel) fills t; false when it would reach no channel.
 * Unknown ids are recorded as failed. */
bool rfo_ch_begin_title(struct rfo_api_job *job, const int64_t *ids, size_t count, struct rfo_channel_targets *t);
/* One channel's outcome (error NULL: the title is set). */
void rfo_ch_title_result(struct rfo_api_job *job, int64_t id, const char *error);
/* The change ended: the dock's summary; returns the error ChannelsChanged carries (bfree, may be NULL). */
char *rfo_ch_title_end(struct rfo_api_job *job, bool *again, bool *changed);
/* With `list`, fills updated (ids) and failed ({id, error}); returns how many were updated and copies the first
 * outcome's error into *first_error (bfree, NULL when none). */
size_t rfo_ch_title_outcomes(struct rfo_api_job *job, bool list, obs_data_array_t *updated, obs_data_array_t *failed,
			     char **first_error);

/* ---- rfo-channels-cache.c: platforms and icons (never on the UI thread: disk) ---- */

void rfo_ch_cache_create(void);
void rfo_ch_cache_free(void);
/* The platform list (and icons) saved by an earlier session, when less than a day old; once. */
void rfo_ch_load_disk_once(void);
/* Fetches (https only, size-limited) the icons of the user's platforms not tried yet. */
void rfo_ch_start_icons(void);
/* true once per run: the platform list is to be fetched (first: when there is none; unknown: when one of these
 * platforms is not in it). */
bool rfo_ch_platforms_claim_first(void);
bool rfo_ch_platforms_claim_unknown(const int64_t *platform_ids, size_t count);
/* Answers: the platform list (false with err when it does not parse) and an icon (kept when it is a PNG). */
bool rfo_ch_store_platforms(const char *body, size_t len, struct rfo_error *err);
void rfo_ch_store_icon(int64_t platform_id, const char *body, size_t len);
/* A platform's name (bfree; *known false when it is not in the list) and its icon (NULL when none; valid until
 * rfo_ch_cache_free). */
char *rfo_ch_platform_name(int64_t platform_id, bool *known);
const unsigned char *rfo_ch_icon(int64_t platform_id, size_t *size);
