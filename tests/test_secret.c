/* Redaction of URLs, SRT URLs and stream keys before anything is logged or shown. */
#include "rfo-test.h"
#include "rfo-secret.h"

static void check_redact(const char *in, const char *want)
{
	char *s = rfo_url_redact(in);
	check_str(s, want);
	bfree(s);
}

static void test_url_redact(void)
{
	check_redact("wss://chat.api.restream.io/ws?accessToken=2a40abcdef",
		     "wss://chat.api.restream.io/ws?accessToken=***");
	check_redact(
		"https://x/y?a=1&access_token=t&token=u&b=2&refresh_token=r&client_secret=s&code=c&key=k",
		"https://x/y?a=1&access_token=***&token=***&b=2&refresh_token=***&client_secret=***&code=***&key=***");
	check_redact("srt://live.restream.io:2010?streamid=srt_1_2_3&passphrase=re_4_5",
		     "srt://live.restream.io:2010?streamid=***&passphrase=***");
	check_redact("https://x/?ACCESSTOKEN=a&PassPhrase=b&StreamId=c",
		     "https://x/?ACCESSTOKEN=***&PassPhrase=***&StreamId=***");
	check_redact("https://x/?keyboard=1&monkey=2&tokens=3", "https://x/?keyboard=1&monkey=2&tokens=3");
	check_redact("https://x/cb#access_token=abc&state=s", "https://x/cb#access_token=***&state=s");
	check_redact("https://user:hunter2@x/?q=1", "https://user:***@x/?q=1");
	check_redact("https://user@x/", "https://user@x/");
	check_redact("https://api.restream.io/v2/user/profile", "https://api.restream.io/v2/user/profile");
	check_redact("/callback?code=abc&state=xyz&scope=a,b", "/callback?code=***&state=xyz&scope=a,b");
	check_redact("https://x/?accessToken=", "https://x/?accessToken=***");
	check_redact("https://x/?accessToken&x", "https://x/?accessToken&x");
	check_redact("https://x/??token=a", "https://x/??token=a");
	check_redact("https://x/?&&token=a&&", "https://x/?&&token=***&&");
	check_redact("", "");
	check(rfo_url_redact(NULL) == NULL);

	check(rfo_secret_param_is_sensitive("client_secret", 13));
	check(rfo_secret_param_is_sensitive("STREAMKEY", 9));
	check(!rfo_secret_param_is_sensitive("client", 6));
	check(!rfo_secret_param_is_sensitive(NULL, 0));
}

static void test_srt_mask(void)
{
	char *s = rfo_srt_url_mask(
		"srt://live.restream.io:2010?streamid=srt_1234567_abcdef_99&passphrase=re_77_88&latency=200");
	check_str(s, "srt://live.restream.io:2010?streamid=***&passphrase=***&latency=200");
	check(!strstr(s, "abcdef") && !strstr(s, "re_77"));
	bfree(s);
	s = rfo_srt_url_mask("srt://127.0.0.1:9000");
	check_str(s, "srt://127.0.0.1:9000");
	bfree(s);
	check(rfo_srt_url_mask(NULL) == NULL);
}

static void check_mask(const char *key, const char *want)
{
	char *s = rfo_key_mask(key);
	check_str(s, want);
	bfree(s);
}

#define D "\xe2\x80\xa2"

static void test_key_mask(void)
{
	/* 33 characters: 25% = 8 shown at most: "re_" + last 4 */
	check_mask("re_1234567_abcdef0123456789abcdef", "re_" D D D D "cdef");
	/* 16 characters: budget 4 -> only the last 4, no prefix */
	check_mask("re_1234567890123", D D D D "0123");
	/* 8 characters: budget 2 */
	check_mask("abcdefgh", D D D D "gh");
	check_mask("abc", D D D D);
	check_mask("", "");
	check(rfo_key_mask(NULL) == NULL);

	/* never more than 25% of any key is shown */
	char key[101];
	for (size_t len = 1; len <= 100; len++) {
		for (size_t i = 0; i < len; i++)
			key[i] = (char)('a' + (i % 26));
		if (len > 3)
			key[2] = '_';
		key[len] = 0;
		char *m = rfo_key_mask(key);
		size_t shown = strlen(m) - strlen(D D D D);
		check(strstr(m, D D D D) != NULL);
		check(shown * 4 <= len);
		bfree(m);
	}
	/* non-ASCII tail is not shown (would split UTF-8) */
	char *m = rfo_key_mask("abcdefghijklmn\xc3\xa9");
	check_str(m, D D D D);
	bfree(m);
}

int main(void)
{
	test_url_redact();
	test_srt_mask();
	test_key_mask();
	return rfo_test_end();
}
