#pragma once

#include <obs-data.h>
#include <stdbool.h>
#include <stdint.h>

#include "rfo-api.h"
#include "rfo-dispatch.h"
#include "rfo-error.h"
#include "rfo-rest.h"

/* One-click go-live. rfo-golive.c: the cache of what Restream says about streaming (ingest
 * servers, the user's ingest, the account's and events' stream keys, events); rfo-golive-fetch.c
 * fills it through its Restream request engine (rfo-api.h) at sign-in, on every token change, after
 * a stream ends and every few minutes; a 401 reports the token and fails (the next refresh uses the
 * new one); nothing waits for it on OBS's UI thread. rfo-golive-apply.c: making our service
 * OBS's streaming service and the dock tab; rfo-golive-requests.c: the vendor requests. rfo-service.c: the
 * service. */

/* Lifecycle (rfo_golive_feature, rfo-golive-feature.c): create after the auth session, stop before it is
 * destroyed, free at unload. */
struct rfo_feature;
extern const struct rfo_feature rfo_golive_feature;
bool rfo_golive_create(void);
void rfo_golive_stop(void);
void rfo_golive_free(void);

/* Where and how to stream, resolved from the cache. Secrets: never log key/passphrase. */
struct rfo_golive_target {
	bool srt;
	char *server;     /* RTMP ingest URL, or srt://host:port[?non-secret options] */
	char *key;        /* RTMP stream key, or the SRT stream id */
	char *passphrase; /* SRT only, may be NULL */
	char *masked;     /* for display: the RTMP URL, or the SRT URL with streamid/passphrase masked */
};
/* Any thread. protocol "rtmp"/"srt"; ingest_id 0 = the user's own; event_id NULL/"" = none.
 * false with err (a sentence) when the data is missing or the plan has no SRT. */
bool rfo_golive_resolve(const char *protocol, int64_t ingest_id, const char *event_id, struct rfo_golive_target *out,
			struct rfo_error *err);
void rfo_golive_target_free(struct rfo_golive_target *t);

/* The event whose key the current service needs (fetched with every refresh). Any thread. */
void rfo_golive_want_event(const char *event_id);
/* "Display name (username)" of the signed-in account, or a "not signed in" text. bfree. */
char *rfo_golive_account_label(void);
bool rfo_golive_signed_in(void);
/* The account's plan includes SRT (its stream key came with an srtUrl). */
bool rfo_golive_srt_available(void);
/* The user's own ingest id (0 when not fetched). */
int64_t rfo_golive_user_ingest(void);
bool rfo_golive_has_server(int64_t id);
/* Masked account stream key for display ("" when none), bfree. */
char *rfo_golive_masked_key(const char *event_id);
/* The real key, only for an explicit "reveal" click in the dock (bfree, never log). */
char *rfo_golive_reveal_key(const char *event_id);
/* Visit cached data under the cache lock (callbacks must not call back into rfo_golive_*). */
void rfo_golive_foreach_server(void (*cb)(void *param, int64_t id, const char *name), void *param);
void rfo_golive_foreach_event(void (*cb)(void *param, const char *id, const char *title), void *param);
void rfo_golive_foreach_event_full(void (*cb)(void *param, const struct rfo_event *event), void *param);
/* A sentence about the last failed fetch, or NULL. bfree. */
char *rfo_golive_last_error(void);
/* A refresh is in flight. */
bool rfo_golive_refreshing(void);
/* true with err ("Restream asked us to wait N s", code 429) while a Retry-After pause lasts. */
bool rfo_golive_held(struct rfo_error *err);

/* Fetch everything again (plus `event_id`'s keys when given). _wait: obs-websocket's thread only,
 * bounded by timeout_ms; false with err when a request failed (the event lists count only with
 * need_events) or time ran out. _async: returns at
 * once; `ui_task(ui_param)` is dispatched to the UI thread when all answers are in (may be NULL). */
bool rfo_golive_refresh_wait(const char *event_id, bool need_events, uint32_t timeout_ms, struct rfo_error *err);
/* When time runs out, err.code is RFO_API_STILL_WAITING (the fetch goes on and fills the cache). A 429/503 holds
 * every fetch back for its Retry-After (5 s for a 429 without one): fetches asked for meanwhile fail at once with
 * "Restream asked us to wait N s". */
/* The event lists arrived at least once this session. */
bool rfo_golive_have_events(void);
void rfo_golive_refresh_async(const char *event_id, rfo_task_fn ui_task, void *ui_param);
/* Refresh when the cache is older than a few minutes. Any thread. */
void rfo_golive_refresh_if_stale(void);

/* rfo-golive-apply.c */
void rfo_golive_apply_init(void);
void rfo_golive_apply_free(void);
/* The cache changed: tells the dock's tab, which asks for the state (UI thread). */
void rfo_golive_ui_refresh(void);
/* The tab's actions and its side of the port, wired by plugin-main.c (UI thread, at load). */
struct rfo_ui_golive_actions;
struct rfo_ui_golive_view;
const struct rfo_ui_golive_actions *rfo_golive_ui_actions(void);
void rfo_golive_set_view(const struct rfo_ui_golive_view *view);

/* rfo-golive-requests.c: vendor requests (obs-websocket's thread), their arguments checked by the feature registry. The first two wait at
 * most wait_ms for Restream (the registry hands out the budget; 0 = do not wait): what did not arrive in time is answered from the cache (ListEvents with
 * `refreshError`; ApplyStreamSettings applies the cached ingest and key and says `fromCache`), or, with nothing
 * cached, ok:false "Restream is slow to answer; try again in a moment". */
/* ApplyStreamSettings in two steps, so that the wait budget is handed back before the UI thread applies: _start
 * checks and fetches (waiting at most wait_ms) and hands the apply to the UI thread, or answers a failure and
 * returns NULL; _finish waits for the UI thread (VENDOR_APPLY_TIMEOUT_MS) and answers. */
struct rfo_golive_apply_call;
struct rfo_golive_apply_call *rfo_golive_apply_start(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
void rfo_golive_apply_finish(struct rfo_golive_apply_call *call, obs_data_t *response);
/* Either _finish answers "timeout" when the UI thread has not started the task within VENDOR_APPLY_TIMEOUT_MS, and
 * the task then never runs: a timed-out apply or restore is not carried out later. */
/* RestoreStreamSettings the same way (no Restream involved): puts back the service OBS had before the last apply;
 * answers serviceType and server (secrets masked). */
struct rfo_golive_apply_call *rfo_golive_restore_start(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
void rfo_golive_restore_finish(struct rfo_golive_apply_call *call, obs_data_t *response);
void rfo_golive_list_events_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
void rfo_golive_get_settings_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
/* rfo-golive-create.c: CreateEvent (obs-websocket's thread; waits at most wait_ms for Restream) -> `event` {id,
 * title, status, scheduledFor?}; the tab's form (UI thread, never waits: the outcome comes back in the state). */
void rfo_golive_create_event_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
void rfo_golive_create_event_ui(const char *title, const char *description, int64_t scheduled_for);
struct rfo_ui_golive_state;
void rfo_golive_create_state(struct rfo_ui_golive_state *st); /* UI thread: the last creation's outcome */
void rfo_golive_create_free(void);
/* Answers ok:false with `error` and the errorCode its sentence (a go-live one) or else err's code calls for. */
void rfo_golive_vendor_fail(obs_data_t *response, const char *error, const struct rfo_error *err);
