/* rfo-overlay-model: the platform filter, line selection (kinds, lifetime, fade, maximum lines), the viewers format. */
#include "rfo-test.h"

#include "rfo-overlay-model.h"

#include <stdint.h>

static void test_filter(void)
{
	uint32_t mask = 99;
	char *bad = NULL;
	check(rfo_overlay_filter_parse("", &mask, &bad) && mask == 0 && !bad);
	check(rfo_overlay_filter_parse(NULL, &mask, NULL) && mask == 0);
	check(rfo_overlay_filter_parse(" twitch , YOUTUBE,,Twitch ", &mask, &bad) && !bad);
	char *s = rfo_overlay_filter_format(mask);
	check_str(s, "Twitch,YouTube");
	bfree(s);
	check(rfo_overlay_filter_match(mask, "Twitch"));
	check(rfo_overlay_filter_match(mask, "YouTube"));
	check(!rfo_overlay_filter_match(mask, "Facebook"));
	check(!rfo_overlay_filter_match(mask, "Platform 99")); /* unknown platforms only when all are shown */
	check(!rfo_overlay_filter_match(mask, NULL));
	/* the names of Restream's platform list */
	check(rfo_overlay_filter_match(mask, "Youtube"));
	check(rfo_overlay_platform_index("X (Twitter)") == rfo_overlay_platform_index("X"));
	check(rfo_overlay_platform_index("Xbox") == -1 && rfo_overlay_platform_index("Custom RTMP") == -1);
	check(rfo_overlay_platform_index(NULL) == -1);

	check(!rfo_overlay_filter_parse("Twitch,Myspace", &mask, &bad) && mask == 0);
	check_str(bad, "Myspace");
	bfree(bad);

	/* nothing or everything: all, written as "" */
	s = rfo_overlay_filter_format(0);
	check_str(s, "");
	bfree(s);
	s = rfo_overlay_filter_format(rfo_overlay_filter_all());
	check_str(s, "");
	bfree(s);
	check(rfo_overlay_filter_match(0, "Platform 99"));
	check(rfo_overlay_filter_match(rfo_overlay_filter_all(), "Platform 99"));
	/* every listed name round-trips */
	for (size_t i = 0; i < rfo_overlay_platform_count(); i++) {
		check(rfo_overlay_filter_parse(rfo_overlay_platform(i), &mask, NULL) && mask == 1u << i);
		s = rfo_overlay_filter_format(mask);
		check_str(s, rfo_overlay_platform(i));
		bfree(s);
	}
	check(rfo_overlay_platform(rfo_overlay_platform_count()) == NULL);
}

static struct rfo_chat_message make(const char *platform, enum rfo_chat_kind kind)
{
	struct rfo_chat_message m;
	memset(&m, 0, sizeof(m));
	m.platform = platform;
	m.kind = kind;
	return m;
}

static void test_select(void)
{
	struct rfo_chat_message m[6] = {
		make("Twitch", RFO_CHAT_KIND_TEXT),   make("YouTube", RFO_CHAT_KIND_DONATION),
		make("Facebook", RFO_CHAT_KIND_TEXT), make("Twitch", RFO_CHAT_KIND_SYSTEM),
		make("Twitch", RFO_CHAT_KIND_TEXT),   make("Kick", RFO_CHAT_KIND_STICKER),
	};
	const struct rfo_chat_message *p[6];
	for (int i = 0; i < 6; i++)
		p[i] = &m[i];
	uint64_t ages[6] = {10000, 8000, 6000, 4000, 2000, 0};
	struct rfo_overlay_pick out[RFO_OVERLAY_MAX_LINES];
	uint64_t next = 0;

	struct rfo_overlay_select_opts o = {.kinds = RFO_OVERLAY_KINDS_ALL, .max_lines = 10};
	check(rfo_overlay_select(p, ages, 6, &o, out, &next) == 6);
	check(out[0].index == 0 && out[5].index == 5 && out[0].alpha == 1.0f); /* oldest first */
	check(next == UINT64_MAX);                                             /* no lifetime: never changes */

	o.max_lines = 2; /* the newest two */
	check(rfo_overlay_select(p, ages, 6, &o, out, NULL) == 2);
	check(out[0].index == 4 && out[1].index == 5);

	o.max_lines = 10; /* Twitch only */
	check(rfo_overlay_filter_parse("Twitch", &o.platforms, NULL));
	check(rfo_overlay_select(p, ages, 6, &o, out, NULL) == 3);
	check(out[0].index == 0 && out[1].index == 3 && out[2].index == 4);

	o.kinds = RFO_OVERLAY_KIND_BIT(RFO_CHAT_KIND_TEXT); /* Twitch text only */
	check(rfo_overlay_select(p, ages, 6, &o, out, NULL) == 2);
	check(out[0].index == 0 && out[1].index == 4);

	o.platforms = 0;
	o.kinds = RFO_OVERLAY_KIND_BIT(RFO_CHAT_KIND_DONATION) | RFO_OVERLAY_KIND_BIT(RFO_CHAT_KIND_STICKER);
	check(rfo_overlay_select(p, ages, 6, &o, out, NULL) == 2);
	check(out[0].index == 1 && out[1].index == 5);

	/* lifetime 5 s with a 1 s fade in 100 ms steps: ages 10, 8, 6 s gone; 4 s fading from 4.0 s */
	o.kinds = RFO_OVERLAY_KINDS_ALL;
	o.lifetime_ms = 5000;
	o.fade_ms = 1000;
	o.fade_step_ms = 100;
	check(rfo_overlay_select(p, ages, 6, &o, out, &next) == 3);
	check(out[0].index == 3 && out[0].alpha == 1.0f);
	check(next == 100); /* the 4 s line's next fade step */
	ages[3] = 4550;
	check(rfo_overlay_select(p, ages, 6, &o, out, &next) == 3);
	check(out[0].alpha > 0.49f && out[0].alpha < 0.51f && next == 50);
	ages[3] = 5000; /* at the lifetime: gone */
	check(rfo_overlay_select(p, ages, 6, &o, out, &next) == 2);
	check(next == 2000); /* the 2 s line starts fading at 4 s */
	o.fade_ms = 0;       /* no fade: gone at once */
	ages[3] = 4999;
	check(rfo_overlay_select(p, ages, 6, &o, out, &next) == 3);
	check(out[0].alpha == 1.0f && next == 1);

	/* max_lines is clamped */
	o.lifetime_ms = 0;
	o.max_lines = 0;
	check(rfo_overlay_select(p, ages, 6, &o, out, NULL) == 1);
	check(rfo_overlay_select(p, ages, 0, &o, out, &next) == 0 && next == UINT64_MAX);
}

static void test_format(void)
{
	char *s = rfo_overlay_format_viewers("{total} watching", 1234567, ',');
	check_str(s, "1,234,567 watching");
	bfree(s);
	s = rfo_overlay_format_viewers("{total} watching", 999, ',');
	check_str(s, "999 watching");
	bfree(s);
	s = rfo_overlay_format_viewers("Viewers: {total} / {{total}} {x}", 1000, 0);
	check_str(s, "Viewers: 1000 / {total} {x}");
	bfree(s);
	s = rfo_overlay_format_viewers("{total}", -1, ',');
	check_str(s, "\xE2\x80\x93");
	bfree(s);
	s = rfo_overlay_format_viewers("", 5, ',');
	check_str(s, "");
	bfree(s);
	s = rfo_overlay_format_viewers(NULL, 5, ',');
	check_str(s, "");
	bfree(s);
	s = rfo_overlay_format_viewers("{total", 5, ',');
	check_str(s, "{total");
	bfree(s);
}

/* Lines stacked in a box: newest at the bottom (or the top), a gap between lines, older ones that do not fit left out
 * while the newest stays even when taller than the box. */
static void test_stack(void)
{
	const float heights[4] = {20.0f, 30.0f, 20.0f, 25.5f};
	int32_t tops[4] = {-1, -1, -1, -1};
	/* 100 high, padding 10, gap 5: newest 25.5 at 64.5 (→ 65), then 20 at 39.5 (→ 40), then 30 at 4.5: out */
	size_t first = rfo_overlay_stack(heights, 4, 100.0f, 10.0f, 5.0f, false, tops);
	check(first == 2);
	check(tops[3] == 65 && tops[2] == 40);
	/* newest at the top: 10, then 40.5 (→ 41), then 65.5 + 30 > 90.5: out */
	first = rfo_overlay_stack(heights, 4, 100.0f, 10.0f, 5.0f, true, tops);
	check(first == 2);
	check(tops[3] == 10 && tops[2] == 41);
	/* room for all four */
	first = rfo_overlay_stack(heights, 4, 200.0f, 0.0f, 2.0f, false, tops);
	check(first == 0);
	check(tops[3] == 175 && tops[2] == 153 && tops[1] == 121 && tops[0] == 99);
	/* one line taller than the box: still drawn (cut), nothing older */
	const float tall[2] = {10.0f, 300.0f};
	first = rfo_overlay_stack(tall, 2, 100.0f, 10.0f, 5.0f, false, tops);
	check(first == 1 && tops[1] == -210);
	check(rfo_overlay_stack(heights, 0, 100.0f, 10.0f, 5.0f, false, tops) == 0);
}

int main(void)
{
	test_stack();
	test_filter();
	test_select();
	test_format();
	return rfo_test_end();
}
