/* The destinations feature's descriptor: lifecycle and vendor requests (see rfo-channels.h). */
#include "rfo-channels.h"
#include "rfo-feature.h"

static const struct rfo_vendor_arg set_enabled_args[] = {
	{.name = "id", .type = RFO_VENDOR_ARG_ID, .required = true, .error_key = "Channels.Error.SetEnabledArgs"},
	{.name = "enabled",
	 .type = RFO_VENDOR_ARG_BOOL,
	 .required = true,
	 .error_key = "Channels.Error.SetEnabledArgs"},
};

static const struct rfo_vendor_arg set_title_args[] = {
	{.name = "channelIds", .type = RFO_VENDOR_ARG_ID_LIST, .error_key = "Channels.Error.BadChannelIds"},
	{.name = "title", .type = RFO_VENDOR_ARG_STRING, .required = true, .error_key = "Channels.Error.NoTitle"},
	{.name = "description", .type = RFO_VENDOR_ARG_STRING},
};

static const struct rfo_feature_request requests[] = {
	{.type = "ListChannels", .handler = rfo_channels_list_request, .may_wait = true},
	{
		.type = "SetChannelEnabled",
		.handler = rfo_channels_set_enabled_request,
		.args = set_enabled_args,
		.arg_count = RFO_ARRAY_SIZE(set_enabled_args),
		.may_wait = true,
	},
	{
		.type = "SetTitle",
		.handler = rfo_channels_set_title_request,
		.args = set_title_args,
		.arg_count = RFO_ARRAY_SIZE(set_title_args),
		.may_wait = true,
	},
};

const struct rfo_feature rfo_channels_feature = {
	.name = "channels",
	.create = rfo_channels_create,
	.start = rfo_channels_start,
	.stop = rfo_channels_stop,
	.destroy = rfo_channels_free,
	.requests = requests,
	.request_count = RFO_ARRAY_SIZE(requests),
};
