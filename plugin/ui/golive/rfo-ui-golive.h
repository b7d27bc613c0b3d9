#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The dock's "Go live" tab and the go-live feature (plugin/obs/golive) reach each other only through the two
 * tables below, wired by plugin-main.c: the tab asks for the state when it is built and again whenever the
 * feature says it changed. UI thread only; strings are borrowed for the duration of the call. */

struct rfo_ui_golive_server {
	int64_t id;
	const char *name;
};

struct rfo_ui_golive_event {
	const char *id;
	const char *title;
	const char *status;    /* "upcoming" / "in-progress" */
	int64_t scheduled_for; /* Unix seconds, 0 = not scheduled */
};

struct rfo_ui_golive_state {
	bool signed_in;
	bool loading;
	const char *error; /* last fetch failure, or NULL */
	const struct rfo_ui_golive_server *servers;
	size_t server_count;
	int64_t user_ingest_id;
	const struct rfo_ui_golive_event *events;
	size_t event_count;
	bool srt_available;
	const char *key_masked; /* the chosen key, masked ("" when none) */
	/* What OBS streams to now */
	bool service_active;     /* OBS's streaming service is Restream (ours, or the compat copy) */
	bool was_set_up;         /* the user set us up before, and someone changed Settings → Stream */
	bool builtin_restream;   /* OBS's own Restream account is connected in this profile */
	bool compat;             /* compatibility mode: write into OBS's custom service */
	const char *protocol;    /* current choice: "rtmp"/"srt" */
	int64_t ingest_id;       /* current choice, 0 = the user's own */
	const char *event_id;    /* current choice, "" = none */
	const char *server_text; /* the server OBS streams to (masked) or "" */
	/* The outcome of the last "Set up OBS for Restream": result_count counts the outcomes so far (0 = none
	 * yet), so the tab shows one when the count moves; result_message is a sentence or "". */
	unsigned result_count;
	bool result_ok;
	const char *result_message;
	/* The service OBS had before the last apply is kept: "Restore my previous settings" can put it back. */
	bool can_restore;
	/* The outcome of the last "Create event" (event_result_count moves with each; 0 = none yet): a sentence, and
	 * the new event's id ("" when it failed), which the tab then picks. */
	unsigned event_result_count;
	bool event_result_ok;
	const char *event_result_message;
	const char *created_event_id;
};

/* Receives the state, borrowed for the duration of the call. */
typedef void (*rfo_ui_golive_state_cb)(void *param, const struct rfo_ui_golive_state *state);

struct rfo_ui_golive_choice {
	const char *protocol;
	int64_t ingest_id;
	const char *event_id;
};

/* What the tab asks of the plugin (UI thread, none blocks). */
struct rfo_ui_golive_actions {
	/* Calls cb once, at once, with the current state. */
	void (*state)(rfo_ui_golive_state_cb cb, void *param);
	/* "Set up OBS for Restream": fetch fresh keys in the background, then apply; the outcome comes back
	 * in the state (result_count). */
	void (*apply)(const struct rfo_ui_golive_choice *choice);
	void (*refresh)(void);
	/* Every few seconds while the dock exists: notices Settings → Stream changes. */
	void (*poll)(void);
	void (*set_compat)(bool compat);
	/* The real key for the reveal button (caller frees with rfo_ui_golive_free_key). */
	char *(*reveal_key)(const char *event_id);
	void (*free_key)(char *key);
	/* "Restore my previous settings": puts back the service OBS had before the last apply; the outcome comes back
	 * in the state (result_count). */
	void (*restore)(void);
	/* "Create event": a Restream event (title, description or "", scheduled_for Unix s or 0 = now); the outcome
	 * comes back in the state (event_result_count). */
	void (*create_event)(const char *title, const char *description, int64_t scheduled_for);
};

/* The tab as the feature reaches it (plugin/ui implements it). */
struct rfo_ui_golive_view {
	/* The state changed: the tab, once built, asks for it (actions->state); before that nothing happens
	 * (the tab asks when it is built, once OBS is ready). */
	void (*changed)(void);
};

/* plugin-main.c, at load: hands the tab the feature's actions (static: kept until unload) and returns the
 * tab's side for the feature (static). */
const struct rfo_ui_golive_view *rfo_ui_golive_connect(const struct rfo_ui_golive_actions *actions);

#ifdef __cplusplus
}
#endif
