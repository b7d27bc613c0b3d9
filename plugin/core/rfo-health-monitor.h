#pragma once
/* Destination health while live: a sans-I/O monitor fed, round by round, with what the plugin already receives
 * (each destination's outgoing status from the streaming WebSocket, Restream's incoming bitrate next to what OBS
 * sends, each platform's chat connection) and the clock. It decides when an alert is raised and when it is over;
 * the obs layer turns its notices into sentences, vendor events, a log line and the dock's banner.
 *
 * Rules (times in ms of any monotonic clock):
 *  - Nothing is watched while not live; going off air ends every open episode (a recovery notice each).
 *  - A destination or chat connection is watched once it has been connected during this live session; a
 *    destination that then is connecting, disconnected or in an unknown status (a chat connection: in error) for
 *    the grace period raises an alert. So does one that drops RFO_HEALTH_FLAP_DROPS times within
 *    RFO_HEALTH_FLAP_WINDOW_MS however short each drop is (a flapping destination).
 *  - Bitrate: Restream's incoming bitrate below `bitrate_pct` % of what OBS sends for the grace period raises a
 *    bitrate alert. Ingest: once Restream has received during this live session, receiving nothing for the grace
 *    period raises an ingest alert.
 *  - An episode: from the first bad observation until the thing has been healthy again for the grace period. It
 *    raises ONE alert and ends with ONE recovery, however often it flaps in between. A watched thing that is no
 *    longer reported (a destination switched off) ends its episode at once. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RFO_HEALTH_DEFAULT_GRACE_S 15
#define RFO_HEALTH_DEFAULT_BITRATE_PCT 50
#define RFO_HEALTH_MIN_GRACE_S 1
#define RFO_HEALTH_MAX_GRACE_S 600
#define RFO_HEALTH_MIN_BITRATE_PCT 1
#define RFO_HEALTH_MAX_BITRATE_PCT 100
#define RFO_HEALTH_FLAP_DROPS 3
#define RFO_HEALTH_FLAP_WINDOW_MS 60000
#define RFO_HEALTH_MAX_WATCHED 128 /* destinations + chat connections beyond this are not watched (hostile bound) */

enum rfo_health_kind {
	RFO_HEALTH_DESTINATION,
	RFO_HEALTH_BITRATE,
	RFO_HEALTH_INGEST,
	RFO_HEALTH_CHAT,
};

/* What was seen of one destination or chat connection in this round. */
enum rfo_health_seen {
	RFO_HEALTH_SEEN_OK,           /* connected */
	RFO_HEALTH_SEEN_CONNECTING,   /* connecting (again) */
	RFO_HEALTH_SEEN_DISCONNECTED, /* offline */
	RFO_HEALTH_SEEN_ERROR,        /* an error or a status this version does not know */
};

/* Why an alert was raised (the first cause of the episode; it does not change while the episode lasts). */
enum rfo_health_cause {
	RFO_HEALTH_CAUSE_CONNECTING,
	RFO_HEALTH_CAUSE_DISCONNECTED,
	RFO_HEALTH_CAUSE_ERROR,
	RFO_HEALTH_CAUSE_FLAPPING,
	RFO_HEALTH_CAUSE_LOW_BITRATE,
	RFO_HEALTH_CAUSE_NOT_RECEIVING,
	RFO_HEALTH_CAUSE_CHAT_ERROR,
};

/* Why an episode ended. */
enum rfo_health_end {
	RFO_HEALTH_END_RECOVERED, /* healthy for the grace period */
	RFO_HEALTH_END_GONE,      /* no longer reported (switched off, chat closed) */
	RFO_HEALTH_END_OFF_AIR,   /* the stream stopped */
};

struct rfo_health_notice {
	bool raised; /* true: an alert; false: the episode ended */
	enum rfo_health_kind kind;
	enum rfo_health_cause cause;
	enum rfo_health_end end; /* when !raised */
	uint32_t episode;        /* numbers the episodes of this monitor, from 1 */
	int64_t channel_id;      /* the destination (REST channel id), 0 = none */
	const char *key;         /* the watched thing's key (borrowed for the call) */
	const char *platform;    /* as last observed, "" = none (borrowed for the call) */
	const char *name;        /* display name as last observed, "" = none */
	const char *detail;      /* a chat reason code, "" = none */
	int64_t since_ms;        /* when the episode began (first bad observation) */
	int64_t at_ms;           /* now (raised) or when it became healthy again (ended) */
	int64_t incoming_bps;    /* bitrate: what Restream received and what OBS sent at the time (-1 = unknown) */
	int64_t sent_bps;
};

typedef void (*rfo_health_notice_fn)(void *param, const struct rfo_health_notice *notice);

struct rfo_health_monitor;

struct rfo_health_monitor *rfo_health_monitor_create(void);
void rfo_health_monitor_destroy(struct rfo_health_monitor *m); /* NULL ok */
/* Grace period (s) and bitrate threshold (%), clamped to the limits above. Takes effect at once. */
void rfo_health_monitor_configure(struct rfo_health_monitor *m, int grace_s, int bitrate_pct);

/* One round: begin, the observations, end. end() evaluates the rules at now_ms and calls `cb` for each alert
 * raised or episode ended (watched things not observed in this round are gone). Not locked: one thread. */
void rfo_health_monitor_begin(struct rfo_health_monitor *m, int64_t now_ms, bool live);
void rfo_health_monitor_destination(struct rfo_health_monitor *m, int64_t channel_id, const char *platform,
				    const char *name, enum rfo_health_seen seen);
/* identifier: the chat connection's key; reason: its error code or NULL. */
void rfo_health_monitor_chat(struct rfo_health_monitor *m, const char *identifier, const char *platform,
			     const char *name, enum rfo_health_seen seen, const char *reason);
/* incoming_bps: Restream's incoming total bitrate, -1 when it receives nothing; sent_bps: what OBS sent over the
 * last second or so, -1 when unknown. */
void rfo_health_monitor_bitrate(struct rfo_health_monitor *m, int64_t incoming_bps, int64_t sent_bps);
void rfo_health_monitor_end(struct rfo_health_monitor *m, rfo_health_notice_fn cb, void *param);

/* Number of alerts open now. */
size_t rfo_health_monitor_open_count(const struct rfo_health_monitor *m);

const char *rfo_health_kind_name(enum rfo_health_kind kind); /* "destination", "bitrate", "ingest", "chat" */
const char *rfo_health_cause_name(enum rfo_health_cause c);  /* "connecting", …, "flapping", … */

#ifdef __cplusplus
}
#endif
