#pragma once

#include <obs-data.h>
#include <stdbool.h>
#include <stdint.h>

struct rfo_ui_chat_actions;
struct rfo_ui_chat_view;

/* The merged chat: Restream's chat WebSocket (docs/restream-api.md §4) -> parser -> bounded, de-duplicating
 * store -> the dock's Chat tab (in batches), the GetChat vendor request and ChatMessage vendor events.
 *
 * The socket ("rfo-ws-chat" thread) connects with the current access token, reconnects when the token
 * changes (rfo_controller_on_session), after 60 s without a heartbeat, and with backoff + jitter
 * (1 s .. 60 s) after failures; it disconnects on sign-out. Frames are parsed on the socket thread. */

struct rfo_feature;
extern const struct rfo_feature rfo_chat_feature; /* rfo-chat-feature.c */

/* After the auth session exists (rfo_controller_create). Loads the chat settings, starts the socket
 * thread (which waits for a token). Idempotent. */
bool rfo_chat_feed_create(void);
/* Joins the socket thread and saves the settings. Before rfo_auth_destroy. Idempotent. */
void rfo_chat_feed_stop(void);
/* Frees the store. Idempotent. */
void rfo_chat_feed_free(void);

/* The dock tab's actions and its side of the port, wired by plugin-main.c (UI thread, at load). The tab asks
 * for everything when it is built (the backlog replayed from the store); until then nothing is sent to it. */
const struct rfo_ui_chat_actions *rfo_chat_feed_ui_actions(void);
void rfo_chat_feed_set_view(const struct rfo_ui_chat_view *view);
/* The tab's side of the port (NULL before plugin-main.c hands it over). UI thread only. */
const struct rfo_ui_chat_view *rfo_chat_feed_view(void);

/* Viewers' chat messages received since the plugin started, per platform name (see
 * rfo_chat_store_platform_counts; cb runs under the store's lock: keep it short). Any thread. */
void rfo_chat_feed_platform_counts(void (*cb)(void *param, const char *platform, uint64_t count), void *param);
struct rfo_chat_connection;
/* Deep copies of the platform chat connections (rfo_chat_store_copy_connections; NULL when none). Any thread. */
struct rfo_chat_connection *rfo_chat_feed_copy_connections(size_t *count);

/* Vendor request GetChat: `limit`? (default 100, at most the history size) -> `messages` oldest first
 * [{id, platform, author, text, timestamp, kind, donation?, …}], plus `total` (messages stored since
 * start) and `historySize`. */
void rfo_chat_feed_get_chat(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
