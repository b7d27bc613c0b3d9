#include "rfo-requests.h"
#include "rfo-account.h"
#include "rfo-channels.h"
#include "rfo-chat-feed.h"
#include "rfo-golive.h"
#include "rfo-stats-feed.h"
#include "rfo-vendor.h"

#include <util/threading.h>

/* obs-websocket runs vendor requests on a small thread pool (as many threads as cores: two here), shared with
 * every other request. So at most one vendor request waits for Restream at a time, and for at most
 * WAIT_MS; the others do not wait at all and answer from the cache or as pending (see rfo-channels.h and
 * rfo-golive.h): GetStatus and OBS's own requests always find a free thread. */
#define WAIT_MS 3000
static volatile long waiting;

static uint32_t wait_begin(void)
{
	if (os_atomic_inc_long(&waiting) == 1)
		return WAIT_MS;
	os_atomic_dec_long(&waiting);
	return 0;
}

static void wait_end(uint32_t budget)
{
	if (budget)
		os_atomic_dec_long(&waiting);
}

#define BOUNDED(name, fn)                                                        \
	static void name(obs_data_t *request, obs_data_t *response, void *param) \
	{                                                                        \
		UNUSED_PARAMETER(param);                                         \
		uint32_t budget = wait_begin();                                  \
		fn(request, response, budget);                                   \
		wait_end(budget);                                                \
	}

/* The budget covers fetching from Restream only: it is handed back before the UI thread applies the settings. */
static void apply_stream_settings(obs_data_t *request, obs_data_t *response, void *param)
{
	UNUSED_PARAMETER(param);
	uint32_t budget = wait_begin();
	struct rfo_golive_apply_call *call = rfo_golive_apply_start(request, response, budget);
	wait_end(budget);
	if (call)
		rfo_golive_apply_finish(call, response);
}

BOUNDED(list_events, rfo_golive_list_events_request)
BOUNDED(list_channels, rfo_channels_list_request)
BOUNDED(set_channel_enabled, rfo_channels_set_enabled_request)
BOUNDED(set_title, rfo_channels_set_title_request)

static const struct rfo_vendor_request requests[] = {
	{"GetStatus", rfo_account_get_status},
	{"BeginSignIn", rfo_account_begin_sign_in},
	{"SignOut", rfo_account_sign_out_request},
	{"GetChat", rfo_chat_feed_get_chat},
	{"ApplyStreamSettings", apply_stream_settings},
	{"ListEvents", list_events},
	{"GetStreamSettings", rfo_golive_get_settings_request},
	{"ListChannels", list_channels},
	{"SetChannelEnabled", set_channel_enabled},
	{"SetTitle", set_title},
	{"GetStats", rfo_stats_feed_get_stats},
};

void rfo_requests_register(void)
{
	rfo_vendor_register(requests, sizeof(requests) / sizeof(requests[0]), NULL);
}
