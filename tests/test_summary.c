/* rfo-summary: the end-of-stream summary (time-weighted averages, peaks in total and per destination, chat counts,
 * Restream's analytics merged in, JSON and CSV) and the event-creation body and answer of rfo-rest. */
#include "rfo-test.h"

#include <jansson.h>

#include "rfo-rest.h"
#include "rfo-summary.h"

static json_t *as_json(const struct rfo_summary *s)
{
	char *text = rfo_summary_json(s);
	json_t *j = json_loads(text, 0, NULL);
	bfree(text);
	check(j);
	return j;
}

static json_t *channel_of(json_t *root, int64_t id)
{
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(root, "channels"), i, c)
		if (json_integer_value(json_object_get(c, "channelId")) == id)
			return c;
	fail("channel missing");
	return NULL;
}

static void test_live(void)
{
	struct rfo_summary s;
	rfo_summary_init(&s);
	/* nothing counts before the stream begins */
	rfo_summary_viewers(&s, 1, 1, 99, true, 0);
	check(s.channels.num == 0);

	rfo_summary_begin(&s, 1000000);
	rfo_summary_set_event(&s, "../x"); /* not an id: ignored */
	rfo_summary_set_event(&s, "a b");
	rfo_summary_set_event(&s, "ev-1");
	rfo_summary_set_event(&s, "ev-2"); /* the first one wins */
	rfo_summary_viewers(&s, 11, 1, 10, true, 1000000);
	rfo_summary_viewers(&s, 22, 5, 4, true, 1000000);
	rfo_summary_viewers(&s, 11, 1, 30, true, 1010000);  /* 10 s at 10, then 30 */
	rfo_summary_viewers(&s, 22, 5, -1, true, 1020000);  /* null: 0 from then on */
	rfo_summary_viewers(&s, 11, 1, 20, false, 1030000); /* offline: 0 */
	rfo_summary_chat_add(&s, "Twitch", 3);
	rfo_summary_chat_add(&s, "YouTube", 1);
	rfo_summary_chat_add(&s, "Twitch", 2);
	rfo_summary_chat_add(&s, "Kick", 0); /* nothing */
	rfo_summary_end(&s, 1040000);
	rfo_summary_end(&s, 2000000); /* idempotent */

	check(s.ended_ms == 1040000);
	check(s.peak_viewers == 34); /* 30 + 4 at 1010000 */
	/* channel 11: 10 for 10 s, 30 for 20 s, 0 for 10 s over 40 s = 17.5 */
	json_t *j = as_json(&s);
	check(json_integer_value(json_object_get(j, "startedAt")) == 1000);
	check(json_integer_value(json_object_get(j, "endedAt")) == 1040);
	check(json_integer_value(json_object_get(j, "durationSeconds")) == 40);
	check(json_integer_value(json_object_get(j, "peakViewers")) == 34);
	check_str(json_string_value(json_object_get(j, "source")), "live");
	check_str(json_string_value(json_object_get(j, "eventId")), "ev-1");
	json_t *c11 = channel_of(j, 11), *c22 = channel_of(j, 22);
	check(json_integer_value(json_object_get(c11, "peakViewers")) == 30);
	check(json_real_value(json_object_get(c11, "averageViewers")) == 17.5);
	check(json_integer_value(json_object_get(c11, "platformId")) == 1);
	check(json_integer_value(json_object_get(c22, "peakViewers")) == 4);
	check(json_real_value(json_object_get(c22, "averageViewers")) == 2.0); /* 4 for 20 s of 40 */
	/* total: 14 for 10 s, 34 for 10 s, 30 for 10 s, 0 for 10 s = 19.5 */
	check(json_real_value(json_object_get(j, "averageViewers")) == 19.5);
	json_t *chat = json_object_get(j, "chatMessages");
	check(json_object_size(chat) == 2);
	check(json_integer_value(json_object_get(chat, "Twitch")) == 5);
	check(json_integer_value(json_object_get(chat, "YouTube")) == 1);
	check(json_array_size(json_object_get(j, "alerts")) == 0);
	json_decref(j);

	/* the CSV: header, total, one row per destination, one per platform */
	char *csv = rfo_summary_csv(&s);
	check_str(csv, "section,key,peakViewers,averageViewers,chatMessages\r\n"
		       "total,,34,19.50,6\r\n"
		       "channel,11,30,17.50,\r\n"
		       "channel,22,4,2.00,\r\n"
		       "chat,Twitch,,,5\r\n"
		       "chat,YouTube,,,1\r\n");
	bfree(csv);

	/* a copy outlives the original; a new stream forgets the last */
	struct rfo_summary copy;
	rfo_summary_init(&copy);
	rfo_summary_copy(&copy, &s);
	rfo_summary_begin(&s, 3000000);
	check(s.channels.num == 0 && s.chat.num == 0 && !s.event_id[0] && s.active);
	check(copy.channels.num == 2 && copy.peak_viewers == 34);
	rfo_summary_free(&copy);
	rfo_summary_free(&s);
}

static void test_analytics(void)
{
	struct rfo_summary s;
	rfo_summary_init(&s);
	rfo_summary_begin(&s, 0);
	rfo_summary_viewers(&s, 11, 1, 10, true, 0);
	rfo_summary_end(&s, 60000);
	struct rfo_error err = {0};

	/* not published yet: nothing changes */
	const char *empty = "{\"total\":null,\"byChannel\":{}}";
	check(!rfo_summary_merge_analytics(&s, empty, strlen(empty), &err));
	check(!s.from_restream && s.peak_viewers == 10);
	check(!rfo_summary_merge_analytics(&s, "[1]", 3, &err));
	check(err.code == RFO_ERR_PARSE);
	check(!rfo_summary_merge_analytics(&s, "nope", 4, &err));
	const char *junk = "{\"byChannel\":{\"x\":{\"max\":1},\"12\":\"no\"}}"; /* no channel with numbers */
	check(!rfo_summary_merge_analytics(&s, junk, strlen(junk), &err));
	check(!s.from_restream && s.channels.num == 1);

	/* Restream's numbers win; a channel seen only by Restream is added; strings are numbers too; bad keys skipped */
	const char *body = "{\"total\":{\"mean\":41.25,\"max\":57,\"viewsTotal\":300,\"peakTime\":30},"
			   "\"byChannel\":{\"11\":{\"mean\":12.5,\"max\":\"15\",\"viewersPerMinute\":[]},"
			   "\"33\":{\"mean\":28.75,\"max\":42},\"x\":{\"max\":1},\"44\":\"junk\"},\"future\":1}";
	check(rfo_summary_merge_analytics(&s, body, strlen(body), &err));
	json_t *j = as_json(&s);
	check_str(json_string_value(json_object_get(j, "source")), "restream");
	check(json_integer_value(json_object_get(j, "peakViewers")) == 57);
	check(json_real_value(json_object_get(j, "averageViewers")) == 41.25);
	check(json_array_size(json_object_get(j, "channels")) == 2);
	check(json_integer_value(json_object_get(channel_of(j, 11), "peakViewers")) == 15);
	check(json_real_value(json_object_get(channel_of(j, 11), "averageViewers")) == 12.5);
	check(json_integer_value(json_object_get(channel_of(j, 33), "peakViewers")) == 42);
	json_decref(j);
	rfo_summary_free(&s);
}

static void test_alerts_and_csv_quoting(void)
{
	struct rfo_summary s;
	rfo_summary_init(&s);
	rfo_summary_begin(&s, 0);
	rfo_summary_add_alert(&s, "destination", 11, "Twitch", "Twitch went offline", 5);
	rfo_summary_chat_add(&s, "A, \"B\"", 1);
	rfo_summary_end(&s, 0); /* a zero-length stream: no division by zero */
	json_t *j = as_json(&s);
	json_t *a = json_array_get(json_object_get(j, "alerts"), 0);
	check_str(json_string_value(json_object_get(a, "kind")), "destination");
	check(json_integer_value(json_object_get(a, "channelId")) == 11);
	check(json_integer_value(json_object_get(j, "durationSeconds")) == 0);
	json_decref(j);
	char *csv = rfo_summary_csv(&s);
	check(strstr(csv, "chat,\"A, \"\"B\"\"\",,,1\r\n"));
	bfree(csv);
	rfo_summary_free(&s);
}

static void test_create_event(void)
{
	char *body = rfo_rest_create_event_body("My show", "Line 1\nLine 2", 1767225600);
	json_t *j = json_loads(body, 0, NULL);
	check(j);
	check_str(json_string_value(json_object_get(j, "streamType")), "encoder");
	check_str(json_string_value(json_object_get(j, "title")), "My show");
	check_str(json_string_value(json_object_get(j, "description")), "Line 1\nLine 2");
	check_str(json_string_value(json_object_get(j, "scheduledFor")), "2026-01-01T00:00:00.000Z");
	json_decref(j);
	bfree(body);
	/* now, no description: both left out */
	body = rfo_rest_create_event_body("T", "", 0);
	check_str(body, "{\"streamType\":\"encoder\",\"title\":\"T\"}");
	bfree(body);
	check(!rfo_rest_create_event_body(NULL, NULL, 0));
	check(!rfo_rest_create_event_body("bad \xff", NULL, 0));

	char *id = NULL;
	struct rfo_error err = {0};
	const char *ok = "{\"id\":\"0b7c2f7e-1d0a-4c6b-9d7e-2a1b3c4d5e6f\",\"extra\":null}";
	check(rfo_rest_parse_created_event(ok, strlen(ok), &id, &err));
	check_str(id, "0b7c2f7e-1d0a-4c6b-9d7e-2a1b3c4d5e6f");
	bfree(id);
	id = NULL;
	check(!rfo_rest_parse_created_event("{}", 2, &id, &err) && !id);
	check(err.code == RFO_ERR_PARSE);
	const char *spaced = "{\"id\":\"a b\"}";
	check(!rfo_rest_parse_created_event(spaced, strlen(spaced), &id, &err) && !id);
	/* Restream's refusal reads as a sentence */
	const char *refusal = "{\"error\":{\"statusCode\":400,\"name\":\"TitleTooLong\"}}";
	rfo_rest_parse_error(refusal, strlen(refusal), 400, &err);
	check_str(err.message, "Title Too Long");
}

int main(void)
{
	test_live();
	test_analytics();
	test_alerts_and_csv_quoting();
	test_create_event();
	return rfo_test_end();
}
