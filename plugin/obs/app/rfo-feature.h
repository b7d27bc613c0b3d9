#pragma once

#include <obs-data.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-vendor-args.h"
#include "rfo-vendor.h"

/* A feature (account, go-live, channels, chat, stats, …) is one descriptor: its lifecycle and its vendor
 * requests, exported from its own folder as `const struct rfo_feature rfo_<name>_feature` and listed once in
 * the app shell's array (rfo-app-features.c). The controller walks that array; the vendor table registered with
 * obs-websocket is built from it, so nothing else lists requests. */

/* A vendor request's handler (obs-websocket's thread). wait_ms: how long it may wait for Restream (0 = not at
 * all: answer from the cache or as pending); always 0 unless the request has may_wait. Arguments are checked. */
typedef void (*rfo_feature_request_fn)(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
/* Two steps: begin runs within the wait budget and returns the work to finish, or NULL when it answered
 * already; finish runs after the budget is handed back (e.g. while the UI thread applies). */
typedef void *(*rfo_feature_begin_fn)(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
typedef void (*rfo_feature_finish_fn)(void *call, obs_data_t *response);

struct rfo_feature_request {
	const char *type; /* the obs-websocket requestType */
	rfo_feature_request_fn handler;
	rfo_feature_begin_fn begin; /* instead of handler: begin, then finish */
	rfo_feature_finish_fn finish;
	const struct rfo_vendor_arg *args; /* checked before the handler runs */
	size_t arg_count;
	/* May wait for Restream. obs-websocket runs vendor requests on a small thread pool (one thread per core)
	 * shared with every other request, so at most one such request waits at a time, for at most
	 * RFO_FEATURE_WAIT_MS; the others get wait_ms 0. */
	bool may_wait;
};

struct rfo_feature {
	const char *name;
	/* Module load (UI thread), after the shared transports exist, in array order. */
	bool (*create)(void);
	/* OBS finished loading (UI thread), in array order. Optional. */
	void (*start)(void);
	/* OBS_FRONTEND_EVENT_EXIT (UI thread), in reverse order: join threads, drop queued work. Idempotent. */
	void (*stop)(void);
	/* Module unload, in reverse order. Idempotent. */
	void (*destroy)(void);
	const struct rfo_feature_request *requests;
	size_t request_count;
};

#define RFO_FEATURE_WAIT_MS 3000
#define RFO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The app shell's one array of features (rfo-app-features.c). */
const struct rfo_feature *const *rfo_app_features(size_t *count);

/* Walk `features`: create and start in order, stop and destroy in reverse order. Missing callbacks are skipped. */
void rfo_features_create(const struct rfo_feature *const *features, size_t count);
void rfo_features_start(const struct rfo_feature *const *features, size_t count);
void rfo_features_stop(const struct rfo_feature *const *features, size_t count);
void rfo_features_destroy(const struct rfo_feature *const *features, size_t count);

/* Registers every request of `features` through `reg` (rfo_vendor_register in OBS; a test passes its own), each
 * entry's fn being rfo_features_call and its param the request's descriptor. Returns what reg returned. */
typedef bool (*rfo_features_register_fn)(const struct rfo_vendor_request *requests, size_t count);
bool rfo_features_register(const struct rfo_feature *const *features, size_t count, rfo_features_register_fn reg);

/* What obs-websocket calls for every request (param: its struct rfo_feature_request): checks the arguments
 * (answering missingArgument/invalidArgument), hands out the wait budget, runs the handler. */
void rfo_features_call(obs_data_t *request, obs_data_t *response, void *param);

/* Quit: from now on every vendor request answers errorCode "stopping" at once, and this waits (at most max_ms) until
 * none is still running inside the plugin, so that nothing a handler holds (the auth session, the HTTP worker, a
 * feature's state) is freed under it. Call it after the features stopped (their engines wake what waits for
 * Restream) and before the shared objects are destroyed. True when none is left. UI thread (EXIT). */
bool rfo_features_drain(uint32_t max_ms);
/* Opens the gate again (a new controller after a destroy; tests). */
void rfo_features_reopen(void);
