#pragma once
/* The end-of-stream summary, sans-I/O: what the plugin saw while OBS streamed to Restream (viewers per destination
 * over time, chat messages per platform, alerts), completed afterwards from Restream's viewer analytics of the event
 * (docs/restream-api.md §2.6), and its two file forms (JSON and CSV).
 *
 * Not locked: the owner (plugin/obs/summary) guards it. Times are passed in by the caller: `*_ms` arguments are unix
 * milliseconds, so the tests drive the clock. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <util/darray.h>

#include "rfo-error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RFO_SUMMARY_MAX_CHANNELS 256 /* rows beyond this are ignored (hostile input bound) */
#define RFO_SUMMARY_MAX_PLATFORMS 64
#define RFO_SUMMARY_MAX_ALERTS 200

struct rfo_summary_channel {
	int64_t channel_id;
	int64_t platform_id; /* 0 = unknown */
	int64_t peak;        /* highest viewer count seen (0 when only nulls came) */
	double average;      /* time-weighted from the first report to the end (or Restream's mean) */
	/* accumulation while live */
	int64_t last;     /* latest viewers (0 while offline or unknown) */
	int64_t last_ms;  /* when `last` began */
	int64_t first_ms; /* first report */
	double area;      /* viewer-milliseconds up to last_ms */
};

struct rfo_summary_chat {
	char platform[32];
	int64_t count;
};

struct rfo_summary_alert {
	char kind[32];
	int64_t channel_id; /* 0 = none */
	char platform[32];
	char message[256];
	int64_t at; /* unix s */
};

struct rfo_summary {
	bool active; /* between begin and end */
	bool valid;  /* a stream began at least once */
	int64_t started_ms, ended_ms;
	char event_id[72];  /* Restream's event of the stream, "" when unknown */
	bool from_restream; /* numbers are Restream's analytics (source "restream"), else the live view ("live") */
	int64_t peak_viewers;
	double average_viewers;
	DARRAY(struct rfo_summary_channel) channels; /* in order of first report */
	DARRAY(struct rfo_summary_chat) chat;
	DARRAY(struct rfo_summary_alert) alerts;
	/* accumulation of the total while live */
	int64_t total_last_ms;
	double total_area;
};

void rfo_summary_init(struct rfo_summary *s);
void rfo_summary_free(struct rfo_summary *s);
/* dst (initialised) becomes a deep copy of src. */
void rfo_summary_copy(struct rfo_summary *dst, const struct rfo_summary *src);

/* A stream starts: forgets the previous summary. */
void rfo_summary_begin(struct rfo_summary *s, int64_t now_ms);
/* One destination's viewers at now_ms; viewers < 0 (null) or !online count as 0 from then on. Ignored unless active. */
void rfo_summary_viewers(struct rfo_summary *s, int64_t channel_id, int64_t platform_id, int64_t viewers, bool online,
			 int64_t now_ms);
/* Remembers the event the stream belongs to (the first one reported wins; NULL/"" ignored, and so is an id that is
 * not 1-64 characters of A-Z a-z 0-9 - _, since it goes into a URL path). */
void rfo_summary_set_event(struct rfo_summary *s, const char *event_id);
/* Adds n chat messages for platform (a display name such as "Twitch"). */
void rfo_summary_chat_add(struct rfo_summary *s, const char *platform, int64_t n);
void rfo_summary_add_alert(struct rfo_summary *s, const char *kind, int64_t channel_id, const char *platform,
			   const char *message, int64_t at);
/* The stream ended: closes the time weights and computes the averages. Idempotent. */
void rfo_summary_end(struct rfo_summary *s, int64_t now_ms);

/* Restream's answer to GET /v2/user/events/{id}/analytics/viewers: {"total": M, "byChannel": {"<id>": M}}, M =
 * {"mean","max",…} (numbers or numeric strings). true when it held numbers: the summary's peaks and averages become
 * Restream's (channels it names that were not seen live are added) and from_restream is set. false with err: not
 * JSON or no numbers yet (not published). */
bool rfo_summary_merge_analytics(struct rfo_summary *s, const char *json, size_t len, struct rfo_error *err);

/* The summary as the vendor request and the JSON file give it (compact JSON, bfree): startedAt, endedAt (unix s),
 * durationSeconds, peakViewers, averageViewers, channels [{channelId, platformId, peakViewers, averageViewers}],
 * chatMessages {platform: count}, alerts [{kind, channelId?, platform?, message, at}], source, eventId. */
char *rfo_summary_json(const struct rfo_summary *s);
/* The CSV file (bfree): header "section,key,peakViewers,averageViewers,chatMessages", then one "total" row, one
 * "channel" row per destination (key = channel id) and one "chat" row per platform (key = platform name). */
char *rfo_summary_csv(const struct rfo_summary *s);

#ifdef __cplusplus
}
#endif
