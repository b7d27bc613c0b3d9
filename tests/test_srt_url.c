/* rfo_srt_url_split: Restream's SRT URL -> server, stream id and passphrase for OBS's MPEG-TS output. */
#include "rfo-test.h"
#include "rfo-secret.h"
#include "rfo-srt-url.h"
#include "rfo-text.h"

#include <util/dstr.h>

static void expect(const char *url, const char *server, const char *id, const char *pass)
{
	char *s, *i, *p;
	check(rfo_srt_url_split(url, &s, &i, &p));
	check_str(s, server);
	check_str(i, id);
	if (pass)
		check_str(p, pass);
	else
		check(p == NULL);
	bfree(s);
	bfree(i);
	bfree(p);
}

/* FFmpeg's reading of one option of an srt:// URL (libavformat/libsrt.c): the query after the first '?' is split by
 * av_find_info_tag (pairs split at '&', name and value at '=', '+' read as a space, the FIRST pair of that name
 * wins), then the value percent-decoded by ff_urldecode(value, 1) (%XX decoded, '+' a space, a stray '%' kept).
 * NULL when the option is absent. bfree. */
static char *ffmpeg_option(const char *url, const char *name)
{
	const char *p = strchr(url, '?');
	if (!p)
		return NULL;
	p++;
	for (;;) {
		const char *k = p;
		while (*p && *p != '=' && *p != '&')
			p++;
		size_t klen = (size_t)(p - k);
		struct dstr raw = {0};
		dstr_copy(&raw, "");
		if (*p == '=') {
			for (p++; *p && *p != '&'; p++)
				dstr_cat_ch(&raw, *p == '+' ? ' ' : *p);
		}
		if (klen == strlen(name) && strncmp(k, name, klen) == 0) {
			struct dstr out = {0};
			dstr_copy(&out, "");
			for (size_t i = 0; i < raw.len; i++) {
				int h, l;
				if (raw.array[i] == '%' && i + 2 < raw.len &&
				    (h = rfo_text_hex_digit(raw.array[i + 1])) >= 0 &&
				    (l = rfo_text_hex_digit(raw.array[i + 2])) >= 0) {
					dstr_cat_ch(&out, (char)(h * 16 + l));
					i += 2;
				} else {
					dstr_cat_ch(&out, raw.array[i] == '+' ? ' ' : raw.array[i]);
				}
			}
			dstr_free(&raw);
			return out.array ? out.array : bstrdup("");
		}
		dstr_free(&raw);
		if (*p != '&')
			return NULL;
		p++;
	}
}

/* The compatibility URL hands FFmpeg exactly the stream id and passphrase, whatever they contain, and our own
 * split reads them back too. */
static void round_trip(const char *server, const char *id, const char *pass)
{
	char *url = rfo_srt_url_join(server, id, pass);
	check(url && strncmp(url, server, strlen(server)) == 0);
	char *got_id = ffmpeg_option(url, "streamid");
	char *got_pass = ffmpeg_option(url, "passphrase");
	check_str(got_id, id);
	if (pass && *pass)
		check_str(got_pass, pass);
	else
		check(got_pass == NULL);
	char *s, *i, *p;
	check(rfo_srt_url_split(url, &s, &i, &p));
	check_str(s, server);
	check_str(i, id);
	if (pass && *pass)
		check_str(p, pass);
	bfree(s);
	bfree(i);
	bfree(p);
	bfree(got_id);
	bfree(got_pass);
	rfo_secret_wipe_free(url);
}

static void test_join(void)
{
	round_trip("srt://live.restream.io:2010", "srt_123_abc_def", "re_123_xyz");
	round_trip("srt://h:1", "#!::r=live,m=publish", "a+b c%d&e=f#g");
	round_trip("srt://h:1", "id&passphrase=evil", "p%2Bq%");
	round_trip("srt://h:1?latency=200", "x?y/z", "\xC3\xA9t\xC3\xA9 ~._-");
	round_trip("srt://h:1", "", NULL);
	round_trip("srt://h:1", "plain", "");
	check(rfo_srt_url_join(NULL, "a", "b") == NULL);
	check(rfo_srt_url_join("srt://h:1", NULL, "b") == NULL);
}

int main(void)
{
	test_join();
	/* Restream's documented shape */
	expect("srt://live.restream.io:2010?streamid=srt_123_abc_def&passphrase=re_123_xyz",
	       "srt://live.restream.io:2010", "srt_123_abc_def", "re_123_xyz");
	/* order, other options kept in order, case of the names */
	expect("srt://h:1?latency=200&passphrase=pw&mode=caller&StreamId=sid", "srt://h:1?latency=200&mode=caller",
	       "sid", "pw");
	/* no query: no stream id, no passphrase */
	expect("srt://127.0.0.1:9000", "srt://127.0.0.1:9000", "", NULL);
	/* percent-encoded values are decoded; a stray % stays */
	expect("srt://h:1?streamid=%23%21%3A%3Ar%3Dlive&passphrase=a%2Bb%", "srt://h:1", "#!::r=live", "a+b%");
	/* empty values and empty pairs */
	expect("srt://h:1?streamid=&&passphrase=", "srt://h:1", "", "");
	/* a repeated name: the last one wins, as in libsrt's option parsing of later values */
	expect("srt://h:1?streamid=a&streamid=b", "srt://h:1", "b", NULL);

	char *s = (char *)1, *i = (char *)1, *p = (char *)1;
	check(!rfo_srt_url_split("rtmp://h/live", &s, &i, &p));
	check(!s && !i && !p);
	check(!rfo_srt_url_split(NULL, &s, &i, &p));
	return rfo_test_end();
}
