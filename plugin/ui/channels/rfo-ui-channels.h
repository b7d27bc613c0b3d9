#pragma once
/* The dock's "Channels" tab (plugin/ui/channels/rfo-channels-view.cpp) and the channels feature
 * (plugin/obs/channels) reach each other only through the two tables below, wired by plugin-main.c: the tab
 * asks for the state when it is built and again whenever the feature says it changed. Every function runs on
 * OBS's UI thread only (plugin/obs marshals through rfo_dispatch). Pointers are borrowed for the duration of
 * the call; the view copies what it keeps. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rfo_ui_channel_result {
	RFO_UI_CHANNEL_RESULT_NONE,
	RFO_UI_CHANNEL_RESULT_OK,
	RFO_UI_CHANNEL_RESULT_ERROR,
};

struct rfo_ui_channel {
	int64_t id;
	int64_t platform_id;
	const char *platform_name; /* never NULL: "Platform <id>" when Restream's list lacks the id */
	bool platform_known;
	const char *badge;         /* neutral badge text ("T", "FG", "#999") when there is no icon */
	const unsigned char *icon; /* the platform's PNG (cached from Restream), or NULL */
	size_t icon_size;
	const char *display_name; /* remote text: show as plain text */
	const char *url;          /* the channel page, may be NULL */
	bool enabled;             /* shown state (the requested one while a switch is in flight) */
	bool pending;             /* a switch is in flight: the switch is locked */
	const char *title;        /* current title, NULL until known */
	enum rfo_ui_channel_result result;
	const char *result_text; /* the last outcome for this channel (translated or Restream's), or NULL */
};

struct rfo_ui_channels_state {
	bool signed_in;
	bool loading;       /* a refresh is in flight */
	bool applying;      /* a title change is in flight */
	const char *error;  /* the last refresh failure, or NULL */
	const char *notice; /* summary of the last title change, or NULL */
	const struct rfo_ui_channel *channels;
	size_t count;
};

/* Receives the state, borrowed for the duration of the call (made under the feature's lock: copy what you
 * keep and call nothing of the feature's). */
typedef void (*rfo_ui_channels_state_cb)(void *param, const struct rfo_ui_channels_state *state);

/* What the tab asks of the plugin (UI thread; none of them blocks). */
struct rfo_ui_channels_actions {
	/* Calls cb once, at once, with the current state. */
	void (*state)(rfo_ui_channels_state_cb cb, void *param);
	void (*set_enabled)(int64_t id, bool enabled);
	void (*refresh)(void);
	/* The tab became visible: refresh when the list is older than 30 s. */
	void (*refresh_if_stale)(void);
	/* ids == NULL: every enabled channel; else exactly those. description NULL = leave as is. */
	void (*apply_title)(const char *title, const char *description, const int64_t *ids, size_t count);
};

/* The tab as the feature reaches it (plugin/ui implements it). */
struct rfo_ui_channels_view {
	/* The state changed: the tab, once built, asks for it (actions->state); before that nothing happens
	 * (the tab asks when it is built, once OBS is ready). */
	void (*changed)(void);
};

/* plugin-main.c, at load: hands the tab the feature's actions (static: kept until unload) and returns the
 * tab's side for the feature (static). */
const struct rfo_ui_channels_view *rfo_ui_channels_connect(const struct rfo_ui_channels_actions *actions);

#ifdef __cplusplus
}
#endif
