/* Fuzz target: the stored token record (the token file / keyring item, rfo_oauth_record_from_json). A record
 * that loads must serialise again (rfo_oauth_record_to_json) and load back to the same tokens. */
#include "fuzz-common.h"
#include "rfo-oauth.h"
#include "rfo-rest.h"

RFO_FUZZ_INIT()

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long before = bnum_allocs();
	struct rfo_token_record rec = {0};
	struct rfo_error err = {0};
	if (rfo_oauth_record_from_json((const char *)data, size, &rec, &err)) {
		RFO_FUZZ_ASSERT(rec.tokens.access_token || rec.tokens.refresh_token);
		/* names reach the log ("signed in as …") and the dock: clean, whatever the file held */
		RFO_FUZZ_ASSERT(!rec.username || rfo_fuzz_clean_text(rec.username, RFO_REST_MAX_NAME, false));
		RFO_FUZZ_ASSERT(!rec.display_name || rfo_fuzz_clean_text(rec.display_name, RFO_REST_MAX_NAME, false));
		char *json = rfo_oauth_record_to_json(&rec);
		RFO_FUZZ_ASSERT(json != NULL);
		struct rfo_token_record again = {0};
		RFO_FUZZ_ASSERT(rfo_oauth_record_from_json(json, strlen(json), &again, NULL));
		RFO_FUZZ_ASSERT(same(rec.tokens.access_token, again.tokens.access_token));
		RFO_FUZZ_ASSERT(same(rec.tokens.refresh_token, again.tokens.refresh_token));
		RFO_FUZZ_ASSERT(rec.tokens.expires_at == again.tokens.expires_at);
		RFO_FUZZ_ASSERT(rec.user_id == again.user_id);
		rfo_token_record_free(&again);
		rfo_oauth_record_wipe_free(json);
	} else {
		RFO_FUZZ_ASSERT(err.code != 0);
	}
	rfo_token_record_free(&rec);
	rfo_fuzz_check_allocs(before, "token_record");
	return 0;
}
