/* The chat feature's descriptor: lifecycle and the GetChat vendor request (see rfo-chat-feed.h). */
#include "rfo-chat-feed.h"
#include "rfo-feature.h"

static const struct rfo_vendor_arg get_chat_args[] = {
	{.name = "limit", .type = RFO_VENDOR_ARG_COUNT, .error_key = "Chat.Error.BadLimit"},
};

static const struct rfo_feature_request requests[] = {
	{
		.type = "GetChat",
		.handler = rfo_chat_feed_get_chat,
		.args = get_chat_args,
		.arg_count = RFO_ARRAY_SIZE(get_chat_args),
	},
};

const struct rfo_feature rfo_chat_feature = {
	.name = "chat",
	.create = rfo_chat_feed_create,
	.stop = rfo_chat_feed_stop,
	.destroy = rfo_chat_feed_free,
	.requests = requests,
	.request_count = RFO_ARRAY_SIZE(requests),
};
