/* Destinations: the vendor requests ListChannels, SetChannelEnabled, SetTitle and the dock's actions. */
#include "rfo-channels.h"
#include "rfo-ui-channels.h"
#include "rfo-vendor-args.h"
#include "rfo-vendor.h"

#include <obs-module.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/platform.h>

/* A refused switch: the model says the channel is unknown (invalid) or being switched already (state). */
static enum rfo_vendor_code switch_code(const struct rfo_error *err)
{
	if (err->code == RFO_ERR_INVALID)
		return RFO_VENDOR_NOT_FOUND;
	return err->code == RFO_ERR_STATE ? RFO_VENDOR_BUSY : rfo_vendor_code_of(err);
}

/* No channel took the title: every one that was tried is unknown (notFound) or Restream refused some. */
static enum rfo_vendor_code title_code(const struct rfo_error *err, obs_data_array_t *failed)
{
	size_t n = obs_data_array_count(failed), unknown = 0;
	if (err->code != RFO_ERR_STATE || !n)
		return rfo_vendor_code_of(err);
	for (size_t i = 0; i < n; i++) {
		obs_data_t *o = obs_data_array_item(failed, i);
		unknown +=
			strcmp(obs_data_get_string(o, "error"), obs_module_text("Channels.Error.NoSuchChannel")) == 0;
		obs_data_release(o);
	}
	return unknown == n ? RFO_VENDOR_NOT_FOUND : RFO_VENDOR_RESTREAM_ERROR;
}

/* What is left of a budget that started at t0 (ns). */
static uint32_t left_ms(uint32_t wait_ms, uint64_t t0)
{
	uint64_t spent = (os_gettime_ns() - t0) / 1000000ULL;
	return spent >= wait_ms ? 0 : (uint32_t)(wait_ms - spent);
}

void rfo_channels_list_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	struct rfo_error err = {0};
	/* Fresh within 30 s, else fetched now (bounded by wait_ms); a failure or a slow answer after an earlier
	 * success still answers with what is known, saying why it may be old. */
	/* (A Retry-After pause or a fetch that failed at once answers false with its reason.) */
	bool fresh = rfo_channels_refresh(false, wait_ms, &err);
	if (fresh && !wait_ms && rfo_channels_refreshing()) {
		fresh = false; /* started in the background: not waited for */
		rfo_error_set(&err, RFO_API_STILL_WAITING, "%s", obs_module_text("Vendor.Error.Slow"));
	}
	if (!fresh && !rfo_channels_have_list()) {
		if (err.code == RFO_API_STILL_WAITING)
			rfo_vendor_fail(response, RFO_VENDOR_TIMEOUT, obs_module_text("Vendor.Error.Slow"));
		else
			rfo_vendor_fail_error(response, &err);
		return;
	}
	if (!fresh)
		obs_data_set_string(response, "refreshError", err.message);
	obs_data_array_t *arr = rfo_channels_list_data();
	obs_data_set_array(response, "channels", arr);
	obs_data_array_release(arr);
	rfo_vendor_ok(response);
}

void rfo_channels_set_enabled_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	uint64_t t0 = os_gettime_ns();
	int64_t id = 0; /* both checked by the feature registry (rfo-channels-feature.c) */
	bool enabled = false;
	rfo_vendor_arg_id(request, "id", &id);
	rfo_vendor_arg_bool(request, "enabled", &enabled);
	struct rfo_error err = {0};
	if (!rfo_channels_have_list()) {
		rfo_channels_refresh(false, wait_ms, NULL);
		if (!rfo_channels_have_list() && rfo_channels_refreshing()) {
			rfo_vendor_fail(response, RFO_VENDOR_TIMEOUT, obs_module_text("Vendor.Error.Slow"));
			return;
		}
	}
	/* Without a budget (another request waits for Restream already) or when time runs out, the switch goes on
	 * in the background: answered as pending, the outcome follows as ChannelsChanged and in the dock. */
	bool pending = false;
	if (!rfo_channels_switch(id, enabled, left_ms(wait_ms, t0), &err)) {
		if (err.code != RFO_API_STILL_WAITING) {
			rfo_vendor_fail(response, switch_code(&err), err.message);
			return;
		}
		pending = true;
	} else if (!wait_ms || !left_ms(wait_ms, t0)) {
		pending = true;
	}
	obs_data_t *ch = rfo_channels_channel_data(id);
	if (!ch) {
		/* gone meanwhile (the list was replaced, or the user signed out) */
		rfo_vendor_fail(response, RFO_VENDOR_NOT_FOUND, obs_module_text("Channels.Error.NoSuchChannel"));
		return;
	}
	pending = pending && obs_data_get_bool(ch, "pending");
	obs_data_set_obj(response, "channel", ch);
	obs_data_release(ch);
	obs_data_set_bool(response, "pending", pending);
	rfo_vendor_ok(response);
}

void rfo_channels_set_title_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	uint64_t t0 = os_gettime_ns();
	/* checked by the feature registry (rfo-channels-feature.c): a string title, channelIds absent or ids */
	const char *title = rfo_vendor_arg_string(request, "title");
	const char *description = rfo_vendor_arg_string(request, "description");
	DARRAY(int64_t) ids;
	da_init(ids);
	bool chosen = rfo_vendor_arg_ids(request, "channelIds", &ids.da);
	if (!rfo_channels_have_list()) {
		rfo_channels_refresh(false, wait_ms, NULL);
		if (!rfo_channels_have_list() && rfo_channels_refreshing()) {
			rfo_vendor_fail(response, RFO_VENDOR_TIMEOUT, obs_module_text("Vendor.Error.Slow"));
			da_free(ids);
			return;
		}
	}

	obs_data_array_t *updated = obs_data_array_create();
	obs_data_array_t *failed = obs_data_array_create();
	struct rfo_error err = {0};
	uint32_t left = left_ms(wait_ms, t0);
	bool ok = rfo_channels_set_title(title, description, chosen ? ids.array : NULL, ids.num, left, updated, failed,
					 &err);
	/* Not waited for (no budget: still under way, nothing known yet) or time ran out: pending, the outcome follows
	 * as ChannelsChanged. Without a budget a change that already ended has its outcome in updated/failed. */
	bool known = obs_data_array_count(updated) + obs_data_array_count(failed) > 0;
	bool pending = (ok && !left && !known) || (!ok && err.code == RFO_API_STILL_WAITING);
	obs_data_set_array(response, "updated", updated);
	obs_data_set_array(response, "failed", failed);
	da_free(ids);
	obs_data_set_bool(response, "pending", pending);
	if (ok || pending)
		rfo_vendor_ok(response);
	else
		rfo_vendor_fail(response, title_code(&err, failed), err.message);
	obs_data_array_release(updated);
	obs_data_array_release(failed);
}

/* ---- the dock's actions (UI thread; nothing here waits) ---- */

static void ui_set_enabled(int64_t id, bool enabled)
{
	struct rfo_error err = {0};
	if (!rfo_channels_switch(id, enabled, 0, &err))
		rfo_channels_ui_notice(err.message);
}

static void ui_refresh(void)
{
	struct rfo_error err = {0};
	if (!rfo_channels_refresh(true, 0, &err))
		rfo_channels_ui_notice(err.message);
}

static void ui_refresh_if_stale(void)
{
	rfo_channels_refresh(false, 0, NULL);
}

static void ui_apply_title(const char *title, const char *description, const int64_t *ids, size_t count)
{
	struct rfo_error err = {0};
	if (!rfo_channels_set_title(title, description, ids, count, 0, NULL, NULL, &err))
		rfo_channels_ui_notice(err.message);
}

const struct rfo_ui_channels_actions *rfo_channels_ui_actions(void)
{
	static const struct rfo_ui_channels_actions actions = {
		.state = rfo_channels_ui_state,
		.set_enabled = ui_set_enabled,
		.refresh = ui_refresh,
		.refresh_if_stale = ui_refresh_if_stale,
		.apply_title = ui_apply_title,
	};
	return &actions;
}
