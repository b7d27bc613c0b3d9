/* rfo-stats-report: the GetStats/StatsChanged wire form, the feed's rules (deleteOutgoing drops the
 * destination, reconnect pruning, age-out) and the notification rate gate. */
#include "rfo-test.h"

#include <obs-data.h>

#include "rfo-stats-report.h"

static bool feed(struct rfo_stats_state *s, const char *json, int64_t now)
{
	struct rfo_stats_frame f;
	check(rfo_stats_parse(json, strlen(json), &f, NULL));
	bool changed = rfo_stats_apply_frame(s, &f, now);
	rfo_stats_frame_free(&f);
	return changed;
}

static const char *incoming = "{\"action\":\"updateIncoming\",\"createdAt\":100,\"suid\":\"s\",\"streaming\":{"
			      "\"fps\":30,\"keyframeInterval\":2,\"lossRate\":null,\"bitrate\":{\"total\":4660000,"
			      "\"audio\":160000,\"video\":4500000},\"codec\":{\"audio\":\"aac\",\"video\":\"h264\"},"
			      "\"profileAndLevel\":\"high/4.1\",\"height\":1080,\"width\":1920}}";

static void outgoing(struct rfo_stats_state *s, int64_t ch, int64_t platform, const char *status, int64_t created,
		     int64_t now)
{
	char buf[512];
	snprintf(buf, sizeof(buf),
		 "{\"action\":\"updateOutgoing\",\"platformId\":%lld,\"channelId\":%lld,\"createdAt\":%lld,"
		 "\"streaming\":{\"status\":\"%s\",\"bitrate\":4400000,\"bufferedBytes\":0}}",
		 (long long)platform, (long long)ch, (long long)created, status);
	check(feed(s, buf, now));
}

static void statuses(struct rfo_stats_state *s, int64_t ch, const char *online, const char *viewers, int64_t now)
{
	char buf[512];
	snprintf(buf, sizeof(buf),
		 "{\"action\":\"updateStatuses\",\"platformId\":1,\"channelId\":%lld,\"createdAt\":100,"
		 "\"online\":%s,\"viewers\":%s,\"title\":\"Hello\",\"followers\":null}",
		 (long long)ch, online, viewers);
	check(feed(s, buf, now));
}

static obs_data_t *channel_at(obs_data_t *d, size_t i)
{
	obs_data_array_t *arr = obs_data_get_array(d, "channels");
	obs_data_t *c = obs_data_array_item(arr, i);
	obs_data_array_release(arr);
	return c;
}

static void test_fill(void)
{
	struct rfo_stats_state s;
	rfo_stats_state_init(&s);
	check(feed(&s, incoming, 1000));
	outgoing(&s, 11, 1, "CONNECTED", 100, 1000);
	outgoing(&s, 22, 5, "CONNECTING", 100, 1000);
	outgoing(&s, 33, 37, "WEIRD", 100, 1000);
	statuses(&s, 11, "true", "17", 1000);
	statuses(&s, 22, "true", "null", 1000); /* unknown viewers: not counted, key absent */
	statuses(&s, 33, "false", "40", 1000);  /* offline: not counted */

	struct rfo_stats_report r;
	rfo_stats_report_init(&r);
	rfo_stats_report_set_state(&r, &s);
	rfo_stats_report_label_take(&r, 0, bstrdup("Emu Streamer"), bstrdup("Twitch"));
	rfo_stats_report_label_take(&r, 99, bstrdup("ignored"), NULL); /* out of range: freed */
	r.link = "connected";
	check(r.alerts && !r.alerts[0]);
	r.alerts[1] = true; /* a health alert is open for channel 22 */

	obs_data_t *d = obs_data_create();
	rfo_stats_report_fill(&r, d);
	check(obs_data_get_int(d, "totalViewers") == 17);
	check(obs_data_get_bool(d, "viewersKnown"));
	check_str(obs_data_get_string(d, "streaming"), "connected");

	obs_data_t *in = obs_data_get_obj(d, "incoming");
	check(in && obs_data_get_int(in, "bitrate") == 4660000 && obs_data_get_int(in, "width") == 1920);
	check(obs_data_get_int(in, "height") == 1080 && obs_data_get_double(in, "fps") == 30.0);
	check_str(obs_data_get_string(in, "videoCodec"), "h264");
	check_str(obs_data_get_string(in, "audioCodec"), "aac");
	check(obs_data_get_int(in, "videoBitrate") == 4500000 && obs_data_get_int(in, "audioBitrate") == 160000);
	check(!obs_data_has_user_value(in, "lossRate")); /* null on the wire: left out */
	obs_data_release(in);

	obs_data_array_t *arr = obs_data_get_array(d, "channels");
	check(obs_data_array_count(arr) == 3);
	obs_data_array_release(arr);

	obs_data_t *c = channel_at(d, 0);
	check(obs_data_get_int(c, "channelId") == 11 && obs_data_get_int(c, "platformId") == 1);
	check_str(obs_data_get_string(c, "status"), "connected");
	check(obs_data_get_int(c, "viewers") == 17 && obs_data_get_bool(c, "online"));
	check(obs_data_get_int(c, "bitrate") == 4400000);
	check_str(obs_data_get_string(c, "displayName"), "Emu Streamer");
	check_str(obs_data_get_string(c, "platformName"), "Twitch");
	check_str(obs_data_get_string(c, "title"), "Hello");
	check(!obs_data_has_user_value(c, "alert")); /* only while an alert is open */
	obs_data_release(c);

	c = channel_at(d, 1);
	check(obs_data_get_int(c, "channelId") == 22);
	check_str(obs_data_get_string(c, "status"), "connecting");
	check(!obs_data_has_user_value(c, "viewers") && obs_data_get_bool(c, "online"));
	check(!obs_data_has_user_value(c, "displayName") && !obs_data_has_user_value(c, "platformName"));
	check(obs_data_has_user_value(c, "alert") && obs_data_get_bool(c, "alert"));
	obs_data_release(c);

	c = channel_at(d, 2);
	check_str(obs_data_get_string(c, "status"), "unknown");
	check(obs_data_has_user_value(c, "online") && !obs_data_get_bool(c, "online"));
	check(obs_data_get_int(c, "viewers") == 40);
	obs_data_release(c);

	/* the wire form: no JSON null anywhere */
	const char *json = obs_data_get_json(d);
	check(json && !strstr(json, "null"));
	obs_data_release(d);

	/* nothing received, no viewers known */
	rfo_stats_state_free(&s);
	rfo_stats_report_set_state(&r, &s);
	r.link = NULL;
	d = obs_data_create();
	rfo_stats_report_fill(&r, d);
	check(!obs_data_has_user_value(d, "incoming") && !obs_data_has_user_value(d, "streaming"));
	check(obs_data_get_int(d, "totalViewers") == 0 && !obs_data_get_bool(d, "viewersKnown"));
	obs_data_release(d);
	rfo_stats_report_free(&r);
}

static void test_rules(void)
{
	struct rfo_stats_state s;
	rfo_stats_state_init(&s);
	outgoing(&s, 11, 1, "CONNECTED", 100, 1000);
	statuses(&s, 11, "true", "5", 1000);
	outgoing(&s, 22, 5, "CONNECTED", 100, 1000);
	check(s.num_channels == 2);

	/* deleteOutgoing drops the destination although it has statuses */
	check(feed(&s, "{\"action\":\"deleteOutgoing\",\"channelId\":11,\"createdAt\":101}", 1001));
	check(s.num_channels == 1 && !rfo_stats_find(&s, 11) && rfo_stats_find(&s, 22));
	check(rfo_stats_total_viewers(&s) == 0);
	/* an older deleteOutgoing (a replay overlapping live updates) does not */
	outgoing(&s, 33, 1, "CONNECTED", 200, 1001);
	check(!feed(&s, "{\"action\":\"deleteOutgoing\",\"channelId\":33,\"createdAt\":150}", 1001));
	check(rfo_stats_find(&s, 33));
	check(!rfo_stats_drop_channel(&s, 4444));

	/* reconnect at 2000: a replayed frame confirms 22; 33 and the incoming part are not confirmed */
	check(feed(&s, incoming, 1500));
	outgoing(&s, 22, 5, "CONNECTED", 100, 2000);
	check(rfo_stats_prune_before(&s, 2000));
	check(s.num_channels == 1 && rfo_stats_find(&s, 22) && !s.incoming.present);
	check(!rfo_stats_prune_before(&s, 2000));

	/* age-out: not before max_age, then channel and incoming go */
	check(feed(&s, incoming, 2000));
	check(!rfo_stats_expire(&s, 2005, 5));
	check(rfo_stats_expire(&s, 2006, 5));
	check(s.num_channels == 0 && !s.incoming.present);
	check(!rfo_stats_expire(&s, 2100, 5));
	rfo_stats_state_free(&s);
}

static void test_gate(void)
{
	const uint64_t ms = 1000000;
	struct rfo_rate_gate g;
	rfo_rate_gate_init(&g, 500 * ms);
	check(!rfo_rate_gate_take(&g, 1000 * ms)); /* nothing pending */
	rfo_rate_gate_mark(&g);
	check(rfo_rate_gate_wait_ns(&g, 1000 * ms) == 0);
	check(rfo_rate_gate_take(&g, 1000 * ms)); /* the first change goes out at once */
	rfo_rate_gate_mark(&g);
	rfo_rate_gate_mark(&g);
	check(rfo_rate_gate_wait_ns(&g, 1100 * ms) == 400 * ms);
	check(!rfo_rate_gate_take(&g, 1100 * ms));
	check(!rfo_rate_gate_take(&g, 1499 * ms));
	check(rfo_rate_gate_take(&g, 1500 * ms)); /* the coalesced change is not lost */
	check(!rfo_rate_gate_take(&g, 1600 * ms));
	check(!rfo_rate_gate_take(&g, 9000 * ms));

	/* a burst of 1000 changes over 3 s gives at most 2 notifications a second */
	int sent = 0;
	for (uint64_t t = 10000; t < 13000; t += 3) {
		rfo_rate_gate_mark(&g);
		sent += rfo_rate_gate_take(&g, t * ms);
	}
	check(sent >= 6 && sent <= 7);
	check(rfo_rate_gate_take(&g, 13500 * ms) || !g.pending);
}

int main(void)
{
	test_fill();
	test_rules();
	test_gate();
	return rfo_test_end();
}
