#pragma once

#include <obs-data.h>
#include <stdbool.h>

/* obs-websocket vendor "restream-for-obs", reached through obs-websocket's proc handler (its
 * API version 1: "obs_websocket_api_get_ph", then "vendor_register", "vendor_request_register",
 * "vendor_event_emit"). OBS without obs-websocket simply gets no vendor. */

typedef void (*rfo_vendor_request_fn)(obs_data_t *request, obs_data_t *response, void *param);

struct rfo_vendor_request {
	const char *type;
	rfo_vendor_request_fn fn;
};

/* Call from obs_module_post_load (obs-websocket must be loaded). Returns false without
 * obs-websocket; the rest of the plugin works regardless. `requests` must outlive the vendor. */
bool rfo_vendor_register(const struct rfo_vendor_request *requests, size_t count, void *param);
/* Emits a vendor event; `data` is borrowed. Safe from any thread; no-op without a vendor. */
void rfo_vendor_emit(const char *event_type, obs_data_t *data);
/* Forget the vendor (obs-websocket tears its side down itself when it unloads). */
void rfo_vendor_forget(void);

/* Response helpers: every response carries `ok`; a failure adds `error` (a sentence). */
static inline void rfo_vendor_ok(obs_data_t *response)
{
	obs_data_set_bool(response, "ok", true);
}
static inline void rfo_vendor_fail(obs_data_t *response, const char *error)
{
	obs_data_set_bool(response, "ok", false);
	obs_data_set_string(response, "error", error);
}
