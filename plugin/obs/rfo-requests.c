#include "rfo-requests.h"
#include "rfo-controller.h"
#include "rfo-vendor.h"

#include <util/base.h>

static void get_status(obs_data_t *request, obs_data_t *response, void *param)
{
	UNUSED_PARAMETER(request);
	UNUSED_PARAMETER(param);
	rfo_controller_status(response);
	rfo_vendor_ok(response);
}

static const struct rfo_vendor_request requests[] = {
	{"GetStatus", get_status},
};

void rfo_requests_register(void)
{
	rfo_vendor_register(requests, sizeof(requests) / sizeof(requests[0]), NULL);
}
