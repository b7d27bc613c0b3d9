#pragma once

#include <obs-data.h>
#include <stdbool.h>

/* The plugin's running state: configuration, the account, and (as features land) the transports.
 * Created in obs_module_load, stopped on OBS_FRONTEND_EVENT_EXIT, destroyed in obs_module_unload.
 * Readers (vendor requests on obs-websocket's thread, the UI thread) take snapshots. */

bool rfo_controller_create(void);
/* The UI exists: show the current state. UI thread. */
void rfo_controller_ui_ready(void);
/* OBS finished loading (its layout is restored). UI thread. */
void rfo_controller_frontend_loaded(void);
/* Stops and joins every thread, drops queued work. Idempotent. */
void rfo_controller_stop(void);
/* Frees everything. Idempotent. */
void rfo_controller_destroy(void);

struct rfo_ui_actions;
/* What the dock's buttons do. */
const struct rfo_ui_actions *rfo_controller_ui_actions(void);

/* Fills a GetStatus response (without `ok`). Any thread. */
void rfo_controller_status(obs_data_t *out);
