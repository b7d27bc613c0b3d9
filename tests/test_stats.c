/* rfo-stats: streaming-updates frames (docs/restream-api.md §3.2) and the live-stats state model. */
#include "rfo-test.h"

#include <util/threading.h>

#include "rfo-stats.h"

static const char *incoming =
	"{\"action\":\"updateIncoming\",\"userId\":1,\"eventId\":null,\"createdAt\":1000,\"suid\":\"s-1\","
	"\"streaming\":{\"fps\":59.94,\"keyframeInterval\":2,\"lossRate\":0,\"bitrate\":{\"total\":6160000,"
	"\"audio\":160000,\"video\":6000000},\"codec\":{\"audio\":\"aac\",\"video\":\"h264\"},"
	"\"profileAndLevel\":\"High/4.2\",\"height\":1080,\"width\":1920}}";

static bool feed(struct rfo_stats_state *s, const char *json, int64_t now)
{
	struct rfo_stats_frame f;
	check(rfo_stats_parse(json, strlen(json), &f, NULL));
	bool changed = rfo_stats_apply(s, &f, now);
	rfo_stats_frame_free(&f);
	return changed;
}

static void outgoing(char *buf, size_t size, int64_t ch, int64_t platform, int64_t created, const char *status,
		     int64_t bitrate)
{
	snprintf(
		buf, size,
		"{\"action\":\"updateOutgoing\",\"userId\":1,\"platformId\":%lld,\"channelId\":%lld,\"createdAt\":%lld,"
		"\"channelIdentifier\":\"x\",\"eventIdentifier\":\"y\",\"streaming\":{\"status\":\"%s\",\"bitrate\":%lld,"
		"\"bufferedBytes\":0}}",
		(long long)platform, (long long)ch, (long long)created, status, (long long)bitrate);
}

static void statuses(char *buf, size_t size, int64_t ch, int64_t created, const char *online, const char *viewers)
{
	snprintf(
		buf, size,
		"{\"action\":\"updateStatuses\",\"userId\":1,\"platformId\":5,\"channelId\":%lld,\"createdAt\":%lld,"
		"\"updatedAt\":%lld,\"channelIdentifier\":\"x\",\"eventIdentifier\":\"y\",\"channelViews\":null,"
		"\"followers\":12,\"gameTitle\":null,\"online\":%s,\"streamViews\":null,\"title\":\"My \\u202estream\\n\","
		"\"viewers\":%s}",
		(long long)ch, (long long)created, (long long)created, online, viewers);
}

static void test_parse(void)
{
	struct rfo_stats_frame f;
	check(rfo_stats_parse(incoming, strlen(incoming), &f, NULL));
	check(f.action == RFO_STATS_UPDATE_INCOMING && f.created_at == 1000);
	check(f.incoming.present && f.incoming.bitrate_total == 6160000 && f.incoming.bitrate_audio == 160000);
	check(f.incoming.bitrate_video == 6000000 && f.incoming.width == 1920 && f.incoming.height == 1080);
	check(f.incoming.fps > 59.9 && f.incoming.fps < 60 && f.incoming.keyframe_interval == 2);
	check_str(f.incoming.video_codec, "h264");
	check_str(f.incoming.audio_codec, "aac");
	check_str(f.incoming.profile, "High/4.2");
	check_str(f.incoming.suid, "s-1");
	check_str(f.incoming.event_id, ""); /* null */
	rfo_stats_frame_free(&f);
	/* the event being streamed, for the end-of-stream summary's analytics */
	const char *with_event = "{\"action\":\"updateIncoming\",\"eventId\":\"5e1f-ab\",\"createdAt\":1}";
	check(rfo_stats_parse(with_event, strlen(with_event), &f, NULL));
	check_str(f.incoming.event_id, "5e1f-ab");
	rfo_stats_frame_free(&f);

	char buf[1024];
	statuses(buf, sizeof(buf), 42, 5, "true", "null");
	check(rfo_stats_parse(buf, strlen(buf), &f, NULL));
	check(f.action == RFO_STATS_UPDATE_STATUSES && f.channel.channel_id == 42 && f.channel.platform_id == 5);
	check(f.channel.online == 1 && f.channel.viewers == -1 && f.channel.followers == 12);
	check_str(f.channel.title, "My stream ");
	check(!f.channel.game_title);
	rfo_stats_frame_free(&f);

	/* nulls and type surprises everywhere */
	const char *odd = "{\"action\":\"updateIncoming\",\"createdAt\":\"17\",\"streaming\":{\"fps\":null,"
			  "\"bitrate\":\"lots\",\"codec\":[1],\"width\":\"1280\",\"height\":-5}}";
	check(rfo_stats_parse(odd, strlen(odd), &f, NULL));
	check(f.created_at == 17 && f.incoming.fps == -1 && f.incoming.bitrate_total == -1);
	check(f.incoming.width == 1280 && f.incoming.height == -1 && f.incoming.video_codec[0] == 0);
	rfo_stats_frame_free(&f);
	const char *odd2 = "{\"action\":\"updateStatuses\",\"channelId\":7,\"online\":\"yes\",\"viewers\":12.0,"
			   "\"title\":{\"a\":1}}";
	check(rfo_stats_parse(odd2, strlen(odd2), &f, NULL));
	check(f.channel.online == -1 && f.channel.viewers == 12 && !f.channel.title);
	rfo_stats_frame_free(&f);
	/* an extremely long title is bounded */
	char *big = bmalloc(200000);
	int k = snprintf(big, 100, "{\"action\":\"updateStatuses\",\"channelId\":7,\"title\":\"");
	memset(big + k, 'T', 190000);
	strcpy(big + k + 190000, "\"}");
	check(rfo_stats_parse(big, strlen(big), &f, NULL));
	check(f.channel.title && strlen(f.channel.title) <= 512);
	rfo_stats_frame_free(&f);
	bfree(big);

	const char *unknown = "{\"action\":\"somethingNew\",\"channelId\":3,\"x\":{}}";
	check(rfo_stats_parse(unknown, strlen(unknown), &f, NULL) && f.action == RFO_STATS_UNKNOWN);
	rfo_stats_frame_free(&f);

	struct rfo_error err = {0};
	const char *bad[] = {"", "[]", "{", "null", "{\"action\":\"updateIncoming\""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rfo_error_clear(&err);
		check(!rfo_stats_parse(bad[i], strlen(bad[i]), &f, &err));
		check(err.code == RFO_ERR_PARSE);
		rfo_stats_frame_free(&f);
	}
	/* every prefix of a frame: no crash */
	for (size_t cut = 0; cut <= strlen(incoming); cut++) {
		if (rfo_stats_parse(incoming, cut, &f, NULL))
			check(cut == strlen(incoming));
		rfo_stats_frame_free(&f);
	}
}

static void test_state(void)
{
	struct rfo_stats_state s;
	rfo_stats_state_init(&s);
	char buf[1024];

	/* replay on connect (oldest first), then live updates */
	check(feed(&s, incoming, 2000));
	outgoing(buf, sizeof(buf), 10, 1, 1001, "CONNECTING", 0);
	check(feed(&s, buf, 2000));
	outgoing(buf, sizeof(buf), 10, 1, 1005, "CONNECTED", 6000000);
	check(feed(&s, buf, 2000));
	outgoing(buf, sizeof(buf), 20, 5, 1005, "CONNECTED", 5900000);
	check(feed(&s, buf, 2000));
	statuses(buf, sizeof(buf), 10, 1010, "true", "25");
	check(feed(&s, buf, 2000));
	statuses(buf, sizeof(buf), 20, 1010, "true", "null");
	check(feed(&s, buf, 2000));
	statuses(buf, sizeof(buf), 30, 1010, "false", "99"); /* offline: not counted */
	check(feed(&s, buf, 2000));
	statuses(buf, sizeof(buf), 40, 1010, "true", "17");
	check(feed(&s, buf, 2000));

	check(s.incoming.present && s.incoming.bitrate_total == 6160000 && s.incoming.updated_at == 2000);
	check(s.num_channels == 4);
	const struct rfo_stats_channel *c = rfo_stats_find(&s, 10);
	check(c && c->platform_id == 5 /* the latest frame wins */ && c->status == RFO_STATS_OUT_CONNECTED &&
	      c->bitrate == 6000000);
	check(c->online == 1 && c->viewers == 25);
	check_str(rfo_stats_out_status_name(c->status), "CONNECTED");
	check(rfo_stats_find(&s, 20)->viewers == -1);
	check(rfo_stats_total_viewers(&s) == 25 + 17);
	check(!rfo_stats_find(&s, 99));

	/* an older frame replayed after a newer one is ignored */
	outgoing(buf, sizeof(buf), 10, 1, 1003, "DISCONNECTED", 0);
	check(!feed(&s, buf, 2001));
	check(rfo_stats_find(&s, 10)->status == RFO_STATS_OUT_CONNECTED);
	statuses(buf, sizeof(buf), 10, 1009, "true", "1");
	check(!feed(&s, buf, 2001));
	check(rfo_stats_find(&s, 10)->viewers == 25);

	/* deleteOutgoing: row 20 keeps its statuses; row 50 (outgoing only) disappears */
	outgoing(buf, sizeof(buf), 50, 5, 1020, "CONNECTED", 100);
	check(feed(&s, buf, 2002));
	check(feed(&s,
		   "{\"action\":\"deleteOutgoing\",\"userId\":1,\"platformId\":5,\"channelId\":50,\"createdAt\":1030}",
		   2003));
	check(!rfo_stats_find(&s, 50));
	check(feed(&s, "{\"action\":\"deleteOutgoing\",\"platformId\":5,\"channelId\":20,\"createdAt\":1030}", 2003));
	c = rfo_stats_find(&s, 20);
	check(c && !c->has_outgoing && c->status == RFO_STATS_OUT_NONE && c->bitrate == -1 && c->has_statuses);
	check(!feed(&s, "{\"action\":\"deleteOutgoing\",\"channelId\":12345}", 2003));
	check(!feed(&s, "{\"action\":\"deleteOutgoing\"}", 2003));
	check(!feed(&s, "{\"action\":\"updateOutgoing\",\"streaming\":{\"status\":\"CONNECTED\"}}", 2003));
	check(!feed(&s, "{\"action\":\"brandNew\",\"channelId\":10}", 2003));

	/* deep copy */
	struct rfo_stats_state copy;
	rfo_stats_state_init(&copy);
	rfo_stats_state_copy(&copy, &s);
	check(copy.num_channels == s.num_channels && rfo_stats_total_viewers(&copy) == 42);
	check(copy.channels[0].title != s.channels[0].title);
	check_str(copy.channels[0].title, s.channels[0].title);
	rfo_stats_state_free(&copy);

	/* age-out: channel 40 keeps updating, the others go quiet */
	statuses(buf, sizeof(buf), 40, 1200, "true", "18");
	check(feed(&s, buf, 2250));
	check(rfo_stats_age_out(&s, 2299, 0) == 0);
	check(rfo_stats_age_out(&s, 2301, 0) == 3); /* 10, 20, 30 heard of last at 2000-2003 */
	check(s.num_channels == 1 && rfo_stats_find(&s, 40));
	check(!s.incoming.present);
	check(rfo_stats_total_viewers(&s) == 18);
	check(rfo_stats_age_out(&s, 2260, 5) == 1);
	check(s.num_channels == 0 && rfo_stats_total_viewers(&s) == 0);

	/* deleteIncoming clears; an older replayed update does not resurrect it */
	check(feed(&s, incoming, 3000));
	check(feed(&s, "{\"action\":\"deleteIncoming\",\"userId\":1,\"createdAt\":1500,\"suid\":\"s-1\"}", 3001));
	check(!s.incoming.present);
	check(!feed(&s, incoming, 3002));
	check(!s.incoming.present);
	rfo_stats_state_free(&s);
}

static void test_bounds(void)
{
	struct rfo_stats_state s;
	rfo_stats_state_init(&s);
	char buf[1024];
	for (int i = 1; i <= RFO_STATS_MAX_CHANNELS + 10; i++) {
		statuses(buf, sizeof(buf), i, 1, "true", "1");
		feed(&s, buf, 1);
	}
	check(s.num_channels == RFO_STATS_MAX_CHANNELS);
	check(rfo_stats_total_viewers(&s) == RFO_STATS_MAX_CHANNELS);
	for (size_t i = 1; i < s.num_channels; i++)
		check(s.channels[i - 1].channel_id < s.channels[i].channel_id);
	/* huge viewer counts do not overflow */
	statuses(buf, sizeof(buf), 1, 2, "true", "9223372036854775807");
	check(feed(&s, buf, 2));
	check(rfo_stats_total_viewers(&s) > 0);
	rfo_stats_state_free(&s);
}

struct ctx {
	struct rfo_stats *st;
	volatile bool done;
};

static void *writer(void *p)
{
	struct ctx *c = p;
	char buf[1024];
	for (int i = 0; i < 5000; i++) {
		statuses(buf, sizeof(buf), i % 50 + 1, i, "true", "2");
		rfo_stats_feed(c->st, buf, strlen(buf), i, NULL);
		if (i % 100 == 0)
			rfo_stats_prune(c->st, i, 60);
	}
	os_atomic_set_bool(&c->done, true);
	return NULL;
}

static void test_threads(void)
{
	struct ctx c = {.st = rfo_stats_create()};
	pthread_t t;
	check(pthread_create(&t, NULL, writer, &c) == 0);
	while (!os_atomic_load_bool(&c.done)) {
		struct rfo_stats_state snap = {0};
		rfo_stats_snapshot(c.st, &snap);
		check(rfo_stats_total_viewers(&snap) == 2 * (int64_t)snap.num_channels);
		rfo_stats_state_free(&snap);
	}
	pthread_join(t, NULL);
	struct rfo_stats_state snap = {0};
	rfo_stats_snapshot(c.st, &snap);
	check(snap.num_channels == 50 && rfo_stats_total_viewers(&snap) == 100);
	rfo_stats_state_free(&snap);
	rfo_stats_reset(c.st);
	rfo_stats_snapshot(c.st, &snap);
	check(snap.num_channels == 0);
	rfo_stats_state_free(&snap);
	struct rfo_error err = {0};
	check(!rfo_stats_feed(c.st, "{", 1, 0, &err) && err.code == RFO_ERR_PARSE);
	rfo_stats_destroy(c.st);
	rfo_stats_destroy(NULL);
}

int main(void)
{
	test_parse();
	test_state();
	test_bounds();
	test_threads();
	return rfo_test_end();
}
