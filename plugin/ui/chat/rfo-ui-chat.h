#pragma once
/* The C face of the dock's "Chat" tab (plugin/ui/rfo-chat-view.cpp). Every function runs on OBS's UI
 * thread only (plugin/obs/rfo-chat-feed.c marshals through rfo_dispatch). Pointers are borrowed for the
 * duration of the call; the view copies what it keeps. Before the view exists (it is built after OBS has
 * started) they keep the last link state, connections, user and the newest messages (up to the history size),
 * and the view shows them when it is created. */

#include <stdbool.h>
#include <stddef.h>

#include "rfo-chat.h"
#include "rfo-chat-store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RFO_CHAT_HISTORY_MIN 50
#define RFO_CHAT_HISTORY_MAX 20000
#define RFO_CHAT_FONT_MIN 7
#define RFO_CHAT_FONT_MAX 32

/* The viewer's choices, persisted by the obs layer (plugin_config/restream-for-obs/chat.json). */
struct rfo_ui_chat_settings {
	int history;          /* messages kept (RFO_CHAT_HISTORY_MIN..MAX) */
	int font_size;        /* points; 0 = the theme's font */
	bool show_timestamps; /* "12:34" before each message */
	bool highlight_mentions;
	char keywords[1024];         /* comma-separated highlight keywords */
	char hidden_platforms[1024]; /* comma-separated platform names filtered out */
};

struct rfo_ui_chat_handlers {
	/* The viewer changed a setting (UI thread; must not block: keep it in memory, save later). */
	void (*settings_changed)(const struct rfo_ui_chat_settings *settings);
	/* The URL the "Reply in Restream Chat" button opens. */
	const char *reply_url;
	/* The view shows an emote image from `url` (taken from a message's `replaces`): fetch it if
	 * allowed; the bytes come back through rfo_ui_chat_set_image(). NULL = text only. */
	void (*want_image)(const char *url);
};

/* Chat socket state for the status line. */
enum rfo_ui_chat_link {
	RFO_UI_CHAT_SIGNED_OUT,
	RFO_UI_CHAT_CONNECTING,
	RFO_UI_CHAT_CONNECTED,
	RFO_UI_CHAT_RECONNECTING, /* lost; the next attempt is scheduled */
	RFO_UI_CHAT_UNREACHABLE,  /* signed in, but Restream (or the chat server) cannot be reached yet; retrying */
};

/* Hands the handlers and initial settings to the view (and to views created later; may be called before
 * the dock exists). */
void rfo_ui_chat_init(const struct rfo_ui_chat_handlers *handlers, const struct rfo_ui_chat_settings *settings);
/* Appends messages (oldest first). The view buffers them and repaints at most ~30 times a second. */
void rfo_ui_chat_add(struct rfo_chat_message *const *messages, size_t count);
/* Drops everything shown (sign-out). */
void rfo_ui_chat_clear(void);
/* OBS is quitting: drops the messages still waiting to be shown and stops the view's flushes (what is shown
 * stays until the dock goes away). */
void rfo_ui_chat_stop(void);
/* reason: a sentence for people (already translated) or NULL. */
void rfo_ui_chat_set_link(enum rfo_ui_chat_link link, const char *reason);
/* The platform connections (connection_info), replacing what is shown. */
void rfo_ui_chat_set_connections(const struct rfo_chat_connection *conns, size_t count);
/* The delivery state of one of the streamer's replies (shown on its kind REPLY message). */
void rfo_ui_chat_set_reply(const struct rfo_chat_reply_state *state);
/* Names whose mentions are highlighted (the signed-in streamer); NULL = none. */
void rfo_ui_chat_set_user(const char *display_name, const char *username);
/* The bytes fetched for an emote URL. The view decodes them (PNG/GIF/JPEG, at most 512×512 pixels)
 * and draws the image instead of the emote's text; anything else keeps the text. */
void rfo_ui_chat_set_image(const char *url, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
