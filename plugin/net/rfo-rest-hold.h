/* A feature's pause after Restream answered 429/503: nothing is sent to it before Retry-After has passed. */
#pragma once

#include <stdint.h>

#include "rfo-http.h"

/* The locale key of the pause's sentence ("%1" = seconds), and the same sentence in English. */
#define RFO_REST_HOLD_TEXT_KEY "Rest.Error.Wait"
#define RFO_REST_HOLD_TEXT_EN "Restream asked us to wait %1 s before asking again. Try again then."

/* Zero-initialised: no pause. Shared by the HTTP worker and the callers' threads: read and written only by the
 * functions below, under one lock (rfo-rest-hold.c). */
struct rfo_rest_hold {
	uint64_t until_ns; /* os_gettime_ns() at which the pause ends */
};

/* For a 429/503 response: extends the pause by its Retry-After exactly (5 s for a 429 without one; a new session or
 * rfo_rest_hold_clear ends it earlier)
 * and returns that wait in ns (logged under log_sub when the pause grew); 0 for any other response. */
uint64_t rfo_rest_hold_apply(struct rfo_rest_hold *hold, const struct rfo_http_response *resp, const char *log_sub);

/* Ends the pause (a new session: the old one's Retry-After does not apply to it). */
void rfo_rest_hold_clear(struct rfo_rest_hold *hold);

/* ns left of the pause; 0 when none. */
uint64_t rfo_rest_hold_left(struct rfo_rest_hold *hold);

/* `sentence` (RFO_REST_HOLD_TEXT_KEY's, localized by the caller) with "%1" replaced by the wait in seconds,
 * rounded up. bfree. */
char *rfo_rest_hold_text(const char *sentence, uint64_t ns);

/* While paused: sets err to that sentence (code 429; err may be NULL) and returns true. */
bool rfo_rest_hold_check(struct rfo_rest_hold *hold, const char *sentence, struct rfo_error *err);
