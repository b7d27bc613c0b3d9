#pragma once
/* Chat WebSocket frames (docs/restream-api.md §4): one text frame in, plain structs out.
 *
 * Sans-I/O: rfo_chat_parse() takes the bytes of one WebSocket text frame and never does I/O, never
 * logs at more than debug level and never crashes on malformed input. Every string it produces is
 * valid UTF-8; every string shown to people (author, text, donation) went through rfo_text_sanitize.
 *
 * Messages are reference counted and IMMUTABLE once parsed, so the network thread, the chat store,
 * the UI thread and obs-websocket can share one message without copies: whoever holds a pointer holds
 * a reference and gives it back with rfo_chat_message_release(). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits applied while parsing (bytes, after sanitising, ellipsis included). Every stored string has one, so a
 * message holds a few tens of KiB at most however large its frame was. Ids are cut to RFO_CHAT_MAX_ID. */
#define RFO_CHAT_MAX_TEXT 4096
#define RFO_CHAT_MAX_NAME 128
#define RFO_CHAT_MAX_ID 512
#define RFO_CHAT_MAX_EMOTES 256
#define RFO_CHAT_MAX_URL 512 /* emote and sticker URLs: a longer one is dropped (the fetcher refuses it anyway) */
#define RFO_CHAT_MAX_EMOTE_URLS 16384 /* all emote URLs of one message together: later emotes stay text */
#define RFO_CHAT_MAX_REPLY_TARGETS 64 /* connectionIdentifiers kept from one reply_created */

enum rfo_chat_action {
	RFO_CHAT_UNKNOWN = 0, /* unknown or missing action: ignore */
	RFO_CHAT_HEARTBEAT,
	RFO_CHAT_CONNECTION_INFO,
	RFO_CHAT_CONNECTION_CLOSED,
	RFO_CHAT_EVENT,
	RFO_CHAT_REPLY_CREATED,
	RFO_CHAT_REPLY_ACCEPTED,
	RFO_CHAT_REPLY_CONFIRMED,
	RFO_CHAT_REPLY_FAILED,
	RFO_CHAT_RELAY_ACCEPTED,
	RFO_CHAT_RELAY_CONFIRMED,
	RFO_CHAT_RELAY_FAILED,
};

enum rfo_chat_kind {
	RFO_CHAT_KIND_TEXT = 0, /* an ordinary message */
	RFO_CHAT_KIND_DONATION, /* YouTube Super Chat; `donation` is set, `text` may be empty */
	RFO_CHAT_KIND_STICKER,  /* FB/DLive sticker or YouTube Super Sticker; `text` is the alt text
				   ("[sticker]" when none), `link` the image URL if any */
	RFO_CHAT_KIND_REPLY,    /* the streamer's own reply sent from Restream Chat (reply_created) */
	RFO_CHAT_KIND_SYSTEM,   /* memberships, subscriptions, milestones, unknown event types */
};

/* A custom emote: bytes [byte_start, byte_end) of the message's `text` are the emote's code word
 * (e.g. "Kappa"), to be drawn as the image at `url`. Spans are sorted, never overlap and always lie
 * inside `text` on code-point boundaries. */
struct rfo_chat_emote {
	uint32_t byte_start;
	uint32_t byte_end;
	char *url; /* never NULL; http(s) URL as sent by Restream (not fetched by the core) */
};

/* One normalised chat message. All strings are owned by the message; fields documented as
 * "never NULL" are at least "". */
struct rfo_chat_message {
	volatile long refs; /* internal: use rfo_chat_message_addref()/_release() */

	/* Stable identity for de-duplication: "<connectionIdentifier>|<eventIdentifier>|<timestamp>"
	 * (a re-send of the same event after a reconnect gives the same id). Never NULL. */
	char *id;
	char *connection_id; /* connectionIdentifier, never NULL (may be "") */
	uint64_t seq;        /* set by rfo_chat_store_push (1, 2, …); 0 while not stored */

	int64_t source_id; /* eventSourceId, 0 if absent */
	int64_t type_id;   /* eventTypeId, 0 if absent */
	/* Platform from the eventTypeId when that names one (so Kick/X/Rumble messages are right even
	 * where eventSourceId tables disagree), else from eventSourceId (§4.4). */
	const char *platform; /* "Twitch", "YouTube", "Facebook", "DLive", "Discord", "LinkedIn",
				   "Trovo", "Kick", "X", "Rumble", "Restream", or "Platform <id>";
				   points into platform_buf or a static string; never NULL */
	char platform_buf[32];

	enum rfo_chat_kind kind;
	char *author;        /* display name, never NULL; "" only for kind REPLY (the streamer) */
	char *author_color;  /* "#RRGGBB" (upper-case) or NULL */
	char *text;          /* sanitised, never NULL */
	char *donation;      /* "$5.00" (a formatted currencyString as is) or "5.00 USD", or NULL */
	char *link;          /* sticker / emoji image URL (FB sticker `link`, DLive emoji), or NULL */
	char *parent_author; /* Facebook `parent.name` (author being replied to), or NULL */
	bool bot;
	bool moderator;    /* YouTube isChatModerator / isChatOwner */
	bool member;       /* YouTube isChatSponsor, Twitch subscribedFor > 0, DLive subscribing */
	int64_t timestamp; /* the frame's unix seconds (0 if absent) */

	struct rfo_chat_emote *emotes; /* num_emotes entries or NULL */
	size_t num_emotes;
};

enum rfo_chat_conn_status {
	RFO_CHAT_CONN_UNKNOWN = 0,
	RFO_CHAT_CONN_CONNECTING,
	RFO_CHAT_CONN_CONNECTED,
	RFO_CHAT_CONN_ERROR,
};

/* connection_info / connection_closed payload. Strings owned by the struct, NULL when absent. */
struct rfo_chat_connection {
	char *identifier; /* connectionIdentifier (map key) */
	char *uuid;       /* connectionUuid */
	int64_t source_id;
	const char *platform; /* like rfo_chat_message.platform; points into platform_buf or static */
	char platform_buf[32];
	enum rfo_chat_conn_status status;
	char *reason;               /* raw reason code ("youtube_livechat_ended") or NULL */
	char *target_name;          /* channel/page/server name from `target`, sanitised, or NULL */
	int64_t website_channel_id; /* target.websiteChannelId (REST channel id) or 0 */
};

/* reply_* / relay_* payload. Strings owned by the struct, NULL when absent. */
struct rfo_chat_reply {
	char *reply_uuid;        /* replyUuid (reply_*) */
	char *client_reply_uuid; /* clientReplyUuid (reply_created) */
	char *source_event_id;   /* sourceEventIdentifier (relay_*) */
	char *connection_id;     /* connectionIdentifier (accepted/confirmed/failed) */
	char **connection_ids;   /* connectionIdentifiers (reply_created), num_connection_ids entries */
	size_t num_connection_ids;
	int64_t source_id; /* reply_created eventSourceId (1 = all connections) */
	char *text;        /* reply_created text, sanitised */
	char *reason;      /* *_failed reason code */
};

/* One parsed frame. Zero-initialise or let rfo_chat_parse fill it; release with rfo_chat_frame_free. */
struct rfo_chat_frame {
	enum rfo_chat_action action;
	int64_t timestamp; /* envelope timestamp (unix s), 0 if absent */

	/* RFO_CHAT_EVENT: the message (one reference, owned by the frame), or NULL when the event carries
	 * nothing to show (e.g. an unknown event type with no text). Steal it by setting it to NULL. */
	struct rfo_chat_message *message;
	/* RFO_CHAT_CONNECTION_INFO and RFO_CHAT_CONNECTION_CLOSED (closed: uuid and reason only). */
	struct rfo_chat_connection conn;
	/* RFO_CHAT_REPLY_* and RFO_CHAT_RELAY_*. */
	struct rfo_chat_reply reply;
};

/* Parses one chat text frame. Returns false (frame zeroed, err = RFO_ERR_PARSE) only when the bytes
 * are not a JSON object. Unknown actions give true with action RFO_CHAT_UNKNOWN; missing or mistyped
 * fields are treated as absent. The caller calls rfo_chat_frame_free() after either outcome. */
bool rfo_chat_parse(const char *data, size_t len, struct rfo_chat_frame *frame, struct rfo_error *err);
void rfo_chat_frame_free(struct rfo_chat_frame *frame);

/* Reference counting (atomic; any thread). addref returns msg; release(NULL) is a no-op. */
struct rfo_chat_message *rfo_chat_message_addref(struct rfo_chat_message *msg);
void rfo_chat_message_release(struct rfo_chat_message *msg);

/* Deep copies of the payload structs (dst is overwritten; free with the _free function). */
void rfo_chat_connection_copy(struct rfo_chat_connection *dst, const struct rfo_chat_connection *src);
void rfo_chat_connection_free(struct rfo_chat_connection *conn); /* frees members, not conn */
void rfo_chat_reply_free(struct rfo_chat_reply *reply);          /* frees members, not reply */

/* Names. Returned strings are static. */
const char *rfo_chat_action_name(enum rfo_chat_action action);      /* "event", … "unknown" */
const char *rfo_chat_kind_name(enum rfo_chat_kind kind);            /* "text","donation","sticker","reply","system" */
const char *rfo_chat_conn_status_name(enum rfo_chat_conn_status s); /* "connecting","connected","error","unknown" */
/* Platform for an eventSourceId per §4.4 (plus 28 X, 29 Rumble, 30 LinkedIn seen in newer clients),
 * or NULL when the id is unknown (callers then show "Platform <id>"). */
const char *rfo_chat_platform_name(int64_t source_id);

/* Reason codes (connection_info errors, connection_closed, reply/relay failures) in plain words.
 * `locale_key` is a key for locale/en-US.ini ("Chat.Reason.YoutubeLivechatEnded"), `english` the
 * fallback text. Unknown or NULL codes give the entry {code "", "Chat.Reason.Unknown", "Unknown reason"}.
 * Never returns NULL. */
struct rfo_chat_reason {
	const char *code;
	const char *locale_key;
	const char *english;
};
const struct rfo_chat_reason *rfo_chat_reason_lookup(const char *code);
/* The whole table (for the locale test / UI), *count entries, unknown entry last. */
const struct rfo_chat_reason *rfo_chat_reason_table(size_t *count);

#ifdef __cplusplus
}
#endif
