/* bench-chat-pipeline: chat frames per CPU-second through the plugin's pipeline without UI (rfo_chat_parse →
 * normalise (inside the parser: sanitised text, emotes, platform, donation) → rfo_chat_store_apply into a
 * 5,000-message store), side by side with jansson's bare json_loadb + json_decref on the same bytes.
 *
 *   bench-chat-pipeline [--quick] [--rounds N]
 *
 * Single thread; the clock is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so a loaded machine slows the
 * run but not the figure much. The two loops alternate round by round and the median round is reported.
 * Prints a table and "BENCH <key> <value> <unit>" lines for tests/bench/run-all.sh. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <util/bmem.h>

#include "rfo-chat.h"
#include "rfo-chat-store.h"
#include "rfo-error.h"

/* A Twitch chat event as Restream sends it: colour, three emotes (replaces, reverse order). */
static const char twitch_frame[] =
	"{\"action\":\"event\",\"payload\":{\"connectionIdentifier\":\"5849342-twitch-123456789\","
	"\"eventIdentifier\":\"9f1c2a7b3d4e5f60\",\"eventPayload\":{\"author\":{\"color\":\"#1E90FF\",\"displayName\":\"KappaKing\",\"id\":\"123456789\",\"name\":\"kappaking\","
	"\"subscribedFor\":14},\"bot\":false,\"contentModifiers\":{\"me\":false,\"whisper\":false},\"replaces\":["
	"{\"from\":52,\"to\":59,\"type\":\"imageUrl\",\"payload\":{\"url\":"
	"\"https://static-cdn.jtvnw.net/emoticons/v1/88/1.0\"}},{\"from\":24,\"to\":26,\"type\":\"imageUrl\","
	"\"payload\":{\"url\":\"https://static-cdn.jtvnw.net/emoticons/v1/425618/1.0\"}},{\"from\":0,\"to\":4,"
	"\"type\":\"imageUrl\",\"payload\":{\"url\":\"https://static-cdn.jtvnw.net/emoticons/v1/25/1.0\"}}],"
	"\"text\":\"Kappa hello from twitch, LUL that was great PogChamp see you\"},\"eventSourceId\":2,"
	"\"eventTypeId\":4,\"userId\":5849342},\"timestamp\":1764470000}";

/* A YouTube Super Chat. */
static const char youtube_superchat_frame[] =
	"{\"action\":\"event\",\"payload\":{\"connectionIdentifier\":\"5849342-youtube-UCx9emuStreamer0000000001\","
	"\"eventIdentifier\":\"4b8e2f1a9c0d7e63\",\"eventPayload\":{\"author\":{\"id\":\"UCx9emuViewer00000000001\","
	"\"avatar\":\"https://yt3.ggpht.example.invalid/avatar1.jpg\",\"displayName\":\"Tuxedo Viewer\","
	"\"isChatModerator\":false,\"isChatOwner\":false,\"isChatSponsor\":true,\"isVerified\":false},\"bot\":false,"
	"\"text\":\"Great stream, have a coffee! \\u2615 Greetings from Lisbon \\ud83c\\uddf5\\ud83c\\uddf9\","
	"\"donation\":{\"amount\":\"5.00\",\"currencyString\":\"$5.00\",\"tier\":2}},\"eventSourceId\":13,"
	"\"eventTypeId\":7,\"userId\":5849342},\"timestamp\":1764470001}";

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every frame gets its own eventIdentifier (the store drops repeated ids): 16 hex digits rewritten in place,
 * in both loops alike. */
static unsigned long frame_counter;

static void next_id(char *id)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long v = ++frame_counter;
	for (int i = 15; i >= 0; i--, v >>= 4)
		id[i] = hex[v & 15];
}

static char *id_field(char *f)
{
	char *p = strstr(f, "\"eventIdentifier\":\"");
	return p ? p + strlen("\"eventIdentifier\":\"") : NULL;
}

__attribute__((noinline)) static long jansson_loop(char *f, size_t len, long n)
{
	long ok = 0;
	char *id = id_field(f);
	for (long i = 0; i < n; i++) {
		next_id(id);
		json_error_t e;
		json_t *j = json_loadb(f, len, 0, &e);
		ok += j != NULL;
		json_decref(j);
	}
	return ok;
}

__attribute__((noinline)) static long pipeline_loop(struct rfo_chat_store *store, char *f, size_t len, long n)
{
	long ok = 0;
	char *id = id_field(f);
	for (long i = 0; i < n; i++) {
		next_id(id);
		struct rfo_chat_frame frame = {0};
		struct rfo_error err = {0};
		if (rfo_chat_parse(f, len, &frame, &err))
			ok += rfo_chat_store_apply(store, &frame) != 0;
		rfo_chat_frame_free(&frame);
	}
	return ok;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct result {
	double jansson, pipeline; /* frames per CPU-second, median round */
};

static int bench_frame(const char *name, const char *frame, int rounds, long per_round, struct result *r)
{
	char f[2048];
	size_t len = strlen(frame);
	if (len >= sizeof(f) || !id_field(strcpy(f, frame)))
		return 1;
	struct rfo_chat_store *store = rfo_chat_store_create(5000);
	double js[64], pl[64];
	/* warm-up, and a check that both loops really parse the frame */
	if (jansson_loop(f, len, 100) != 100 || pipeline_loop(store, f, len, 100) != 100) {
		fprintf(stderr, "bench-chat-pipeline: the %s frame does not parse or store\n", name);
		rfo_chat_store_destroy(store);
		return 1;
	}
	for (int i = 0; i < rounds; i++) {
		double t0 = cpu_now();
		jansson_loop(f, len, per_round);
		double t1 = cpu_now();
		pipeline_loop(store, f, len, per_round);
		double t2 = cpu_now();
		js[i] = per_round / (t1 - t0);
		pl[i] = per_round / (t2 - t1);
	}
	r->jansson = median(js, rounds);
	r->pipeline = median(pl, rounds);
	printf("%-18s %6zu B %14.0f %14.0f %8.1f %%\n", name, len, r->jansson, r->pipeline,
	       100.0 * r->pipeline / r->jansson);
	rfo_chat_store_destroy(store);
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = 7;
	long per_round = 40000;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			rounds = 3;
			per_round = 10000;
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			rounds = atoi(argv[++i]);
			if (rounds < 1 || rounds > 64)
				rounds = 7;
		} else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc) {
			per_round = atol(argv[++i]);
		} else {
			fprintf(stderr, "usage: bench-chat-pipeline [--quick] [--rounds N] [--frames N]\n");
			return 2;
		}
	}
	struct result tw, yt;
	printf("chat pipeline on one core: frames per CPU-second, median of %d rounds of %ld frames\n", rounds,
	       per_round);
	printf("%-18s %8s %14s %14s %10s\n", "frame", "size", "json_loadb", "rfo pipeline", "ratio");
	if (bench_frame("twitch+3 emotes", twitch_frame, rounds, per_round, &tw) ||
	    bench_frame("youtube superchat", youtube_superchat_frame, rounds, per_round, &yt))
		return 1;
	printf("BENCH chat_jansson_twitch_fps %.0f /s\n", tw.jansson);
	printf("BENCH chat_pipeline_twitch_fps %.0f /s\n", tw.pipeline);
	printf("BENCH chat_pipeline_twitch_pct_of_jansson %.1f %%\n", 100.0 * tw.pipeline / tw.jansson);
	printf("BENCH chat_jansson_superchat_fps %.0f /s\n", yt.jansson);
	printf("BENCH chat_pipeline_superchat_fps %.0f /s\n", yt.pipeline);
	printf("BENCH chat_pipeline_superchat_pct_of_jansson %.1f %%\n", 100.0 * yt.pipeline / yt.jansson);
	if (bnum_allocs() != 0) {
		fprintf(stderr, "bench-chat-pipeline: %ld allocations leaked\n", bnum_allocs());
		return 1;
	}
	return 0;
}
