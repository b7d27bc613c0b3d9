/* The end-of-stream summary's descriptor (see rfo-stream-summary.h). */
#include "rfo-feature.h"
#include "rfo-stream-summary.h"

static const struct rfo_feature_request requests[] = {
	{.type = "GetStreamSummary", .handler = rfo_stream_summary_request},
};

const struct rfo_feature rfo_summary_feature = {
	.name = "summary",
	.create = rfo_stream_summary_create,
	.stop = rfo_stream_summary_stop,
	.destroy = rfo_stream_summary_destroy,
	.requests = requests,
	.request_count = RFO_ARRAY_SIZE(requests),
};
