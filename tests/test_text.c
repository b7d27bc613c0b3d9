/* rfo-text: UTF-8 validation and sanitising of remote text. */
#include "rfo-test.h"

#include "rfo-text.h"

static void check_clean(const char *in, size_t len, size_t max, const char *want)
{
	char *out = rfo_text_sanitize(in, len, max);
	check(rfo_text_utf8_valid(out, strlen(out)));
	check_str(out, want);
	bfree(out);
}
#define CLEAN(in, want) check_clean(in, sizeof(in) - 1, 0, want)

static void test_valid(void)
{
	check(rfo_text_utf8_valid("", 0));
	check(rfo_text_utf8_valid(NULL, 0));
	check(rfo_text_utf8_valid("plain ascii", 11));
	check(rfo_text_utf8_valid("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80", 15));
	check(rfo_text_utf8_valid("a\0b", 3));
	check(!rfo_text_utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
	check(!rfo_text_utf8_valid("\xE0\x80\xAF", 3));     /* overlong */
	check(!rfo_text_utf8_valid("\xED\xA0\x80", 3));     /* surrogate D800 */
	check(!rfo_text_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
	check(!rfo_text_utf8_valid("\xF0\x9F\x98", 3));     /* truncated */
	check(!rfo_text_utf8_valid("\x80", 1));             /* stray continuation */
	check(!rfo_text_utf8_valid("\xFF", 1));
}

static void test_controls(void)
{
	CLEAN("", "");
	CLEAN("hello", "hello");
	CLEAN("a\nb\r\nc\td", "a b  c d");
	CLEAN("bell\x07 esc\x1b[2J nul\0end", "bell esc[2J nulend");
	CLEAN("del\x7F", "del");
	CLEAN("c1\xC2\x80\xC2\x9B x", "c1 x"); /* U+0080, U+009B (CSI) removed */
	CLEAN("nel\xC2\x85x", "nel x");
	CLEAN("ls\xE2\x80\xA8ps\xE2\x80\xA9", "ls ps ");
	char *s = rfo_text_sanitize(NULL, 5, 0);
	check_str(s, "");
	bfree(s);
	s = rfo_text_sanitize_str(NULL, 0);
	check_str(s, "");
	bfree(s);
}

static void test_bidi_and_emoji(void)
{
	/* RLO "gnp.exe" trick: overrides and isolates removed, marks kept */
	CLEAN("file\xE2\x80\xAEgnp.exe", "filegnp.exe");
	CLEAN("\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xADx\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9", "x");
	CLEAN("a\xE2\x80\x8E\xE2\x80\x8F", "a\xE2\x80\x8E\xE2\x80\x8F"); /* LRM, RLM kept */
	/* 4-byte emoji, ZWJ family and skin tone, variation selector: kept verbatim */
	CLEAN("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80");
	CLEAN("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
	      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7");
	CLEAN("\xE2\x9D\xA4\xEF\xB8\x8F\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
	      "\xE2\x9D\xA4\xEF\xB8\x8F\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD");
	/* markup is text: verbatim */
	CLEAN("<b>hi</b> <script>alert(1)</script> &amp;", "<b>hi</b> <script>alert(1)</script> &amp;");
	/* Arabic/Hebrew text itself is untouched */
	CLEAN("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7",
	      "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7");
}

static void test_invalid(void)
{
#define FFFD "\xEF\xBF\xBD"
	CLEAN("a\xFF"
	      "b",
	      "a" FFFD "b");
	CLEAN("\xC0\xAF", FFFD FFFD);
	CLEAN("\xED\xA0\x80x", FFFD FFFD FFFD "x");
	CLEAN("\xF0\x9F\x98x", FFFD "x"); /* maximal subpart: one replacement */
	CLEAN("end\xF0\x9F\x98", "end" FFFD);
	CLEAN("\xE2\x82", FFFD);
	CLEAN("\x80\x80", FFFD FFFD);

	size_t rl;
	char *r = rfo_text_utf8_repair("{\"t\":\"a\xFF\n\"}", 11, &rl);
	check_str(r, "{\"t\":\"a" FFFD "\n\"}");
	check(rl == strlen(r));
	bfree(r);
}

static void test_cut(void)
{
	check_clean("hello world", 11, 11, "hello world");
	check_clean("hello world", 11, 10, "hello w\xE2\x80\xA6");
	check_clean("hello world", 11, 3, "hel");
	/* never splits a code point: é is 2 bytes, emoji 4 */
	check_clean("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 8, 6, "\xC3\xA9\xE2\x80\xA6");
	check_clean("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 8, 7, "\xF0\x9F\x98\x80\xE2\x80\xA6");
	check_clean("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 8, 6, "\xE2\x80\xA6");
	check(rfo_text_utf8_prefix("\xF0\x9F\x98\x80z", 5, 3) == 0);
	check(rfo_text_utf8_prefix("ab", 2, 9) == 2);

	/* 100 kB of hostile text cut to 4 kB, valid, ends with the ellipsis */
	size_t n = 100 * 1024;
	char *big = bmalloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = "ab\xF0\x9F\x98\x80\n\xE2\x80\xAE\xFF"[i % 12];
	char *out = rfo_text_sanitize(big, n, 4096);
	size_t len = strlen(out);
	check(len <= 4096 && len > 4000);
	check(rfo_text_utf8_valid(out, len));
	check(strcmp(out + len - 3, "\xE2\x80\xA6") == 0);
	check(!strstr(out, "\xE2\x80\xAE") && !strchr(out, '\n'));
	bfree(out);
	out = rfo_text_sanitize(big, n, 0);
	check(rfo_text_utf8_valid(out, strlen(out)));
	bfree(out);
	bfree(big);
}

/* Every output of every 1- to 3-byte input is valid and free of controls and bidi overrides. */
static void test_exhaustive_short(void)
{
	unsigned char buf[3];
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b += (a < 0xC0 ? 255 : 1)) {
			for (unsigned c = 0x7F; c < 0xC1; c += 0x41) {
				buf[0] = (unsigned char)a;
				buf[1] = (unsigned char)b;
				buf[2] = (unsigned char)c;
				char *out = rfo_text_sanitize((char *)buf, 3, 0);
				size_t len = strlen(out);
				check(rfo_text_utf8_valid(out, len));
				for (size_t i = 0; i < len; i++)
					check((unsigned char)out[i] >= 0x20 && out[i] != 0x7F);
				check(!strstr(out, "\xE2\x80\xAE") && !strstr(out, "\xC2\x9B"));
				bfree(out);
			}
		}
	}
}

/* the one FNV-1a and hex-digit helper the chat store, URL decoder, colours and controller share */
static void test_hash_and_hex(void)
{
	check(rfo_text_hash("") == 0xcbf29ce484222325ULL);  /* FNV-1a 64 offset basis */
	check(rfo_text_hash("a") == 0xaf63dc4c8601ec8cULL); /* published test vector */
	check(rfo_text_hash("foobar") == 0x85944171f73967e8ULL);
	check(rfo_text_hash("msg-1") != rfo_text_hash("msg-2"));
	check(rfo_text_hex_digit('0') == 0 && rfo_text_hex_digit('9') == 9);
	check(rfo_text_hex_digit('a') == 10 && rfo_text_hex_digit('F') == 15);
	check(rfo_text_hex_digit('g') == -1 && rfo_text_hex_digit('/') == -1 && rfo_text_hex_digit(0) == -1);
}

int main(void)
{
	test_valid();
	test_controls();
	test_bidi_and_emoji();
	test_invalid();
	test_cut();
	test_exhaustive_short();
	test_hash_and_hex();
	return rfo_test_end();
}
