/* Static name tables of the chat protocol (docs/restream-api.md §4): actions, kinds, platforms, reason codes. */
#include "rfo-chat.h"

#include <string.h>

const char *rfo_chat_action_name(enum rfo_chat_action action)
{
	switch (action) {
	case RFO_CHAT_HEARTBEAT:
		return "heartbeat";
	case RFO_CHAT_CONNECTION_INFO:
		return "connection_info";
	case RFO_CHAT_CONNECTION_CLOSED:
		return "connection_closed";
	case RFO_CHAT_EVENT:
		return "event";
	case RFO_CHAT_REPLY_CREATED:
		return "reply_created";
	case RFO_CHAT_REPLY_ACCEPTED:
		return "reply_accepted";
	case RFO_CHAT_REPLY_CONFIRMED:
		return "reply_confirmed";
	case RFO_CHAT_REPLY_FAILED:
		return "reply_failed";
	case RFO_CHAT_RELAY_ACCEPTED:
		return "relay_accepted";
	case RFO_CHAT_RELAY_CONFIRMED:
		return "relay_confirmed";
	case RFO_CHAT_RELAY_FAILED:
		return "relay_failed";
	case RFO_CHAT_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *rfo_chat_kind_name(enum rfo_chat_kind kind)
{
	switch (kind) {
	case RFO_CHAT_KIND_TEXT:
		return "text";
	case RFO_CHAT_KIND_DONATION:
		return "donation";
	case RFO_CHAT_KIND_STICKER:
		return "sticker";
	case RFO_CHAT_KIND_REPLY:
		return "reply";
	case RFO_CHAT_KIND_SYSTEM:
		return "system";
	}
	return "text";
}

const char *rfo_chat_conn_status_name(enum rfo_chat_conn_status s)
{
	switch (s) {
	case RFO_CHAT_CONN_CONNECTING:
		return "connecting";
	case RFO_CHAT_CONN_CONNECTED:
		return "connected";
	case RFO_CHAT_CONN_ERROR:
		return "error";
	case RFO_CHAT_CONN_UNKNOWN:
		break;
	}
	return "unknown";
}

/* §4.4. 26 is LinkedIn in Restream's own table; a third-party client maps it to Kick — the official
 * table wins, and Kick messages are recognised by their eventTypeId instead (rfo-chat-event.c). */
const char *rfo_chat_platform_name(int64_t source_id)
{
	switch (source_id) {
	case 1:
		return "Restream";
	case 2:
		return "Twitch";
	case 13:
		return "YouTube";
	case 19:
	case 20:
	case 21:
		return "Facebook";
	case 24:
		return "DLive";
	case 25:
		return "Discord";
	case 26:
		return "LinkedIn";
	case 27:
		return "Trovo";
	case 28:
		return "X";
	case 29:
		return "Rumble";
	case 30:
		return "LinkedIn";
	default:
		return NULL;
	}
}

static const struct rfo_chat_reason reasons[] = {
	/* connection_info status "error" (§4.3) */
	{"restream_channel_connection_expired", "Chat.Reason.RestreamChannelConnectionExpired",
	 "The channel connection expired; refresh the channel in the Restream dashboard"},
	{"youtube_livechat_ended", "Chat.Reason.YoutubeLivechatEnded", "YouTube live chat ended"},
	{"youtube_broadcast_completed", "Chat.Reason.YoutubeBroadcastCompleted", "YouTube broadcast completed"},
	{"facebook_event_not_live", "Chat.Reason.FacebookEventNotLive", "The Facebook live video is not live"},
	{"event_not_started", "Chat.Reason.EventNotStarted", "The event has not started yet"},
	{"discord_invalid_refresh_token", "Chat.Reason.DiscordInvalidRefreshToken",
	 "Discord access expired; reconnect Discord in Restream"},
	{"channel_added_manually", "Chat.Reason.ChannelAddedManually",
	 "Channel added manually: Restream has no chat access"},
	{"internal", "Chat.Reason.Internal", "Restream internal error"},
	/* connection_closed (§4.2) */
	{"removed", "Chat.Reason.Removed", "Connection removed"},
	{"replaced", "Chat.Reason.Replaced", "Connection replaced"},
	{"expired", "Chat.Reason.Expired", "Connection expired"},
	{"superseded", "Chat.Reason.Superseded", "Connection superseded"},
	{"shutdown", "Chat.Reason.Shutdown", "Restream chat server shutting down"},
	{"connection_establish_too_long", "Chat.Reason.ConnectionEstablishTooLong",
	 "Connecting to the platform took too long"},
	/* reply_failed / relay_failed (§4.7) */
	{"dlive_api_send_message_rate_limit", "Chat.Reason.DliveApiSendMessageRateLimit",
	 "DLive rate limit: message not sent"},
	{"connection_in_error_state", "Chat.Reason.ConnectionInErrorState", "The chat connection is in an error state"},
	{"discord_rate_limit", "Chat.Reason.DiscordRateLimit", "Discord rate limit: message not sent"},
	{"connection_not_established_yet", "Chat.Reason.ConnectionNotEstablishedYet",
	 "The chat connection is not established yet"},
	/* fallback, keep last */
	{"", "Chat.Reason.Unknown", "Unknown reason"},
};

#define NUM_REASONS (sizeof(reasons) / sizeof(reasons[0]))

const struct rfo_chat_reason *rfo_chat_reason_lookup(const char *code)
{
	if (code && *code) {
		for (size_t i = 0; i + 1 < NUM_REASONS; i++) {
			if (strcmp(reasons[i].code, code) == 0)
				return &reasons[i];
		}
	}
	return &reasons[NUM_REASONS - 1];
}

const struct rfo_chat_reason *rfo_chat_reason_table(size_t *count)
{
	if (count)
		*count = NUM_REASONS;
	return reasons;
}
