#pragma once
/* Live stats as the plugin reports them (GetStats, StatsChanged, the dock's Stats tab): a snapshot of
 * the rfo-stats state plus each channel's display name, its wire form, the feed's state-keeping rules
 * beyond rfo_stats_apply (deleteOutgoing drops the whole destination; after a reconnect the replayed
 * minute is the truth) and the rate gate for notifications. Plain data, not locked, sans-I/O. */

#include <obs-data.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A snapshot with labels. names[i]/platforms[i] belong to state.channels[i] (NULL = not known: the
 * channel list has no such channel). All owned; free with rfo_stats_report_free. */
struct rfo_stats_report {
	struct rfo_stats_state state;
	char **names;
	char **platforms;
	bool *alerts;     /* alerts[i]: a health alert is open for state.channels[i] (the Stats tab marks the row) */
	const char *link; /* "disconnected"/"connecting"/"connected" (static string), NULL = omit */
};

void rfo_stats_report_init(struct rfo_stats_report *r);
void rfo_stats_report_free(struct rfo_stats_report *r);
/* Deep-copies `state` into r (replacing what r held) and gives every channel NULL labels. */
void rfo_stats_report_set_state(struct rfo_stats_report *r, const struct rfo_stats_state *state);
/* Takes ownership of name/platform (bstrdup'd or NULL) for channel index i (< state.num_channels). */
void rfo_stats_report_label_take(struct rfo_stats_report *r, size_t i, char *name, char *platform);

/* "connecting"/"connected"/"disconnected"/"unknown" (no push information, or a status this version
 * does not know). */
const char *rfo_stats_status_text(enum rfo_stats_out_status s);

/* Fills the GetStats / StatsChanged fields into out:
 *   incoming {bitrate, fps, width, height, videoCodec, audioCodec, audioBitrate, videoBitrate,
 *             keyframeInterval, lossRate, profile} — absent when Restream receives nothing;
 *   channels [{channelId, platformId, status, bitrate, viewers, online, title, displayName,
 *             platformName, alert (only when true: a health alert is open)}] sorted by channelId;
 *   totalViewers (sum of viewers over online channels), viewersKnown (some online channel has a
 *   viewer count), streaming (r->link, when set).
 * obs_data has no JSON null: a value Restream reported as null (or never sent) is left OUT — an
 * unknown `viewers` is an absent key, never 0. */
void rfo_stats_report_fill(const struct rfo_stats_report *r, obs_data_t *out);

/* True when some online channel has a known viewer count (else the total is shown as unknown). */
bool rfo_stats_viewers_known(const struct rfo_stats_state *state);

/* Removes channel_id's row entirely (docs/restream-api.md §3.3: drop a destination as soon as its
 * deleteOutgoing arrives, even when the platform reported statuses for it). True if it was there. */
bool rfo_stats_drop_channel(struct rfo_stats_state *state, int64_t channel_id);
/* Applies a frame with the feed's rules: rfo_stats_apply, and a deleteOutgoing also drops the row.
 * True when the state changed. */
bool rfo_stats_apply_frame(struct rfo_stats_state *state, const struct rfo_stats_frame *frame, int64_t now);
/* Drops channels (and the incoming part) last updated before `since` (unix s): after a reconnect,
 * what the replayed minute did not confirm. Returns true when something was dropped. */
bool rfo_stats_prune_before(struct rfo_stats_state *state, int64_t since);
/* rfo_stats_age_out, returning true when a channel or the incoming part was dropped. */
bool rfo_stats_expire(struct rfo_stats_state *state, int64_t now, int64_t max_age_s);

/* Coalesces change notifications: at most one per interval, and the last change is never lost (it
 * goes out once the interval has passed). Times in ns (any monotonic clock). */
struct rfo_rate_gate {
	uint64_t interval_ns;
	uint64_t last_ns; /* when the last notification went out */
	bool sent;        /* one went out already */
	bool pending;     /* something changed since */
};
void rfo_rate_gate_init(struct rfo_rate_gate *g, uint64_t interval_ns);
void rfo_rate_gate_mark(struct rfo_rate_gate *g);
/* True (and resets `pending`) when a notification should go out now. */
bool rfo_rate_gate_take(struct rfo_rate_gate *g, uint64_t now_ns);
/* ns until the pending notification may go out (0 = now or nothing pending). */
uint64_t rfo_rate_gate_wait_ns(const struct rfo_rate_gate *g, uint64_t now_ns);

#ifdef __cplusplus
}
#endif
