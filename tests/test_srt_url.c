/* rfo_srt_url_split: Restream's SRT URL -> server, stream id and passphrase for OBS's MPEG-TS output. */
#include "rfo-test.h"
#include "rfo-srt-url.h"

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

int main(void)
{
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
