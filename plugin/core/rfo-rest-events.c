/* Event parsers of rfo-rest.h: GET /user/events/upcoming|in-progress|history|{id}. */
#include "rfo-rest.h"
#include "rfo-rest-parse.h"
#include "rfo-json.h"

#include <string.h>
#include <time.h>

#include <util/bmem.h>

enum rfo_event_status rfo_event_status_from_string(const char *s)
{
	if (!s)
		return RFO_EVENT_UNKNOWN;
	static const struct {
		const char *name;
		enum rfo_event_status st;
	} map[] = {
		{"upcoming", RFO_EVENT_UPCOMING},       {"scheduled", RFO_EVENT_UPCOMING},
		{"in-progress", RFO_EVENT_IN_PROGRESS}, {"in_progress", RFO_EVENT_IN_PROGRESS},
		{"inProgress", RFO_EVENT_IN_PROGRESS},  {"live", RFO_EVENT_IN_PROGRESS},
		{"finished", RFO_EVENT_FINISHED},       {"completed", RFO_EVENT_FINISHED},
		{"missed", RFO_EVENT_MISSED},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(s, map[i].name) == 0)
			return map[i].st;
	return RFO_EVENT_UNKNOWN;
}

static bool event_from(const json_t *v, void *item)
{
	struct rfo_event *e = item;
	memset(e, 0, sizeof(*e));
	char *id = rfo_json_id_dup(v, "id");
	e->id = rfo_rest_token(id, RFO_REST_MAX_ID);
	bfree(id);
	if (!e->id || !*e->id) {
		bfree(e->id);
		e->id = NULL;
		return false;
	}
	const char *status = rfo_json_str(v, "status");
	e->status = rfo_rest_text(status, RFO_REST_MAX_STATUS, "");
	e->status_kind = rfo_event_status_from_string(status);
	e->title = rfo_rest_text(rfo_json_str(v, "title"), RFO_REST_MAX_TITLE, "");
	e->description = rfo_rest_lines(rfo_json_str(v, "description"), RFO_REST_MAX_DESCRIPTION);
	e->cover_url = rfo_rest_token(rfo_json_str2(v, "coverUrl", "cover_url"), RFO_REST_MAX_URL);
	char *show = rfo_json_id_dup(v, "showId");
	e->show_id = rfo_rest_token(show, RFO_REST_MAX_ID);
	bfree(show);
	e->is_record_only = rfo_json_bool_or(v, "isRecordOnly", false);
	e->is_instant = rfo_json_bool_or(v, "isInstant", false);
	rfo_json_time(v, "scheduledFor", &e->scheduled_for);
	rfo_json_time(v, "startedAt", &e->started_at);
	if (!rfo_json_time(v, "finishedAt", &e->finished_at))
		rfo_json_time(v, "endedAt", &e->finished_at);

	json_t *dests = rfo_json_array(v, "destinations");
	if (dests) {
		size_t n = json_array_size(dests);
		e->destinations = n ? bzalloc(n * sizeof(*e->destinations)) : NULL;
		size_t i;
		json_t *d;
		json_array_foreach (dests, i, d) {
			if (!json_is_object(d))
				continue;
			struct rfo_event_destination *dst = &e->destinations[e->destination_count++];
			rfo_json_int2(d, "channelId", "channel_id", &dst->channel_id);
			rfo_json_int2(d, "streamingPlatformId", "platformId", &dst->platform_id);
			dst->external_url =
				rfo_rest_token(rfo_json_str2(d, "externalUrl", "external_url"), RFO_REST_MAX_URL);
		}
	}
	return true;
}

void rfo_event_free(struct rfo_event *e)
{
	if (!e)
		return;
	bfree(e->id);
	bfree(e->status);
	bfree(e->title);
	bfree(e->description);
	bfree(e->cover_url);
	bfree(e->show_id);
	for (size_t i = 0; i < e->destination_count; i++)
		bfree(e->destinations[i].external_url);
	bfree(e->destinations);
	memset(e, 0, sizeof(*e));
}

void rfo_event_list_free(struct rfo_event_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		rfo_event_free(&list->items[i]);
	bfree(list->items);
	memset(list, 0, sizeof(*list));
}

bool rfo_rest_parse_events(const char *json, size_t len, const char *what, struct rfo_event_list *out,
			   struct rfo_error *err)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	void *items = NULL;
	json_t *root = rfo_rest_parse_items(json, len, what ? what : "/v2/user/events", true, event_from,
					    sizeof(*out->items), &items, &out->count, err);
	if (!root)
		return false;
	out->items = items;
	json_t *pg = rfo_json_object(root, "pagination");
	rfo_json_int(pg, "page", &out->page);
	rfo_json_int2(pg, "pages_total", "pagesTotal", &out->pages_total);
	rfo_json_int(pg, "limit", &out->limit);
	json_decref(root);
	return true;
}

bool rfo_rest_parse_event(const char *json, size_t len, struct rfo_event *out, struct rfo_error *err)
{
	return rfo_rest_parse_object(json, len, "/v2/user/events/…", event_from, out, sizeof(*out), err);
}

char *rfo_rest_create_event_body(const char *title, const char *description, int64_t scheduled_for)
{
	if (!title)
		return NULL;
	json_t *root = json_pack("{s:s}", "streamType", "encoder");
	json_t *t = json_string(title);
	json_t *d = description && *description ? json_string(description) : NULL;
	if (!t || (description && *description && !d)) { /* not valid UTF-8 */
		json_decref(t);
		json_decref(root);
		return NULL;
	}
	json_object_set_new(root, "title", t);
	if (d)
		json_object_set_new(root, "description", d);
	if (scheduled_for > 0) {
		time_t when = (time_t)scheduled_for;
		struct tm tm;
		char iso[32];
		gmtime_r(&when, &tm);
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
		json_object_set_new(root, "scheduledFor", json_string(iso));
	}
	char *s = rfo_json_dump(root);
	json_decref(root);
	return s;
}

static bool created_from(const json_t *v, void *item)
{
	char **id = item;
	char *raw = rfo_json_id_dup(v, "id");
	*id = rfo_rest_token(raw, RFO_REST_MAX_ID);
	bfree(raw);
	if (*id && **id)
		return true;
	bfree(*id);
	*id = NULL;
	return false;
}

bool rfo_rest_parse_created_event(const char *json, size_t len, char **id, struct rfo_error *err)
{
	return rfo_rest_parse_object(json, len, "/v2/user/events/new", created_from, id, sizeof(*id), err);
}
