#pragma once

#include <obs-module.h>
#include <stdbool.h>
#include <stdint.h>

/* The "Restream (restream-for-obs)" streaming service type. Its settings (saved by OBS into the
 * profile's service.json) hold only non-secret choices; the stream key, SRT stream id and
 * passphrase come from memory (rfo-golive's cache) when an output starts. */

#define RFO_SERVICE_ID "restream_for_obs"

/* Settings keys of the service (obs_data, also the vendor request's vocabulary). */
#define RFO_SERVICE_S_PROTOCOL "protocol"   /* "rtmp" | "srt" */
#define RFO_SERVICE_S_INGEST_ID "ingest_id" /* int, 0 = the user's own choice on Restream */
#define RFO_SERVICE_S_EVENT_ID "event_id"   /* string, "" = no event (the account's key) */

/* Registers the service type. obs_module_load. */
void rfo_service_register(void);

/* True when `service` is one of ours. Any thread (the service must be alive). */
bool rfo_service_is_ours(obs_service_t *service);

/* Builds the settings object of our service (caller releases). */
obs_data_t *rfo_service_make_settings(const char *protocol, int64_t ingest_id, const char *event_id);
