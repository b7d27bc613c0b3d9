#pragma once
/* The C face of the dock's "Stats" tab (plugin/ui/rfo-stats-view.cpp). Every function runs on OBS's UI
 * thread only (plugin/obs/rfo-stats-feed.c marshals through rfo_dispatch, at most twice a second).
 * Pointers are borrowed for the duration of the call; the view copies what it keeps. The tab is built once OBS
 * is ready: the last update pushed before that is kept (a copy) and shown when it is built. */

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

/* Replaces what the tab shows: the ingest line, a row per channel (names from report->names, NULL =
 * unknown), total viewers. reason: a sentence about the link (or NULL). */
void rfo_ui_stats_update(enum rfo_ui_stats_link link, const char *reason, const struct rfo_stats_report *report);

#ifdef __cplusplus
}
#endif
