/* Fuzz target: Restream's viewer analytics merged into an end-of-stream summary (docs/restream-api.md §2.7) and the
 * event-creation answer. A merge that succeeds marks the summary as Restream's and keeps every number sane (no
 * negative peak, channels bounded); the JSON form always parses back and the CSV always has its header. */
#include "fuzz-common.h"
#include "rfo-rest.h"
#include "rfo-summary.h"

#include <jansson.h>

RFO_FUZZ_INIT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	long before = bnum_allocs();
	struct rfo_error err = {0};

	struct rfo_summary s;
	rfo_summary_init(&s);
	rfo_summary_begin(&s, 1000);
	rfo_summary_viewers(&s, 11, 1, 5, true, 1000);
	rfo_summary_chat_add(&s, "Twitch", 2);
	rfo_summary_end(&s, 61000);
	if (rfo_summary_merge_analytics(&s, json, size, &err)) {
		RFO_FUZZ_ASSERT(s.from_restream);
		RFO_FUZZ_ASSERT(s.peak_viewers >= 0);
		RFO_FUZZ_ASSERT(s.channels.num <= RFO_SUMMARY_MAX_CHANNELS);
		for (size_t i = 0; i < s.channels.num; i++)
			RFO_FUZZ_ASSERT(s.channels.array[i].channel_id > 0 && s.channels.array[i].peak >= 0);
	} else {
		RFO_FUZZ_ASSERT(!s.from_restream && s.peak_viewers == 5);
	}
	char *out = rfo_summary_json(&s);
	json_t *back = json_loads(out, 0, NULL);
	RFO_FUZZ_ASSERT(back && json_is_array(json_object_get(back, "channels")));
	json_decref(back);
	bfree(out);
	char *csv = rfo_summary_csv(&s);
	RFO_FUZZ_ASSERT(strncmp(csv, "section,key,peakViewers,averageViewers,chatMessages\r\n", 53) == 0);
	bfree(csv);
	rfo_summary_free(&s);

	char *id = NULL;
	if (rfo_rest_parse_created_event(json, size, &id, &err))
		RFO_FUZZ_ASSERT(rfo_fuzz_clean_token(id, RFO_REST_MAX_ID) && *id);
	else
		RFO_FUZZ_ASSERT(id == NULL);
	bfree(id);

	rfo_fuzz_check_allocs(before, "summary");
	return 0;
}
