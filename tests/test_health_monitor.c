/* rfo-health-monitor: alerts while live only, the grace period, one alert per episode however often a destination
 * flaps, recovery after the grace period, the bitrate and ingest rules, chat connections, going off air. */
#include "rfo-test.h"

#include "rfo-health-monitor.h"

#define GRACE_S 3
#define GRACE_MS (GRACE_S * 1000)

struct seen_notices {
	int raised, ended;
	struct rfo_health_notice last;
	char last_key[96], last_detail[64];
};

static void on_notice(void *param, const struct rfo_health_notice *n)
{
	struct seen_notices *s = param;
	if (n->raised)
		s->raised++;
	else
		s->ended++;
	s->last = *n;
	snprintf(s->last_key, sizeof(s->last_key), "%s", n->key);
	snprintf(s->last_detail, sizeof(s->last_detail), "%s", n->detail);
	s->last.key = s->last_key;
	s->last.detail = s->last_detail;
	s->last.platform = s->last.name = NULL;
}

/* One round: destination 1001 in `seen`, 1002 always fine, Restream receives `in` of OBS's 4 Mb/s. */
static void round_at(struct rfo_health_monitor *m, struct seen_notices *s, int64_t now, bool live,
		     enum rfo_health_seen seen, int64_t in)
{
	rfo_health_monitor_begin(m, now, live);
	rfo_health_monitor_destination(m, 1001, "Twitch", "Emu Streamer", seen);
	rfo_health_monitor_destination(m, 1002, "YouTube", "Emu Tube", RFO_HEALTH_SEEN_OK);
	rfo_health_monitor_bitrate(m, in, 4000000);
	rfo_health_monitor_end(m, on_notice, s);
}

/* Rounds every 250 ms from `from` to `to` (exclusive) with the same observation. */
static int64_t rounds(struct rfo_health_monitor *m, struct seen_notices *s, int64_t from, int64_t to, bool live,
		      enum rfo_health_seen seen, int64_t in)
{
	for (int64_t t = from; t < to; t += 250)
		round_at(m, s, t, live, seen, in);
	return to;
}

static void test_not_live(void)
{
	struct rfo_health_monitor *m = rfo_health_monitor_create();
	rfo_health_monitor_configure(m, GRACE_S, 50);
	struct seen_notices s = {0};
	int64_t t = rounds(m, &s, 0, 5000, false, RFO_HEALTH_SEEN_OK, 4000000);
	t = rounds(m, &s, t, 20000, false, RFO_HEALTH_SEEN_DISCONNECTED, 1000);
	check(s.raised == 0 && s.ended == 0);
	rfo_health_monitor_destroy(m);
}

static void test_destination_down_and_up(void)
{
	struct rfo_health_monitor *m = rfo_health_monitor_create();
	rfo_health_monitor_configure(m, GRACE_S, 50);
	struct seen_notices s = {0};
	/* a destination that was never connected in this session is not judged (it is still starting) */
	int64_t t = rounds(m, &s, 0, 10000, true, RFO_HEALTH_SEEN_CONNECTING, 4000000);
	check(s.raised == 0);
	t = rounds(m, &s, t, 12000, true, RFO_HEALTH_SEEN_OK, 4000000);
	/* down: nothing before the grace period, the alert right after it */
	int64_t down_at = t;
	t = rounds(m, &s, t, down_at + GRACE_MS - 250, true, RFO_HEALTH_SEEN_DISCONNECTED, 4000000);
	check(s.raised == 0);
	t = rounds(m, &s, t, down_at + GRACE_MS + 250, true, RFO_HEALTH_SEEN_DISCONNECTED, 4000000);
	check(s.raised == 1);
	check(s.last.kind == RFO_HEALTH_DESTINATION && s.last.channel_id == 1001);
	check(s.last.cause == RFO_HEALTH_CAUSE_DISCONNECTED && s.last.since_ms == down_at);
	check_str(rfo_health_kind_name(s.last.kind), "destination");
	check(rfo_health_monitor_open_count(m) == 1);
	/* stays down: no second alert; up: recovered once healthy for the grace period, dated when it came back */
	t = rounds(m, &s, t, t + 30000, true, RFO_HEALTH_SEEN_CONNECTING, 4000000);
	check(s.raised == 1 && s.ended == 0);
	int64_t up_at = t;
	t = rounds(m, &s, t, up_at + GRACE_MS - 250, true, RFO_HEALTH_SEEN_OK, 4000000);
	check(s.ended == 0);
	t = rounds(m, &s, t, up_at + GRACE_MS + 250, true, RFO_HEALTH_SEEN_OK, 4000000);
	check(s.ended == 1 && s.last.end == RFO_HEALTH_END_RECOVERED && s.last.at_ms == up_at);
	check(s.last.episode == 1 && rfo_health_monitor_open_count(m) == 0);
	/* a drop shorter than the grace period alone is no alert */
	t = rounds(m, &s, t, t + GRACE_MS - 500, true, RFO_HEALTH_SEEN_ERROR, 4000000);
	t = rounds(m, &s, t, t + 10000, true, RFO_HEALTH_SEEN_OK, 4000000);
	check(s.raised == 1 && s.ended == 1);
	rfo_health_monitor_destroy(m);
}

static void test_flapping_one_alert(void)
{
	struct rfo_health_monitor *m = rfo_health_monitor_create();
	rfo_health_monitor_configure(m, GRACE_S, 50);
	struct seen_notices s = {0};
	int64_t t = rounds(m, &s, 0, 2000, true, RFO_HEALTH_SEEN_OK, 4000000);
	/* 10 flaps in half a minute: 1 s down (shorter than the grace period), 2 s up */
	for (int i = 0; i < 10; i++) {
		t = rounds(m, &s, t, t + 1000, true, RFO_HEALTH_SEEN_DISCONNECTED, 4000000);
		t = rounds(m, &s, t, t + 2000, true, RFO_HEALTH_SEEN_OK, 4000000);
	}
	check(s.raised == 1);
	check(s.last.cause == RFO_HEALTH_CAUSE_FLAPPING || s.ended == 0);
	/* the episode lasts while it flaps; it ends once healthy for the grace period */
	check(s.ended == 0);
	t = rounds(m, &s, t, t + GRACE_MS + 500, true, RFO_HEALTH_SEEN_OK, 4000000);
	check(s.raised == 1 && s.ended == 1);
	/* slow flaps (longer than the grace period each) in one episode: still one alert */
	struct seen_notices s2 = {0};
	for (int i = 0; i < 10; i++) {
		t = rounds(m, &s2, t, t + GRACE_MS + 1000, true, RFO_HEALTH_SEEN_DISCONNECTED, 4000000);
		t = rounds(m, &s2, t, t + 1000, true, RFO_HEALTH_SEEN_OK, 4000000);
	}
	check(s2.raised == 1 && s2.ended == 0);
	t = rounds(m, &s2, t, t + GRACE_MS + 500, true, RFO_HEALTH_SEEN_OK, 4000000);
	check(s2.ended == 1);
	rfo_health_monitor_destroy(m);
}

static void test_bitrate_and_ingest(void)
{
	struct rfo_health_monitor *m = rfo_health_monitor_create();
	rfo_health_monitor_configure(m, GRACE_S, 50);
	struct seen_notices s = {0};
	/* nothing received yet at the start: no ingest alert (the ingest is watched once Restream received) */
	int64_t t = rounds(m, &s, 0, 10000, true, RFO_HEALTH_SEEN_OK, -1);
	check(s.raised == 0);
	t = rounds(m, &s, t, t + 2000, true, RFO_HEALTH_SEEN_OK, 3900000);
	/* 2.1 of 4 Mb/s is above 50 %: fine; 1.9 is below: the bitrate alert after the grace period */
	t = rounds(m, &s, t, t + 10000, true, RFO_HEALTH_SEEN_OK, 2100000);
	check(s.raised == 0);
	t = rounds(m, &s, t, t + GRACE_MS + 250, true, RFO_HEALTH_SEEN_OK, 1900000);
	check(s.raised == 1 && s.last.kind == RFO_HEALTH_BITRATE && s.last.cause == RFO_HEALTH_CAUSE_LOW_BITRATE);
	check(s.last.incoming_bps == 1900000 && s.last.sent_bps == 4000000);
	t = rounds(m, &s, t, t + GRACE_MS + 250, true, RFO_HEALTH_SEEN_OK, 4000000);
	check(s.ended == 1 && s.last.kind == RFO_HEALTH_BITRATE);
	/* the threshold is a setting */
	rfo_health_monitor_configure(m, GRACE_S, 80);
	t = rounds(m, &s, t, t + GRACE_MS + 250, true, RFO_HEALTH_SEEN_OK, 3000000);
	check(s.raised == 2 && s.last.kind == RFO_HEALTH_BITRATE);
	t = rounds(m, &s, t, t + GRACE_MS + 250, true, RFO_HEALTH_SEEN_OK, 3500000);
	check(s.ended == 2);
	/* Restream stops receiving */
	t = rounds(m, &s, t, t + GRACE_MS + 250, true, RFO_HEALTH_SEEN_OK, -1);
	check(s.raised == 3 && s.last.kind == RFO_HEALTH_INGEST && s.last.cause == RFO_HEALTH_CAUSE_NOT_RECEIVING);
	check_str(rfo_health_kind_name(s.last.kind), "ingest");
	/* off air: the open alert ends, and nothing more is raised */
	t = rounds(m, &s, t, t + 500, false, RFO_HEALTH_SEEN_OK, -1);
	check(s.ended == 3 && s.last.end == RFO_HEALTH_END_OFF_AIR && rfo_health_monitor_open_count(m) == 0);
	t = rounds(m, &s, t, t + 20000, false, RFO_HEALTH_SEEN_DISCONNECTED, -1);
	check(s.raised == 3 && s.ended == 3);
	/* live again: a fresh session, nothing armed from the last one */
	t = rounds(m, &s, t, t + 20000, true, RFO_HEALTH_SEEN_DISCONNECTED, -1);
	check(s.raised == 3);
	rfo_health_monitor_destroy(m);
}

static void chat_round(struct rfo_health_monitor *m, struct seen_notices *s, int64_t now, enum rfo_health_seen seen,
		       const char *reason)
{
	rfo_health_monitor_begin(m, now, true);
	rfo_health_monitor_chat(m, "youtube-abc", "YouTube", "Emu Tube", seen, reason);
	rfo_health_monitor_end(m, on_notice, s);
}

static void test_chat_and_gone(void)
{
	struct rfo_health_monitor *m = rfo_health_monitor_create();
	rfo_health_monitor_configure(m, GRACE_S, 50);
	struct seen_notices s = {0};
	int64_t t = 0;
	for (; t < 1000; t += 250)
		chat_round(m, &s, t, RFO_HEALTH_SEEN_OK, NULL);
	for (int64_t end = t + GRACE_MS + 250; t < end; t += 250)
		chat_round(m, &s, t, RFO_HEALTH_SEEN_ERROR, "youtube_livechat_ended");
	check(s.raised == 1 && s.last.kind == RFO_HEALTH_CHAT && s.last.cause == RFO_HEALTH_CAUSE_CHAT_ERROR);
	check_str(s.last.key, "youtube-abc");
	check_str(s.last.detail, "youtube_livechat_ended");
	/* reconnecting is not healthy yet */
	for (int64_t end = t + 10000; t < end; t += 250)
		chat_round(m, &s, t, RFO_HEALTH_SEEN_CONNECTING, NULL);
	check(s.ended == 0);
	/* the connection closed (no longer reported): the episode ends at once */
	rfo_health_monitor_begin(m, t, true);
	rfo_health_monitor_end(m, on_notice, &s);
	check(s.ended == 1 && s.last.end == RFO_HEALTH_END_GONE);
	rfo_health_monitor_destroy(m);
}

static void test_bounds(void)
{
	struct rfo_health_monitor *m = rfo_health_monitor_create();
	rfo_health_monitor_configure(m, 0, 1000); /* clamped to 1 s, 100 % */
	struct seen_notices s = {0};
	for (int64_t t = 0; t < 3000; t += 250) {
		rfo_health_monitor_begin(m, t, true);
		for (int64_t id = 1; id <= RFO_HEALTH_MAX_WATCHED + 50; id++)
			rfo_health_monitor_destination(m, id, "P", "N",
						       t < 1000 ? RFO_HEALTH_SEEN_OK : RFO_HEALTH_SEEN_ERROR);
		rfo_health_monitor_end(m, on_notice, &s);
	}
	check(s.raised == RFO_HEALTH_MAX_WATCHED); /* the rest is not watched, nothing overflows */
	rfo_health_monitor_destroy(m);
}

int main(void)
{
	test_not_live();
	test_destination_down_and_up();
	test_flapping_one_alert();
	test_bitrate_and_ingest();
	test_chat_and_gone();
	test_bounds();
	return rfo_test_end();
}
