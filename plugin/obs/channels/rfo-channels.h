#pragma once

#include <obs-data.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-api.h"
#include "rfo-error.h"
#include "rfo-ui-channels.h"

/* Destinations: the user's Restream channels, switched on and off, titled all at once.
 *
 * rfo-channels.c: asking Restream through the channels' request engine (rfo-api.h): the list
 * (channels from /v2/user/channel/all with each channel's channel-meta; platforms from
 * /v2/platform/all with their icons), fetched on the HTTP worker at sign-in, on demand and after our
 * own changes, never more often than every 30 s on its own; switches (PATCH /v2/user/channel/{id})
 * and titles (PATCH /v2/user/channel-meta/{id}). A 401 reports the token and retries once with the
 * new one. A 429/503 holds every request back for its Retry-After (5 s for a 429 without one): a
 * request asked for meanwhile fails at once with "Restream asked us to wait N s".
 * rfo-channels-ops.c: the channel list, the session and the dock tab's state.
 * rfo-channels-cache.c: platforms and icons, kept on disk in the module's config folder.
 * rfo-channels-requests.c: vendor requests ListChannels, SetChannelEnabled, SetTitle and the
 * dock's actions. rfo-channels-hotkeys.c: frontend hotkeys, saved in the profile's [Hotkeys]. */

/* Lifecycle (rfo_channels_feature, rfo-channels-feature.c): create after the auth session, start when OBS finished
 * loading (draws the dock tab), stop before the auth session is destroyed (UI thread, at OBS_FRONTEND_EVENT_EXIT),
 * free at unload. */
struct rfo_feature;
extern const struct rfo_feature rfo_channels_feature;
bool rfo_channels_create(void);
void rfo_channels_start(void);
void rfo_channels_stop(void);
void rfo_channels_free(void);

/* Vendor requests (obs-websocket's thread), waiting at most wait_ms for Restream (the feature registry checks the
 * arguments and hands out the budget; 0 = do not wait). What did not finish in time answers from the cache or as pending: ListChannels with
 * the cached list and `refreshError`; SetChannelEnabled ok with the channel in its requested state and
 * `pending`:true (the outcome follows as ChannelsChanged, a failure rolled back with its `error`); SetTitle ok
 * with `pending`:true and what is known so far in `updated`/`failed`. */
void rfo_channels_list_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
void rfo_channels_set_enabled_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
void rfo_channels_set_title_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);

/* ---- between the rfo-channels*.c files ---- */

/* Refreshes the list (and every channel's title). force = even when fetched in the last 30 s.
 * wait_ms 0 returns at once; otherwise waits (never on the UI thread) and returns false with err
 * when the fetch failed or time ran out. An in-flight refresh is joined, not repeated. */
bool rfo_channels_refresh(bool force, uint32_t wait_ms, struct rfo_error *err);

/* Starts switching a channel; the shown state moves at once. wait_ms as above (0 = async; the
 * outcome reaches the dock). false with err when refused (unknown id, already in flight, signed
 * out) or, when waiting, when Restream refused it (then the switch is rolled back). */
bool rfo_channels_switch(int64_t id, bool enabled, uint32_t wait_ms, struct rfo_error *err);
/* Hotkeys: flip one channel / switch every channel on or off (any thread, async). */
void rfo_channels_toggle(int64_t id);
void rfo_channels_switch_all(bool enabled);

/* One title (and optional description) for `ids` (NULL = every enabled channel). With wait_ms,
 * fills `updated` (ids) and `failed` ({id, error}) when given; returns false with err when it could
 * not start (signed out, bad title, no channel) or time ran out. */
bool rfo_channels_set_title(const char *title, const char *description, const int64_t *ids, size_t count,
			    uint32_t wait_ms, obs_data_array_t *updated, obs_data_array_t *failed,
			    struct rfo_error *err);

/* ListChannels' `channels` array ({id, platformId, platformName, displayName, enabled, url}) for
 * every channel, or for one (`id` != 0: NULL when unknown). Any thread. */
obs_data_array_t *rfo_channels_list_data(void);
obs_data_t *rfo_channels_channel_data(int64_t id);
/* True once a list arrived for this session. */
bool rfo_channels_have_list(void);
/* True while a refresh of the list is in flight. */
bool rfo_channels_refreshing(void);

/* Visits every channel (id, display name) under the cache lock; cb must not call rfo_channels_*. */
void rfo_channels_foreach(void (*cb)(void *param, int64_t id, const char *name), void *param);

/* Shows a sentence under the title editor (e.g. why a click was refused) and redraws the tab,
 * which also puts a refused switch back. Any thread. */
void rfo_channels_ui_notice(const char *text);

/* The dock tab's actions (rfo-channels-requests.c) and its side of the port (rfo-channels-ops.c), wired by
 * plugin-main.c (UI thread, at load). */
const struct rfo_ui_channels_actions *rfo_channels_ui_actions(void);
void rfo_channels_set_view(const struct rfo_ui_channels_view *view);
/* The tab's actions->state: calls cb with the current state, under the cache lock. UI thread. */
void rfo_channels_ui_state(rfo_ui_channels_state_cb cb, void *param);

/* rfo-channels-hotkeys.c (UI thread) */
void rfo_channels_hotkeys_init(void);
/* Registers a toggle hotkey for every channel not yet registered and renames changed ones. */
void rfo_channels_hotkeys_sync(void);
/* Saves every binding into the profile and unregisters the hotkeys. */
void rfo_channels_hotkeys_free(void);
