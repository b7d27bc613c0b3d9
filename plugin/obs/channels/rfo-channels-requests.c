/* Destinations: the vendor requests ListChannels, SetChannelEnabled, SetTitle and the dock's actions. */
#include "rfo-channels.h"
#include "rfo-ui-channels.h"
#include "rfo-vendor.h"

#include <obs-module.h>
#include <stdlib.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/platform.h>

/* An id given as a number or as a numeric string; false when absent or not an id. */
static bool read_id(obs_data_item_t *item, int64_t *out)
{
	if (!item)
		return false;
	if (obs_data_item_gettype(item) == OBS_DATA_NUMBER) {
		if (obs_data_item_numtype(item) == OBS_DATA_NUM_DOUBLE) {
			double d = obs_data_item_get_double(item);
			*out = (int64_t)d;
			return d > 0 && (double)*out == d;
		}
		*out = obs_data_item_get_int(item);
		return *out > 0;
	}
	if (obs_data_item_gettype(item) == OBS_DATA_STRING) {
		const char *s = obs_data_item_get_string(item);
		char *end = NULL;
		long long v = s && *s ? strtoll(s, &end, 10) : 0;
		*out = v;
		return end && !*end && v > 0;
	}
	return false;
}

/* obs-websocket hands arrays over only when every element is an object, so ids come as
 * [{"id":1},…] (also {"value":1}) or as a string "1,2,3". */
static bool ids_from_array(obs_data_item_t *item, struct darray *out)
{
	obs_data_array_t *arr = obs_data_item_get_array(item);
	bool ok = true;
	for (size_t i = 0; i < obs_data_array_count(arr); i++) {
		obs_data_t *o = obs_data_array_item(arr, i);
		obs_data_item_t *v = obs_data_item_byname(o, "id");
		if (!v)
			v = obs_data_item_byname(o, "value");
		int64_t id = 0;
		if (read_id(v, &id))
			darray_push_back(sizeof(int64_t), out, &id);
		else
			ok = false;
		obs_data_item_release(&v);
		obs_data_release(o);
	}
	obs_data_array_release(arr);
	return ok;
}

static bool ids_from_string(const char *s, struct darray *out)
{
	bool ok = true;
	while (s && *s) {
		char *end = NULL;
		long long v = strtoll(s, &end, 10);
		if (end == s || v <= 0) {
			ok = false;
			break;
		}
		int64_t id = v;
		darray_push_back(sizeof(int64_t), out, &id);
		s = end;
		while (*s == ',' || *s == ' ')
			s++;
	}
	return ok;
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
		rfo_error_set(&err, RFO_CHANNELS_STILL_WAITING, "%s", obs_module_text("Vendor.Error.Slow"));
	}
	if (!fresh && !rfo_channels_have_list()) {
		rfo_vendor_fail(response, err.code == RFO_CHANNELS_STILL_WAITING ? obs_module_text("Vendor.Error.Slow")
										 : err.message);
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
	int64_t id = 0;
	obs_data_item_t *id_item = request ? obs_data_item_byname(request, "id") : NULL;
	obs_data_item_t *en_item = request ? obs_data_item_byname(request, "enabled") : NULL;
	bool have_id = read_id(id_item, &id);
	bool have_enabled = en_item && obs_data_item_gettype(en_item) == OBS_DATA_BOOLEAN;
	bool enabled = have_enabled && obs_data_item_get_bool(en_item);
	obs_data_item_release(&id_item);
	obs_data_item_release(&en_item);
	if (!have_id || !have_enabled) {
		rfo_vendor_fail(response, obs_module_text("Channels.Error.SetEnabledArgs"));
		return;
	}
	struct rfo_error err = {0};
	if (!rfo_channels_have_list()) {
		rfo_channels_refresh(false, wait_ms, NULL);
		if (!rfo_channels_have_list() && rfo_channels_refreshing()) {
			rfo_vendor_fail(response, obs_module_text("Vendor.Error.Slow"));
			return;
		}
	}
	/* Without a budget (another request waits for Restream already) or when time runs out, the switch goes on
	 * in the background: answered as pending, the outcome follows as ChannelsChanged and in the dock. */
	bool pending = false;
	if (!rfo_channels_switch(id, enabled, left_ms(wait_ms, t0), &err)) {
		if (err.code != RFO_CHANNELS_STILL_WAITING) {
			rfo_vendor_fail(response, err.message);
			return;
		}
		pending = true;
	} else if (!wait_ms || !left_ms(wait_ms, t0)) {
		pending = true;
	}
	obs_data_t *ch = rfo_channels_channel_data(id);
	if (!ch) {
		/* gone meanwhile (the list was replaced, or the user signed out) */
		rfo_vendor_fail(response, obs_module_text("Channels.Error.NoSuchChannel"));
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
	const char *title = request ? obs_data_get_string(request, "title") : "";
	obs_data_item_t *desc_item = request ? obs_data_item_byname(request, "description") : NULL;
	const char *description = NULL;
	if (desc_item && obs_data_item_gettype(desc_item) == OBS_DATA_STRING)
		description = obs_data_item_get_string(desc_item);
	obs_data_item_release(&desc_item);

	DARRAY(int64_t) ids;
	da_init(ids);
	bool chosen = false, bad_id = false;
	obs_data_item_t *given = request ? obs_data_item_byname(request, "channelIds") : NULL;
	if (given) {
		chosen = true;
		if (obs_data_item_gettype(given) == OBS_DATA_ARRAY)
			bad_id = !ids_from_array(given, &ids.da);
		else if (obs_data_item_gettype(given) == OBS_DATA_STRING)
			bad_id = !ids_from_string(obs_data_item_get_string(given), &ids.da);
		else
			bad_id = true;
		obs_data_item_release(&given);
	}
	if (bad_id || (chosen && !ids.num)) {
		rfo_vendor_fail(response, obs_module_text("Channels.Error.BadChannelIds"));
		da_free(ids);
		return;
	}
	if (!rfo_channels_have_list()) {
		rfo_channels_refresh(false, wait_ms, NULL);
		if (!rfo_channels_have_list() && rfo_channels_refreshing()) {
			rfo_vendor_fail(response, obs_module_text("Vendor.Error.Slow"));
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
	bool pending = (ok && !left && !known) || (!ok && err.code == RFO_CHANNELS_STILL_WAITING);
	obs_data_set_array(response, "updated", updated);
	obs_data_set_array(response, "failed", failed);
	obs_data_array_release(updated);
	obs_data_array_release(failed);
	da_free(ids);
	obs_data_set_bool(response, "pending", pending);
	if (ok || pending)
		rfo_vendor_ok(response);
	else
		rfo_vendor_fail(response, err.message);
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
