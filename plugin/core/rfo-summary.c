/* The end-of-stream summary: accumulation, Restream's analytics merged in, JSON and CSV. See rfo-summary.h. */
#include "rfo-summary.h"
#include "rfo-json.h"
#include "rfo-text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <util/bmem.h>
#include <util/dstr.h>

void rfo_summary_init(struct rfo_summary *s)
{
	memset(s, 0, sizeof(*s));
	da_init(s->channels);
	da_init(s->chat);
	da_init(s->alerts);
}

void rfo_summary_free(struct rfo_summary *s)
{
	if (!s)
		return;
	da_free(s->channels);
	da_free(s->chat);
	da_free(s->alerts);
	rfo_summary_init(s);
}

void rfo_summary_copy(struct rfo_summary *dst, const struct rfo_summary *src)
{
	rfo_summary_free(dst);
	*dst = *src;
	da_init(dst->channels);
	da_init(dst->chat);
	da_init(dst->alerts);
	da_copy(dst->channels, src->channels);
	da_copy(dst->chat, src->chat);
	da_copy(dst->alerts, src->alerts);
}

void rfo_summary_begin(struct rfo_summary *s, int64_t now_ms)
{
	rfo_summary_free(s);
	s->active = true;
	s->valid = true;
	s->started_ms = now_ms;
	s->total_last_ms = now_ms;
}

static struct rfo_summary_channel *channel_find(struct rfo_summary *s, int64_t channel_id)
{
	for (size_t i = 0; i < s->channels.num; i++)
		if (s->channels.array[i].channel_id == channel_id)
			return &s->channels.array[i];
	return NULL;
}

static struct rfo_summary_channel *channel_get(struct rfo_summary *s, int64_t channel_id)
{
	struct rfo_summary_channel *c = channel_find(s, channel_id);
	if (c || s->channels.num >= RFO_SUMMARY_MAX_CHANNELS)
		return c;
	struct rfo_summary_channel fresh = {.channel_id = channel_id};
	da_push_back(s->channels, &fresh);
	return da_end(s->channels);
}

static int64_t total_now(const struct rfo_summary *s)
{
	int64_t total = 0;
	for (size_t i = 0; i < s->channels.num; i++)
		total += s->channels.array[i].last;
	return total;
}

/* Adds the time since the last change, at the current values, to every area. */
static void advance(struct rfo_summary *s, int64_t now_ms)
{
	if (now_ms > s->total_last_ms) {
		s->total_area += (double)total_now(s) * (double)(now_ms - s->total_last_ms);
		s->total_last_ms = now_ms;
	}
	for (size_t i = 0; i < s->channels.num; i++) {
		struct rfo_summary_channel *c = &s->channels.array[i];
		if (now_ms > c->last_ms) {
			c->area += (double)c->last * (double)(now_ms - c->last_ms);
			c->last_ms = now_ms;
		}
	}
}

void rfo_summary_viewers(struct rfo_summary *s, int64_t channel_id, int64_t platform_id, int64_t viewers, bool online,
			 int64_t now_ms)
{
	if (!s->active || channel_id <= 0)
		return;
	advance(s, now_ms);
	bool known = channel_find(s, channel_id) != NULL;
	struct rfo_summary_channel *c = channel_get(s, channel_id);
	if (!c)
		return;
	if (!known) {
		c->first_ms = now_ms;
		c->last_ms = now_ms;
	}
	if (platform_id)
		c->platform_id = platform_id;
	c->last = online && viewers > 0 ? viewers : 0;
	if (c->last > c->peak)
		c->peak = c->last;
	int64_t total = total_now(s);
	if (total > s->peak_viewers)
		s->peak_viewers = total;
}

void rfo_summary_set_event(struct rfo_summary *s, const char *event_id)
{
	if (!event_id || !*event_id || s->event_id[0] || strlen(event_id) > 64)
		return;
	/* it goes into a URL path: only what Restream's ids (UUIDs, numbers) contain */
	for (const char *p = event_id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			return;
	snprintf(s->event_id, sizeof(s->event_id), "%s", event_id);
}

void rfo_summary_chat_add(struct rfo_summary *s, const char *platform, int64_t n)
{
	if (!platform || !*platform || n <= 0)
		return;
	for (size_t i = 0; i < s->chat.num; i++) {
		if (strcmp(s->chat.array[i].platform, platform) == 0) {
			s->chat.array[i].count += n;
			return;
		}
	}
	if (s->chat.num >= RFO_SUMMARY_MAX_PLATFORMS)
		return;
	struct rfo_summary_chat c = {.count = n};
	snprintf(c.platform, sizeof(c.platform), "%s", platform);
	da_push_back(s->chat, &c);
}

void rfo_summary_add_alert(struct rfo_summary *s, const char *kind, int64_t channel_id, const char *platform,
			   const char *message, int64_t at)
{
	if (s->alerts.num >= RFO_SUMMARY_MAX_ALERTS)
		return;
	struct rfo_summary_alert a = {.channel_id = channel_id, .at = at};
	snprintf(a.kind, sizeof(a.kind), "%s", kind ? kind : "");
	snprintf(a.platform, sizeof(a.platform), "%s", platform ? platform : "");
	snprintf(a.message, sizeof(a.message), "%s", message ? message : "");
	da_push_back(s->alerts, &a);
}

void rfo_summary_end(struct rfo_summary *s, int64_t now_ms)
{
	if (!s->active)
		return;
	if (now_ms < s->started_ms)
		now_ms = s->started_ms;
	advance(s, now_ms);
	s->active = false;
	s->ended_ms = now_ms;
	int64_t span = now_ms - s->started_ms;
	s->average_viewers = span > 0 ? s->total_area / (double)span : (double)total_now(s);
	for (size_t i = 0; i < s->channels.num; i++) {
		struct rfo_summary_channel *c = &s->channels.array[i];
		int64_t seen = now_ms - c->first_ms;
		c->average = seen > 0 ? c->area / (double)seen : (double)c->last;
	}
}

/* ---- Restream's analytics ----------------------------------------------------------------------------------- */

/* Viewer numbers from Restream are kept within 0..VIEWERS_MAX (NaN as 0): hostile or broken values must not
 * overflow the integer conversions below. */
#define VIEWERS_MAX 1e12

static double viewers_in_range(double v)
{
	return v > 0 ? (v < VIEWERS_MAX ? v : VIEWERS_MAX) : 0.0;
}

/* One metric object's max and mean; false when it holds neither. */
static bool metric(const json_t *m, int64_t *max, double *mean)
{
	if (!json_is_object(m))
		return false;
	double mx = 0;
	bool have_max = rfo_json_double(m, "max", &mx);
	bool have_mean = rfo_json_double(m, "mean", mean);
	if (have_max)
		*max = (int64_t)(viewers_in_range(mx) + 0.5);
	*mean = have_mean ? viewers_in_range(*mean) : 0;
	return have_max || have_mean;
}

bool rfo_summary_merge_analytics(struct rfo_summary *s, const char *json, size_t len, struct rfo_error *err)
{
	const char *what = "/v2/user/events/…/analytics/viewers";
	json_t *root = rfo_json_load_object(json, len, what, err);
	if (!root)
		return false;
	int64_t peak = 0;
	double mean = 0;
	bool have_total = metric(rfo_json_get(root, "total"), &peak, &mean);
	json_t *by = rfo_json_object(root, "byChannel");
	size_t merged = 0;
	const char *key;
	json_t *m;
	json_object_foreach (by, key, m) {
		char *end = NULL;
		long long id = strtoll(key, &end, 10);
		int64_t cpeak = 0;
		double cmean = 0;
		if (!*key || *end || id <= 0 || !metric(m, &cpeak, &cmean))
			continue;
		struct rfo_summary_channel *c = channel_get(s, id);
		if (!c)
			continue;
		c->peak = cpeak;
		c->average = cmean;
		merged++;
	}
	if (!have_total && !merged) { /* nothing was changed: no channel had numbers */
		json_decref(root);
		rfo_error_set(err, RFO_ERR_STATE, "%s", "no viewer analytics yet");
		return false;
	}
	if (have_total) {
		s->peak_viewers = peak;
		s->average_viewers = mean;
	}
	s->from_restream = true;
	json_decref(root);
	return true;
}

/* ---- file forms ----------------------------------------------------------------------------------------------- */

/* Two decimals (viewer counts are never negative, and at most VIEWERS_MAX: no overflow; libm is not linked). */
static double rounded(double v)
{
	v = viewers_in_range(v);
	return (double)(int64_t)(v * 100.0 + 0.5) / 100.0;
}

char *rfo_summary_json(const struct rfo_summary *s)
{
	json_t *root = json_object();
	json_object_set_new(root, "startedAt", json_integer(s->started_ms / 1000));
	json_object_set_new(root, "endedAt", json_integer(s->ended_ms / 1000));
	int64_t dur = s->ended_ms > s->started_ms ? s->ended_ms - s->started_ms : 0;
	json_object_set_new(root, "durationSeconds", json_integer((dur + 500) / 1000));
	json_object_set_new(root, "peakViewers", json_integer(s->peak_viewers));
	json_object_set_new(root, "averageViewers", json_real(rounded(s->average_viewers)));
	json_t *channels = json_array();
	for (size_t i = 0; i < s->channels.num; i++) {
		const struct rfo_summary_channel *c = &s->channels.array[i];
		json_array_append_new(channels, json_pack("{s:I,s:I,s:I,s:f}", "channelId", (json_int_t)c->channel_id,
							  "platformId", (json_int_t)c->platform_id, "peakViewers",
							  (json_int_t)c->peak, "averageViewers", rounded(c->average)));
	}
	json_object_set_new(root, "channels", channels);
	json_t *chat = json_object();
	for (size_t i = 0; i < s->chat.num; i++)
		json_object_set_new(chat, s->chat.array[i].platform, json_integer(s->chat.array[i].count));
	json_object_set_new(root, "chatMessages", chat);
	json_t *alerts = json_array();
	for (size_t i = 0; i < s->alerts.num; i++) {
		const struct rfo_summary_alert *a = &s->alerts.array[i];
		json_t *o = json_pack("{s:s,s:s,s:I}", "kind", a->kind, "message", a->message, "at", (json_int_t)a->at);
		if (a->channel_id)
			json_object_set_new(o, "channelId", json_integer(a->channel_id));
		if (a->platform[0])
			json_object_set_new(o, "platform", json_string(a->platform));
		json_array_append_new(alerts, o);
	}
	json_object_set_new(root, "alerts", alerts);
	json_object_set_new(root, "source", json_string(s->from_restream ? "restream" : "live"));
	json_object_set_new(root, "eventId", json_string(s->event_id));
	char *out = rfo_json_dump(root);
	json_decref(root);
	return out;
}

/* A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
static void csv_field(struct dstr *out, const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		dstr_cat(out, v);
		return;
	}
	dstr_cat_ch(out, '"');
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			dstr_cat_ch(out, '"');
		dstr_cat_ch(out, *p);
	}
	dstr_cat_ch(out, '"');
}

char *rfo_summary_csv(const struct rfo_summary *s)
{
	struct dstr out = {0};
	dstr_cat(&out, "section,key,peakViewers,averageViewers,chatMessages\r\n");
	int64_t messages = 0;
	for (size_t i = 0; i < s->chat.num; i++)
		messages += s->chat.array[i].count;
	dstr_catf(&out, "total,,%" PRId64 ",%.2f,%" PRId64 "\r\n", s->peak_viewers, rounded(s->average_viewers),
		  messages);
	for (size_t i = 0; i < s->channels.num; i++) {
		const struct rfo_summary_channel *c = &s->channels.array[i];
		dstr_catf(&out, "channel,%" PRId64 ",%" PRId64 ",%.2f,\r\n", c->channel_id, c->peak,
			  rounded(c->average));
	}
	for (size_t i = 0; i < s->chat.num; i++) {
		dstr_cat(&out, "chat,");
		csv_field(&out, s->chat.array[i].platform);
		dstr_catf(&out, ",,,%" PRId64 "\r\n", s->chat.array[i].count);
	}
	return out.array;
}
