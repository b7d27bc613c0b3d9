#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Destination health alerts while live. A ticker thread ("rfo-health", every 250 ms) feeds the sans-I/O monitor
 * (plugin/core/rfo-health-monitor.h) with what the plugin already has: whether OBS streams to Restream (the
 * plugin's service is OBS's and the streaming output is active), each destination's outgoing status and
 * Restream's incoming bitrate from the stats feed, OBS's own output bitrate (bytes sent, sampled), and each
 * platform's chat connection from the chat feed. Each alert and each end of one gives ONE log line, the vendor
 * event HealthAlert or HealthRecovered {kind, channelId?, platform?, message}, the dock's banner and a mark on the
 * destination's Stats row. The grace period and bitrate threshold come from Tools → Restream settings
 * (rfo_config_read_health), read when a stream starts. */

#ifdef __cplusplus
extern "C" {
#endif

struct rfo_feature;
extern const struct rfo_feature rfo_health_feature; /* rfo-health-feature.c */

bool rfo_health_create(void);
void rfo_health_start(void);   /* OBS finished loading (the frontend API answers): starts the ticker */
void rfo_health_stop(void);    /* joins the ticker; idempotent */
void rfo_health_destroy(void); /* idempotent */

/* One alert episode of the current live session (or, once it ended, of the last one: kept until the next stream
 * starts). Plain copies, owned by the array. */
struct rfo_health_episode {
	char kind[16];      /* "destination", "bitrate", "ingest", "chat" */
	char cause[16];     /* "disconnected", "connecting", "error", "flapping", "lowBitrate", "notReceiving", … */
	int64_t channel_id; /* the destination's REST channel id, 0 = none */
	char platform[48];  /* "" = none */
	char message[256];  /* the alert's sentence, as in HealthAlert */
	char url[512];      /* the channel's page ("" = none): the banner's "Open channel page" */
	int64_t started_at; /* unix s: when the problem began */
	int64_t ended_at;   /* unix s: when it was healthy again (or the stream ended); 0 = still open */
};

/* The episodes, oldest first (at most RFO_HEALTH_MAX_EPISODES; the oldest closed ones go first). Any thread;
 * free with bfree. NULL and 0 when there are none. */
#define RFO_HEALTH_MAX_EPISODES 200
struct rfo_health_episode *rfo_health_copy_episodes(size_t *count);
/* True while an alert is open for that destination (the Stats row is marked). Any thread. */
bool rfo_health_channel_alerted(int64_t channel_id);

/* The dock banner's actions and its side of the port (rfo-ui-health.h), wired by plugin-main.c. */
struct rfo_ui_health_actions;
struct rfo_ui_health_view;
const struct rfo_ui_health_actions *rfo_health_ui_actions(void);
void rfo_health_set_view(const struct rfo_ui_health_view *view);

#ifdef __cplusplus
}
#endif
