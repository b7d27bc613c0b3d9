#pragma once
/* The dock's "Stats" tab (plugin/ui/stats/rfo-stats-view.cpp) and the stats feature (plugin/obs/stats) reach
 * each other only through the two tables below, wired by plugin-main.c: the tab asks for the current picture
 * when it is built (once OBS is ready); after that the feature sends each new one (through rfo_dispatch, at
 * most twice a second). Every function runs on OBS's UI thread only. Pointers are borrowed for the duration of
 * the call; the view copies what it keeps. */

#include <stdbool.h>

#include "rfo-stats-report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Streaming socket state for the status line. */
enum rfo_ui_stats_link {
	RFO_UI_STATS_SIGNED_OUT,
	RFO_UI_STATS_CONNECTING,
	RFO_UI_STATS_CONNECTED,
	RFO_UI_STATS_RECONNECTING, /* lost; the next attempt is scheduled */
};

/* A picture of the stream: the ingest line, a row per channel (names from report->names, NULL = unknown),
 * total viewers. reason: a sentence about the link (or NULL). */
typedef void (*rfo_ui_stats_update_cb)(void *param, enum rfo_ui_stats_link link, const char *reason,
				       const struct rfo_stats_report *report);

/* What the tab asks of the plugin (UI thread; none of them blocks). */
struct rfo_ui_stats_actions {
	/* Calls cb once, at once, with the current picture. */
	void (*state)(rfo_ui_stats_update_cb cb, void *param);
};

/* The tab as the feature reaches it (plugin/ui implements it). */
struct rfo_ui_stats_view {
	/* Replaces what the tab shows; before the tab is built nothing happens (it asks when it is built). */
	void (*update)(enum rfo_ui_stats_link link, const char *reason, const struct rfo_stats_report *report);
};

/* plugin-main.c, at load: hands the tab the feature's actions (static: kept until unload) and returns the
 * tab's side for the feature (static). */
const struct rfo_ui_stats_view *rfo_ui_stats_connect(const struct rfo_ui_stats_actions *actions);

#ifdef __cplusplus
}
#endif
