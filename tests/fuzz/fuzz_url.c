/* Fuzz target: URL handling of remote strings: the SRT URL Restream sends (rfo_srt_url_split, rfo_srt_url_mask),
 * redaction before logging (rfo_url_redact, which must leave no sensitive value visible), URL checks and parts,
 * percent-decoding, and text sanitising of remote text. */
#include "fuzz-common.h"
#include "rfo-secret.h"
#include "rfo-srt-url.h"
#include "rfo-text.h"
#include "rfo-url.h"

RFO_FUZZ_INIT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long before = bnum_allocs();
	char *s = rfo_fuzz_cstr(data, size);

	char *redacted = rfo_url_redact(s);
	RFO_FUZZ_ASSERT(redacted != NULL);
	bfree(redacted);
	bfree(rfo_srt_url_mask(s));
	bfree(rfo_key_mask(s));

	char *server = NULL, *sid = NULL, *pass = NULL;
	if (rfo_srt_url_split(s, &server, &sid, &pass)) {
		RFO_FUZZ_ASSERT(server && sid);
		/* the compatibility URL carries exactly these values back, whatever bytes they hold */
		char *joined = rfo_srt_url_join(server, sid, pass);
		char *server2 = NULL, *sid2 = NULL, *pass2 = NULL;
		RFO_FUZZ_ASSERT(joined && rfo_srt_url_split(joined, &server2, &sid2, &pass2));
		RFO_FUZZ_ASSERT(strcmp(server, server2) == 0 && strcmp(sid, sid2) == 0);
		RFO_FUZZ_ASSERT(pass && *pass ? pass2 && strcmp(pass, pass2) == 0 : pass2 == NULL);
		bfree(server2);
		bfree(sid2);
		bfree(pass2);
		rfo_secret_wipe_free(joined);
	}
	bfree(server);
	bfree(sid);
	bfree(pass);

	struct rfo_error err = {0};
	(void)rfo_url_check(s, &err);
	struct rfo_url_parts parts = {0};
	if (rfo_url_parts_parse(s, &parts))
		RFO_FUZZ_ASSERT(parts.scheme && parts.host && parts.path && parts.path[0] == '/');
	rfo_url_parts_free(&parts);
	bfree(rfo_url_query_get(s, "code"));
	bfree(rfo_url_decode(s, size, true));

	char *clean = rfo_text_sanitize((const char *)data, size, 64);
	RFO_FUZZ_ASSERT(clean && strlen(clean) <= 64 && rfo_text_utf8_valid(clean, strlen(clean)));
	bfree(clean);
	size_t rlen = 0;
	char *repaired = rfo_text_utf8_repair((const char *)data, size, &rlen);
	RFO_FUZZ_ASSERT(rfo_text_utf8_valid(repaired, rlen));
	bfree(repaired);

	free(s);
	rfo_fuzz_check_allocs(before, "url");
	return 0;
}
