/* The account feature's descriptor: its vendor requests; the auth session itself is the controller's. */
#include "rfo-account.h"
#include "rfo-feature.h"

static const struct rfo_feature_request requests[] = {
	{.type = "GetStatus", .handler = rfo_account_get_status},
	{.type = "BeginSignIn", .handler = rfo_account_begin_sign_in},
	{.type = "SignOut", .handler = rfo_account_sign_out_request},
};

const struct rfo_feature rfo_auth_feature = {
	.name = "auth",
	.destroy = rfo_account_free,
	.requests = requests,
	.request_count = RFO_ARRAY_SIZE(requests),
};
