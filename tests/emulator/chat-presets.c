/* restream-emulator: chat frames for every action, eventSourceId and eventTypeId (docs/restream-api.md §4). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *opt_str(json_t *opts, const char *key, const char *def)
{
	const char *v = json_string_value(json_object_get(opts, key));
	return v ? v : def;
}

static const struct emu_channel *chan_for_source(int source)
{
	for (int i = 0; i < emu.n_channels; i++)
		if (emu.channels[i].chat_source == source)
			return &emu.channels[i];
	return NULL;
}

static const char *discord_conn_id(void)
{
	static char id[64];
	if (!id[0])
		snprintf(id, sizeof(id), "%d-discord-881234567890123456", EMU_USER_ID);
	return id;
}

static const char *discord_conn_uuid(void)
{
	static char uuid[40];
	if (!uuid[0])
		emu_uuid(uuid);
	return uuid;
}

static const char *conn_id_for(int source)
{
	if (source == 25)
		return discord_conn_id();
	const struct emu_channel *c = chan_for_source(source);
	return c ? c->conn_id : "5849342-unknown-000";
}

static json_t *frame(const char *action, json_t *payload)
{
	return json_pack("{s:s,s:o,s:I}", "action", action, "payload", payload, "timestamp", (json_int_t)emu_now_s());
}

static json_t *event_frame(int source, int type, json_t *ep)
{
	char eid[24];
	emu_rand_hex(eid, 16);
	return frame("event", json_pack("{s:s,s:s,s:o,s:i,s:i,s:i}", "connectionIdentifier", conn_id_for(source),
					"eventIdentifier", eid, "eventPayload", ep, "eventSourceId", source,
					"eventTypeId", type, "userId", EMU_USER_ID));
}

/* Twitch emotes: replaces[] in REVERSE order, from/to are inclusive code-point indexes */
static json_t *twitch_replaces(const char *text)
{
	static const char *emotes[] = {"Kappa", "PogChamp", "LUL", "HeyGuys"};
	json_t *arr = json_array();
	size_t cp = 0;
	const char *p = text;
	while (*p) {
		bool at_word = p == text || p[-1] == ' ';
		for (size_t e = 0; at_word && e < sizeof(emotes) / sizeof(emotes[0]); e++) {
			size_t n = strlen(emotes[e]);
			if (strncmp(p, emotes[e], n) == 0 && (p[n] == ' ' || p[n] == '\0')) {
				char url[128], name[64];
				snprintf(name, sizeof(name), "emotes/%zu.png", 25 + e * 1000);
				emu_image_url(url, sizeof(url), name);
				json_array_insert_new(arr, 0,
						      json_pack("{s:I,s:I,s:s,s:{s:s}}", "from", (json_int_t)cp, "to",
								(json_int_t)(cp + n - 1), "type", "imageUrl", "payload",
								"url", url));
			}
		}
		if (((unsigned char)*p & 0xC0) != 0x80)
			cp++;
		p++;
	}
	return arr;
}

static json_t *yt_author(json_t *opts, bool sponsor)
{
	return json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:b}", "id", "UCx9emuViewer00000000001", "avatar",
			 "https://yt3.ggpht.example.invalid/avatar1.jpg", "displayName",
			 opt_str(opts, "author", "Tuxedo Viewer"), "isChatModerator", 0, "isChatOwner", 0,
			 "isChatSponsor", sponsor, "isVerified", 0);
}

static json_t *fb_author(json_t *opts, const char *def)
{
	return json_pack("{s:s,s:s,s:s}", "id", "10158000000000001", "name", opt_str(opts, "author", def), "picture",
			 "https://graph.facebook.example.invalid/10158000000000001/picture");
}

static json_t *fb_payload(json_t *opts, bool group, bool sticker, const char *deftext)
{
	json_t *ep =
		json_pack("{s:o,s:b}", "author", group ? json_object() : fb_author(opts, "Facebook Friend"), "bot", 0);
	if (sticker) {
		json_object_set_new(ep, "link",
				    json_string("https://scontent.example.invalid/sticker-369239263222822.png"));
		json_object_set_new(ep, "text", json_string(opt_str(opts, "text", "")));
	} else {
		json_object_set_new(ep, "text", json_string(opt_str(opts, "text", deftext)));
		if (!group)
			json_object_set_new(ep, "parent", json_pack("{s:s}", "name", "Emu Streamer"));
	}
	return ep;
}

static json_t *dlive_author(json_t *opts)
{
	return json_pack("{s:s,s:[s],s:s,s:s,s:s,s:s,s:b,s:s}", "avatar", "https://images.dlive.example.invalid/a.png",
			 "badges", "early-supporter", "name", opt_str(opts, "author", "DLiveFan"), "partnerStatus",
			 "NONE", "role", "None", "roomRole", "Member", "subscribing", 1, "username", "dlivefan");
}

static const char *reply_uuid(json_t *opts)
{
	static char uuid[40];
	if (!uuid[0])
		emu_uuid(uuid);
	return opt_str(opts, "replyUuid", uuid);
}

static json_t *build(const char *name, json_t *opts)
{
	const char *text = opt_str(opts, "text", NULL);
	if (strcmp(name, "twitch_text") == 0) {
		const char *t = text ? text : "Kappa hello from twitch PogChamp";
		return event_frame(
			2, 4,
			json_pack(
				"{s:{s:n,s:[{s:s,s:s,s:n},{s:s,s:s,s:s}],s:s,s:s,s:s,s:s,s:i},s:b,s:{s:b,s:b},s:o,s:s}",
				"author", "avatar", "badges", "title", "Subscriber", "imageUrl",
				"https://static-cdn.jtvnw.net/badges/v1/sub/1", "clickUrl", "title", "Moderator",
				"imageUrl", "https://static-cdn.jtvnw.net/badges/v1/mod/1", "clickUrl",
				"https://help.twitch.tv/moderator", "color", "#1E90FF", "displayName",
				opt_str(opts, "author", "KappaKing"), "id", "123456789", "name", "kappaking",
				"subscribedFor", 14, "bot", 0, "contentModifiers", "me", 0, "whisper", 0, "replaces",
				twitch_replaces(t), "text", t));
	}
	if (strcmp(name, "youtube_text") == 0)
		return event_frame(13, 5,
				   json_pack("{s:o,s:b,s:s}", "author", yt_author(opts, false), "bot", 0, "text",
					     text ? text : "Hello from YouTube 👋"));
	if (strcmp(name, "youtube_superchat") == 0)
		return event_frame(13, 7,
				   json_pack("{s:o,s:b,s:s,s:{s:s,s:s,s:i}}", "author", yt_author(opts, true), "bot", 0,
					     "text", text ? text : "Great stream, have a coffee!", "donation", "amount",
					     opt_str(opts, "amount", "5.00"), "currencyString",
					     opt_str(opts, "currency", "$5.00"), "tier", 2));
	if (strcmp(name, "youtube_supersticker") == 0)
		return event_frame(13, 8,
				   json_pack("{s:o,s:b,s:s,s:{s:s,s:s,s:s,s:i}}", "author", yt_author(opts, false),
					     "bot", 0, "text", text ? text : "Thumbs up penguin sticker", "donation",
					     "amount", opt_str(opts, "amount", "2.00"), "currencyString",
					     opt_str(opts, "currency", "€2.00"), "stickerId", "thumbs_up_penguin_v2",
					     "tier", 1));
	if (strcmp(name, "facebook_personal_text") == 0)
		return event_frame(19, 11, fb_payload(opts, false, false, "Hi from my profile"));
	if (strcmp(name, "facebook_personal_sticker") == 0)
		return event_frame(19, 12, fb_payload(opts, false, true, ""));
	if (strcmp(name, "facebook_page_text") == 0)
		return event_frame(20, 13, fb_payload(opts, false, false, "Hello from the Facebook page"));
	if (strcmp(name, "facebook_page_sticker") == 0)
		return event_frame(20, 14, fb_payload(opts, false, true, ""));
	if (strcmp(name, "facebook_group_text") == 0)
		return event_frame(21, 19, fb_payload(opts, true, false, "Group member says hi"));
	if (strcmp(name, "facebook_group_sticker") == 0)
		return event_frame(21, 20, fb_payload(opts, true, true, ""));
	if (strcmp(name, "dlive_text") == 0)
		return event_frame(24, 2,
				   json_pack("{s:o,s:b,s:s}", "author", dlive_author(opts), "bot", 0, "text",
					     text ? text : "lemon party on DLive 🍋"));
	if (strcmp(name, "dlive_emoji") == 0)
		return event_frame(24, 3,
				   json_pack("{s:o,s:b,s:s}", "author", dlive_author(opts), "bot", 0, "link",
					     "https://images.dlive.example.invalid/emoji/lemon.gif"));
	if (strcmp(name, "discord_text") == 0)
		return event_frame(25, 1,
				   json_pack("{s:{s:n,s:s,s:s,s:s,s:n,s:n,s:[{s:s,s:s}]},s:b,s:s}", "author", "avatar",
					     "discriminator", "0420", "id", "330000000000000042", "name",
					     opt_str(opts, "author", "discord_dan"), "nickname", "nicknameColor",
					     "roles", "color", "#ff5555", "name", "Mods", "bot", 0, "text",
					     text ? text : "@Emu Streamer hello from Discord"));
	if (strcmp(name, "linkedin_text") == 0)
		return event_frame(26, 21,
				   json_pack("{s:{s:s,s:s},s:b,s:s}", "author", "avatarUrl",
					     "https://media.licdn.example.invalid/a.jpg", "name",
					     opt_str(opts, "author", "Professional Pat"), "bot", 0, "text",
					     text ? text : "Insightful stream, thanks for sharing."));
	if (strcmp(name, "trovo_text") == 0)
		return event_frame(27, 22,
				   json_pack("{s:{s:s,s:s,s:s},s:b,s:s}", "author", "id", "trovo-777", "displayName",
					     opt_str(opts, "author", "TrovoTina"), "avatar",
					     "https://trovo.example.invalid/a.png", "bot", 0, "text",
					     text ? text : "Trovo says hi"));
	if (strcmp(name, "unknown_text") == 0)
		return event_frame(99, 99,
				   json_pack("{s:{s:s},s:b,s:s,s:s}", "author", "name",
					     opt_str(opts, "author", "FutureViewer"), "bot", 0, "text",
					     text ? text : "message from a platform this client does not know",
					     "futureField", "ignore me"));
	if (strcmp(name, "heartbeat") == 0)
		return frame("heartbeat", json_object());
	int64_t cid = json_integer_value(json_object_get(opts, "channelId"));
	const struct emu_channel *c = cid ? emu_channel_find(cid) : chan_for_source(2);
	if (strcmp(name, "connection_info") == 0)
		return c ? frame("connection_info", emu_chat_connection_info(c)) : NULL;
	if (strcmp(name, "connection_closed") == 0)
		return frame("connection_closed", json_pack("{s:s,s:s}", "connectionUuid", c ? c->conn_uuid : "",
							    "reason", opt_str(opts, "reason", "removed")));
	const char *conn = c ? c->conn_id : "";
	if (strcmp(name, "reply_created") == 0)
		return frame("reply_created",
			     json_pack("{s:s,s:[s],s:i,s:s,s:s}", "clientReplyUuid",
				       opt_str(opts, "clientReplyUuid", "client-reply-0001"), "connectionIdentifiers",
				       conn, "eventSourceId", 1, "replyUuid", reply_uuid(opts), "text",
				       text ? text : "Thanks for watching!"));
	if (strcmp(name, "reply_accepted") == 0 || strcmp(name, "reply_confirmed") == 0)
		return frame(name, json_pack("{s:s,s:s}", "connectionIdentifier", conn, "replyUuid", reply_uuid(opts)));
	if (strcmp(name, "reply_failed") == 0)
		return frame(name, json_pack("{s:s,s:s,s:s}", "connectionIdentifier", conn, "reason",
					     opt_str(opts, "reason", "connection_in_error_state"), "replyUuid",
					     reply_uuid(opts)));
	const char *src_ev = opt_str(opts, "sourceEventIdentifier", "src-event-0001");
	if (strcmp(name, "relay_accepted") == 0 || strcmp(name, "relay_confirmed") == 0)
		return frame(name,
			     json_pack("{s:s,s:s}", "connectionIdentifier", conn, "sourceEventIdentifier", src_ev));
	if (strcmp(name, "relay_failed") == 0)
		return frame(name,
			     json_pack("{s:s,s:s,s:s}", "connectionIdentifier", conn, "reason",
				       opt_str(opts, "reason", "discord_rate_limit"), "sourceEventIdentifier", src_ev));
	return NULL;
}

static const char *const preset_names[] = {
	"twitch_text",
	"youtube_text",
	"youtube_superchat",
	"youtube_supersticker",
	"facebook_personal_text",
	"facebook_personal_sticker",
	"facebook_page_text",
	"facebook_page_sticker",
	"facebook_group_text",
	"facebook_group_sticker",
	"dlive_text",
	"dlive_emoji",
	"discord_text",
	"linkedin_text",
	"trovo_text",
	"unknown_text",
	"heartbeat",
	"connection_info",
	"connection_closed",
	"reply_created",
	"reply_accepted",
	"reply_confirmed",
	"reply_failed",
	"relay_accepted",
	"relay_confirmed",
	"relay_failed",
};

json_t *emu_chat_preset_names(void)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < sizeof(preset_names) / sizeof(preset_names[0]); i++)
		json_array_append_new(arr, json_string(preset_names[i]));
	return arr;
}

json_t *emu_chat_preset(const char *name, json_t *opts)
{
	return emu_preset_override(build(name, opts), opts);
}

json_t *emu_chat_connection_info(const struct emu_channel *c)
{
	json_t *target;
	json_t *owner = json_pack("{s:s,s:s,s:s}", "avatar", "https://example.invalid/avatar.png", "displayName",
				  c->display_name, "id", c->identifier);
	switch (c->chat_source) {
	case 13:
		target = json_pack("{s:{s:s,s:s,s:s},s:o,s:I}", "event", "id", "inCvU1sYMI0", "title", "Live now",
				   "url", "https://youtube.com/watch?v=inCvU1sYMI0", "owner", owner, "websiteChannelId",
				   (json_int_t)c->id);
		break;
	case 19:
	case 21:
		json_decref(owner);
		target = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:I}", "liveVideo", "id", "555000111", "status", "LIVE",
				   "user", "id", c->identifier, "name", c->display_name, "websiteChannelId",
				   (json_int_t)c->id);
		break;
	case 20:
		json_decref(owner);
		target = json_pack("{s:{s:s},s:{s:s,s:s},s:I}", "liveVideo", "id", "555000222", "page", "id",
				   c->identifier, "name", c->display_name, "websiteChannelId", (json_int_t)c->id);
		break;
	case 26:
		json_decref(owner);
		target = json_pack("{s:{s:I,s:s},s:{s:s},s:I}", "organization", "id", (json_int_t)424242, "name",
				   c->display_name, "post", "id", "urn:li:activity:1", "websiteChannelId",
				   (json_int_t)c->id);
		break;
	default:
		target = json_pack("{s:o,s:I}", "owner", owner, "websiteChannelId", (json_int_t)c->id);
	}
	return json_pack("{s:s,s:s,s:i,s:o,s:s,s:o,s:i}", "connectionIdentifier", c->conn_id, "connectionUuid",
			 c->conn_uuid, "eventSourceId", c->chat_source, "reason", emu_json_nullable_str(c->chat_reason),
			 "status", c->chat_status, "target", target, "userId", EMU_USER_ID);
}

json_t *emu_chat_discord_info(void)
{
	return json_pack("{s:s,s:s,s:i,s:n,s:s,s:{s:{s:s,s:s,s:s},s:{s:n,s:s,s:s}},s:i}", "connectionIdentifier",
			 discord_conn_id(), "connectionUuid", discord_conn_uuid(), "eventSourceId", 25, "reason",
			 "status", "connected", "target", "channel", "id", "881234567890123456", "name", "stream-chat",
			 "url", "https://discord.com/channels/1/881234567890123456", "server", "icon", "id", "1",
			 "name", "Emu Fans", "userId", EMU_USER_ID);
}
