/* The health alerts feature's descriptor: lifecycle only; it speaks through the HealthAlert and HealthRecovered
 * vendor events (see rfo-health.h). */
#include "rfo-feature.h"
#include "rfo-health.h"

const struct rfo_feature rfo_health_feature = {
	.name = "health",
	.create = rfo_health_create,
	.start = rfo_health_start,
	.stop = rfo_health_stop,
	.destroy = rfo_health_destroy,
};
