#pragma once
/* The dock's "Chat" tab (plugin/ui/chat/rfo-chat-view.cpp) and the chat feature (plugin/obs/chat) reach each
 * other only through the two tables below, wired by plugin-main.c. The tab is built once OBS is ready: it then
 * asks for everything at once (settings, link, connections, user, and the backlog replayed from the chat
 * store); after that the feature sends what changes (through rfo_dispatch, in batches). Every function runs on
 * OBS's UI thread only. Pointers are borrowed for the duration of the call; the view copies what it keeps. */

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

/* Chat socket state for the status line. */
enum rfo_ui_chat_link {
	RFO_UI_CHAT_SIGNED_OUT,
	RFO_UI_CHAT_CONNECTING,
	RFO_UI_CHAT_CONNECTED,
	RFO_UI_CHAT_RECONNECTING, /* lost; the next attempt is scheduled */
	RFO_UI_CHAT_UNREACHABLE,  /* signed in, but Restream (or the chat server) cannot be reached yet; retrying */
};

/* Everything the tab shows when it is built. */
struct rfo_ui_chat_state {
	const struct rfo_ui_chat_settings *settings;
	enum rfo_ui_chat_link link;
	const char *reason; /* a sentence about the link (already translated) or NULL */
	const struct rfo_chat_connection *connections;
	size_t connection_count;
	const char *display_name; /* the signed-in streamer (mentions are highlighted), NULL = none */
	const char *username;
	struct rfo_chat_message *const *messages; /* the backlog, oldest first (at most the history size) */
	size_t count;
};

/* Receives the state, borrowed for the duration of the call. */
typedef void (*rfo_ui_chat_state_cb)(void *param, const struct rfo_ui_chat_state *state);

/* What the tab asks of the plugin. */
struct rfo_ui_chat_actions {
	/* Calls cb once, at once, with everything the tab shows; later view->add() calls bring only newer
	 * messages. */
	void (*state)(rfo_ui_chat_state_cb cb, void *param);
	/* The viewer changed a setting (UI thread; must not block: keep it in memory, save later). */
	void (*settings_changed)(const struct rfo_ui_chat_settings *settings);
	/* The URL the "Reply in Restream Chat" button opens. */
	const char *reply_url;
	/* The view shows an emote image from `url` (taken from a message's `replaces`): fetch it if
	 * allowed; the bytes come back through view->set_image(). NULL = text only. */
	void (*want_image)(const char *url);
};

/* The tab as the feature reaches it (plugin/ui implements it). Before the tab is built each does nothing (the
 * tab asks for everything when it is built). */
struct rfo_ui_chat_view {
	/* Appends messages (oldest first). The view buffers them and repaints at most ~30 times a second. */
	void (*add)(struct rfo_chat_message *const *messages, size_t count);
	/* Drops everything shown (sign-out). */
	void (*clear)(void);
	/* OBS is quitting: drops the messages still waiting to be shown and stops the view's flushes (what is
	 * shown stays until the dock goes away). */
	void (*stop)(void);
	/* reason: a sentence for people (already translated) or NULL. */
	void (*set_link)(enum rfo_ui_chat_link link, const char *reason);
	/* The platform connections (connection_info), replacing what is shown. */
	void (*set_connections)(const struct rfo_chat_connection *conns, size_t count);
	/* The delivery state of one of the streamer's replies (shown on its kind REPLY message). */
	void (*set_reply)(const struct rfo_chat_reply_state *state);
	/* Names whose mentions are highlighted (the signed-in streamer); NULL = none. */
	void (*set_user)(const char *display_name, const char *username);
	/* The bytes fetched for an emote URL. The view decodes them (PNG/GIF/JPEG, at most 512×512 pixels)
	 * and draws the image instead of the emote's text; anything else keeps the text. */
	void (*set_image)(const char *url, const void *data, size_t len);
};

/* plugin-main.c, at load: hands the tab the feature's actions (static: kept until unload) and returns the
 * tab's side for the feature (static). */
const struct rfo_ui_chat_view *rfo_ui_chat_connect(const struct rfo_ui_chat_actions *actions);

#ifdef __cplusplus
}
#endif
