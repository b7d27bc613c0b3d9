/* restream-emulator: creating events (POST /v2/user/events/new) and their viewer analytics
 * (GET /v2/user/events/{id}/analytics/viewers), published a configurable time after the event finished. */
#define _GNU_SOURCE /* timegm */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TITLE_MAX 100 /* code points */
#define DESCRIPTION_MAX 5000
#define MAX_TRACKED 8
#define MAX_CHANNELS 16

/* What the streaming socket sent about one event's viewers (updateStatuses while it was live). */
struct tracked_channel {
	int64_t id;
	int64_t last, max;
	double sum;
	int samples;
};
struct tracked {
	char event_id[40];
	struct tracked_channel ch[MAX_CHANNELS];
	int n;
	int64_t total_max;
	double total_sum;
	int total_samples;
};

static struct tracked tracked[MAX_TRACKED];
static int n_tracked;
static int64_t publish_delay_ms = 60000; /* POST /_emu/analytics {delayMs} */
static bool write_scope = true;          /* POST /_emu/events/scope {write}: false = the token lacks stream.write */
static int created_total;

static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

bool emu_events_handles(const char *method, const char *rest)
{
	if (strcmp(rest, "new") == 0)
		return true;
	const char *a = strstr(rest, "/analytics/viewers");
	return a && strcmp(a, "/analytics/viewers") == 0 && strcmp(method, "GET") == 0;
}

static bool parse_iso(const char *s, int64_t *out)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return false;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	if (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0)
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

static void create_event(struct emu_req *req, struct emu_resp *resp)
{
	if (strcmp(req->method, "POST") != 0)
		return emu_resp_error(resp, 405, "method_not_allowed", "Method Not Allowed");
	if (!write_scope)
		return emu_resp_error(resp, 403, "InsufficientScope", "Insufficient Scope");
	json_t *body = emu_json_parse(req->body, req->body_len);
	const char *type = json_string_value(json_object_get(body, "streamType"));
	json_t *title = json_object_get(body, "title"), *desc = json_object_get(body, "description");
	json_t *sched = json_object_get(body, "scheduledFor");
	int64_t when = 0;
	const char *error = NULL, *name = "InvalidBodyParams";
	if (!json_is_object(body))
		error = "Invalid body params";
	else if (!type || (strcmp(type, "encoder") != 0 && strcmp(type, "studio") != 0))
		error = "\"streamType\" must be \"encoder\" or \"studio\"";
	else if ((title && !json_is_string(title)) || (desc && !json_is_null(desc) && !json_is_string(desc)))
		error = "\"title\" and \"description\" must be strings";
	else if (title && (utf8_len(json_string_value(title)) > TITLE_MAX ||
			   strlen(json_string_value(title)) >= sizeof(((struct emu_event *)0)->title)))
		error = "Title Too Long", name = "TitleTooLong";
	else if (json_is_string(desc) && utf8_len(json_string_value(desc)) > DESCRIPTION_MAX)
		error = "Description Too Long", name = "DescriptionTooLong";
	else if (sched && !json_is_null(sched) &&
		 (!json_is_string(sched) || !parse_iso(json_string_value(sched), &when)))
		error = "\"scheduledFor\" must be an ISO-8601 date-time";
	else if (emu.n_events >= EMU_MAX_EVENTS)
		error = "Too many events", name = "TooManyEvents";
	if (error) {
		json_decref(body);
		return emu_resp_error(resp, 400, name, error);
	}
	struct emu_event *e = &emu.events[emu.n_events++];
	memset(e, 0, sizeof(*e));
	emu_uuid(e->id);
	snprintf(e->status, sizeof(e->status), "upcoming");
	snprintf(e->title, sizeof(e->title), "%s", title ? json_string_value(title) : "");
	e->description = json_is_string(desc) ? strdup(json_string_value(desc)) : NULL;
	e->scheduled_for = when;
	emu_event_make_keys(e); /* no destinations: attaching them is a separate call */
	created_total++;
	json_decref(body);
	emu_resp_json(resp, 201, json_pack("{s:s}", "id", e->id));
}

static struct tracked *tracked_find(const char *id, bool add)
{
	for (int i = 0; i < n_tracked; i++)
		if (strcmp(tracked[i].event_id, id) == 0)
			return &tracked[i];
	if (!add)
		return NULL;
	if (n_tracked == MAX_TRACKED) { /* forget the oldest */
		memmove(&tracked[0], &tracked[1], sizeof(tracked[0]) * (MAX_TRACKED - 1));
		n_tracked--;
	}
	struct tracked *t = &tracked[n_tracked++];
	memset(t, 0, sizeof(*t));
	snprintf(t->event_id, sizeof(t->event_id), "%s", id);
	return t;
}

void emu_analytics_record(const json_t *frame)
{
	const char *action = json_string_value(json_object_get(frame, "action"));
	if (!emu.live || !emu.live_event_id[0] || !action || strcmp(action, "updateStatuses") != 0)
		return;
	json_t *v = json_object_get(frame, "viewers");
	int64_t cid = json_integer_value(json_object_get(frame, "channelId"));
	if (!cid || !json_is_integer(v))
		return;
	struct tracked *t = tracked_find(emu.live_event_id, true);
	struct tracked_channel *c = NULL;
	for (int i = 0; i < t->n && !c; i++)
		if (t->ch[i].id == cid)
			c = &t->ch[i];
	if (!c) {
		if (t->n == MAX_CHANNELS)
			return;
		c = &t->ch[t->n++];
		c->id = cid;
	}
	c->last = json_integer_value(v);
	if (c->last > c->max)
		c->max = c->last;
	c->sum += (double)c->last;
	c->samples++;
	int64_t total = 0;
	for (int i = 0; i < t->n; i++)
		total += t->ch[i].last;
	if (total > t->total_max)
		t->total_max = total;
	t->total_sum += (double)total;
	t->total_samples++;
}

static json_t *metric(int64_t max, double sum, int samples, int64_t started)
{
	double mean = samples ? sum / samples : 0;
	return json_pack("{s:f,s:I,s:I,s:I,s:I,s:[{s:I,s:I}]}", "mean", mean, "max", (json_int_t)max, "viewsTotal",
			 (json_int_t)(max * 3), "peakTime", (json_int_t)started, "watchedTime", (json_int_t)(mean * 60),
			 "viewersPerMinute", "timestamp", (json_int_t)started, "viewers", (json_int_t)max);
}

/* The analytics of an event, or NULL while not published (not finished, or finished less than the delay ago). */
static json_t *analytics_json(const struct emu_event *e)
{
	if (strcmp(e->status, "finished") != 0 || !e->finished_at ||
	    emu_now_ms() < e->finished_at * 1000 + publish_delay_ms)
		return NULL;
	const struct tracked *t = tracked_find(e->id, false);
	json_t *by = json_object();
	for (int i = 0; t && i < t->n; i++) {
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)t->ch[i].id);
		json_object_set_new(by, key, metric(t->ch[i].max, t->ch[i].sum, t->ch[i].samples, e->started_at));
	}
	return json_pack("{s:o,s:o}", "total",
			 t ? metric(t->total_max, t->total_sum, t->total_samples, e->started_at) : json_null(),
			 "byChannel", by);
}

void emu_events_route(struct emu_req *req, struct emu_resp *resp, const char *rest)
{
	if (strcmp(rest, "new") == 0)
		return create_event(req, resp);
	char id[64];
	size_t n = (size_t)(strchr(rest, '/') - rest);
	if (n >= sizeof(id))
		return emu_resp_error(resp, 404, "not_found", "Event not found");
	memcpy(id, rest, n);
	id[n] = '\0';
	struct emu_event *e = emu_event_find(id);
	if (!e)
		return emu_resp_error(resp, 404, "not_found", "Event not found");
	json_t *a = analytics_json(e);
	if (!a)
		return emu_resp_error(resp, 404, "AnalyticsNotReady", "Analytics are not available yet");
	emu_resp_json(resp, 200, a);
}

bool emu_events_control(const char *method, const char *p, json_t *body, struct emu_resp *resp)
{
	bool get = strcmp(method, "GET") == 0;
	if (strcmp(p, "analytics") == 0) {
		if (!get) {
			json_t *d = json_object_get(body, "delayMs");
			if (!json_is_integer(d) || json_integer_value(d) < 0)
				emu_resp_json(resp, 400,
					      json_pack("{s:b,s:s}", "ok", 0, "error", "delayMs >= 0 required"));
			else
				publish_delay_ms = json_integer_value(d);
			if (json_is_integer(d) && json_integer_value(d) >= 0)
				emu_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
			return true;
		}
		/* every tracked event: published or not, and what the route answers once published */
		json_t *events = json_object();
		for (int i = 0; i < n_tracked; i++) {
			struct emu_event *e = emu_event_find(tracked[i].event_id);
			json_t *a = e ? analytics_json(e) : NULL;
			json_object_set_new(
				events, tracked[i].event_id,
				json_pack("{s:b,s:o}", "published", a != NULL, "analytics", a ? a : json_null()));
		}
		emu_resp_json(
			resp, 200,
			json_pack("{s:b,s:I,s:o}", "ok", 1, "delayMs", (json_int_t)publish_delay_ms, "events", events));
		return true;
	}
	if (strcmp(p, "events/scope") == 0 && !get) {
		json_t *w = json_object_get(body, "write");
		write_scope = !w || json_is_true(w);
		emu_resp_json(resp, 200, json_pack("{s:b,s:b}", "ok", 1, "write", write_scope));
		return true;
	}
	if (strcmp(p, "events/created") == 0 && get) {
		emu_resp_json(resp, 200, json_pack("{s:b,s:i}", "ok", 1, "created", created_total));
		return true;
	}
	return false;
}
