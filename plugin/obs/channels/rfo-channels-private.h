#pragma once
/* Shared between rfo-channels.c (requests, answers, the cache) and rfo-channels-ops.c (operations,
 * session, disk cache, the dock). Not a public interface. */
#include "rfo-channel-model.h"
#include "rfo-error.h"
#include "rfo-rest-hold.h"
#include "rfo-rest.h"

#include <stdbool.h>
#include <stdint.h>
#include <util/darray.h>
#include <util/threading.h>

#define SEC_NS 1000000000ULL
#define REFRESH_MIN_NS (30ULL * SEC_NS) /* no refresh of our own more often than this */
#define RETRY_MIN_NS (5ULL * SEC_NS)    /* no list yet: a failed fetch is retried after this */
#define PARK_MAX_NS (8ULL * SEC_NS)     /* no new token after a 401 within this: fail */
#define PLATFORMS_MAX_AGE_S (24 * 3600)
#define ICON_MAX_BYTES (128 * 1024)
#define MAX_ICONS 64

enum kind { K_PLATFORMS, K_LIST, K_META, K_SWITCH, K_TITLE, K_ICON };
enum job_kind { J_REFRESH, J_SWITCH, J_TITLE, J_ICONS };

struct title_out {
	int64_t id;
	char *error; /* NULL = updated */
};

struct job {
	volatile long refs;
	volatile long pending;
	os_event_t *done;
	enum job_kind kind;
	uint64_t gen, started;
	struct rfo_error err; /* first hard failure (under rfo_ch.mutex) */
	bool changed;         /* refresh: the list changed */
	int64_t id;           /* switch */
	bool enabled;         /* switch */
	char *title, *description;
	DARRAY(struct title_out) titles; /* title: per-channel outcomes (under rfo_ch.mutex) */
};

struct req {
	struct job *job;
	enum kind kind;
	int64_t id;
	char *url;
	char *body;
	char *token;
	bool retried;
	uint64_t parked_at;
};

struct icon {
	int64_t platform_id;
	unsigned char *data;
	size_t size;
	bool tried;
};

struct rfo_channels_state {
	bool created;
	volatile bool running;
	pthread_mutex_t mutex;
	uint64_t gen; /* bumped at sign-out: answers of older jobs are dropped */
	bool signed_in;
	bool disk_loaded;
	bool platforms_fetched; /* this session */
	struct rfo_platform_list platforms;
	DARRAY(struct icon) icons;
	struct rfo_channel_model model;
	bool have_list;
	uint64_t fetched_at;
	uint64_t attempted_at;   /* the last refresh started */
	struct job *refresh_job; /* in flight (a reference) */
	bool refresh_again;      /* our own change happened while a refresh was in flight */
	bool applying;
	char *last_error;
	char *notice;
	DARRAY(struct req *) parked; /* waiting for a new token after a 401 */
	volatile long parked_count;  /* parked.num, read without the lock by rfo_ch_expire_tick() */
	uint64_t titles_at;          /* a title change ended: older channel-meta answers are dropped */
	struct rfo_rest_hold hold;   /* a 429/503 asked us (Retry-After) not to call Restream before then */
	char *config_dir, *platforms_path, *icons_dir;
};
extern struct rfo_channels_state rfo_ch;

/* rfo-channels.c */
struct job *rfo_ch_job_create(enum job_kind kind);
void rfo_ch_job_release(struct job *job);
void rfo_ch_job_finish_one(struct job *job);
/* Waits for a job the caller holds a reference to; copies its error. wait_ms 0: looks once (a job that failed
 * at once, on the caller's thread, is done already); not done -> false with RFO_CHANNELS_STILL_WAITING. */
bool rfo_ch_job_wait(struct job *job, uint32_t wait_ms, struct rfo_error *err);
struct req *rfo_ch_req_new(struct job *job, enum kind kind, int64_t id);
void rfo_ch_submit(struct req *r);
/* Resubmits requests parked after a 401 with the new token, or fails them (all, or too old). */
void rfo_ch_unpark(bool resubmit, bool all);
/* obs_add_tick_callback(): expires parked requests once a second while any are parked. */
void rfo_ch_expire_tick(void *param, float seconds);
/* true with err ("Restream asked us to wait N s", code 429) while a Retry-After pause lasts. */
bool rfo_ch_held(struct rfo_error *err);
char *rfo_ch_icon_path(int64_t platform_id);
bool rfo_ch_is_png(const void *data, size_t size);
struct icon *rfo_ch_icon_get_locked(int64_t platform_id, bool create);

/* rfo-channels-cache.c */
/* The platform list (and icons) saved by an earlier session, when less than a day old; once. */
void rfo_ch_load_disk_once(void);
/* Fetches (https only, size-limited) the icons of the user's platforms not tried yet. */
void rfo_ch_start_icons(void);

/* rfo-channels-ops.c */
void rfo_ch_ui_push_task(void *param);
/* ChannelsChanged, with `error` (a sentence, may be NULL) when one of our changes failed. */
void rfo_ch_emit_changed(const char *error);
bool rfo_ch_signed_in(void);
