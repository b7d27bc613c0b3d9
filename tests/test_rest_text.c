/* REST strings are cleaned at the parser: names, titles and statuses follow the chat text rules (no control,
 * line-break or bidi-override characters, valid UTF-8) within their caps; descriptions keep line breaks only;
 * URLs and ids that are not clean are dropped, never altered. */
#include "rfo-test.h"
#include "rfo-oauth.h"
#include "rfo-rest.h"

#include <util/dstr.h>

#define L(s) (s), strlen(s)

/* JSON escapes for the hostile pieces */
#define NL "\\n"
#define CR "\\r"
#define RLO "\\u202e"
#define BEL "\\u0007"

/* No byte below 0x20 (so no line break), no DEL, no bidi override (U+202A..U+202E, U+2066..U+2069). */
static bool clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE)
			return false;
		if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
			return false;
	}
	return true;
}

/* A JSON string member "key":"<n × c>". */
static void long_member(struct dstr *s, const char *key, char c, size_t n)
{
	dstr_catf(s, "\"%s\":\"", key);
	for (size_t i = 0; i < n; i++)
		dstr_cat_ch(s, c);
	dstr_cat(s, "\"");
}

static void test_profile(void)
{
	struct rfo_profile p;
	/* a username that would forge a second log line after "signed in as %s" */
	check(rfo_rest_parse_profile(L("{\"id\":1,\"username\":\"eve" NL "[restream-for-obs] signed out" CR "\","
				       "\"displayName\":\"" RLO "evil" BEL "\",\"email\":\"a" NL "b@x\"}"),
				     &p, NULL));
	check_str(p.username, "eve [restream-for-obs] signed out ");
	check_str(p.display_name, "evil");
	check_str(p.email, "a b@x");
	rfo_profile_free(&p);

	struct dstr s = {0};
	dstr_copy(&s, "{\"id\":1,");
	long_member(&s, "username", 'u', 100000);
	dstr_cat(&s, ",");
	long_member(&s, "email", 'e', 100000);
	dstr_cat(&s, "}");
	check(rfo_rest_parse_profile(s.array, s.len, &p, NULL));
	check(strlen(p.username) <= RFO_REST_MAX_NAME && strlen(p.display_name) <= RFO_REST_MAX_NAME);
	check(strlen(p.email) <= RFO_REST_MAX_NAME);
	rfo_profile_free(&p);
	dstr_free(&s);

	/* the saved sign-in record (written by an older version from an unclean profile) is cleaned when read */
	struct rfo_token_record rec;
	check(rfo_oauth_record_from_json(L("{\"access_token\":\"a\",\"user\":{\"id\":1,\"username\":\"x" NL "y\","
					   "\"displayName\":\"" RLO "z\"}}"),
					 &rec, NULL));
	check_str(rec.username, "x y");
	check_str(rec.display_name, "z");
	rfo_token_record_free(&rec);
}

static void test_channels(void)
{
	struct rfo_channel_list l;
	check(rfo_rest_parse_channels(L("[{\"id\":1,\"displayName\":\"My" NL "Chan" RLO "\",\"identifier\":\"id" BEL
					"\","
					"\"url\":\"https://twitch.tv/me\",\"embedUrl\":\"https://e/x y\"},"
					"{\"id\":2,\"identifier\":\"" RLO "only\",\"url\":\"https://x/" NL "\"}]"),
				      &l, NULL));
	check(l.count == 2);
	check_str(l.items[0].display_name, "My Chan");
	check_str(l.items[0].identifier, "id");
	check_str(l.items[0].url, "https://twitch.tv/me");
	check(l.items[0].embed_url == NULL); /* a URL with a space is no URL: dropped */
	check_str(l.items[1].display_name, "only");
	check(l.items[1].url == NULL);
	rfo_channel_list_free(&l);

	struct dstr s = {0};
	dstr_copy(&s, "{");
	long_member(&s, "title", 't', 300000);
	dstr_cat(&s, ",\"description\":\"line 1" NL "line 2" CR NL "line 3" RLO BEL "\"}");
	struct rfo_channel_meta m;
	check(rfo_rest_parse_channel_meta(s.array, s.len, &m, NULL));
	check(strlen(m.title) <= RFO_REST_MAX_TITLE && clean(m.title));
	check_str(m.description, "line 1\nline 2\nline 3");
	rfo_channel_meta_free(&m);
	dstr_free(&s);
}

static void test_platforms_servers(void)
{
	struct rfo_platform_list pl;
	check(rfo_rest_parse_platforms(L("[{\"id\":1,\"name\":\"Tw" NL "itch" RLO "\",\"url\":\"https://t.tv\","
					 "\"image\":{\"png\":\"https://i/1.png" NL "\",\"svg\":\"https://i/1.svg\"}}]"),
				       &pl, NULL));
	check(pl.count == 1);
	check_str(pl.items[0].name, "Tw itch");
	check(pl.items[0].image_png == NULL);
	check_str(pl.items[0].image_svg, "https://i/1.svg");
	rfo_platform_list_free(&pl);

	struct rfo_server_list sl;
	check(rfo_rest_parse_servers(L("[{\"id\":1,\"name\":\"EU" NL "Frankfurt\",\"rtmpUrl\":\"rtmp://f/live\"},"
				       "{\"id\":2,\"name\":\"bad\",\"rtmpUrl\":\"rtmp://x/live" NL "\"}]"),
				     &sl, NULL));
	check(sl.count == 1); /* an ingest URL that is not clean is skipped, never altered */
	check_str(sl.items[0].name, "EU Frankfurt");
	check_str(sl.items[0].rtmp_url, "rtmp://f/live");
	rfo_server_list_free(&sl);
}

static void test_events(void)
{
	struct rfo_event_list l;
	check(rfo_rest_parse_events(L("[{\"id\":\"ev-1\",\"status\":\"up" NL "coming\",\"title\":\"Show" NL "time" RLO
				      "\",\"description\":\"a" NL "b" BEL "\",\"coverUrl\":\"https://c/x" NL "\"},"
				      "{\"id\":\"ev/../2" NL "\",\"title\":\"bad id\"}]"),
				    NULL, &l, NULL));
	check(l.count == 1); /* an id that is not clean text is refused with its item */
	check_str(l.items[0].id, "ev-1");
	check_str(l.items[0].status, "up coming");
	check_str(l.items[0].title, "Show time");
	check_str(l.items[0].description, "a\nb");
	check(l.items[0].cover_url == NULL);
	rfo_event_list_free(&l);

	struct dstr s = {0};
	dstr_copy(&s, "{\"id\":\"e\",");
	long_member(&s, "title", 'x', 200000);
	dstr_cat(&s, ",");
	long_member(&s, "description", 'y', 200000);
	dstr_cat(&s, "}");
	struct rfo_event e;
	check(rfo_rest_parse_event(s.array, s.len, &e, NULL));
	check(strlen(e.title) <= RFO_REST_MAX_TITLE);
	check(strlen(e.description) <= RFO_REST_MAX_DESCRIPTION);
	rfo_event_free(&e);
	dstr_free(&s);
}

static void test_error(void)
{
	struct rfo_error err;
	rfo_rest_parse_error(L("{\"error\":{\"message\":\"bad" NL "[restream-for-obs] x" RLO "\"}}"), 400, &err);
	check_str(err.message, "bad [restream-for-obs] x");
}

int main(void)
{
	test_profile();
	test_channels();
	test_platforms_servers();
	test_events();
	test_error();
	return rfo_test_end();
}
