#include "rfo-requests.h"
#include "rfo-account.h"
#include "rfo-channels.h"
#include "rfo-chat-feed.h"
#include "rfo-golive.h"
#include "rfo-stats-feed.h"
#include "rfo-vendor.h"

static const struct rfo_vendor_request requests[] = {
	{"GetStatus", rfo_account_get_status},
	{"BeginSignIn", rfo_account_begin_sign_in},
	{"SignOut", rfo_account_sign_out_request},
	{"GetChat", rfo_chat_feed_get_chat},
	{"ApplyStreamSettings", rfo_golive_apply_request},
	{"ListEvents", rfo_golive_list_events_request},
	{"GetStreamSettings", rfo_golive_get_settings_request},
	{"ListChannels", rfo_channels_list_request},
	{"SetChannelEnabled", rfo_channels_set_enabled_request},
	{"SetTitle", rfo_channels_set_title_request},
	{"GetStats", rfo_stats_feed_get_stats},
};

void rfo_requests_register(void)
{
	rfo_vendor_register(requests, sizeof(requests) / sizeof(requests[0]), NULL);
}
