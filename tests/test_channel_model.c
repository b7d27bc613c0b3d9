/* rfo-channel-model: the destination list with optimistic switches, rollback, titles and targets. */
#include "rfo-test.h"
#include "rfo-channel-model.h"

static const char LIST[] =
	"[{\"id\":1,\"streamingPlatformId\":1,\"displayName\":\"Tw\",\"url\":\"https://twitch.tv/a\",\"enabled\":true},"
	"{\"id\":2,\"streamingPlatformId\":5,\"displayName\":\"Yt\",\"enabled\":false},"
	"{\"id\":3,\"streamingPlatformId\":999,\"displayName\":\"<b>Bold & \\\"Co\\\"</b>\",\"active\":true}]";

static void load(struct rfo_channel_model *m, const char *json, uint64_t started, bool expect_changed)
{
	struct rfo_channel_list list = {0};
	struct rfo_error err = {0};
	check(rfo_rest_parse_channels(json, strlen(json), &list, &err));
	bool changed = rfo_channel_model_replace_take(m, &list, started);
	check(changed == expect_changed);
	check(list.items == NULL && list.count == 0);
}

static void test_replace(void)
{
	struct rfo_channel_model m;
	rfo_channel_model_init(&m);
	load(&m, LIST, 0, true);
	check(m.count == 3);
	check(m.items[0].ch.enabled && m.items[0].confirmed);
	check(!m.items[1].ch.enabled);
	check_str(m.items[2].ch.display_name, "<b>Bold & \"Co\"</b>");
	check(m.items[2].ch.platform_id == 999);
	/* the same list again: nothing changed; meta and results survive */
	check(rfo_channel_model_set_meta(&m, 2, "Hello", NULL));
	check(rfo_channel_model_set_result(&m, 2, RFO_CHANNEL_RESULT_OK, "Title set"));
	load(&m, LIST, 0, false);
	struct rfo_channel_entry *e = rfo_channel_model_find(&m, 2);
	check(e && e->have_meta);
	check_str(e->title, "Hello");
	check(e->description == NULL);
	check(e->result == RFO_CHANNEL_RESULT_OK);
	check_str(e->result_text, "Title set");
	check(!rfo_channel_model_find(&m, 4));
	check(!rfo_channel_model_set_meta(&m, 4, "x", NULL));
	/* a channel disappears, one is switched elsewhere */
	load(&m, "[{\"id\":2,\"streamingPlatformId\":5,\"displayName\":\"Yt\",\"enabled\":true}]", 0, true);
	check(m.count == 1 && m.items[0].ch.enabled);
	check_str(m.items[0].title, "Hello");
	rfo_channel_model_free(&m);
	check(m.count == 0 && m.items == NULL);
}

static void test_switch(void)
{
	struct rfo_channel_model m;
	struct rfo_error err = {0};
	rfo_channel_model_init(&m);
	load(&m, LIST, 0, true);

	/* unknown id */
	check(!rfo_channel_model_begin_switch(&m, 77, true, 10, &err));
	check(err.code == RFO_ERR_INVALID);
	/* the switch moves at once and cannot be double-fired */
	check(rfo_channel_model_begin_switch(&m, 2, true, 10, &err));
	struct rfo_channel_entry *e = rfo_channel_model_find(&m, 2);
	check(e->ch.enabled && e->pending && !e->confirmed);
	rfo_error_clear(&err);
	check(!rfo_channel_model_begin_switch(&m, 2, false, 11, &err));
	check(err.code == RFO_ERR_STATE);
	check(e->ch.enabled);
	/* a list fetched meanwhile (older answer) does not undo the switch in flight */
	load(&m, LIST, 5, false);
	e = rfo_channel_model_find(&m, 2);
	check(e->ch.enabled && e->pending);
	/* the request failed: rolled back with the error */
	check(rfo_channel_model_end_switch(&m, 2, false, "Restream answered with HTTP 500", 20));
	check(!e->ch.enabled && !e->pending && !e->confirmed);
	check(e->result == RFO_CHANNEL_RESULT_ERROR);
	check_str(e->result_text, "Restream answered with HTTP 500");
	check(!rfo_channel_model_end_switch(&m, 2, true, NULL, 21)); /* nothing in flight */

	/* success: confirmed, the earlier error cleared */
	check(rfo_channel_model_begin_switch(&m, 2, true, 30, &err));
	check(rfo_channel_model_end_switch(&m, 2, true, NULL, 40));
	check(e->ch.enabled && e->confirmed && !e->pending);
	check(e->result == RFO_CHANNEL_RESULT_NONE && e->result_text == NULL);
	/* a list fetched before the switch ended does not flip it back… */
	load(&m, LIST, 35, false);
	e = rfo_channel_model_find(&m, 2);
	check(e->ch.enabled && e->confirmed);
	/* …a later one does (someone switched it off on restream.io) */
	load(&m, LIST, 50, true);
	e = rfo_channel_model_find(&m, 2);
	check(!e->ch.enabled && !e->confirmed);

	/* switching off an enabled channel and failing goes back on */
	check(rfo_channel_model_begin_switch(&m, 1, false, 60, &err));
	check(!rfo_channel_model_find(&m, 1)->ch.enabled);
	check(rfo_channel_model_end_switch(&m, 1, false, NULL, 61));
	check(rfo_channel_model_find(&m, 1)->ch.enabled);
	check_str(rfo_channel_model_find(&m, 1)->result_text, "Failed");

	/* a title result survives a successful switch; a switch error does not */
	check(rfo_channel_model_set_result(&m, 1, RFO_CHANNEL_RESULT_ERROR, "Title Too Long"));
	check(rfo_channel_model_begin_switch(&m, 1, false, 70, &err));
	check(rfo_channel_model_end_switch(&m, 1, true, NULL, 71));
	check_str(rfo_channel_model_find(&m, 1)->result_text, "Title Too Long");
	rfo_channel_model_free(&m);
}

static void test_targets(void)
{
	struct rfo_channel_model m;
	struct rfo_channel_targets t;
	rfo_channel_model_init(&m);
	rfo_channel_model_targets(&m, NULL, 0, &t);
	check(t.count == 0 && t.ids == NULL && t.unknown == NULL);

	load(&m, LIST, 0, true);
	rfo_channel_model_targets(&m, NULL, 0, &t);
	check(t.count == 2 && t.ids[0] == 1 && t.ids[1] == 3 && t.unknown_count == 0);
	rfo_channel_targets_free(&t);

	/* a chosen subset, with a duplicate and an unknown id; disabled channels may be chosen */
	const int64_t ids[] = {3, 2, 3, 42, 42};
	rfo_channel_model_targets(&m, ids, 5, &t);
	check(t.count == 2 && t.ids[0] == 3 && t.ids[1] == 2);
	check(t.unknown_count == 1 && t.unknown[0] == 42);
	rfo_channel_targets_free(&t);
	check(t.ids == NULL);

	rfo_channel_model_targets(&m, ids + 3, 1, &t);
	check(t.count == 0 && t.ids == NULL && t.unknown_count == 1);
	rfo_channel_targets_free(&t);
	rfo_channel_model_free(&m);
}

static void test_platforms(void)
{
	static const char P[] = "[{\"id\":1,\"name\":\"Twitch\"},{\"id\":37,\"name\":\"Facebook Group\"},"
				"{\"id\":59,\"name\":\"linked-in live\"}]";
	struct rfo_platform_list list = {0};
	check(rfo_rest_parse_platforms(P, strlen(P), &list, NULL));
	bool known = false;
	char *name = rfo_channel_platform_name(&list, 37, &known);
	check(known);
	check_str(name, "Facebook Group");
	bfree(name);
	name = rfo_channel_platform_name(&list, 999, &known);
	check(!known);
	check_str(name, "Platform 999");
	bfree(name);
	name = rfo_channel_platform_name(NULL, 5, NULL);
	check_str(name, "Platform 5");
	bfree(name);

	char badge[8];
	rfo_channel_badge_text("Facebook Group", 37, true, badge, sizeof(badge));
	check_str(badge, "FG");
	rfo_channel_badge_text("Twitch", 1, true, badge, sizeof(badge));
	check_str(badge, "T");
	rfo_channel_badge_text("linked-in live", 59, true, badge, sizeof(badge));
	check_str(badge, "LI");
	rfo_channel_badge_text("Platform 999", 999, false, badge, sizeof(badge));
	check_str(badge, "#999");
	rfo_channel_badge_text("!!", 7, true, badge, sizeof(badge));
	check_str(badge, "#7");
	rfo_channel_badge_text("Twitch", 123456789, false, badge, 4);
	check_str(badge, "#12");
	rfo_platform_list_free(&list);
}

int main(void)
{
	test_replace();
	test_switch();
	test_targets();
	test_platforms();
	return rfo_test_end();
}
