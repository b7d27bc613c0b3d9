#pragma once
/* Parsers and body builders for Restream's REST API v2 (docs/restream-api.md §2, §5), sans-I/O.
 *
 * Every parser takes the raw body (json, len), fills a plain struct and returns true, or returns
 * false with err = RFO_ERR_PARSE ("Restream sent an unexpected reply to /v2/…") and leaves the output
 * empty (safe to free). Outputs are overwritten, not freed, first. Strings are bstrdup'd and owned by
 * the struct: release with the matching _free (which accepts NULL and leaves the struct zeroed).
 * Parsers ignore unknown fields, treat null like absent, read ids as int64 from numbers or numeric
 * strings, and skip list items that are not objects or lack a usable id.
 *
 * Remote text is cleaned at the parser, so the dock, vendor responses and the log only ever see clean text:
 * names, titles and statuses go through rfo_text_sanitize (valid UTF-8, no control or bidi-override
 * characters, no line breaks) cut to the caps below; descriptions keep their line breaks
 * (rfo_text_sanitize_lines). URLs and ids are kept only when they are already clean and within their cap
 * (a changed URL would point elsewhere): otherwise the field is absent, or the item skipped when it needs it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caps in bytes, after cleaning, "…" included. */
#define RFO_REST_MAX_NAME 256         /* user, platform, server and channel names, e-mail, identifiers */
#define RFO_REST_MAX_TITLE 512        /* channel and event titles */
#define RFO_REST_MAX_DESCRIPTION 5000 /* channel and event descriptions */
#define RFO_REST_MAX_URL 2048         /* URLs (longer ones are dropped, not cut) */
#define RFO_REST_MAX_ID 128           /* text ids (event UUIDs; longer ones are refused) */
#define RFO_REST_MAX_STATUS 32        /* event status words */

/* GET /user/profile */
struct rfo_profile {
	int64_t id;
	char *username;     /* "" when missing (needs id or username to succeed) */
	char *email;        /* may be NULL */
	char *display_name; /* displayName, else username, else email, else ""; never NULL */
};
bool rfo_rest_parse_profile(const char *json, size_t len, struct rfo_profile *out, struct rfo_error *err);
void rfo_profile_free(struct rfo_profile *p);

/* GET /platform/all */
struct rfo_platform {
	int64_t id;
	char *name, *url;                    /* name never NULL ("Platform <id>" if missing) */
	char *image_png, *image_svg;         /* image.{png,svg}, may be NULL */
	char *alt_image_png, *alt_image_svg; /* altImage.{png,svg}, may be NULL */
};
struct rfo_platform_list {
	struct rfo_platform *items;
	size_t count;
};
bool rfo_rest_parse_platforms(const char *json, size_t len, struct rfo_platform_list *out, struct rfo_error *err);
void rfo_platform_list_free(struct rfo_platform_list *list);
/* Borrowed pointer into list, or NULL. */
const struct rfo_platform *rfo_platform_list_find(const struct rfo_platform_list *list, int64_t id);

/* GET /server/all */
struct rfo_server {
	int64_t id;
	char *name, *url, *rtmp_url; /* rtmp_url never NULL (items without one are skipped) */
	double latitude, longitude;  /* from strings or numbers */
	bool has_location;
};
struct rfo_server_list {
	struct rfo_server *items;
	size_t count;
};
bool rfo_rest_parse_servers(const char *json, size_t len, struct rfo_server_list *out, struct rfo_error *err);
void rfo_server_list_free(struct rfo_server_list *list);
const struct rfo_server *rfo_server_list_find(const struct rfo_server_list *list, int64_t id);

/* GET /user/ingest -> {"ingestId":8} */
bool rfo_rest_parse_ingest(const char *json, size_t len, int64_t *ingest_id, struct rfo_error *err);

/* GET /user/streamKey and /user/events/{id}/streamKey */
struct rfo_stream_key {
	char *stream_key; /* never NULL after success */
	char *srt_url;    /* NULL when the plan has no SRT */
};
bool rfo_rest_parse_stream_key(const char *json, size_t len, struct rfo_stream_key *out, struct rfo_error *err);
void rfo_stream_key_free(struct rfo_stream_key *k);

/* GET /user/events/{id}/srt/streamKey */
struct rfo_srt_key {
	char *stream_id, *passphrase; /* may be NULL if only url was sent */
	char *url;                    /* may be NULL if only id + passphrase were sent; not both */
};
bool rfo_rest_parse_srt_key(const char *json, size_t len, struct rfo_srt_key *out, struct rfo_error *err);
void rfo_srt_key_free(struct rfo_srt_key *k);

/* GET /user/channel/all (array) and GET /user/channel/{id} (camelCase or snake_case) */
struct rfo_channel {
	int64_t id;
	int64_t platform_id; /* streamingPlatformId | platformId | service_id; 0 = unknown */
	char *embed_url;     /* embedUrl | embed */
	char *url;           /* url | channelUrl | channel_url */
	char *identifier;    /* identifier | channel_identifier */
	char *display_name;  /* displayName | display_name; never NULL ("" if missing) */
	bool enabled;        /* enabled | active; false when missing */
};
struct rfo_channel_list {
	struct rfo_channel *items;
	size_t count;
};
/* Accepts a bare array (or {"items":[…]}). */
bool rfo_rest_parse_channels(const char *json, size_t len, struct rfo_channel_list *out, struct rfo_error *err);
bool rfo_rest_parse_channel(const char *json, size_t len, struct rfo_channel *out, struct rfo_error *err);
void rfo_channel_free(struct rfo_channel *c);
void rfo_channel_list_free(struct rfo_channel_list *list);
struct rfo_channel *rfo_channel_list_find(const struct rfo_channel_list *list, int64_t id);

/* GET /user/channel-meta/{id} */
struct rfo_channel_meta {
	char *title;       /* "" when missing */
	char *description; /* NULL when missing */
};
bool rfo_rest_parse_channel_meta(const char *json, size_t len, struct rfo_channel_meta *out, struct rfo_error *err);
void rfo_channel_meta_free(struct rfo_channel_meta *m);

/* Events: GET /user/events/upcoming|in-progress (array), /history ({"items","pagination"}), /{id} */
enum rfo_event_status {
	RFO_EVENT_UNKNOWN = 0,
	RFO_EVENT_UPCOMING,
	RFO_EVENT_IN_PROGRESS,
	RFO_EVENT_FINISHED,
	RFO_EVENT_MISSED,
};
struct rfo_event_destination {
	int64_t channel_id;
	int64_t platform_id; /* streamingPlatformId */
	char *external_url;  /* may be NULL */
};
struct rfo_event {
	char *id;     /* UUID string (numeric ids are printed); never NULL */
	char *status; /* as sent, "" when missing */
	enum rfo_event_status status_kind;
	char *title;       /* "" when missing */
	char *description; /* may be NULL */
	char *cover_url;   /* may be NULL */
	char *show_id;     /* may be NULL */
	bool is_record_only, is_instant;
	int64_t scheduled_for, started_at, finished_at; /* Unix s; 0 = null/absent */
	struct rfo_event_destination *destinations;
	size_t destination_count;
};
struct rfo_event_list {
	struct rfo_event *items;
	size_t count;
	int64_t page, pages_total, limit; /* from "pagination" (history); 0 when absent */
};
/* Accepts a bare array or {"items":[…],"pagination":{…}}. `what` names the endpoint in the error
 * message (e.g. "/v2/user/events/history"); NULL = "/v2/user/events". */
bool rfo_rest_parse_events(const char *json, size_t len, const char *what, struct rfo_event_list *out,
			   struct rfo_error *err);
bool rfo_rest_parse_event(const char *json, size_t len, struct rfo_event *out, struct rfo_error *err);
void rfo_event_free(struct rfo_event *e);
void rfo_event_list_free(struct rfo_event_list *list);
enum rfo_event_status rfo_event_status_from_string(const char *s);

/* Error envelope {"error":{"statusCode"|"status"|"code":…,"message":…,"name":…}} (also a bare
 * {"message":…} or {"error":"text"}). Always fills err: code = the HTTP status (http_status, else
 * the envelope's), message = a human sentence: the envelope's message, else its name made readable
 * ("TitleTooLong" -> "Title Too Long"), else "Restream answered with HTTP <status>". Control
 * characters are removed. Returns true when an envelope was recognised. */
bool rfo_rest_parse_error(const char *json, size_t len, long http_status, struct rfo_error *err);

/* POST /user/events/new: {"streamType":"encoder","title":…,"description"?:…,"scheduledFor"?: ISO-8601 UTC};
 * description omitted when NULL or "", scheduledFor when 0 (now). NULL when a string is not valid UTF-8. bfree. */
char *rfo_rest_create_event_body(const char *title, const char *description, int64_t scheduled_for);
/* Its 201 answer {"id":"<uuid>"}: *id (bfree) is the new event's id (a clean token of at most RFO_REST_MAX_ID). */
bool rfo_rest_parse_created_event(const char *json, size_t len, char **id, struct rfo_error *err);

/* Request bodies (compact JSON, bfree() the result). */
char *rfo_rest_channel_patch_body(bool active); /* {"active":true} */
/* {"title":…,"description":…}; description omitted when NULL; NULL when title is NULL or either
 * string is not valid UTF-8. */
char *rfo_rest_meta_patch_body(const char *title, const char *description);

#ifdef __cplusplus
}
#endif
