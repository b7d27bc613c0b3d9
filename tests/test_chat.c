/* rfo-chat: chat WebSocket frames (docs/restream-api.md §4) into plain structs. */
#include "rfo-test.h"

#include <inttypes.h>

#include "rfo-chat.h"
#include "rfo-text.h"

/* Parses an `event` frame with the given payload pieces; returns the message (new reference). */
static struct rfo_chat_message *event(int64_t source, int64_t type, const char *event_payload)
{
	char buf[8192];
	snprintf(buf, sizeof(buf),
		 "{\"action\":\"event\",\"timestamp\":1700000000,\"payload\":{\"connectionIdentifier\":\"5849342-x-1\","
		 "\"eventIdentifier\":\"ev-1\",\"eventSourceId\":%" PRId64 ",\"eventTypeId\":%" PRId64
		 ",\"userId\":5849342,\"eventPayload\":%s}}",
		 source, type, event_payload);
	struct rfo_chat_frame f;
	check(rfo_chat_parse(buf, strlen(buf), &f, NULL));
	check(f.action == RFO_CHAT_EVENT);
	check(f.timestamp == 1700000000);
	struct rfo_chat_message *m = f.message;
	f.message = NULL;
	rfo_chat_frame_free(&f);
	return m;
}

static void test_twitch(void)
{
	struct rfo_chat_message *m = event(
		2, 4,
		"{\"author\":{\"avatar\":null,\"badges\":[{\"title\":\"Subscriber\",\"imageUrl\":\"https://x/b.png\","
		"\"clickUrl\":null}],\"color\":\"#1e90ff\",\"displayName\":\"StreamFan\",\"id\":\"123\",\"name\":"
		"\"streamfan\",\"subscribedFor\":3},\"bot\":false,\"contentModifiers\":{\"me\":false,\"whisper\":false},"
		"\"replaces\":[{\"from\":11,\"to\":15,\"type\":\"imageUrl\",\"payload\":{\"url\":\"https://e/2.png\"}},"
		"{\"from\":0,\"to\":4,\"type\":\"imageUrl\",\"payload\":{\"url\":\"https://e/1.png\"}}],"
		"\"text\":\"Kappa hi \xF0\x9F\x98\x80 Kappa!\"}");
	check(m);
	check_str(m->platform, "Twitch");
	check_str(m->author, "StreamFan");
	check_str(m->author_color, "#1E90FF");
	check_str(m->text, "Kappa hi \xF0\x9F\x98\x80 Kappa!");
	check(m->kind == RFO_CHAT_KIND_TEXT);
	check(m->member && !m->bot && !m->donation);
	check_str(m->id, "5849342-x-1|ev-1|1700000000");
	check_str(m->connection_id, "5849342-x-1");
	check(m->source_id == 2 && m->type_id == 4 && m->timestamp == 1700000000);
	/* code points, inclusive: the emoji counts as one */
	check(m->num_emotes == 2);
	check(m->emotes[0].byte_start == 0 && m->emotes[0].byte_end == 5);
	check_str(m->emotes[0].url, "https://e/1.png");
	check(m->emotes[1].byte_start == 14 && m->emotes[1].byte_end == 19);
	check(memcmp(m->text + 14, "Kappa", 5) == 0);
	check(rfo_chat_message_addref(m) == m);
	rfo_chat_message_release(m);
	rfo_chat_message_release(m);

	/* no displayName -> name; invalid colour -> NULL */
	m = event(2, 4, "{\"author\":{\"displayName\":null,\"name\":\"lower\",\"color\":\"red\"},\"text\":\"x\"}");
	check_str(m->author, "lower");
	check(!m->author_color);
	rfo_chat_message_release(m);
}

static void test_youtube(void)
{
	struct rfo_chat_message *m =
		event(13, 5,
		      "{\"author\":{\"id\":\"UC1\",\"avatar\":\"https://yt/a.jpg\",\"displayName\":\"Tube Viewer\","
		      "\"isChatModerator\":true,\"isChatOwner\":false,\"isChatSponsor\":true,\"isVerified\":false},"
		      "\"bot\":false,\"text\":\"hello from YT\"}");
	check_str(m->platform, "YouTube");
	check_str(m->author, "Tube Viewer");
	check(m->moderator && m->member && m->kind == RFO_CHAT_KIND_TEXT);
	rfo_chat_message_release(m);

	m = event(13, 7,
		  "{\"author\":{\"id\":\"UC2\",\"displayName\":\"Donor\"},\"bot\":false,\"text\":\"great stream\","
		  "\"donation\":{\"amount\":\"5.00\",\"currencyString\":\"USD\",\"tier\":2}}");
	check(m->kind == RFO_CHAT_KIND_DONATION);
	check_str(m->donation, "5.00 USD");
	check_str(m->text, "great stream");
	rfo_chat_message_release(m);

	/* Super Chat with no text and a numeric amount */
	m = event(13, 7, "{\"author\":{\"displayName\":\"D\"},\"donation\":{\"amount\":2,\"currencyString\":\"EUR\"}}");
	check(m->kind == RFO_CHAT_KIND_DONATION);
	check_str(m->donation, "2 EUR");
	check_str(m->text, "");
	rfo_chat_message_release(m);

	m = event(13, 8,
		  "{\"author\":{\"displayName\":\"Stick\"},\"bot\":false,\"text\":\"Thumbs up sticker\","
		  "\"donation\":{\"amount\":\"1.99\",\"currencyString\":\"GBP\",\"stickerId\":\"s1\",\"tier\":1}}");
	check(m->kind == RFO_CHAT_KIND_STICKER);
	check_str(m->donation, "1.99 GBP");
	check_str(m->text, "Thumbs up sticker");
	rfo_chat_message_release(m);

	/* currencyString is YouTube's display string: the formatted amount, shown as is (not "5.00 $5.00") */
	m = event(13, 7,
		  "{\"author\":{\"displayName\":\"D\"},\"text\":\"hi\","
		  "\"donation\":{\"amount\":\"5.00\",\"currencyString\":\"$5.00\",\"tier\":2}}");
	check(m->kind == RFO_CHAT_KIND_DONATION);
	check_str(m->donation, "$5.00");
	rfo_chat_message_release(m);
	m = event(13, 8,
		  "{\"author\":{\"displayName\":\"D\"},\"donation\":{\"amount\":\"2.00\",\"currencyString\":"
		  "\"\u20ac2.00\",\"stickerId\":\"s\"}}");
	check_str(m->donation, "\u20ac2.00");
	rfo_chat_message_release(m);
	m = event(13, 7, "{\"donation\":{\"amount\":1500,\"currencyString\":\"\u00a51,500\"}}");
	check_str(m->donation, "\u00a51,500");
	rfo_chat_message_release(m);
	/* a bare symbol or code goes after the amount; either one alone is shown alone */
	m = event(13, 7, "{\"donation\":{\"amount\":\"3.50\",\"currencyString\":\"$\"}}");
	check_str(m->donation, "3.50 $");
	rfo_chat_message_release(m);
	m = event(13, 7, "{\"donation\":{\"amount\":\"3.50\"}}");
	check_str(m->donation, "3.50");
	rfo_chat_message_release(m);
	m = event(13, 7, "{\"donation\":{\"currencyString\":\"CA$7.00\"}}");
	check_str(m->donation, "CA$7.00");
	rfo_chat_message_release(m);
}

static void test_facebook(void)
{
	struct rfo_chat_message *m =
		event(20, 13,
		      "{\"author\":{\"id\":\"9\",\"name\":\"Page Fan\",\"picture\":\"https://fb/p.jpg\"},\"bot\":false,"
		      "\"parent\":{\"name\":\"Other\"},\"text\":\"nice\"}");
	check_str(m->platform, "Facebook");
	check_str(m->author, "Page Fan");
	check_str(m->parent_author, "Other");
	rfo_chat_message_release(m);

	/* group comment: empty author */
	m = event(21, 19, "{\"author\":{},\"bot\":false,\"text\":\"from the group\"}");
	check_str(m->author, "Facebook user");
	check_str(m->text, "from the group");
	rfo_chat_message_release(m);
	m = event(21, 19, "{\"bot\":false,\"text\":\"no author at all\"}");
	check_str(m->author, "Facebook user");
	rfo_chat_message_release(m);
	m = event(21, 19, "{\"author\":{\"name\":\"  \\n \"},\"text\":\"blank name\"}");
	check_str(m->author, "Facebook user");
	rfo_chat_message_release(m);

	/* stickers */
	m = event(19, 12, "{\"author\":{\"name\":\"P\"},\"bot\":false,\"link\":\"https://fb/sticker.png\"}");
	check(m->kind == RFO_CHAT_KIND_STICKER);
	check_str(m->link, "https://fb/sticker.png");
	check_str(m->text, "[sticker]");
	rfo_chat_message_release(m);
	m = event(20, 14, "{\"author\":{\"name\":\"P\"},\"link\":\"https://fb/s2.png\",\"text\":\"(y)\"}");
	check(m->kind == RFO_CHAT_KIND_STICKER);
	check_str(m->text, "(y)");
	rfo_chat_message_release(m);
	m = event(21, 20, "{\"author\":{},\"link\":\"https://fb/s3.png\"}");
	check(m->kind == RFO_CHAT_KIND_STICKER);
	check_str(m->author, "Facebook user");
	rfo_chat_message_release(m);
}

static void test_others(void)
{
	/* DLive text and emoji */
	struct rfo_chat_message *m =
		event(24, 2,
		      "{\"author\":{\"avatar\":\"a\",\"badges\":[\"x\"],\"name\":\"DLiver\",\"partnerStatus\":\"NONE\","
		      "\"role\":\"None\",\"roomRole\":\"Member\",\"subscribing\":true,\"username\":\"dliver1\"},"
		      "\"bot\":false,\"text\":\"yo\"}");
	check_str(m->platform, "DLive");
	check_str(m->author, "DLiver");
	check(m->member);
	rfo_chat_message_release(m);
	m = event(24, 3, "{\"author\":{\"name\":\"DLiver\"},\"bot\":false,\"link\":\"https://dlive/emoji.gif\"}");
	check(m->kind == RFO_CHAT_KIND_STICKER);
	check_str(m->link, "https://dlive/emoji.gif");
	check_str(m->text, "[emoji]");
	rfo_chat_message_release(m);

	/* Discord: nickname first, integer colour */
	m = event(25, 1,
		  "{\"author\":{\"avatar\":null,\"discriminator\":\"0001\",\"id\":\"1\",\"name\":\"discuser\","
		  "\"nickname\":\"Nick\",\"nicknameColor\":16711680,\"roles\":null},\"bot\":true,\"text\":\"beep\"}");
	check_str(m->platform, "Discord");
	check_str(m->author, "Nick");
	check_str(m->author_color, "#FF0000");
	check(m->bot);
	rfo_chat_message_release(m);
	m = event(25, 1,
		  "{\"author\":{\"name\":\"discuser\",\"nickname\":null,\"nicknameColor\":\"#abc\"},\"text\":\"b\"}");
	check_str(m->author, "discuser");
	check_str(m->author_color, "#AABBCC");
	rfo_chat_message_release(m);

	/* LinkedIn, with and without author */
	m = event(26, 21,
		  "{\"author\":{\"avatarUrl\":\"u\",\"name\":\"Pro Person\"},\"bot\":false,\"text\":\"congrats\"}");
	check_str(m->platform, "LinkedIn");
	check_str(m->author, "Pro Person");
	rfo_chat_message_release(m);
	m = event(26, 21, "{\"bot\":false,\"text\":\"anon\"}");
	check_str(m->author, "LinkedIn user");
	rfo_chat_message_release(m);

	/* Kick text by type id (source 26 per a third-party client) */
	m = event(26, 25, "{\"author\":{\"displayName\":\"kicker\"},\"text\":\"k\"}");
	check_str(m->platform, "Kick");
	rfo_chat_message_release(m);
	/* YouTube membership with no text: system message with a fallback */
	m = event(13, 28, "{\"author\":{\"displayName\":\"Member\"}}");
	check(m->kind == RFO_CHAT_KIND_SYSTEM);
	check_str(m->text, "New member");
	rfo_chat_message_release(m);

	/* unknown source and type with text: kept */
	m = event(99, 77, "{\"author\":{\"displayName\":\"Someone\"},\"text\":\"new platform\",\"extra\":[1,2]}");
	check(m);
	check_str(m->platform, "Platform 99");
	check_str(m->text, "new platform");
	check(m->kind == RFO_CHAT_KIND_TEXT);
	rfo_chat_message_release(m);
	m = event(99, 77, "{\"text\":\"t\"}");
	check_str(m->author, "Platform 99 user");
	rfo_chat_message_release(m);
	/* unknown type with nothing to show: no message */
	check(!event(99, 77, "{\"author\":{\"displayName\":\"Someone\"}}"));
	check(!event(2, 4000, "null"));
}

static void test_hostile_text(void)
{
	struct rfo_chat_message *m =
		event(2, 4,
		      "{\"author\":{\"displayName\":\"<img src=x onerror=alert(1)>\\u202e\"},"
		      "\"text\":\"<b>bold</b>\\u202Egnp.exe\\n\\u0000line2 \\ud83d\\ude00 &lt;\"}");
	check_str(m->author, "<img src=x onerror=alert(1)>");
	check_str(m->text, "<b>bold</b>gnp.exe line2 \xF0\x9F\x98\x80 &lt;");
	rfo_chat_message_release(m);

	/* raw invalid UTF-8 inside the frame: the frame is rescued, bytes replaced */
	const char raw[] =
		"{\"action\":\"event\",\"timestamp\":1,\"payload\":{\"eventTypeId\":4,\"eventSourceId\":2,"
		"\"eventIdentifier\":\"e\",\"eventPayload\":{\"author\":{\"name\":\"a\xFF\"},\"text\":\"x\xC0\xAFy\"}}}";
	struct rfo_chat_frame f;
	check(rfo_chat_parse(raw, sizeof(raw) - 1, &f, NULL));
	check(f.message);
	check_str(f.message->text, "x\xEF\xBF\xBD\xEF\xBF\xBDy");
	check_str(f.message->author, "a\xEF\xBF\xBD");
	rfo_chat_frame_free(&f);

	/* 100 kB text: cut to RFO_CHAT_MAX_TEXT with an ellipsis, emotes past the cut dropped */
	size_t n = 100 * 1024;
	char *big = bmalloc(n + 512);
	int k = snprintf(
		big, 512,
		"{\"action\":\"event\",\"timestamp\":2,\"payload\":{\"eventTypeId\":4,\"eventSourceId\":2,"
		"\"eventIdentifier\":\"big\",\"eventPayload\":{\"replaces\":[{\"from\":90000,\"to\":90004,"
		"\"payload\":{\"url\":\"u2\"}},{\"from\":0,\"to\":1,\"payload\":{\"url\":\"u1\"}}],\"text\":\"");
	memset(big + k, 'A', n);
	strcpy(big + k + n, "\"}}}");
	check(rfo_chat_parse(big, strlen(big), &f, NULL));
	size_t len = strlen(f.message->text);
	check(len <= RFO_CHAT_MAX_TEXT && len > RFO_CHAT_MAX_TEXT - 8);
	check(strcmp(f.message->text + len - 3, RFO_TEXT_ELLIPSIS) == 0);
	check(f.message->num_emotes == 1 && f.message->emotes[0].byte_end == 2);
	rfo_chat_frame_free(&f);
	bfree(big);
}

static void test_replaces_defensive(void)
{
	/* out of range, negative, reversed, overlapping, missing url, non-objects, exclusive end at the end */
	struct rfo_chat_message *m = event(
		2, 4,
		"{\"text\":\"ab\xC3\xA9 LUL\",\"replaces\":[7,null,\"x\",{\"from\":5,\"to\":99,\"payload\":{\"url\":\"o\"}},"
		"{\"from\":-1,\"to\":1,\"payload\":{\"url\":\"n\"}},{\"from\":2,\"to\":1,\"payload\":{\"url\":\"r\"}},"
		"{\"from\":4,\"to\":7,\"payload\":{\"url\":\"lul\"}},{\"from\":5,\"to\":6,\"payload\":{\"url\":\"ov\"}},"
		"{\"from\":0,\"to\":0},{\"from\":\"1\",\"to\":\"2\",\"payload\":{\"url\":\"str\"}}]}");
	check_str(m->text, "ab\xC3\xA9 LUL");
	check(m->num_emotes == 2);
	check(m->emotes[0].byte_start == 1 && m->emotes[0].byte_end == 4); /* "bé" (numeric strings ok) */
	check_str(m->emotes[0].url, "str");
	check(m->emotes[1].byte_start == 5 && m->emotes[1].byte_end == 8); /* "LUL", to clamped */
	check_str(m->emotes[1].url, "lul");
	for (size_t i = 0; i < m->num_emotes; i++)
		check(m->emotes[i].byte_end <= strlen(m->text) && m->emotes[i].byte_start < m->emotes[i].byte_end);
	rfo_chat_message_release(m);

	/* an emote over a control character only: the span is dropped, text still valid */
	m = event(2, 4, "{\"text\":\"a\\u0007b\",\"replaces\":[{\"from\":1,\"to\":1,\"payload\":{\"url\":\"u\"}}]}");
	check_str(m->text, "ab");
	check(m->num_emotes == 0 && !m->emotes);
	rfo_chat_message_release(m);
	/* replaces not an array, text not a string */
	m = event(2, 4,
		  "{\"text\":42,\"replaces\":{\"from\":0},\"author\":\"notobject\",\"donation\":\"x\",\"link\":5}");
	check(!m); /* a text event whose text is absent or empty is dropped */
	check(!event(2, 4, "{\"text\":\"\\u0007\\u202e\"}"));
}

static void test_ids(void)
{
	/* same event re-sent after a reconnect -> same id; a different timestamp -> different id */
	const char *a =
		"{\"action\":\"event\",\"timestamp\":10,\"payload\":{\"connectionIdentifier\":\"c\","
		"\"eventIdentifier\":\"e\",\"eventTypeId\":5,\"eventSourceId\":13,\"eventPayload\":{\"text\":\"t\"}}}";
	const char *b =
		"{\"timestamp\":11,\"action\":\"event\",\"payload\":{\"eventIdentifier\":\"e\",\"eventTypeId\":5,"
		"\"connectionIdentifier\":\"c\",\"eventSourceId\":13,\"eventPayload\":{\"text\":\"t\"}}}";
	struct rfo_chat_frame f1, f2, f3;
	check(rfo_chat_parse(a, strlen(a), &f1, NULL));
	check(rfo_chat_parse(a, strlen(a), &f2, NULL));
	check(rfo_chat_parse(b, strlen(b), &f3, NULL));
	check_str(f1.message->id, f2.message->id);
	check(strcmp(f1.message->id, f3.message->id) != 0);
	rfo_chat_frame_free(&f1);
	rfo_chat_frame_free(&f2);
	rfo_chat_frame_free(&f3);

	/* no eventIdentifier: a content hash keeps ids stable and distinct */
	const char *c = "{\"action\":\"event\",\"timestamp\":10,\"payload\":{\"eventTypeId\":4,\"eventSourceId\":2,"
			"\"eventPayload\":{\"text\":\"one\"}}}";
	const char *d = "{\"action\":\"event\",\"timestamp\":10,\"payload\":{\"eventTypeId\":4,\"eventSourceId\":2,"
			"\"eventPayload\":{\"text\":\"two\"}}}";
	check(rfo_chat_parse(c, strlen(c), &f1, NULL));
	check(rfo_chat_parse(d, strlen(d), &f2, NULL));
	check(f1.message && f2.message && strcmp(f1.message->id, f2.message->id) != 0);
	check(strncmp(f1.message->id, "|h", 2) == 0);
	rfo_chat_frame_free(&f1);
	rfo_chat_frame_free(&f2);
}

static bool parse(const char *s, struct rfo_chat_frame *f)
{
	return rfo_chat_parse(s, strlen(s), f, NULL);
}

static void test_connections(void)
{
	struct rfo_chat_frame f;
	check(parse(
		"{\"action\":\"connection_info\",\"timestamp\":5,\"payload\":{\"connectionIdentifier\":"
		"\"5849342-youtube-inCvU1sYMI0\",\"connectionUuid\":\"u-1\",\"eventSourceId\":13,\"reason\":null,"
		"\"status\":\"connected\",\"target\":{\"event\":{\"id\":\"inCvU1sYMI0\",\"title\":\"My show\","
		"\"url\":\"https://youtu.be/x\"},\"owner\":{\"avatar\":\"a\",\"displayName\":\"My Channel\",\"id\":\"UC\"},"
		"\"websiteChannelId\":777},\"userId\":5849342}}",
		&f));
	check(f.action == RFO_CHAT_CONNECTION_INFO);
	check_str(f.conn.identifier, "5849342-youtube-inCvU1sYMI0");
	check_str(f.conn.uuid, "u-1");
	check_str(f.conn.platform, "YouTube");
	check_str(f.conn.target_name, "My Channel");
	check(f.conn.status == RFO_CHAT_CONN_CONNECTED && !f.conn.reason && f.conn.website_channel_id == 777);
	rfo_chat_frame_free(&f);

	check(parse(
		"{\"action\":\"connection_info\",\"payload\":{\"connectionIdentifier\":\"c2\",\"connectionUuid\":"
		"\"u-2\",\"eventSourceId\":13,\"reason\":\"youtube_livechat_ended\",\"status\":\"error\",\"target\":"
		"{\"page\":{\"id\":\"1\",\"name\":\"FB Page\"}}}}",
		&f));
	check(f.conn.status == RFO_CHAT_CONN_ERROR);
	check_str(f.conn.reason, "youtube_livechat_ended");
	check_str(f.conn.target_name, "FB Page");
	const struct rfo_chat_reason *r = rfo_chat_reason_lookup(f.conn.reason);
	check_str(r->locale_key, "Chat.Reason.YoutubeLivechatEnded");
	check_str(r->english, "YouTube live chat ended");
	rfo_chat_frame_free(&f);

	/* Discord: no websiteChannelId, server name; unknown source id */
	check(parse("{\"action\":\"connection_info\",\"payload\":{\"connectionIdentifier\":\"d\",\"connectionUuid\":7,"
		    "\"eventSourceId\":250,\"status\":\"weird\",\"target\":{\"channel\":{\"id\":\"1\",\"url\":\"u\"},"
		    "\"server\":{\"icon\":null,\"id\":\"2\",\"name\":\"My Server\"}}}}",
		    &f));
	check_str(f.conn.uuid, "7");
	check_str(f.conn.platform, "Platform 250");
	check_str(f.conn.target_name, "My Server");
	check(f.conn.status == RFO_CHAT_CONN_UNKNOWN && f.conn.website_channel_id == 0);
	struct rfo_chat_connection copy;
	rfo_chat_connection_copy(&copy, &f.conn);
	check_str(copy.platform, "Platform 250");
	check(copy.platform == copy.platform_buf && copy.identifier != f.conn.identifier);
	rfo_chat_connection_free(&copy);
	rfo_chat_frame_free(&f);

	check(parse(
		"{\"action\":\"connection_closed\",\"payload\":{\"connectionUuid\":\"u-1\",\"reason\":\"replaced\"}}",
		&f));
	check(f.action == RFO_CHAT_CONNECTION_CLOSED);
	check_str(f.conn.uuid, "u-1");
	check_str(f.conn.reason, "replaced");
	rfo_chat_frame_free(&f);

	/* every documented reason has a key and words; unknown codes map to the fallback */
	size_t n;
	const struct rfo_chat_reason *t = rfo_chat_reason_table(&n);
	const char *documented[] = {"restream_channel_connection_expired",
				    "youtube_livechat_ended",
				    "youtube_broadcast_completed",
				    "facebook_event_not_live",
				    "event_not_started",
				    "discord_invalid_refresh_token",
				    "channel_added_manually",
				    "internal",
				    "removed",
				    "replaced",
				    "expired",
				    "superseded",
				    "shutdown",
				    "connection_establish_too_long",
				    "dlive_api_send_message_rate_limit",
				    "connection_in_error_state",
				    "discord_rate_limit",
				    "connection_not_established_yet"};
	for (size_t i = 0; i < sizeof(documented) / sizeof(documented[0]); i++) {
		r = rfo_chat_reason_lookup(documented[i]);
		check_str(r->code, documented[i]);
		check(strncmp(r->locale_key, "Chat.Reason.", 12) == 0 && *r->english);
	}
	check(n == sizeof(documented) / sizeof(documented[0]) + 1);
	check_str(t[n - 1].locale_key, "Chat.Reason.Unknown");
	check(rfo_chat_reason_lookup("brand_new_reason") == &t[n - 1]);
	check(rfo_chat_reason_lookup(NULL) == &t[n - 1]);
}

static void test_replies(void)
{
	struct rfo_chat_frame f;
	check(parse("{\"action\":\"reply_created\",\"timestamp\":9,\"payload\":{\"clientReplyUuid\":\"cr\","
		    "\"connectionIdentifiers\":[\"a\",\"b\",5,null],\"eventSourceId\":1,\"replyUuid\":\"r1\","
		    "\"text\":\"thanks\\u202e all\"}}",
		    &f));
	check(f.action == RFO_CHAT_REPLY_CREATED);
	check_str(f.reply.reply_uuid, "r1");
	check_str(f.reply.client_reply_uuid, "cr");
	check_str(f.reply.text, "thanks all");
	check(f.reply.num_connection_ids == 3 && f.reply.source_id == 1);
	check_str(f.reply.connection_ids[2], "5");
	rfo_chat_frame_free(&f);

	const char *acts[] = {"reply_accepted", "reply_confirmed", "reply_failed"};
	enum rfo_chat_action want[] = {RFO_CHAT_REPLY_ACCEPTED, RFO_CHAT_REPLY_CONFIRMED, RFO_CHAT_REPLY_FAILED};
	for (int i = 0; i < 3; i++) {
		char buf[256];
		snprintf(buf, sizeof(buf),
			 "{\"action\":\"%s\",\"payload\":{\"connectionIdentifier\":\"c\",\"replyUuid\":\"r1\","
			 "\"reason\":\"discord_rate_limit\"}}",
			 acts[i]);
		check(parse(buf, &f));
		check(f.action == want[i]);
		check_str(rfo_chat_action_name(f.action), acts[i]);
		check_str(f.reply.reply_uuid, "r1");
		check_str(f.reply.connection_id, "c");
		check_str(f.reply.reason, "discord_rate_limit");
		rfo_chat_frame_free(&f);
	}
	check(parse("{\"action\":\"relay_accepted\",\"payload\":{\"connectionIdentifier\":\"c\","
		    "\"sourceEventIdentifier\":\"se\"}}",
		    &f));
	check(f.action == RFO_CHAT_RELAY_ACCEPTED);
	check_str(f.reply.source_event_id, "se");
	rfo_chat_frame_free(&f);
	check(parse("{\"action\":\"relay_confirmed\",\"payload\":{\"sourceEventIdentifier\":\"se\"}}", &f));
	check(f.action == RFO_CHAT_RELAY_CONFIRMED);
	rfo_chat_frame_free(&f);
	check(parse("{\"action\":\"relay_failed\",\"payload\":{\"reason\":\"internal\",\"sourceEventIdentifier\":1}}",
		    &f));
	check(f.action == RFO_CHAT_RELAY_FAILED);
	check_str(f.reply.source_event_id, "1");
	check_str(f.reply.reason, "internal");
	rfo_chat_frame_free(&f);
}

static void test_misc_frames(void)
{
	struct rfo_chat_frame f;
	struct rfo_error err = {0};
	check(parse("{\"action\":\"heartbeat\",\"payload\":{},\"timestamp\":1700000045}", &f));
	check(f.action == RFO_CHAT_HEARTBEAT && f.timestamp == 1700000045);
	rfo_chat_frame_free(&f);
	check(parse("{\"action\":\"moderation_something\",\"payload\":{\"x\":1}}", &f));
	check(f.action == RFO_CHAT_UNKNOWN);
	check_str(rfo_chat_action_name(f.action), "unknown");
	rfo_chat_frame_free(&f);
	check(parse("{\"action\":7,\"payload\":[]}", &f));
	check(f.action == RFO_CHAT_UNKNOWN);
	rfo_chat_frame_free(&f);
	/* event with a null or array payload: no message, no crash */
	check(parse("{\"action\":\"event\",\"payload\":null}", &f));
	check(f.action == RFO_CHAT_EVENT && !f.message);
	rfo_chat_frame_free(&f);
	check(parse("{\"action\":\"event\",\"payload\":{\"eventPayload\":[1,2],\"eventTypeId\":\"x\"}}", &f));
	check(!f.message);
	rfo_chat_frame_free(&f);
	check(parse("{\"action\":\"connection_info\",\"payload\":\"str\"}", &f));
	check(!f.conn.identifier);
	rfo_chat_frame_free(&f);

	const char *bad[] = {"", "[]", "null", "42", "\"event\"", "{", "{\"action\":", "not json", "{\"a\":1}x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rfo_error_clear(&err);
		check(!rfo_chat_parse(bad[i], strlen(bad[i]), &f, &err));
		check(err.code == RFO_ERR_PARSE && err.message[0]);
		check(f.action == RFO_CHAT_UNKNOWN && !f.message);
		rfo_chat_frame_free(&f);
	}
	check(!rfo_chat_parse(NULL, 0, &f, NULL));
	rfo_chat_frame_free(&f);

	/* every prefix of a realistic frame, and every single-byte corruption of it: never crashes, and any
	 * message produced is valid UTF-8 with in-range emotes */
	const char *frame =
		"{\"action\":\"event\",\"timestamp\":1700000000,\"payload\":{\"connectionIdentifier\":"
		"\"5849342-twitch-1\",\"eventIdentifier\":\"e1\",\"eventSourceId\":2,\"eventTypeId\":4,"
		"\"eventPayload\":{\"author\":{\"color\":\"#FF00FF\",\"displayName\":\"Viewer\",\"name\":\"v\"},"
		"\"bot\":false,\"replaces\":[{\"from\":4,\"to\":8,\"type\":\"imageUrl\",\"payload\":{\"url\":"
		"\"https://e/1\"}}],\"text\":\"hey Kappa \xC3\xA9\xF0\x9F\x98\x80\"}}}";
	size_t len = strlen(frame);
	char *buf = bmalloc(len + 1);
	for (size_t cut = 0; cut <= len; cut++) {
		for (int flip = -1; flip < 4; flip++) {
			memcpy(buf, frame, len);
			if (flip >= 0 && cut < len)
				buf[cut] = "\x00\xFF\"{"[flip];
			size_t n = flip >= 0 ? len : cut;
			if (rfo_chat_parse(buf, n, &f, NULL) && f.message) {
				struct rfo_chat_message *m = f.message;
				size_t tl = strlen(m->text);
				check(rfo_text_utf8_valid(m->text, tl) &&
				      rfo_text_utf8_valid(m->author, strlen(m->author)));
				for (size_t i = 0; i < m->num_emotes; i++)
					check(m->emotes[i].byte_start < m->emotes[i].byte_end &&
					      m->emotes[i].byte_end <= tl);
			}
			rfo_chat_frame_free(&f);
		}
	}
	bfree(buf);
}

static void test_names(void)
{
	check_str(rfo_chat_platform_name(2), "Twitch");
	check_str(rfo_chat_platform_name(13), "YouTube");
	check_str(rfo_chat_platform_name(19), "Facebook");
	check_str(rfo_chat_platform_name(21), "Facebook");
	check_str(rfo_chat_platform_name(24), "DLive");
	check_str(rfo_chat_platform_name(25), "Discord");
	check_str(rfo_chat_platform_name(26), "LinkedIn");
	check_str(rfo_chat_platform_name(27), "Trovo");
	check(!rfo_chat_platform_name(0) && !rfo_chat_platform_name(-5) && !rfo_chat_platform_name(1000));
	check_str(rfo_chat_kind_name(RFO_CHAT_KIND_DONATION), "donation");
	check_str(rfo_chat_conn_status_name(RFO_CHAT_CONN_ERROR), "error");
}

int main(void)
{
	test_twitch();
	test_youtube();
	test_facebook();
	test_others();
	test_hostile_text();
	test_replaces_defensive();
	test_ids();
	test_connections();
	test_replies();
	test_misc_frames();
	test_names();
	return rfo_test_end();
}
