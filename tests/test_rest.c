/* REST bodies from docs/restream-api.md §2: exact doc shapes, both spellings, nulls, extra fields,
 * numbers as strings, wrong types, malformed and huge input; error envelope; request bodies. */
#include "rfo-test.h"
#include "rfo-rest.h"

#include <util/dstr.h>

#include <stdint.h>

#define L(s) (s), strlen(s)

static const char *const garbage[] = {"", "{", "[", "nul", "<html>500</html>", "{\"id\":1", "[{\"id\":1},"};

static void test_profile(void)
{
	struct rfo_profile p;
	struct rfo_error err;
	check(rfo_rest_parse_profile(L("{\"id\":123,\"username\":\"streamer\",\"email\":\"s@example.com\"}"), &p,
				     &err));
	check(p.id == 123);
	check_str(p.username, "streamer");
	check_str(p.email, "s@example.com");
	check_str(p.display_name, "streamer"); /* falls back to username */
	rfo_profile_free(&p);
	check(p.username == NULL);

	check(rfo_rest_parse_profile(L("{\"id\":\"9007199254740993\",\"username\":\"u\",\"email\":null,"
				       "\"displayName\":\"Dísplay\",\"createdAt\":\"2020-01-01\",\"x\":{}}"),
				     &p, &err));
	check(p.id == 9007199254740993LL);
	check(p.email == NULL);
	check_str(p.display_name, "Dísplay");
	rfo_profile_free(&p);

	check(rfo_rest_parse_profile(L("{\"id\":5,\"displayName\":\"\"}"), &p, &err));
	check_str(p.username, "");
	check_str(p.display_name, "");
	rfo_profile_free(&p);

	const char *bad[] = {"[]", "{}", "{\"id\":\"x\",\"username\":5}", "{\"id\":null}", "\"str\""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		check(!rfo_rest_parse_profile(L(bad[i]), &p, &err));
		check(err.code == RFO_ERR_PARSE);
		check_str(err.message, "Restream sent an unexpected reply to /v2/user/profile");
		rfo_profile_free(&p);
	}
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		check(!rfo_rest_parse_profile(L(garbage[i]), &p, NULL));
		rfo_profile_free(&p);
	}
}

static void test_platforms(void)
{
	struct rfo_platform_list l;
	struct rfo_error err;
	const char *s =
		"[{\"id\":1,\"name\":\"Twitch\",\"url\":\"http://twitch.tv\",\"image\":{\"png\":\"https://restream.io/"
		"img/api/platforms/platform-1.png\",\"svg\":\"https://restream.io/img/api/platforms/platform-1.svg\"},"
		"\"altImage\":{\"png\":\"a.png\",\"svg\":null}},"
		"{\"id\":\"5\",\"name\":\"Youtube\",\"url\":null,\"image\":null},"
		"{\"name\":\"no id\"}, 7, null, {\"id\":29}]";
	check(rfo_rest_parse_platforms(L(s), &l, &err));
	check(l.count == 3);
	check(l.items[0].id == 1);
	check_str(l.items[0].name, "Twitch");
	check_str(l.items[0].url, "http://twitch.tv");
	check_str(l.items[0].image_png, "https://restream.io/img/api/platforms/platform-1.png");
	check_str(l.items[0].image_svg, "https://restream.io/img/api/platforms/platform-1.svg");
	check_str(l.items[0].alt_image_png, "a.png");
	check(l.items[0].alt_image_svg == NULL);
	check(l.items[1].id == 5 && l.items[1].url == NULL && l.items[1].image_png == NULL);
	check_str(l.items[2].name, "Platform 29");
	check(rfo_platform_list_find(&l, 5) == &l.items[1]);
	check(rfo_platform_list_find(&l, 6) == NULL);
	check(rfo_platform_list_find(NULL, 6) == NULL);
	rfo_platform_list_free(&l);
	check(l.items == NULL && l.count == 0);

	check(rfo_rest_parse_platforms(L("[]"), &l, &err));
	check(l.count == 0);
	rfo_platform_list_free(&l);
	check(!rfo_rest_parse_platforms(L("{\"id\":1}"), &l, &err));
	check_str(err.message, "Restream sent an unexpected reply to /v2/platform/all");
	rfo_platform_list_free(&l);
	rfo_platform_list_free(NULL);
}

static void test_servers(void)
{
	struct rfo_server_list l;
	struct rfo_error err;
	const char *s =
		"[{\"id\":20,\"name\":\"Autodetect\",\"url\":\"live.restream.io\",\"rtmpUrl\":\"rtmp://live.restream.io/"
		"live\",\"latitude\":\"0.00000000\",\"longitude\":\"0.00000000\"},"
		"{\"id\":1,\"name\":\"EU-West (London, GB)\",\"url\":\"london.restream.io\",\"rtmpUrl\":\"rtmp://"
		"london.restream.io/live\",\"latitude\":\"51.50735100\",\"longitude\":\"-0.12775800\"},"
		"{\"id\":2,\"rtmpUrl\":\"rtmp://x/live\",\"latitude\":51.5,\"longitude\":\"bad\"},"
		"{\"id\":3,\"name\":\"no rtmp\"},{\"id\":4,\"rtmpUrl\":null},{\"rtmpUrl\":\"rtmp://noid\"}]";
	check(rfo_rest_parse_servers(L(s), &l, &err));
	check(l.count == 3);
	check(l.items[0].id == 20);
	check_str(l.items[0].name, "Autodetect");
	check_str(l.items[0].rtmp_url, "rtmp://live.restream.io/live");
	check(l.items[0].has_location && l.items[0].latitude == 0.0);
	check(l.items[1].latitude > 51.507 && l.items[1].latitude < 51.508);
	check(l.items[1].longitude < -0.1277 && l.items[1].longitude > -0.1278);
	check(!l.items[2].has_location && l.items[2].latitude == 0.0);
	check_str(l.items[2].name, "rtmp://x/live");
	check(rfo_server_list_find(&l, 1) == &l.items[1]);
	check(rfo_server_list_find(&l, 3) == NULL);
	rfo_server_list_free(&l);
	check(!rfo_rest_parse_servers(L("{}"), &l, &err));
	check(strstr(err.message, "/v2/server/all") != NULL);
	rfo_server_list_free(&l);
}

static void test_ingest_keys(void)
{
	struct rfo_error err;
	int64_t id = 0;
	check(rfo_rest_parse_ingest(L("{\"ingestId\":8}"), &id, &err) && id == 8);
	check(rfo_rest_parse_ingest(L("{\"ingestId\":\"12\",\"extra\":true}"), &id, &err) && id == 12);
	id = -1;
	check(!rfo_rest_parse_ingest(L("{\"ingestId\":null}"), &id, &err) && id == -1);
	check_str(err.message, "Restream sent an unexpected reply to /v2/user/ingest");
	check(!rfo_rest_parse_ingest(L("[8]"), &id, &err));
	check(!rfo_rest_parse_ingest(L("{\"ingestId\":\"eight\"}"), &id, NULL));

	struct rfo_stream_key k;
	check(rfo_rest_parse_stream_key(
		L("{\"streamKey\":\"re_xxx_xxx\",\"srtUrl\":\"srt://live.restream.io:2010?streamid="
		  "srt_xxx_xxx_xxx&passphrase=re_xxx_xxx\"}"),
		&k, &err));
	check_str(k.stream_key, "re_xxx_xxx");
	check_str(k.srt_url, "srt://live.restream.io:2010?streamid=srt_xxx_xxx_xxx&passphrase=re_xxx_xxx");
	rfo_stream_key_free(&k);
	check(k.stream_key == NULL);
	check(rfo_rest_parse_stream_key(L("{\"streamKey\":\"re_1\",\"srtUrl\":null}"), &k, &err));
	check(k.srt_url == NULL);
	rfo_stream_key_free(&k);
	check(rfo_rest_parse_stream_key(L("{\"streamKey\":\"re_1\"}"), &k, &err) && k.srt_url == NULL);
	rfo_stream_key_free(&k);
	check(!rfo_rest_parse_stream_key(L("{\"streamKey\":\"\"}"), &k, &err));
	check(!rfo_rest_parse_stream_key(L("{\"streamKey\":123}"), &k, &err));
	check(strstr(err.message, "streamKey") != NULL);
	rfo_stream_key_free(&k);

	struct rfo_srt_key s;
	check(rfo_rest_parse_srt_key(
		L("{\"streamId\":\"srt_1\",\"passPhrase\":\"re_2\",\"url\":\"srt://live.restream.io:"
		  "2010?streamid=srt_1&passphrase=re_2\"}"),
		&s, &err));
	check_str(s.stream_id, "srt_1");
	check_str(s.passphrase, "re_2");
	check_str(s.url, "srt://live.restream.io:2010?streamid=srt_1&passphrase=re_2");
	rfo_srt_key_free(&s);
	check(rfo_rest_parse_srt_key(L("{\"streamId\":\"srt_1\",\"passphrase\":\"re_2\"}"), &s, &err));
	check(s.url == NULL);
	check_str(s.passphrase, "re_2");
	rfo_srt_key_free(&s);
	check(rfo_rest_parse_srt_key(L("{\"url\":\"srt://x\"}"), &s, &err) && s.stream_id == NULL);
	rfo_srt_key_free(&s);
	check(!rfo_rest_parse_srt_key(L("{\"streamId\":\"srt_1\"}"), &s, &err));
	check(err.code == RFO_ERR_PARSE);
	rfo_srt_key_free(&s);
}

static void test_channels(void)
{
	struct rfo_channel_list l;
	struct rfo_error err;
	const char *s =
		"[{\"id\":123456,\"streamingPlatformId\":5,\"embedUrl\":\"https://e/1\",\"url\":\"https://youtube."
		"com/c/x\",\"identifier\":\"xid\",\"displayName\":\"My YouTube\",\"enabled\":true},"
		"{\"id\":\"2\",\"streamingPlatformId\":\"1\",\"displayName\":\"Twitch\",\"active\":false,\"new\":1},"
		"{\"id\":3,\"streamingPlatformId\":1,\"identifier\":\"ident\",\"active\":1},"
		"{\"id\":4,\"enabled\":null,\"active\":\"true\",\"displayName\":null},"
		"{\"id\":5,\"enabled\":false,\"active\":true},"
		"{\"noid\":1},[1],\"x\",{\"id\":1.5e300}]";
	check(rfo_rest_parse_channels(L(s), &l, &err));
	check(l.count == 5);
	struct rfo_channel *c = &l.items[0];
	check(c->id == 123456 && c->platform_id == 5 && c->enabled);
	check_str(c->embed_url, "https://e/1");
	check_str(c->url, "https://youtube.com/c/x");
	check_str(c->identifier, "xid");
	check_str(c->display_name, "My YouTube");
	c = &l.items[1];
	check(c->id == 2 && c->platform_id == 1 && !c->enabled);
	check(c->url == NULL && c->embed_url == NULL && c->identifier == NULL);
	check_str(l.items[2].display_name, "ident");
	check(l.items[2].enabled);
	check(l.items[3].enabled);
	check_str(l.items[3].display_name, "");
	check(!l.items[4].enabled); /* "enabled" wins over "active" */
	check(rfo_channel_list_find(&l, 3) == &l.items[2]);
	check(rfo_channel_list_find(&l, 99) == NULL);
	rfo_channel_list_free(&l);

	check(rfo_rest_parse_channels(L("{\"items\":[{\"id\":1}]}"), &l, &err) && l.count == 1);
	check(!l.items[0].enabled);
	rfo_channel_list_free(&l);
	check(!rfo_rest_parse_channels(L("{\"id\":1}"), &l, &err));
	check_str(err.message, "Restream sent an unexpected reply to /v2/user/channel/all");
	rfo_channel_list_free(&l);

	/* single channel: doc camelCase shape */
	struct rfo_channel ch;
	check(rfo_rest_parse_channel(L("{\"id\":123456,\"streamingPlatformId\":000,\"embedUrl\":\"e\",\"url\":\"u\","
				       "\"identifier\":\"xxx\",\"displayName\":\"xxx\",\"active\":true}"),
				     &ch, &err) == false); /* 000 is not valid JSON: a leading zero */
	check(err.code == RFO_ERR_PARSE);
	rfo_channel_free(&ch);
	check(rfo_rest_parse_channel(L("{\"id\":123456,\"streamingPlatformId\":0,\"embedUrl\":\"e\",\"url\":\"u\","
				       "\"identifier\":\"xxx\",\"displayName\":\"Name\",\"active\":true}"),
				     &ch, &err));
	check(ch.id == 123456 && ch.platform_id == 0 && ch.enabled);
	check_str(ch.display_name, "Name");
	check_str(ch.url, "u");
	rfo_channel_free(&ch);
	/* snake_case shape (S20) */
	check(rfo_rest_parse_channel(L("{\"id\":7,\"user_id\":99,\"service_id\":25,\"channel_identifier\":\"UCx\","
				       "\"channel_url\":\"https://youtube.com/UCx\",\"event_identifier\":null,"
				       "\"event_url\":null,\"embed\":\"https://embed\",\"active\":false,"
				       "\"display_name\":\"Snake\"}"),
				     &ch, &err));
	check(ch.id == 7 && ch.platform_id == 25 && !ch.enabled);
	check_str(ch.identifier, "UCx");
	check_str(ch.url, "https://youtube.com/UCx");
	check_str(ch.embed_url, "https://embed");
	check_str(ch.display_name, "Snake");
	rfo_channel_free(&ch);
	/* POST /user/channels reply shape */
	check(rfo_rest_parse_channel(
		L("{\"id\":123456,\"platformId\":29,\"channelUrl\":\"rtmp://x\",\"displayName\":\"C\"}"), &ch, &err));
	check(ch.platform_id == 29);
	check_str(ch.url, "rtmp://x");
	rfo_channel_free(&ch);
	check(!rfo_rest_parse_channel(L("{\"displayName\":\"no id\"}"), &ch, &err));
	check(strstr(err.message, "/v2/user/channel/") != NULL);
	rfo_channel_free(&ch);
	check(!rfo_rest_parse_channel(L("[{\"id\":1}]"), &ch, &err));
	rfo_channel_free(&ch);
	rfo_channel_free(NULL);

	struct rfo_channel_meta m;
	check(rfo_rest_parse_channel_meta(L("{\"title\":\"Channel Title\"}"), &m, &err));
	check_str(m.title, "Channel Title");
	check(m.description == NULL);
	rfo_channel_meta_free(&m);
	check(rfo_rest_parse_channel_meta(L("{\"title\":null,\"description\":\"d\",\"tags\":[]}"), &m, &err));
	check_str(m.title, "");
	check_str(m.description, "d");
	rfo_channel_meta_free(&m);
	check(!rfo_rest_parse_channel_meta(L("[]"), &m, &err));
	rfo_channel_meta_free(&m);
}

static const char event_json[] =
	"{\"id\":\"2527849f-f961-4b1d-8ae0-8eae4f068327\",\"status\":\"upcoming\",\"title\":\"My show\","
	"\"description\":\"desc\",\"coverUrl\":null,\"isRecordOnly\":false,\"scheduledFor\":1599983310,"
	"\"startedAt\":null,\"finishedAt\":null,\"showId\":\"show-1\",\"destinations\":[{\"channelId\":1,"
	"\"externalUrl\":null,\"streamingPlatformId\":5},{\"channelId\":\"2\",\"externalUrl\":\"https://yt/x\","
	"\"streamingPlatformId\":1},7]}";

static void test_events(void)
{
	struct rfo_event e;
	struct rfo_error err;
	check(rfo_rest_parse_event(L(event_json), &e, &err));
	check_str(e.id, "2527849f-f961-4b1d-8ae0-8eae4f068327");
	check_str(e.status, "upcoming");
	check(e.status_kind == RFO_EVENT_UPCOMING);
	check_str(e.title, "My show");
	check_str(e.description, "desc");
	check(e.cover_url == NULL && !e.is_record_only && !e.is_instant);
	check(e.scheduled_for == 1599983310 && e.started_at == 0 && e.finished_at == 0);
	check_str(e.show_id, "show-1");
	check(e.destination_count == 2);
	check(e.destinations[0].channel_id == 1 && e.destinations[0].platform_id == 5);
	check(e.destinations[0].external_url == NULL);
	check(e.destinations[1].channel_id == 2);
	check_str(e.destinations[1].external_url, "https://yt/x");
	rfo_event_free(&e);
	check(e.id == NULL);

	/* upcoming / in-progress: array */
	struct rfo_event_list l;
	char arr[2048];
	snprintf(arr, sizeof(arr),
		 "[%s,{\"id\":\"b\",\"status\":\"in-progress\",\"isRecordOnly\":true,\"startedAt\":\"1599983310\","
		 "\"isInstant\":1,\"coverUrl\":\"https://c\",\"destinations\":null},{\"title\":\"no id\"},{\"id\":77,"
		 "\"status\":\"weird\",\"finishedAt\":\"2020-09-13T07:48:30Z\"}]",
		 event_json);
	check(rfo_rest_parse_events(L(arr), "/v2/user/events/upcoming", &l, &err));
	check(l.count == 3 && l.page == 0);
	check(l.items[1].status_kind == RFO_EVENT_IN_PROGRESS);
	check(l.items[1].is_record_only && l.items[1].is_instant);
	check(l.items[1].started_at == 1599983310);
	check(l.items[1].destination_count == 0 && l.items[1].destinations == NULL);
	check_str(l.items[1].cover_url, "https://c");
	check(l.items[1].description == NULL && l.items[1].show_id == NULL);
	check_str(l.items[2].id, "77");
	check(l.items[2].status_kind == RFO_EVENT_UNKNOWN);
	check_str(l.items[2].status, "weird");
	check_str(l.items[2].title, "");
	check(l.items[2].finished_at == 1599983310);
	rfo_event_list_free(&l);

	/* history: items + pagination */
	check(rfo_rest_parse_events(L("{\"items\":[{\"id\":\"h1\",\"status\":\"finished\"},{\"id\":\"h2\",\"status\":"
				      "\"missed\"}],\"pagination\":{\"pages_total\":10,\"page\":\"1\",\"limit\":10}}"),
				    "/v2/user/events/history", &l, &err));
	check(l.count == 2 && l.page == 1 && l.pages_total == 10 && l.limit == 10);
	check(l.items[0].status_kind == RFO_EVENT_FINISHED);
	check(l.items[1].status_kind == RFO_EVENT_MISSED);
	rfo_event_list_free(&l);
	check(rfo_rest_parse_events(L("{\"items\":[],\"pagination\":null}"), NULL, &l, &err) && l.count == 0);
	rfo_event_list_free(&l);

	check(!rfo_rest_parse_events(L("{\"items\":{}}"), "/v2/user/events/history", &l, &err));
	check_str(err.message, "Restream sent an unexpected reply to /v2/user/events/history");
	rfo_event_list_free(&l);
	check(!rfo_rest_parse_events(L("{}"), NULL, &l, &err));
	check_str(err.message, "Restream sent an unexpected reply to /v2/user/events");
	rfo_event_list_free(&l);
	check(!rfo_rest_parse_event(L("{\"id\":null}"), &e, &err));
	check(!rfo_rest_parse_event(L("{\"id\":\"\"}"), &e, &err));
	check(!rfo_rest_parse_event(L("[]"), &e, &err));
	rfo_event_free(&e);
	rfo_event_list_free(NULL);
	rfo_event_free(NULL);

	check(rfo_event_status_from_string("in-progress") == RFO_EVENT_IN_PROGRESS);
	check(rfo_event_status_from_string(NULL) == RFO_EVENT_UNKNOWN);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		check(!rfo_rest_parse_events(L(garbage[i]), NULL, &l, &err));
		rfo_event_list_free(&l);
		check(!rfo_rest_parse_event(L(garbage[i]), &e, &err));
		rfo_event_free(&e);
	}
}

static void check_error(const char *body, long status, const char *want_msg, int want_code, bool want_known)
{
	struct rfo_error err;
	rfo_error_clear(&err);
	check(rfo_rest_parse_error(body, body ? strlen(body) : 0, status, &err) == want_known);
	check_str(err.message, want_msg);
	check(err.code == want_code);
}

static void test_error_envelope(void)
{
	check_error(
		"{\"error\":{\"statusCode\":401,\"status\":401,\"code\":401,\"message\":\"Invalid token: access token "
		"is invalid\",\"name\":\"invalid_token\"}}",
		401, "Invalid token: access token is invalid", 401, true);
	check_error("{\"error\":{\"status\":400,\"name\":\"TitleTooLong\"}}", 0, "Title Too Long", 400, true);
	check_error("{\"error\":{\"code\":\"409\",\"name\":\"ClipsInputAlreadyProcessed\"}}", 0,
		    "Clips Input Already Processed", 409, true);
	check_error("{\"error\":{\"statusCode\":400,\"name\":\"invalid_body_params\",\"message\":\"\"}}", 400,
		    "Invalid body params", 400, true);
	check_error("{\"error\":{\"message\":\"Insufficient Scope\"}}", 403, "Insufficient Scope", 403, true);
	check_error("{\"error\":{}}", 404, "Restream answered with HTTP 404", 404, true);
	check_error("{\"error\":\"invalid_grant\",\"error_description\":\"Bad\\ngrant\"}", 400, "Bad grant", 400, true);
	check_error("{\"message\":\"Not Found\"}", 404, "Not Found", 404, true);
	check_error("<html>Bad Gateway</html>", 502, "Restream answered with HTTP 502", 502, false);
	check_error("", 500, "Restream answered with HTTP 500", 500, false);
	check_error(NULL, 503, "Restream answered with HTTP 503", 503, false);
	check_error("{\"error\":{\"name\":\"___\"}}", 0, "Restream sent an unexpected reply", RFO_ERR_PARSE, true);
	check_error("[1]", 0, "Restream sent an unexpected reply", RFO_ERR_PARSE, false);
	check(!rfo_rest_parse_error("{}", 2, 500, NULL));

	/* a long message is cut to the buffer */
	char big[2000] = "{\"error\":{\"message\":\"";
	size_t n = strlen(big);
	memset(big + n, 'm', 1500);
	strcpy(big + n + 1500, "\"}}");
	struct rfo_error err;
	check(rfo_rest_parse_error(big, strlen(big), 400, &err));
	check(strlen(err.message) == sizeof(err.message) - 1);
}

static void test_bodies(void)
{
	char *b = rfo_rest_channel_patch_body(true);
	check_str(b, "{\"active\":true}");
	bfree(b);
	b = rfo_rest_channel_patch_body(false);
	check_str(b, "{\"active\":false}");
	bfree(b);
	b = rfo_rest_meta_patch_body("My \"title\" é", "line1\nline2");
	check_str(b, "{\"title\":\"My \\\"title\\\" é\",\"description\":\"line1\\nline2\"}");
	bfree(b);
	b = rfo_rest_meta_patch_body("T", NULL);
	check_str(b, "{\"title\":\"T\"}");
	bfree(b);
	b = rfo_rest_meta_patch_body("", "");
	check_str(b, "{\"title\":\"\",\"description\":\"\"}");
	bfree(b);
	check(rfo_rest_meta_patch_body(NULL, "d") == NULL);
	check(rfo_rest_meta_patch_body("\xff", NULL) == NULL);
	check(rfo_rest_meta_patch_body("ok", "\xc3") == NULL);
}

static void test_huge(void)
{
	/* 20000 channels */
	size_t n = 20000;
	struct dstr s = {0};
	dstr_cat(&s, "[");
	for (size_t i = 0; i < n; i++)
		dstr_catf(&s, "%s{\"id\":%zu,\"displayName\":\"c%zu\",\"active\":%s}", i ? "," : "", i + 1, i,
			  i % 2 ? "true" : "false");
	dstr_cat(&s, "]");
	struct rfo_channel_list l;
	struct rfo_error err;
	check(rfo_rest_parse_channels(s.array, s.len, &l, &err));
	check(l.count == n);
	check(l.items[n - 1].id == (int64_t)n && l.items[n - 1].enabled);
	rfo_channel_list_free(&l);
	/* truncated at ~20 places: never crashes, never leaks */
	for (size_t cut = 0; cut < s.len; cut += s.len / 19 + 1) {
		if (rfo_rest_parse_channels(s.array, cut, &l, NULL))
			fail("truncated JSON parsed");
		rfo_channel_list_free(&l);
	}
	dstr_free(&s);

	/* deeply nested garbage */
	size_t depth = 100000;
	char *deep = bmalloc(depth + 1);
	memset(deep, '[', depth);
	check(!rfo_rest_parse_events(deep, depth, NULL, &(struct rfo_event_list){0}, &err));
	bfree(deep);
}

int main(void)
{
	test_profile();
	test_platforms();
	test_servers();
	test_ingest_keys();
	test_channels();
	test_events();
	test_error_envelope();
	test_bodies();
	test_huge();
	return rfo_test_end();
}
