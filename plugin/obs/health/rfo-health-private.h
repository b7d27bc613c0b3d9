#pragma once
/* Shared by the health feature's files (rfo-health.c, rfo-health-text.c). */

#include "rfo-health-monitor.h"

/* The sentence of an alert (notice->raised) or of its end, for the log, the vendor event and the banner. `label`
 * names the destination ("Emu Streamer (Twitch)") or the chat's platform. Caller bfrees. */
char *rfo_health_text(const struct rfo_health_notice *notice, const char *label);
