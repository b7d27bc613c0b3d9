/* Fuzz target: the OAuth callback request the loopback listener receives (rfo_oauth_parse_redirect):
 * a request line with headers, a bare target or an absolute URL; with and without the expected path. */
#include "fuzz-common.h"
#include "rfo-oauth.h"

RFO_FUZZ_INIT()

static void check_one(const char *req, size_t len, const char *expected_path)
{
	struct rfo_oauth_redirect r;
	bool ok = rfo_oauth_parse_redirect(req, len, expected_path, &r);
	RFO_FUZZ_ASSERT(ok == (r.kind != RFO_REDIRECT_MALFORMED));
	if (r.kind == RFO_REDIRECT_CODE)
		RFO_FUZZ_ASSERT(r.code != NULL);
	if (r.state) {
		/* what the listener does next with the received state */
		(void)rfo_oauth_state_equal("0123456789abcdef0123456789abcdef", r.state);
		(void)rfo_oauth_state_equal(r.state, r.state);
	}
	rfo_oauth_redirect_free(&r);
	RFO_FUZZ_ASSERT(!r.code && !r.state && !r.scope && !r.error && !r.error_description);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long before = bnum_allocs();
	/* exactly `size` bytes, not NUL-terminated: the parser must honour len */
	char *copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	if (size)
		memcpy(copy, data, size);
	check_one(copy, size, "/callback");
	check_one(copy, size, NULL);
	free(copy);
	rfo_fuzz_check_allocs(before, "oauth_redirect");
	return 0;
}
