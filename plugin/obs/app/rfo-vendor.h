#pragma once

#include <obs-data.h>
#include <stdbool.h>
#include <stddef.h>

#include "rfo-api.h"
#include "rfo-error.h"

/* obs-websocket vendor "restream-for-obs", reached through obs-websocket's proc handler (its
 * API version 1: "obs_websocket_api_get_ph", then "vendor_register", "vendor_request_register",
 * "vendor_event_emit"). OBS without obs-websocket simply gets no vendor. */

typedef void (*rfo_vendor_request_fn)(obs_data_t *request, obs_data_t *response, void *param);

struct rfo_vendor_request {
	const char *type;
	rfo_vendor_request_fn fn;
	void *param; /* handed to fn; must outlive the vendor */
};

/* Call from obs_module_post_load (obs-websocket must be loaded). Returns false without
 * obs-websocket; the rest of the plugin works regardless. obs-websocket copies each entry: `requests`
 * itself may be freed after the call (each `param` may not). */
bool rfo_vendor_register(const struct rfo_vendor_request *requests, size_t count);
/* Emits a vendor event; `data` is borrowed. Safe from any thread; no-op without a vendor. */
void rfo_vendor_emit(const char *event_type, obs_data_t *data);
/* Forget the vendor (obs-websocket tears its side down itself when it unloads). */
void rfo_vendor_forget(void);

/* The `errorCode` of a failed response: a stable word a script can branch on (the README's vendor table lists
 * them). Never reorder or rename the words; add new ones at the end. */
enum rfo_vendor_code {
	RFO_VENDOR_MISSING_ARGUMENT, /* "missingArgument": a required request field is absent */
	RFO_VENDOR_INVALID_ARGUMENT, /* "invalidArgument": a field has the wrong type or an unusable value */
	RFO_VENDOR_NOT_SIGNED_IN,    /* "notSignedIn": no Restream account is signed in */
	RFO_VENDOR_UNAUTHORIZED,     /* "unauthorized": Restream did not accept the sign-in (HTTP 401) */
	RFO_VENDOR_NOT_FOUND,        /* "notFound": no channel, ingest or event with that id */
	RFO_VENDOR_BUSY,             /* "busy": another request waits for Restream, or the same change is in flight */
	RFO_VENDOR_TIMEOUT,          /* "timeout": Restream (or OBS) did not answer within the wait */
	RFO_VENDOR_RATE_LIMITED,     /* "rateLimited": Restream asked us to wait (429/503 with Retry-After) */
	RFO_VENDOR_RESTREAM_ERROR,   /* "restreamError": Restream answered with an error or something unreadable */
	RFO_VENDOR_NETWORK_ERROR,    /* "networkError": Restream could not be reached */
	RFO_VENDOR_NOT_READY,        /* "notReady": what the request needs is not fetched from Restream yet */
	RFO_VENDOR_INVALID_STATE,    /* "invalidState": not possible in the current state (e.g. no channel enabled) */
	RFO_VENDOR_STREAM_ACTIVE,    /* "streamActive": OBS is streaming; stop first */
	RFO_VENDOR_UNSUPPORTED,      /* "unsupported": the Restream plan lacks it (SRT) */
	RFO_VENDOR_UNAVAILABLE,      /* "unavailable": the feature is not running or not configured */
	RFO_VENDOR_STOPPING,         /* "stopping": OBS is shutting down */
	RFO_VENDOR_OBS_ERROR,        /* "obsError": OBS refused (e.g. could not create the streaming service) */
};

/* The errorCode word of a code. */
const char *rfo_vendor_code_name(enum rfo_vendor_code code);
/* The errorCode of an rfo_error: its code (one of enum rfo_error_code, an HTTP status, or RFO_API_STILL_WAITING)
 * says which. */
enum rfo_vendor_code rfo_vendor_code_of(const struct rfo_error *err);

/* Response helpers: every response carries `ok`; a failure adds `error` (a sentence a person can act on) and
 * `errorCode`. */
static inline void rfo_vendor_ok(obs_data_t *response)
{
	obs_data_set_bool(response, "ok", true);
}
void rfo_vendor_fail(obs_data_t *response, enum rfo_vendor_code code, const char *error);
/* rfo_vendor_fail with err's sentence and the code rfo_vendor_code_of(err) gives. */
void rfo_vendor_fail_error(obs_data_t *response, const struct rfo_error *err);
