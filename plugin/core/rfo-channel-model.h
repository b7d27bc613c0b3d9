#pragma once
/* The destination list as the plugin shows it (sans-I/O; not thread-safe: the caller locks).
 *
 * It holds Restream's channel list (GET /v2/user/channel/all) plus what the plugin adds:
 *  - a switch in flight: the shown state moves at once (optimistic), a second switch of the same
 *    channel is refused until the first one ends, a failure rolls back to Restream's state;
 *  - each channel's current title and description (GET /v2/user/channel-meta/{id});
 *  - the last per-channel outcome (switch failed, title set, "Title Too Long", …).
 * Times are the caller's monotonic clock (any unit, e.g. os_gettime_ns). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-error.h"
#include "rfo-rest.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rfo_channel_result {
	RFO_CHANNEL_RESULT_NONE = 0,
	RFO_CHANNEL_RESULT_OK,    /* e.g. the title was set */
	RFO_CHANNEL_RESULT_ERROR, /* a switch or a title change failed; result_text says why */
};

struct rfo_channel_entry {
	struct rfo_channel ch; /* ch.enabled is what is shown: the requested state while pending */
	bool confirmed;        /* Restream's last known state */
	bool pending;          /* a switch is in flight */
	uint64_t changed_at;   /* when the last switch started or ended */
	bool have_meta;
	char *title;       /* current title (NULL until channel-meta arrived) */
	char *description; /* may be NULL */
	enum rfo_channel_result result;
	char *result_text;  /* NULL with RFO_CHANNEL_RESULT_NONE */
	bool switch_failed; /* the result is a failed switch (a later successful switch clears it) */
};

struct rfo_channel_model {
	struct rfo_channel_entry *items;
	size_t count;
};

void rfo_channel_model_init(struct rfo_channel_model *m);
/* Frees everything and leaves the model empty (usable again). */
void rfo_channel_model_free(struct rfo_channel_model *m);

/* Replaces the list with `list`, taking its items (list is left empty). A channel with a switch in
 * flight, or whose switch ended after `fetch_started` (the answer predates it), keeps its local
 * on/off state; titles and results of channels that remain are kept. Returns true when anything
 * ListChannels reports (ids, order, platform, name, url, on/off) changed. */
bool rfo_channel_model_replace_take(struct rfo_channel_model *m, struct rfo_channel_list *list, uint64_t fetch_started);

/* Borrowed pointer (valid until the model changes) or NULL. */
struct rfo_channel_entry *rfo_channel_model_find(const struct rfo_channel_model *m, int64_t id);

/* Starts a switch to `enabled`: the shown state changes at once. false with err (RFO_ERR_INVALID
 * for an unknown id, RFO_ERR_STATE while a switch of that channel is in flight). */
bool rfo_channel_model_begin_switch(struct rfo_channel_model *m, int64_t id, bool enabled, uint64_t now,
				    struct rfo_error *err);
/* Ends the switch in flight: ok confirms the requested state and clears an earlier switch error
 * (not a title result);
 * otherwise the shown state rolls back to the confirmed one and `error` becomes the result line.
 * false when the channel is unknown or had no switch in flight. */
bool rfo_channel_model_end_switch(struct rfo_channel_model *m, int64_t id, bool ok, const char *error, uint64_t now);

/* Stores a channel's current title/description. false for an unknown id. */
bool rfo_channel_model_set_meta(struct rfo_channel_model *m, int64_t id, const char *title, const char *description);
/* Sets the result line (text copied; NULL with RFO_CHANNEL_RESULT_NONE clears it). */
bool rfo_channel_model_set_result(struct rfo_channel_model *m, int64_t id, enum rfo_channel_result result,
				  const char *text);

/* Who gets a title change. ids == NULL: every channel shown as enabled, in list order. Otherwise
 * the given ids in their order without duplicates; ids the model does not know go to *unknown.
 * Both arrays are bmalloc'd (bfree them; NULL when empty). */
struct rfo_channel_targets {
	int64_t *ids;
	size_t count;
	int64_t *unknown;
	size_t unknown_count;
};
void rfo_channel_model_targets(const struct rfo_channel_model *m, const int64_t *ids, size_t n,
			       struct rfo_channel_targets *out);
void rfo_channel_targets_free(struct rfo_channel_targets *t);

/* The platform's name from the /platform/all list, or "Platform <id>" (never empty) when the list
 * lacks it; *known (optional) says which. bfree() the result. */
char *rfo_channel_platform_name(const struct rfo_platform_list *platforms, int64_t platform_id, bool *known);

/* Short text for a neutral badge: the first letters of up to two words of `name` (upper-cased,
 * ASCII only), else "#<id>" — e.g. "Facebook Group" -> "FG", "Twitch" -> "T". Writes at most
 * size-1 bytes. */
void rfo_channel_badge_text(const char *name, int64_t platform_id, bool known, char *out, size_t size);

#ifdef __cplusplus
}
#endif
