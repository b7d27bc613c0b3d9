/* The plugin's features, in creation order (stopped and destroyed in reverse). Adding a feature: its folder, its
 * descriptor, one line here. */
#include "rfo-feature.h"
#include "rfo-account.h"
#include "rfo-channels.h"
#include "rfo-chat-feed.h"
#include "rfo-golive.h"
#include "rfo-health.h"
#include "rfo-stats-feed.h"
#include "rfo-stream-summary.h"

static const struct rfo_feature *const features[] = {
	&rfo_auth_feature,  &rfo_chat_feature,    &rfo_golive_feature, &rfo_channels_feature,
	&rfo_stats_feature, &rfo_summary_feature, &rfo_health_feature,
};

const struct rfo_feature *const *rfo_app_features(size_t *count)
{
	*count = RFO_ARRAY_SIZE(features);
	return features;
}
