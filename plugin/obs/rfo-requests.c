#include "rfo-requests.h"
#include "rfo-account.h"
#include "rfo-vendor.h"

static const struct rfo_vendor_request requests[] = {
	{"GetStatus", rfo_account_get_status},
	{"BeginSignIn", rfo_account_begin_sign_in},
	{"SignOut", rfo_account_sign_out_request},
};

void rfo_requests_register(void)
{
	rfo_vendor_register(requests, sizeof(requests) / sizeof(requests[0]), NULL);
}
