#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The dock's "Go live" tab, seen from plugin/obs. UI thread only; strings are borrowed for the
 * duration of the call. */

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
};

struct rfo_ui_golive_choice {
	const char *protocol;
	int64_t ingest_id;
	const char *event_id;
};

/* What the tab asks of the plugin (UI thread, none blocks). */
struct rfo_ui_golive_actions {
	/* "Set up OBS for Restream": fetch fresh keys in the background, then apply; the result
	 * comes back through rfo_ui_golive_set_result. */
	void (*apply)(const struct rfo_ui_golive_choice *choice);
	void (*refresh)(void);
	/* Every few seconds while the dock exists: notices Settings → Stream changes. */
	void (*poll)(void);
	void (*set_compat)(bool compat);
	/* The real key for the reveal button (caller frees with rfo_ui_golive_free_key). */
	char *(*reveal_key)(const char *event_id);
	void (*free_key)(char *key);
};

/* Called by plugin/obs before rfo_ui_create (the tab reads them when it is built). */
void rfo_ui_golive_set_actions(const struct rfo_ui_golive_actions *actions);
/* The tab is built once OBS is ready: the last state and result pushed before that are kept (copies) and
 * shown when it is built. */
void rfo_ui_golive_set_state(const struct rfo_ui_golive_state *state);
/* The outcome of "Set up OBS for Restream": ok, or a sentence. */
void rfo_ui_golive_set_result(bool ok, const char *message);

#ifdef __cplusplus
}
#endif
