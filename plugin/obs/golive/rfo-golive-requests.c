/* Go-live's vendor requests (obs-websocket's thread): ApplyStreamSettings (checked and fetched here, applied on the UI
 * thread by rfo-golive-apply.c), ListEvents and GetStreamSettings. Their arguments are checked by the feature
 * registry (rfo-golive-feature.c). */
#include "rfo-golive.h"
#include "rfo-golive-apply.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"
#include "rfo-vendor-args.h"
#include "rfo-vendor.h"

#include <obs-frontend-api.h>
#include <obs-module.h>
#include <util/bmem.h>
#include <util/platform.h>
#include <util/threading.h>

#define VENDOR_APPLY_TIMEOUT_MS 10000
#define CALL_POLL_MS 50

/* What the UI thread's task may still do: a call whose vendor request gave up waiting is never applied later. */
enum call_stage { CALL_QUEUED, CALL_RUNNING, CALL_ABANDONED };

struct rfo_golive_apply_call {
	volatile long refs;
	volatile long stage; /* enum call_stage: claimed once, by the UI task (RUNNING) or the waiting request */
	os_event_t *done;
	bool restore; /* RestoreStreamSettings instead of ApplyStreamSettings */
	char protocol[8];
	int64_t ingest_id;
	char *event_id;
	int compat; /* -1 = keep the current mode */
	bool ok;
	char *masked;
	char *type; /* restore: the service type put back */
	struct rfo_error err;
	bool from_cache;
};

static void apply_call_release(struct rfo_golive_apply_call *c)
{
	if (os_atomic_dec_long(&c->refs) == 0) {
		os_event_destroy(c->done);
		bfree(c->event_id);
		bfree(c->masked);
		bfree(c->type);
		bfree(c);
	}
}

static void apply_call_task(void *param)
{
	struct rfo_golive_apply_call *c = param;
	if (!os_atomic_compare_swap_long(&c->stage, CALL_QUEUED, CALL_RUNNING)) {
		rfo_log_sub(LOG_INFO, "golive", "dropped a vendor %s that had timed out",
			    c->restore ? "restore" : "apply");
	} else if (!rfo_controller_running()) {
		rfo_error_set(&c->err, RFO_ERR_CANCELLED, "%s", obs_module_text("GoLive.Error.Stopping"));
	} else if (c->restore) {
		c->ok = rfo_golive_restore_now(&c->type, &c->masked, &c->err);
	} else {
		c->ok = rfo_golive_apply_now(c->protocol, c->ingest_id, c->event_id, c->compat, &c->masked, &c->err);
	}
	os_event_signal(c->done);
	apply_call_release(c);
}

static struct rfo_golive_apply_call *call_create(bool restore)
{
	struct rfo_golive_apply_call *c = bzalloc(sizeof(*c));
	c->refs = 2;
	c->stage = CALL_QUEUED;
	c->restore = restore;
	os_event_init(&c->done, OS_EVENT_TYPE_MANUAL);
	return c;
}

/* Waits for the UI thread's task. True when it ran; false when it had not started in time, and then it never will
 * (the request answers "timeout" and nothing changes later). */
static bool call_wait(struct rfo_golive_apply_call *c)
{
	/* OBS quitting (EXIT runs on the UI thread, so the task would not start before the plugin is gone) ends the
	 * wait too: the quit waits for vendor requests to leave the plugin. */
	uint64_t deadline = os_gettime_ns() + VENDOR_APPLY_TIMEOUT_MS * 1000000ULL;
	while (os_event_timedwait(c->done, CALL_POLL_MS) != 0) {
		if (rfo_controller_running() && os_gettime_ns() < deadline)
			continue;
		if (os_atomic_compare_swap_long(&c->stage, CALL_QUEUED, CALL_ABANDONED))
			return false;
		break;
	}
	os_event_wait(c->done); /* it started just now: a short step on the UI thread */
	return true;
}

/* The answer of a call whose UI-thread task never ran (and never will). */
static void fail_abandoned(obs_data_t *response)
{
	if (rfo_controller_running())
		rfo_vendor_fail(response, RFO_VENDOR_TIMEOUT, obs_module_text("GoLive.Error.UiTimeout"));
	else
		rfo_vendor_fail(response, RFO_VENDOR_STOPPING, obs_module_text("GoLive.Error.Stopping"));
}

/* Nothing cached to answer with, and not waited for: Restream is slow (a refresh runs) or another request holds the
 * wait budget. */
static const char *no_cache_reason(void)
{
	return obs_module_text(rfo_golive_refreshing() ? "Vendor.Error.Slow" : "Vendor.Error.Busy");
}

struct rfo_golive_apply_call *rfo_golive_apply_start(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	/* protocol, ingestId (a number or digits), eventId and compatibility are checked by the feature registry */
	const char *protocol =
		obs_data_has_user_value(request, "protocol") ? obs_data_get_string(request, "protocol") : "rtmp";
	int64_t ingest_id = 0;
	rfo_vendor_arg_id(request, "ingestId", &ingest_id);
	char event_buf[24];
	const char *event_id = rfo_vendor_arg_text_id(request, "eventId", event_buf, sizeof(event_buf));
	struct rfo_error err = {0};

	if (strcmp(protocol, "rtmp") != 0 && strcmp(protocol, "srt") != 0) {
		rfo_vendor_fail(response, RFO_VENDOR_INVALID_ARGUMENT, obs_module_text("GoLive.Error.Protocol"));
		return NULL;
	}
	if (!rfo_golive_signed_in()) {
		rfo_vendor_fail(response, RFO_VENDOR_NOT_SIGNED_IN, obs_module_text("GoLive.Error.SignedOut"));
		return NULL;
	}
	if (obs_frontend_streaming_active()) {
		rfo_vendor_fail(response, RFO_VENDOR_STREAM_ACTIVE, obs_module_text("GoLive.Error.Live"));
		return NULL;
	}
	/* Fresh data when Restream answers within the budget; otherwise (slow, or another request waits already) what
	 * the cache holds, when that is enough to stream: the service reads the cache again when OBS connects. */
	/* The same under a Retry-After pause (nothing is asked of Restream then). */
	bool from_cache = false;
	bool held = rfo_golive_held(&err);
	if (!wait_ms && !held)
		rfo_golive_refresh_if_stale();
	if (held || !wait_ms || !rfo_golive_refresh_wait(event_id, false, wait_ms, &err)) {
		struct rfo_golive_target cached;
		struct rfo_error cerr = {0};
		held = held || err.code == 429;
		bool slow = !wait_ms || held || err.code == RFO_API_STILL_WAITING;
		if (!slow || (ingest_id && !rfo_golive_has_server(ingest_id)) ||
		    !rfo_golive_resolve(protocol, ingest_id, event_id, &cached, &cerr)) {
			rfo_golive_vendor_fail(response, slow && !held ? no_cache_reason() : err.message, &err);
			return NULL;
		}
		rfo_golive_target_free(&cached);
		from_cache = true;
	}
	if (ingest_id && !rfo_golive_has_server(ingest_id)) {
		rfo_vendor_fail(response, RFO_VENDOR_NOT_FOUND, obs_module_text("GoLive.Error.UnknownIngest"));
		return NULL;
	}
	struct rfo_golive_target t;
	if (!rfo_golive_resolve(protocol, ingest_id, event_id, &t, &err)) {
		rfo_golive_vendor_fail(response, err.message, &err);
		return NULL;
	}
	rfo_golive_target_free(&t);

	struct rfo_golive_apply_call *c = call_create(false);
	snprintf(c->protocol, sizeof(c->protocol), "%s", protocol);
	c->ingest_id = ingest_id;
	c->event_id = bstrdup(event_id);
	/* Optional: switch the compatibility mode (kept for later applies, like the dock's checkbox). */
	c->compat =
		obs_data_has_user_value(request, "compatibility") ? obs_data_get_bool(request, "compatibility") : -1;
	c->from_cache = from_cache;
	rfo_dispatch(apply_call_task, c);
	return c;
}

void rfo_golive_apply_finish(struct rfo_golive_apply_call *c, obs_data_t *response)
{
	int64_t ingest_id = c->ingest_id;
	const char *event_id = c->event_id;
	if (!call_wait(c)) {
		fail_abandoned(response);
	} else if (!c->ok) {
		rfo_golive_vendor_fail(response, c->err.message, &c->err);
	} else {
		obs_data_set_string(response, "protocol", c->protocol);
		obs_data_set_string(response, "server", c->masked);
		obs_data_set_int(response, "ingestId", ingest_id ? ingest_id : rfo_golive_user_ingest());
		obs_data_set_string(response, "eventId", event_id);
		obs_data_set_bool(response, "compatibility", rfo_golive_compat());
		obs_data_set_bool(response, "fromCache", c->from_cache);
		rfo_vendor_ok(response);
	}
	apply_call_release(c);
}

struct rfo_golive_apply_call *rfo_golive_restore_start(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	UNUSED_PARAMETER(wait_ms);
	if (obs_frontend_streaming_active()) {
		rfo_vendor_fail(response, RFO_VENDOR_STREAM_ACTIVE, obs_module_text("GoLive.Error.Live"));
		return NULL;
	}
	struct rfo_golive_apply_call *c = call_create(true);
	rfo_dispatch(apply_call_task, c);
	return c;
}

void rfo_golive_restore_finish(struct rfo_golive_apply_call *c, obs_data_t *response)
{
	if (!call_wait(c)) {
		fail_abandoned(response);
	} else if (!c->ok) {
		rfo_golive_vendor_fail(response, c->err.message, &c->err);
	} else {
		obs_data_set_string(response, "serviceType", c->type);
		obs_data_set_string(response, "server", c->masked ? c->masked : "");
		rfo_vendor_ok(response);
	}
	apply_call_release(c);
}

static void add_event_json(void *param, const struct rfo_event *e)
{
	obs_data_t *o = obs_data_create();
	obs_data_set_string(o, "id", e->id);
	obs_data_set_string(o, "title", e->title ? e->title : "");
	obs_data_set_string(o, "status", e->status ? e->status : "");
	if (e->scheduled_for) /* obs_data has no null: left out when the event is not scheduled */
		obs_data_set_int(o, "scheduledFor", e->scheduled_for);
	obs_data_array_push_back(param, o);
	obs_data_release(o);
}

void rfo_golive_list_events_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	struct rfo_error err = {0};
	if (!rfo_golive_signed_in()) {
		rfo_vendor_fail(response, RFO_VENDOR_NOT_SIGNED_IN, obs_module_text("GoLive.Error.SignedOut"));
		return;
	}
	if (rfo_golive_held(&err)) {
		rfo_golive_vendor_fail(response, err.message, &err); /* "Restream asked us to wait N s" */
		return;
	}
	/* Slow (or another request waits already): the events fetched before, saying why they may be old (only when
	 * a refresh is running or the last one failed: a fresh cache is simply answered). */
	if (!wait_ms) {
		rfo_golive_refresh_if_stale();
		char *last = rfo_golive_last_error();
		if (rfo_golive_refreshing() || !rfo_golive_have_events())
			rfo_error_set(&err, RFO_API_STILL_WAITING, "%s", no_cache_reason());
		else if (last)
			rfo_error_set(&err, RFO_ERR_NETWORK, "%s", last);
		bfree(last);
	}
	if (wait_ms ? !rfo_golive_refresh_wait(NULL, true, wait_ms, &err) : err.code != 0) {
		bool slow = err.code == RFO_API_STILL_WAITING || !wait_ms;
		if (!slow || !rfo_golive_have_events()) {
			rfo_golive_vendor_fail(response, err.message, &err);
			return;
		}
		obs_data_set_string(response, "refreshError", err.message);
	}
	obs_data_array_t *events = obs_data_array_create();
	rfo_golive_foreach_event_full(add_event_json, events);
	obs_data_set_array(response, "events", events);
	obs_data_array_release(events);
	rfo_vendor_ok(response);
}

void rfo_golive_get_settings_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	UNUSED_PARAMETER(wait_ms);
	struct rfo_golive_setup setup;
	rfo_golive_setup_get(&setup);
	bool ours = setup.ours, active = setup.active, compat = setup.compat, builtin = setup.builtin_restream;
	bool changed = setup.set_up && !setup.active;
	char protocol[8];
	snprintf(protocol, sizeof(protocol), "%s", setup.protocol[0] ? setup.protocol : "rtmp");
	int64_t ingest = setup.ingest_id;
	char *event_id = setup.event_id;

	struct rfo_golive_target t;
	struct rfo_error err = {0};
	bool ready = rfo_golive_resolve(protocol, ingest, event_id, &t, &err);
	obs_data_set_bool(response, "serviceActive", active);
	obs_data_set_bool(response, "configured", ours);
	obs_data_set_bool(response, "compatibility", compat);
	obs_data_set_bool(response, "changedOutside", changed);
	obs_data_set_bool(response, "builtinRestreamConnected", builtin);
	obs_data_set_string(response, "protocol", protocol);
	obs_data_set_int(response, "ingestId", ingest);
	obs_data_set_string(response, "eventId", event_id);
	obs_data_set_bool(response, "srtAvailable", rfo_golive_srt_available());
	obs_data_set_bool(response, "ready", ready);
	obs_data_set_string(response, "server", ready ? t.masked : "");
	if (!ready)
		obs_data_set_string(response, "notReadyReason", err.message);
	rfo_golive_target_free(&t);
	bfree(event_id);
	rfo_vendor_ok(response);
}
