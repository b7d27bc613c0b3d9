/* The live stats feature's descriptor: lifecycle and the GetStats vendor request (see rfo-stats-feed.h). */
#include "rfo-feature.h"
#include "rfo-stats-feed.h"

static const struct rfo_feature_request requests[] = {
	{.type = "GetStats", .handler = rfo_stats_feed_get_stats},
};

const struct rfo_feature rfo_stats_feature = {
	.name = "stats",
	.create = rfo_stats_feed_create,
	.stop = rfo_stats_feed_stop,
	.destroy = rfo_stats_feed_free,
	.requests = requests,
	.request_count = RFO_ARRAY_SIZE(requests),
};
