/* Fuzz target: token endpoint replies (docs/restream-api.md §1): success bodies (rfo_oauth_parse_tokens) and
 * error bodies (rfo_oauth_parse_error + rfo_oauth_is_fatal) for a few HTTP statuses. */
#include "fuzz-common.h"
#include "rfo-oauth.h"

RFO_FUZZ_INIT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	long before = bnum_allocs();

	struct rfo_tokens t;
	struct rfo_error err = {0};
	if (rfo_oauth_parse_tokens(json, size, 1700000000, &t, &err)) {
		RFO_FUZZ_ASSERT(t.access_token != NULL);
	} else {
		RFO_FUZZ_ASSERT(t.access_token == NULL && t.refresh_token == NULL && t.scope == NULL);
		RFO_FUZZ_ASSERT(err.code != 0);
	}
	rfo_tokens_free(&t);

	static const long statuses[] = {0, 400, 401, 429, 503};
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		struct rfo_oauth_error oe;
		rfo_oauth_parse_error(json, size, statuses[i], &oe);
		RFO_FUZZ_ASSERT(oe.message[0] != 0);
		RFO_FUZZ_ASSERT(memchr(oe.code, 0, sizeof(oe.code)) && memchr(oe.message, 0, sizeof(oe.message)));
		(void)rfo_oauth_is_fatal(statuses[i], &oe);
	}
	rfo_fuzz_check_allocs(before, "oauth_tokens");
	return 0;
}
