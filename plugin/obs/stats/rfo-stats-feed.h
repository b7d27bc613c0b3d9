#pragma once

#include <obs-data.h>
#include <stdbool.h>
#include <stdint.h>

/* Live stream health and viewers: Restream's streaming WebSocket (docs/restream-api.md §3) -> parser ->
 * stats state -> the GetStats vendor request, StatsChanged vendor events and the dock's Stats tab.
 *
 * The socket ("rfo-ws-streaming" thread) connects with `<RESTREAM_STREAMING_URL>?accessToken=<token>`,
 * sends a protocol ping every 30 s and reconnects after two missed pongs, with backoff (2 s .. 5 min)
 * after failures; a 401 at the upgrade reports the token (the auth session refreshes it) and the new
 * token reconnects at once (rfo_controller_on_session). Signing out closes it and clears the stats.
 * Frames are applied on the socket thread; Restream replays the last minute on connect, and rows the
 * replay did not confirm within RFO_STATS_CONFIRM_MS are dropped. A ticker thread ("rfo-stats") ages
 * out channels not heard of for 5 minutes (RFO_STATS_AGE_OUT_S overrides it, read once at start) and
 * sends StatsChanged + the dock update at most twice a second. */

#define RFO_STATS_CONFIRM_MS 3000

struct rfo_feature;
extern const struct rfo_feature rfo_stats_feature; /* rfo-stats-feature.c */

/* After the auth session exists (rfo_controller_create). Starts the socket (which waits for a token)
 * and the ticker. Idempotent. */
bool rfo_stats_feed_create(void);
/* Joins both threads. Before rfo_auth_destroy. Idempotent. */
void rfo_stats_feed_stop(void);
/* Frees the state. Idempotent. */
void rfo_stats_feed_free(void);

struct rfo_stats_state;
/* A deep copy of the live stats state (out initialised or zeroed; free with rfo_stats_state_free). Any thread
 * but the streaming socket's. */
void rfo_stats_feed_snapshot(struct rfo_stats_state *out);
/* Something the report shows besides the state changed (a health alert): StatsChanged and the tab follow. */
void rfo_stats_feed_changed(void);

/* The dock tab's actions and its side of the port, wired by plugin-main.c (UI thread, at load). The tab asks
 * for the current picture when it is built; until then nothing is sent to it. */
struct rfo_ui_stats_actions;
struct rfo_ui_stats_view;
const struct rfo_ui_stats_actions *rfo_stats_feed_ui_actions(void);
void rfo_stats_feed_set_view(const struct rfo_ui_stats_view *view);

/* One listener (the end-of-stream summary) sees every frame that changed the stats, on the socket thread, after the
 * feed's lock is released; the frame is borrowed for the call. NULL removes it. Any thread. */
struct rfo_stats_frame;
typedef void (*rfo_stats_feed_listener_fn)(void *param, const struct rfo_stats_frame *frame);
void rfo_stats_feed_set_listener(rfo_stats_feed_listener_fn fn, void *param);

/* Vendor request GetStats -> incoming {bitrate, fps, width, height, videoCodec, audioCodec, …} (absent
 * while Restream receives nothing: obs_data has no JSON null), channels [{channelId, platformId, status,
 * bitrate, viewers, online, title, displayName, platformName}] (unknown values absent, never 0),
 * totalViewers, viewersKnown, streaming. See rfo-stats-report.h. */
void rfo_stats_feed_get_stats(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
