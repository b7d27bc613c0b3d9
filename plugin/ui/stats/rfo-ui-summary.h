#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The Stats tab's "Last stream" box and the end-of-stream summary (plugin/obs/summary) reach each other through these
 * two tables, wired by plugin-main.c. UI thread only; strings are borrowed for the duration of the call. */

struct rfo_ui_summary_channel {
	int64_t channel_id;
	const char *name; /* display name and platform, or "" when the channel list lacks it */
	int64_t peak;
	double average;
};

struct rfo_ui_summary_chat {
	const char *platform;
	int64_t count;
};

struct rfo_ui_summary_state {
	bool have;                    /* a stream ended (or runs) since OBS started */
	bool live;                    /* it is still running */
	int64_t started_at, ended_at; /* Unix s */
	int64_t peak;
	double average;
	const struct rfo_ui_summary_channel *channels;
	size_t channel_count;
	const struct rfo_ui_summary_chat *chat;
	size_t chat_count;
	size_t alert_count;
	bool from_restream; /* the numbers are Restream's analytics */
	const char *note;   /* e.g. "Restream has not published analytics yet", or "" */
};

typedef void (*rfo_ui_summary_state_cb)(void *param, const struct rfo_ui_summary_state *state);

struct rfo_ui_summary_actions {
	/* Calls cb once, at once, with the current state. */
	void (*state)(rfo_ui_summary_state_cb cb, void *param);
};

struct rfo_ui_summary_view {
	/* The summary changed: the box, once built, asks for it. */
	void (*changed)(void);
};

const struct rfo_ui_summary_view *rfo_ui_summary_connect(const struct rfo_ui_summary_actions *actions);

#ifdef __cplusplus
}
#endif
