#pragma once

#include <obs-data.h>
#include <stdbool.h>
#include <stdint.h>

/* On-stream overlays without a browser: the "Restream Chat" (restream_chat_source) and "Restream Viewers"
 * (restream_viewers_source) input sources, fed by the chat feed's store and the stats feed (no socket of their
 * own), any number of each.
 *
 * Threads: one worker ("rfo-overlays") lays out and paints every instance (through the ui painter,
 * rfo-ui-overlays.h) into an RGBA buffer, only when what an instance shows changed (it is woken by the chat feed,
 * by the sources, or when a fade step or expiry is due) and at most once per frame interval; OBS's graphics thread only uploads a finished buffer (video_render, when one is ready) and draws the
 * texture. Settings live in the source's settings (saved with the scene collection by OBS). */

struct rfo_feature;
extern const struct rfo_feature rfo_overlays_feature; /* rfo-overlays-feature.c */

/* Registers both source kinds with libobs (obs_module_load, UI thread). */
void rfo_overlays_register_sources(void);

/* Lifecycle (rfo-overlays-feature.c): the worker thread starts at create and is joined at stop; sources that outlive
 * the stop (OBS frees the scene collection after EXIT) keep their last picture. Idempotent. */
bool rfo_overlays_create(void);
void rfo_overlays_stop(void);
void rfo_overlays_destroy(void);

/* The painter, from plugin-main.c (UI thread, at load). Until it is set nothing is painted. */
struct rfo_ui_overlays_view;
void rfo_overlays_set_view(const struct rfo_ui_overlays_view *view);

/* Vendor requests. ListOverlays -> overlays [{name, kind ("chat"/"viewers"), platforms}]; SetOverlayFilter
 * {name, platforms} -> overlay as listed (platforms: comma-separated platform names as GetChat names them, "" = all;
 * the source's switches are set and saved like a change in its properties). */
void rfo_overlays_list_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
void rfo_overlays_set_filter_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
