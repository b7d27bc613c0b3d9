#pragma once

#include <obs-data.h>
#include <stdbool.h>
#include <stdint.h>

#include "rfo-summary.h"

/* The end-of-stream summary. While OBS streams to Restream (golive's service is active when the stream starts) it
 * accumulates the viewers the streaming socket reports per destination (a listener on the stats feed, socket
 * thread) and the event being streamed; when the stream stops it adds the chat messages received meanwhile per
 * platform (the chat store's counters) and the alerts (collect_alerts, the seam for the health alerts), has the
 * summary saved as JSON + CSV in the plugin's config folder (rfo-summary-files.c) by its own thread, which then asks
 * Restream for the event's viewer
 * analytics on its own thread with backoff for a few minutes (rfo-summary-analytics.c); what arrives replaces the
 * live numbers (source "restream") and the files are written again. The last summary stays until the next stream:
 * GetStreamSummary and the Stats tab show it. */

struct rfo_feature;
extern const struct rfo_feature rfo_summary_feature; /* rfo-summary-feature.c */

bool rfo_stream_summary_create(void);
void rfo_stream_summary_stop(void);
void rfo_stream_summary_destroy(void);

/* Vendor request GetStreamSummary (any thread): the last stream's summary (rfo_summary_json's fields) plus
 * `analytics` ("pending", "published", "unavailable") and `analyticsNote` (a sentence while not published), or
 * ok:false "notReady" before the first stream. */
void rfo_stream_summary_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);

/* The Stats tab's summary box (plugin-main.c wires it, UI thread). */
struct rfo_ui_summary_actions;
struct rfo_ui_summary_view;
const struct rfo_ui_summary_actions *rfo_stream_summary_ui_actions(void);
void rfo_stream_summary_set_view(const struct rfo_ui_summary_view *view);

/* ---- inside the folder ---- */
enum rfo_summary_analytics_state {
	RFO_SUMMARY_ANALYTICS_NONE = 0, /* no stream yet, or still live */
	RFO_SUMMARY_ANALYTICS_PENDING,  /* asking Restream */
	RFO_SUMMARY_ANALYTICS_PUBLISHED,
	RFO_SUMMARY_ANALYTICS_UNAVAILABLE, /* gave up, or no event known */
};
/* rfo-stream-summary.c: Restream's analytics arrived for the stream that began at started_ms (ignored when a newer
 * stream began); gave_up: the retries ended without them. */
void rfo_stream_summary_analytics(int64_t started_ms, const char *body, size_t len, bool gave_up);
/* rfo-stream-summary.c: the stream that began at started_ms has Restream's numbers (or a newer stream began). */
bool rfo_stream_summary_analytics_done(int64_t started_ms);
/* rfo-stream-summary.c: writes the files of the stream that began at started_ms (nothing when a newer one began). */
void rfo_stream_summary_save(int64_t started_ms);

/* rfo-summary-analytics.c: the thread that asks GET /v2/user/events/{id}/analytics/viewers with backoff. */
bool rfo_summary_analytics_create(void);
void rfo_summary_analytics_stop(void);
void rfo_summary_analytics_destroy(void);
/* Saves the files of the stream that began at started_ms, then asks for event_id's analytics ("" = no event known:
 * only the files). A previous run is abandoned. */
void rfo_summary_analytics_start(const char *event_id, int64_t started_ms);
/* Forgets the run in progress (a new stream began). */
void rfo_summary_analytics_cancel(void);

/* rfo-summary-files.c: writes <config>/summaries/<started>-summary.json and .csv (0600 in a 0700 folder), keeping
 * the newest RFO_SUMMARY_FILES_KEPT pairs. Not on the UI thread. */
#define RFO_SUMMARY_FILES_KEPT 50
bool rfo_summary_files_save(const struct rfo_summary *summary);
