#pragma once
/* Streaming-updates WebSocket (docs/restream-api.md §3): frame parser and live-stats state model.
 *
 * Two layers:
 *  - rfo_stats_parse() + struct rfo_stats_state + rfo_stats_apply/age_out/total_viewers: plain data,
 *    sans-I/O and NOT locked (the caller owns the state; tests use it directly);
 *  - struct rfo_stats: an opaque thread-safe holder (one pthread mutex) around a state, for the
 *    network thread (rfo_stats_feed) and readers (rfo_stats_snapshot). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RFO_STATS_DEFAULT_MAX_AGE 300 /* s without any update before a channel is dropped */
#define RFO_STATS_MAX_CHANNELS 1024   /* rows beyond this are ignored (hostile input bound) */

enum rfo_stats_action {
	RFO_STATS_UNKNOWN = 0, /* ignored */
	RFO_STATS_UPDATE_INCOMING,
	RFO_STATS_DELETE_INCOMING,
	RFO_STATS_UPDATE_OUTGOING,
	RFO_STATS_DELETE_OUTGOING,
	RFO_STATS_UPDATE_STATUSES,
};

enum rfo_stats_out_status {
	RFO_STATS_OUT_NONE = 0, /* no outgoing information */
	RFO_STATS_OUT_CONNECTING,
	RFO_STATS_OUT_CONNECTED,
	RFO_STATS_OUT_DISCONNECTED,
	RFO_STATS_OUT_OTHER, /* a status string this version does not know */
};

/* Ingest (encoder → Restream). Numbers are -1 when unknown. */
struct rfo_stats_incoming {
	bool present;
	int64_t bitrate_total, bitrate_audio, bitrate_video; /* bits/s */
	double fps;                                          /* -1 when unknown */
	int64_t width, height;
	int64_t keyframe_interval;
	double loss_rate; /* -1 when unknown */
	char video_codec[32], audio_codec[32];
	char profile[48];   /* profileAndLevel */
	char suid[64];      /* streaming session id */
	char event_id[72];  /* the event being streamed (eventId; "" when null or absent) */
	int64_t created_at; /* createdAt from the frame (s) */
	int64_t updated_at; /* `now` when last applied (s) */
};

/* One destination channel. */
struct rfo_stats_channel {
	int64_t channel_id;  /* REST channel id (key) */
	int64_t platform_id; /* REST platform id, 0 if unknown */
	/* outgoing (updateOutgoing) */
	bool has_outgoing;
	enum rfo_stats_out_status status;
	int64_t bitrate; /* bits/s, -1 unknown */
	int64_t out_created_at;
	/* platform-reported (updateStatuses) */
	bool has_statuses;
	int online;                                     /* 1 online, 0 offline, -1 unknown */
	int64_t viewers;                                /* -1 = null/unknown */
	int64_t followers, channel_views, stream_views; /* -1 = null/unknown */
	char *title;                                    /* sanitised, or NULL */
	char *game_title;                               /* sanitised, or NULL */
	int64_t st_created_at;
	int64_t updated_at; /* `now` when last applied (s); drives age-out */
};

/* One parsed frame (owned strings: title, game_title). */
struct rfo_stats_frame {
	enum rfo_stats_action action;
	int64_t created_at;                 /* createdAt, 0 if absent */
	struct rfo_stats_incoming incoming; /* UPDATE_INCOMING */
	struct rfo_stats_channel channel;   /* *_OUTGOING / UPDATE_STATUSES; channel_id 0 = absent */
};

/* Returns false (err RFO_ERR_PARSE) only when data is not a JSON object; unknown actions give true and
 * RFO_STATS_UNKNOWN. Call rfo_stats_frame_free() after either outcome. */
bool rfo_stats_parse(const char *data, size_t len, struct rfo_stats_frame *frame, struct rfo_error *err);
void rfo_stats_frame_free(struct rfo_stats_frame *frame);

/* Plain state. Zero-initialise or rfo_stats_state_init(); rfo_stats_state_free() frees the members. */
struct rfo_stats_state {
	struct rfo_stats_incoming incoming;
	struct rfo_stats_channel *channels; /* sorted by channel_id */
	size_t num_channels;
	size_t capacity; /* internal */
};
void rfo_stats_state_init(struct rfo_stats_state *state);
void rfo_stats_state_free(struct rfo_stats_state *state);
/* dst must be initialised/freed; it is replaced by a deep copy of src. */
void rfo_stats_state_copy(struct rfo_stats_state *dst, const struct rfo_stats_state *src);

/* Applies a frame at time `now` (unix s). A frame whose createdAt is older than what the row already
 * holds for the same part is ignored (replays may overlap live updates). deleteOutgoing clears the
 * outgoing part and drops the row when it holds no platform statuses; deleteIncoming clears incoming.
 * Returns true when the state changed. */
bool rfo_stats_apply(struct rfo_stats_state *state, const struct rfo_stats_frame *frame, int64_t now);
/* Drops channels not updated for more than max_age_s seconds (0 = RFO_STATS_DEFAULT_MAX_AGE) and the
 * incoming part likewise. Returns the number of channels dropped. */
size_t rfo_stats_age_out(struct rfo_stats_state *state, int64_t now, int64_t max_age_s);
/* Sum of `viewers` over channels with online == 1 and viewers >= 0 (nulls ignored). */
int64_t rfo_stats_total_viewers(const struct rfo_stats_state *state);
/* Row for channel_id or NULL (pointer valid until the next change of the state). */
const struct rfo_stats_channel *rfo_stats_find(const struct rfo_stats_state *state, int64_t channel_id);

const char *rfo_stats_out_status_name(enum rfo_stats_out_status s); /* "CONNECTING", …, "" for NONE */

/* --- thread-safe holder: every function below takes the holder's own lock (none may be called with it held) --- */
struct rfo_stats;
struct rfo_stats *rfo_stats_create(void);
void rfo_stats_destroy(struct rfo_stats *stats); /* NULL ok */
/* Parse + apply one frame under the lock. Returns true when the state changed. */
bool rfo_stats_feed(struct rfo_stats *stats, const char *data, size_t len, int64_t now, struct rfo_error *err);
/* rfo_stats_apply and rfo_stats_age_out on the held state. */
bool rfo_stats_push_frame(struct rfo_stats *stats, const struct rfo_stats_frame *frame, int64_t now);
size_t rfo_stats_prune(struct rfo_stats *stats, int64_t now, int64_t max_age_s);
/* Deep copy of the current state into out (initialised or zeroed; free with rfo_stats_state_free). */
void rfo_stats_snapshot(struct rfo_stats *stats, struct rfo_stats_state *out);
/* Clears everything (e.g. on sign-out or reconnect). */
void rfo_stats_reset(struct rfo_stats *stats);

#ifdef __cplusplus
}
#endif
