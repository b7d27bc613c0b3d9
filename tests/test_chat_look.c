/* rfo-chat-look: highlight rules, list settings, accents, readable colours. */
#include "rfo-test.h"

#include "rfo-chat-look.h"

#include <math.h>
#include <stdio.h>

static void test_highlight(void)
{
	struct rfo_chat_highlight h;
	rfo_chat_highlight_init(&h, " giveaway ,\nPRIZE,,  , giveaway, café", "Emu Streamer", "@emu_streamer");
	check(h.num_words == 3);
	check(h.num_names == 2);
	check_str(h.words[0], "giveaway");
	check_str(h.words[1], "prize");
	check_str(h.names[0], "emu streamer");

	check(rfo_chat_highlight_match(&h, "Is there a GIVEAWAY today?"));
	check(rfo_chat_highlight_match(&h, "top prizes"));              /* keywords match inside words */
	check(rfo_chat_highlight_match(&h, "un café s'il vous plaît")); /* non-ASCII exact */
	check(!rfo_chat_highlight_match(&h, "un CAFÉ"));                /* only ASCII folds */
	check(rfo_chat_highlight_match(&h, "@Emu Streamer hello from Discord"));
	check(rfo_chat_highlight_match(&h, "hi emu_streamer!"));
	check(!rfo_chat_highlight_match(&h, "hi emu_streamers")); /* names only as a whole word */
	check(!rfo_chat_highlight_match(&h, "xemu_streamer"));
	check(!rfo_chat_highlight_match(&h, "nothing to see"));
	check(!rfo_chat_highlight_match(&h, ""));
	check(!rfo_chat_highlight_match(NULL, "giveaway"));

	/* bounded: at most RFO_CHAT_MAX_KEYWORDS, long ones cut on a code-point boundary */
	char many[4096] = "";
	for (int i = 0; i < 50; i++) {
		char w[16];
		snprintf(w, sizeof(w), "w%d,", i);
		strcat(many, w);
	}
	strcat(many, "ééééééééééééééééééééééééééééééééééééééééééé");
	rfo_chat_highlight_init(&h, many, NULL, "");
	check(h.num_words == RFO_CHAT_MAX_KEYWORDS);
	check(h.num_names == 0);
	rfo_chat_highlight_init(&h, "ééééééééééééééééééééééééééééééééééééééééééé", NULL, NULL);
	check(h.num_words == 1);
	check(strlen(h.words[0]) == 62); /* 31 two-byte characters in 63 bytes */

	char *norm = rfo_chat_keywords_normalize(" a ,b\n\nA, c ,b");
	check_str(norm, "a, b, c");
	bfree(norm);
	norm = rfo_chat_keywords_normalize(NULL);
	check_str(norm, "");
	bfree(norm);
}

static void test_lists(void)
{
	check(rfo_chat_list_has("Twitch, YouTube", "YouTube"));
	check(!rfo_chat_list_has("Twitch,YouTube", "You"));
	check(!rfo_chat_list_has(NULL, "x"));
	char *l = rfo_chat_list_set("Twitch", "YouTube", true);
	check_str(l, "Twitch,YouTube");
	char *l2 = rfo_chat_list_set(l, "Twitch", false);
	check_str(l2, "YouTube");
	char *l3 = rfo_chat_list_set(l2, "YouTube", true);
	check_str(l3, "YouTube"); /* no duplicates */
	char *l4 = rfo_chat_list_set(NULL, "Platform 99", true);
	check_str(l4, "Platform 99");
	bfree(l);
	bfree(l2);
	bfree(l3);
	bfree(l4);
}

static void test_colors(void)
{
	uint32_t rgb = 0;
	check(rfo_chat_color_parse("#1E90FF", &rgb) && rgb == 0x1E90FF);
	check(rfo_chat_color_parse("#ff5555", &rgb) && rgb == 0xFF5555);
	check(rfo_chat_color_parse("#F05", &rgb) && rgb == 0xFF0055);
	check(!rfo_chat_color_parse("1E90FF", &rgb));
	check(!rfo_chat_color_parse("#1E90FG", &rgb));
	check(!rfo_chat_color_parse("#1E90FF00", &rgb));
	check(!rfo_chat_color_parse("red", &rgb));
	check(!rfo_chat_color_parse(NULL, &rgb));

	check(rfo_chat_color_contrast(0xFFFFFF, 0x000000) > 15.0);
	check(rfo_chat_color_contrast(0x777777, 0x777777) < 1.01);

	/* dark theme: a dark blue author colour is lightened; already readable colours stay */
	uint32_t dark_bg = 0x1F1E1F, light_bg = 0xFFFFFF;
	uint32_t c = rfo_chat_color_readable(0x000080, dark_bg, 3.0);
	check(c != 0x000080);
	check(rfo_chat_color_contrast(c, dark_bg) >= 3.0);
	check(rfo_chat_color_readable(0xFFD300, dark_bg, 3.0) == 0xFFD300);
	/* light theme: yellow is darkened */
	c = rfo_chat_color_readable(0xFFFF00, light_bg, 3.0);
	check(rfo_chat_color_contrast(c, light_bg) >= 3.0);
	check(((c >> 16) & 0xFF) >= ((c >> 8) & 0xFF) - 1); /* still a yellow-ish hue: red ~ green */

	check(rfo_chat_platform_accent("Twitch") == 0x9146FF);
	check(rfo_chat_platform_accent("YouTube") == 0xFF0000);
	check(rfo_chat_platform_accent("Platform 99") == rfo_chat_platform_accent(NULL));
}

/* WCAG 2 relative luminance and contrast, computed here on their own (not with the code under test) */
static double wcag_lin(uint32_t c8)
{
	double c = c8 / 255.0;
	return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double wcag_ratio(uint32_t a, uint32_t b)
{
	double la =
		0.2126 * wcag_lin((a >> 16) & 0xFF) + 0.7152 * wcag_lin((a >> 8) & 0xFF) + 0.0722 * wcag_lin(a & 0xFF);
	double lb =
		0.2126 * wcag_lin((b >> 16) & 0xFF) + 0.7152 * wcag_lin((b >> 8) & 0xFF) + 0.0722 * wcag_lin(b & 0xFF);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

/* Every platform's name colour keeps 4.5:1 against the chat list's background (the palette's base) of each of
 * OBS's themes, dark and light, in OBS 29 (.qss) and OBS 30+ (.obt/.ovt), and against plain black and white. */
static void test_platform_contrast(void)
{
	static const struct {
		const char *theme;
		uint32_t base;
	} themes[] = {
		{"29 Yami", 0x2B2E38},      {"29 Acri", 0x181819},  {"29 Grey", 0x2F2F2F},    {"29 Rachni", 0x232629},
		{"29 Dark", 0x1F1E1F},      {"29 Light", 0xE5E5E5}, {"30+ Yami", 0x272A33},   {"30+ Classic", 0x1F1E1F},
		{"30+ Acri", 0x181819},     {"30+ Grey", 0x2F2F2F}, {"30+ Rachni", 0x232629}, {"30+ Light", 0xE5E5E5},
		{"System light", 0xFFFFFF}, {"black", 0x000000},    {"white", 0xFFFFFF},
	};
	check(rfo_chat_accent_count() >= 11);
	check(rfo_chat_accent_platform(rfo_chat_accent_count()) == NULL);
	for (size_t t = 0; t < sizeof(themes) / sizeof(themes[0]); t++) {
		for (size_t i = 0; i <= rfo_chat_accent_count(); i++) {
			/* the last round: a platform without its own accent */
			const char *p = i < rfo_chat_accent_count() ? rfo_chat_accent_platform(i) : "Platform 99";
			uint32_t c = rfo_chat_platform_text_color(p, themes[t].base);
			double r = wcag_ratio(c, themes[t].base);
			if (r < RFO_CHAT_TEXT_CONTRAST)
				fprintf(stderr, "%s on %s (#%06X): #%06X has %.2f:1\n", p, themes[t].theme,
					(unsigned)themes[t].base, (unsigned)c, r);
			check(r >= RFO_CHAT_TEXT_CONTRAST);
			/* the platform code's own ratio agrees with the formula */
			check(fabs(rfo_chat_color_contrast(c, themes[t].base) - r) < 0.01);
		}
	}
	/* any grey background, not only OBS's */
	for (uint32_t g = 0; g <= 0xFF; g += 5) {
		uint32_t bg = g << 16 | g << 8 | g;
		for (size_t i = 0; i < rfo_chat_accent_count(); i++)
			check(wcag_ratio(rfo_chat_platform_text_color(rfo_chat_accent_platform(i), bg), bg) >=
			      RFO_CHAT_TEXT_CONTRAST);
	}
	/* a colour that already reads well stays the accent itself */
	check(rfo_chat_platform_text_color("Kick", 0x1F1E1F) == rfo_chat_platform_accent("Kick"));
}

static void test_image_urls(void)
{
	check(rfo_chat_image_url_allowed("https://static-cdn.jtvnw.net/emoticons/v2/25/default/dark/1.0", false));
	check(rfo_chat_image_url_allowed("HTTPS://example.com/a.png", false));
	/* plain http to loopback only under the tests' switch */
	check(rfo_chat_image_url_allowed("http://127.0.0.1:8080/e.png", true));
	check(rfo_chat_image_url_allowed("http://localhost/e.png", true));
	check(!rfo_chat_image_url_allowed("http://127.0.0.1:8080/e.png", false));
	check(!rfo_chat_image_url_allowed("http://localhost/e.png", false));
	check(!rfo_chat_image_url_allowed("http://example.com/e.png", true));
	check(!rfo_chat_image_url_allowed("http://example.com/e.png", false)); /* plain http elsewhere */
	check(!rfo_chat_image_url_allowed("ftp://127.0.0.1/e.png", false));
	check(!rfo_chat_image_url_allowed("wss://example.com/e.png", false));
	check(!rfo_chat_image_url_allowed("file:///etc/passwd", false));
	check(!rfo_chat_image_url_allowed("javascript:alert(1)", false));
	check(!rfo_chat_image_url_allowed("data:image/png;base64,AAAA", false));
	check(!rfo_chat_image_url_allowed("https://user:pw@example.com/e.png", false));
	check(!rfo_chat_image_url_allowed("//example.com/e.png", false));
	check(!rfo_chat_image_url_allowed("", false));
	check(!rfo_chat_image_url_allowed(NULL, false));
	char longurl[700] = "https://example.com/";
	memset(longurl + strlen(longurl), 'a', 600);
	longurl[650] = '\0';
	check(!rfo_chat_image_url_allowed(longurl, false));
}

int main(void)
{
	test_image_urls();
	test_highlight();
	test_lists();
	test_colors();
	test_platform_contrast();
	return rfo_test_end();
}
