#pragma once

#include <obs-data.h>
#include <stdbool.h>
#include <stdint.h>

#include "rfo-config.h"

/* The plugin's running state: configuration and the shared transports (HTTP worker, auth
 * session, token store). Created in obs_module_load, stopped on OBS_FRONTEND_EVENT_EXIT,
 * destroyed in obs_module_unload. Features (account, stream setup, channels, chat, stats) take
 * what they need through the getters and subscribe to token changes. */

/* Creates the shared transports, then every feature of rfo_app_features() in order. */
bool rfo_controller_create(void);
/* OBS finished loading (its layout is restored): starts the features in order. UI thread. */
void rfo_controller_frontend_loaded(void);
/* Stops the features (in reverse order), then joins every thread and drops queued work. Idempotent. */
void rfo_controller_stop(void);
/* Destroys the features (in reverse order) and frees everything. Idempotent. */
void rfo_controller_destroy(void);
/* Registers the features' vendor requests with obs-websocket. From obs_module_post_load. */
void rfo_controller_register_vendor(void);
/* True between create and stop. */
bool rfo_controller_running(void);

const struct rfo_config *rfo_controller_config(void);
struct rfo_auth *rfo_controller_auth(void);
struct rfo_http *rfo_controller_http(void);
const char *rfo_controller_settings_path(void);

struct rfo_api_config;
/* Fills what every feature's Restream request engine shares: the API base, the HTTP worker as transport, the
 * auth session as token source and obs_module_text. The feature adds its log name, sentences and 401 texts. */
void rfo_controller_api_config(struct rfo_api_config *config);

/* The signed-in session's socket URL, `base?accessToken=<token>` (caller bfrees; a secret: never log it),
 * with *token_hash set to a hash of that token; NULL and 0 when signed out or a refresh is under way. */
char *rfo_controller_socket_url(const char *base, uint64_t *token_hash);
/* Hash of the current access token (to notice a new one without keeping it), 0 when there is none. */
uint64_t rfo_controller_token_hash(void);

/* Called (on the auth thread) whenever the access token changes or the account state changes. */
typedef void (*rfo_session_cb)(void *param);
void rfo_controller_on_session(rfo_session_cb cb, void *param);

/* Connection states reported in GetStatus ("disconnected"/"connecting"/"connected"), set by the
 * chat and stats features from their socket threads. */
enum rfo_link { RFO_LINK_CHAT, RFO_LINK_STREAMING };
void rfo_controller_set_link(enum rfo_link link, const char *state);
/* Adds `pluginVersion` (CMake's project version), `chat`, `streaming` and `serviceActive` to a GetStatus
 * response. Any thread. */
void rfo_controller_fill_links(obs_data_t *out);
/* Whether OBS's current streaming service is ours (set by the stream-setup feature). */
void rfo_controller_set_service_active(bool active);
/* Whether it is (any thread). */
bool rfo_controller_service_active(void);

struct rfo_ui_actions;
struct rfo_ui_dock;
/* What the dock's buttons do. */
const struct rfo_ui_actions *rfo_controller_ui_actions(void);
/* The dock's functions (what rfo_ui_create returned; plugin-main.c hands them over). Before that the
 * functions of rfo_controller_dock() do nothing. UI thread only. */
void rfo_controller_set_dock(const struct rfo_ui_dock *dock);
const struct rfo_ui_dock *rfo_controller_dock(void);
