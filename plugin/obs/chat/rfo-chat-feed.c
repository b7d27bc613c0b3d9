/* Merged chat: socket -> parser -> store -> dock / vendor API. See rfo-chat-feed.h. */
#include "rfo-chat-feed.h"
#include "rfo-auth.h"
#include "rfo-chat-batch.h"
#include "rfo-chat-emotes.h"
#include "rfo-chat-settings.h"
#include "rfo-chat-store.h"
#include "rfo-chat.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"
#include "rfo-ui-chat.h"
#include "rfo-url.h"
#include "rfo-vendor-args.h"
#include "rfo-vendor.h"
#include "rfo-ws.h"

#include <obs-module.h>
#include <stdlib.h>
#include <string.h>
#include <util/bmem.h>
#include <util/threading.h>

#define CHAT_IDLE_TIMEOUT_S 60 /* docs/restream-api.md §4.2: heartbeat every 45 s, dead after 60 s */
#define GETCHAT_DEFAULT_LIMIT 100
#define REPLY_URL "https://restream.io/chat-application"

static const uint32_t backoff_ms[] = {1000, 2000, 4000, 8000, 15000, 30000, 60000};

struct chat_feed {
	bool created;
	struct rfo_chat_store *store;
	struct rfo_chat_batch *batch;
	struct rfo_ws *ws;
	/* Guards `ws` against rfo_chat_feed_stop while the auth thread uses it. Held across rfo_ws_reconnect, so it is
	 * taken before rfo_ws's mutex; no other lock is taken under it. */
	pthread_mutex_t ws_mutex;
	char *settings_path;

	pthread_mutex_t mutex; /* guards everything below; a leaf lock */
	struct rfo_ui_chat_settings settings;
	bool settings_dirty;
	uint64_t token_hash; /* hash of the token the socket last connected with (0 = none) */
	bool signed_in;      /* last session state seen */
	enum rfo_ui_chat_link link;
	char link_reason[128];
	bool ever_connected; /* the socket has been connected since the last sign-in */
	uint64_t parse_errors;
};

static struct chat_feed chat_feed;

/* UI thread: keep the new settings (saved at exit, never on the UI thread mid-session). */
static void on_settings_changed(const struct rfo_ui_chat_settings *s)
{
	if (!chat_feed.created)
		return;
	pthread_mutex_lock(&chat_feed.mutex);
	chat_feed.settings = *s;
	chat_feed.settings.history = rfo_chat_settings_history(s->history);
	chat_feed.settings_dirty = true;
	size_t history = (size_t)chat_feed.settings.history;
	pthread_mutex_unlock(&chat_feed.mutex);
	rfo_chat_store_set_capacity(chat_feed.store, history);
	rfo_chat_batch_set_max(chat_feed.batch, history);
}

/* ---- UI hand-over (UI thread) -------------------------------------------------------------------- */

/* The tab's side of the port (plugin-main.c hands it over), and the newest message it has: the backlog it
 * asked for when it was built may hold messages still waiting in the batch. UI thread only. */
static const struct rfo_ui_chat_view *ui_view;
static uint64_t ui_seq;

void rfo_chat_feed_set_view(const struct rfo_ui_chat_view *view)
{
	ui_view = view;
}

const struct rfo_ui_chat_view *rfo_chat_feed_view(void)
{
	return ui_view;
}

struct rfo_chat_connection *rfo_chat_feed_copy_connections(size_t *count)
{
	*count = 0;
	return chat_feed.created ? rfo_chat_store_copy_connections(chat_feed.store, count) : NULL;
}

/* The signed-in streamer's names, NULL when signed out. */
static bool get_user(struct rfo_auth_user *user)
{
	struct rfo_auth *auth = rfo_controller_auth();
	return auth && rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN && rfo_auth_get_user(auth, user);
}

/* The tab asks for everything when it is built: the backlog is replayed from the store. */
static void ui_state(rfo_ui_chat_state_cb cb, void *param)
{
	if (!chat_feed.created)
		return;
	struct rfo_ui_chat_state st = {0};
	struct rfo_ui_chat_settings settings;
	char reason[sizeof(chat_feed.link_reason)];
	pthread_mutex_lock(&chat_feed.mutex);
	settings = chat_feed.settings;
	st.link = chat_feed.link;
	memcpy(reason, chat_feed.link_reason, sizeof(reason));
	pthread_mutex_unlock(&chat_feed.mutex);
	st.settings = &settings;
	st.reason = *reason ? reason : NULL;

	struct rfo_chat_connection *conns = rfo_chat_store_copy_connections(chat_feed.store, &st.connection_count);
	st.connections = conns;
	struct rfo_auth_user user = {0};
	if (get_user(&user)) {
		st.display_name = user.display_name;
		st.username = user.username;
	}
	struct rfo_chat_message **msgs = rfo_chat_store_copy_recent(chat_feed.store, 0, 0, &st.count);
	st.messages = msgs;
	ui_seq = st.count ? msgs[st.count - 1]->seq : 0;
	cb(param, &st);
	rfo_chat_messages_release(msgs, st.count);
	rfo_auth_user_free(&user);
	rfo_chat_connections_free(conns, st.connection_count);
}

static void push_user(void)
{
	struct rfo_auth_user user = {0};
	if (get_user(&user))
		ui_view->set_user(user.display_name, user.username);
	else
		ui_view->set_user(NULL, NULL);
	rfo_auth_user_free(&user);
}

/* Skips the messages the tab already has (up to ui_seq); `messages` keeps its references. */
static size_t drop_known(struct rfo_chat_message **messages, size_t count)
{
	size_t skip = 0;
	while (skip < count && messages[skip]->seq <= ui_seq)
		skip++;
	if (count > skip)
		ui_seq = messages[count - 1]->seq;
	return skip;
}

/* UI thread: everything the socket thread collected since the last run, at once. */
static void drain_task(void *param)
{
	UNUSED_PARAMETER(param);
	if (!chat_feed.created || !rfo_controller_running())
		return;
	struct rfo_chat_batch_items it;
	rfo_chat_batch_take(chat_feed.batch, &it);
	if (!ui_view) {
		rfo_chat_batch_items_free(&it); /* no tab yet: it replays the store when it is built */
		return;
	}

	if (it.flags & RFO_CHAT_BATCH_CLEAR) {
		ui_view->clear();
		ui_seq = 0; /* what is pending came after the clear */
	}
	if (it.flags & RFO_CHAT_BATCH_USER)
		push_user();
	if (it.flags & RFO_CHAT_BATCH_LINK) {
		char reason[sizeof(chat_feed.link_reason)];
		pthread_mutex_lock(&chat_feed.mutex);
		enum rfo_ui_chat_link link = chat_feed.link;
		memcpy(reason, chat_feed.link_reason, sizeof(reason));
		pthread_mutex_unlock(&chat_feed.mutex);
		ui_view->set_link(link, *reason ? reason : NULL);
	}
	if (it.flags & RFO_CHAT_BATCH_CONNECTIONS) {
		size_t n = 0;
		struct rfo_chat_connection *conns = rfo_chat_store_copy_connections(chat_feed.store, &n);
		ui_view->set_connections(conns, n);
		rfo_chat_connections_free(conns, n);
	}
	size_t skip = drop_known(it.messages, it.count);
	if (it.count > skip)
		ui_view->add(it.messages + skip, it.count - skip);
	for (size_t i = 0; i < it.num_replies; i++) {
		struct rfo_chat_reply_state state;
		if (rfo_chat_store_get_reply(chat_feed.store, it.replies[i], &state))
			ui_view->set_reply(&state);
	}
	rfo_chat_batch_items_free(&it);
}

static void schedule_if(bool first)
{
	if (first)
		rfo_dispatch(drain_task, NULL);
}

/* ---- vendor API ----------------------------------------------------------------------------------- */

static obs_data_t *message_data(const struct rfo_chat_message *m)
{
	obs_data_t *d = obs_data_create();
	obs_data_set_string(d, "id", m->id);
	obs_data_set_string(d, "platform", m->platform);
	obs_data_set_string(d, "author", m->author);
	obs_data_set_string(d, "text", m->text);
	obs_data_set_int(d, "timestamp", m->timestamp);
	obs_data_set_string(d, "kind", rfo_chat_kind_name(m->kind));
	if (m->donation)
		obs_data_set_string(d, "donation", m->donation);
	obs_data_set_int(d, "seq", (long long)m->seq);
	obs_data_set_int(d, "sourceId", m->source_id);
	obs_data_set_int(d, "typeId", m->type_id);
	obs_data_set_bool(d, "bot", m->bot);
	if (m->author_color)
		obs_data_set_string(d, "authorColor", m->author_color);
	if (m->moderator)
		obs_data_set_bool(d, "moderator", true);
	if (m->member)
		obs_data_set_bool(d, "member", true);
	if (m->parent_author)
		obs_data_set_string(d, "replyTo", m->parent_author);
	if (m->num_emotes)
		obs_data_set_int(d, "emotes", (long long)m->num_emotes);
	return d;
}

void rfo_chat_feed_platform_counts(void (*cb)(void *param, const char *platform, uint64_t count), void *param)
{
	if (chat_feed.store)
		rfo_chat_store_platform_counts(chat_feed.store, cb, param);
}

void rfo_chat_feed_get_chat(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(wait_ms);
	if (!chat_feed.created) {
		rfo_vendor_fail(response, RFO_VENDOR_UNAVAILABLE, obs_module_text("Chat.Error.NotRunning"));
		return;
	}
	int64_t limit = GETCHAT_DEFAULT_LIMIT;
	rfo_vendor_arg_count(request, "limit", &limit); /* checked (1 or more) by the feature registry */
	size_t capacity = rfo_chat_store_capacity(chat_feed.store);
	if ((unsigned long long)limit > capacity)
		limit = (long long)capacity;

	size_t n = 0;
	struct rfo_chat_message **msgs = rfo_chat_store_copy_recent(chat_feed.store, (size_t)limit, 0, &n);
	obs_data_array_t *arr = obs_data_array_create();
	for (size_t i = 0; i < n; i++) {
		obs_data_t *d = message_data(msgs[i]);
		obs_data_array_push_back(arr, d);
		obs_data_release(d);
	}
	rfo_chat_messages_release(msgs, n);
	obs_data_set_array(response, "messages", arr);
	obs_data_array_release(arr);
	obs_data_set_int(response, "total", (long long)rfo_chat_store_last_seq(chat_feed.store));
	obs_data_set_int(response, "historySize", (long long)capacity);
	struct rfo_chat_emote_stats es;
	rfo_chat_emotes_stats(&es);
	obs_data_t *images = obs_data_create();
	obs_data_set_int(images, "requested", es.requested);
	obs_data_set_int(images, "loaded", es.loaded);
	obs_data_set_int(images, "failed", es.failed);
	obs_data_set_int(images, "refused", es.refused);
	obs_data_set_obj(response, "emoteImages", images);
	obs_data_release(images);
	rfo_vendor_ok(response);
}

/* ---- socket callbacks (chat ws thread) ------------------------------------------------------------ */

static char *get_url(void *param)
{
	UNUSED_PARAMETER(param);
	uint64_t token_hash = 0;
	char *url = rfo_controller_socket_url(rfo_controller_config()->chat_url, &token_hash);
	pthread_mutex_lock(&chat_feed.mutex);
	chat_feed.token_hash = token_hash;
	pthread_mutex_unlock(&chat_feed.mutex);
	return url;
}

static void set_link(enum rfo_ui_chat_link link, const char *reason)
{
	pthread_mutex_lock(&chat_feed.mutex);
	chat_feed.link = link;
	if (link == RFO_UI_CHAT_CONNECTED)
		chat_feed.ever_connected = true;
	snprintf(chat_feed.link_reason, sizeof(chat_feed.link_reason), "%s", reason ? reason : "");
	pthread_mutex_unlock(&chat_feed.mutex);
	schedule_if(rfo_chat_batch_flag(chat_feed.batch, RFO_CHAT_BATCH_LINK));
}

/* Auth thread, on a session change: the socket reports only its own state changes, so a signed-in session
 * whose socket cannot even start (Restream unreachable: no token until a refresh succeeds) would otherwise keep
 * showing "sign in", and a sign-out while the socket was already down would keep "reconnecting". */
static void session_link(bool signed_in, uint64_t token_hash)
{
	pthread_mutex_lock(&chat_feed.mutex);
	enum rfo_ui_chat_link link = chat_feed.link;
	bool change = false;
	if (!signed_in) {
		change = link != RFO_UI_CHAT_SIGNED_OUT;
		chat_feed.ever_connected = false;
		link = RFO_UI_CHAT_SIGNED_OUT;
	} else if (link == RFO_UI_CHAT_SIGNED_OUT) {
		change = true;
		link = token_hash ? RFO_UI_CHAT_CONNECTING : RFO_UI_CHAT_UNREACHABLE;
	}
	if (change) {
		chat_feed.link = link;
		chat_feed.link_reason[0] = '\0';
	}
	pthread_mutex_unlock(&chat_feed.mutex);
	if (change)
		schedule_if(rfo_chat_batch_flag(chat_feed.batch, RFO_CHAT_BATCH_LINK));
}

static void on_state(void *param, enum rfo_ws_state state, int http_status, const char *reason)
{
	UNUSED_PARAMETER(param);
	rfo_controller_set_link(RFO_LINK_CHAT, rfo_ws_state_name(state));
	switch (state) {
	case RFO_WS_CONNECTING:
		set_link(RFO_UI_CHAT_CONNECTING, NULL);
		break;
	case RFO_WS_CONNECTED:
		rfo_log_sub(LOG_INFO, "chat", "connected to Restream chat");
		set_link(RFO_UI_CHAT_CONNECTED, NULL);
		break;
	case RFO_WS_DISCONNECTED: {
		struct rfo_auth *auth = rfo_controller_auth();
		bool signed_in = auth && rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
		rfo_log_sub(LOG_INFO, "chat", "disconnected from Restream chat (%s%s)", reason ? reason : "no reason",
			    http_status ? ", HTTP error" : "");
		if (http_status == 401 && auth) /* the token this socket was refused with */
			rfo_auth_report_rejected_take(auth, rfo_ws_callback_query_value("accessToken"));
		pthread_mutex_lock(&chat_feed.mutex);
		bool was_connected = chat_feed.ever_connected;
		pthread_mutex_unlock(&chat_feed.mutex);
		if (!signed_in)
			set_link(RFO_UI_CHAT_SIGNED_OUT, NULL);
		else if (was_connected &&
			 !(reason && !strcmp(reason, "not signed in"))) /* "no token": a refresh failed */
			set_link(RFO_UI_CHAT_RECONNECTING, reason);
		else
			set_link(RFO_UI_CHAT_UNREACHABLE, NULL); /* never got through since the sign-in */
		break;
	}
	}
}

/* A newly stored message (one reference taken): ChatMessage event now, the dock in the next batch. */
static void deliver_take(struct rfo_chat_message *msg)
{
	obs_data_t *d = message_data(msg);
	rfo_vendor_emit("ChatMessage", d);
	obs_data_release(d);
	schedule_if(rfo_chat_batch_add(chat_feed.batch, msg));
}

/* The message the store made itself (reply_created) by its sequence number. */
static void deliver_seq(uint64_t seq)
{
	size_t n = 0;
	struct rfo_chat_message **msgs = rfo_chat_store_copy_recent(chat_feed.store, 1, seq - 1, &n);
	if (n == 1 && msgs[0]->seq == seq) {
		deliver_take(msgs[0]);
		bfree(msgs);
		return;
	}
	rfo_chat_messages_release(msgs, n);
}

static void log_connection(const struct rfo_chat_connection *c)
{
	const char *status = rfo_chat_conn_status_name(c->status);
	if (c->status == RFO_CHAT_CONN_ERROR)
		rfo_log_sub(LOG_INFO, "chat", "%s chat: %s (%s)", c->platform ? c->platform : "?", status,
			    rfo_chat_reason_lookup(c->reason)->english);
	else
		rfo_log_sub(LOG_INFO, "chat", "%s chat: %s", c->platform ? c->platform : "?", status);
}

static void on_message(void *param, const char *text, size_t len)
{
	UNUSED_PARAMETER(param);
	struct rfo_chat_frame frame;
	struct rfo_error err = {0};
	if (!rfo_chat_parse(text, len, &frame, &err)) {
		pthread_mutex_lock(&chat_feed.mutex);
		bool first = chat_feed.parse_errors++ == 0;
		pthread_mutex_unlock(&chat_feed.mutex);
		if (first)
			rfo_log_sub(LOG_WARNING, "chat", "ignored a chat frame that is not JSON (%s)", err.message);
		rfo_chat_frame_free(&frame);
		return;
	}
	struct rfo_chat_message *msg;
	uint64_t seq;
	switch (frame.action) {
	case RFO_CHAT_EVENT:
		/* keep a reference: the store takes the frame's */
		msg = frame.message ? rfo_chat_message_addref(frame.message) : NULL;
		if (rfo_chat_store_apply(chat_feed.store, &frame) && msg)
			deliver_take(msg);
		else
			rfo_chat_message_release(msg); /* a duplicate or nothing to show */
		break;
	case RFO_CHAT_REPLY_CREATED:
		seq = rfo_chat_store_apply(chat_feed.store, &frame);
		if (seq)
			deliver_seq(seq);
		schedule_if(rfo_chat_batch_reply(chat_feed.batch, frame.reply.reply_uuid));
		break;
	case RFO_CHAT_CONNECTION_INFO:
		log_connection(&frame.conn);
		/* fall through */
	case RFO_CHAT_CONNECTION_CLOSED:
		rfo_chat_store_apply(chat_feed.store, &frame);
		schedule_if(rfo_chat_batch_flag(chat_feed.batch, RFO_CHAT_BATCH_CONNECTIONS));
		break;
	case RFO_CHAT_REPLY_ACCEPTED:
	case RFO_CHAT_REPLY_CONFIRMED:
	case RFO_CHAT_REPLY_FAILED:
		rfo_chat_store_apply(chat_feed.store, &frame);
		schedule_if(rfo_chat_batch_reply(chat_feed.batch, frame.reply.reply_uuid));
		break;
	default: /* heartbeat (the ws counts it as traffic), relay_*, unknown actions */
		break;
	}
	rfo_chat_frame_free(&frame);
}

/* ---- session (auth thread) ------------------------------------------------------------------------ */

static void on_session(void *param)
{
	UNUSED_PARAMETER(param);
	struct rfo_auth *auth = rfo_controller_auth();
	if (!chat_feed.created || !auth)
		return;
	bool signed_in = rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
	uint64_t h = signed_in ? rfo_controller_token_hash() : 0;

	pthread_mutex_lock(&chat_feed.mutex);
	bool was_signed_in = chat_feed.signed_in;
	chat_feed.signed_in = signed_in;
	bool token_changed = h != chat_feed.token_hash;
	pthread_mutex_unlock(&chat_feed.mutex);

	session_link(signed_in, h);
	if (signed_in && !h)
		return; /* a refresh is under way: the next session call brings the token */
	if (signed_in != was_signed_in)
		schedule_if(rfo_chat_batch_flag(chat_feed.batch, RFO_CHAT_BATCH_USER));
	if (!signed_in && was_signed_in) {
		rfo_chat_store_clear(chat_feed.store);
		schedule_if(rfo_chat_batch_flag(chat_feed.batch, RFO_CHAT_BATCH_CLEAR | RFO_CHAT_BATCH_CONNECTIONS));
	}
	pthread_mutex_lock(&chat_feed.ws_mutex);
	if (token_changed || (signed_in && rfo_ws_state_get(chat_feed.ws) == RFO_WS_DISCONNECTED))
		rfo_ws_reconnect(chat_feed.ws); /* signed out: get_url gives NULL and the socket stays closed */
	pthread_mutex_unlock(&chat_feed.ws_mutex);
}

/* ---- lifecycle ------------------------------------------------------------------------------------ */

static const struct rfo_ui_chat_actions ui_actions = {
	.state = ui_state,
	.settings_changed = on_settings_changed,
	.reply_url = REPLY_URL,
	.want_image = rfo_chat_emotes_want,
};

const struct rfo_ui_chat_actions *rfo_chat_feed_ui_actions(void)
{
	return &ui_actions;
}

/* RFO_TEST_CHAT_IDLE_S (test-only, read once): a shorter idle timeout for an end-to-end test whose emulator sends
 * heartbeats more often, so that it sees the silent-socket reconnect without waiting out a real minute. */
static int idle_timeout_s(void)
{
	const char *v = getenv("RFO_TEST_CHAT_IDLE_S");
	int n = v ? atoi(v) : 0;
	return n >= 2 && n < CHAT_IDLE_TIMEOUT_S ? n : CHAT_IDLE_TIMEOUT_S;
}

bool rfo_chat_feed_create(void)
{
	if (chat_feed.created)
		return true;
	pthread_mutex_init(&chat_feed.mutex, NULL);
	pthread_mutex_init(&chat_feed.ws_mutex, NULL);
	chat_feed.settings_path = obs_module_config_path("chat.json");
	rfo_chat_settings_load(&chat_feed.settings, chat_feed.settings_path);
	chat_feed.store = rfo_chat_store_create((size_t)chat_feed.settings.history);
	chat_feed.batch = rfo_chat_batch_create((size_t)chat_feed.settings.history);
	chat_feed.link = RFO_UI_CHAT_SIGNED_OUT;
	rfo_chat_emotes_init();

	struct rfo_ws_config wc = {
		.name = "chat",
		.get_url = get_url,
		.on_state = on_state,
		.on_message = on_message,
		.idle_timeout_s = idle_timeout_s(),
		.backoff_ms = backoff_ms,
		.backoff_count = sizeof(backoff_ms) / sizeof(backoff_ms[0]),
	};
	chat_feed.ws = rfo_ws_create(&wc);
	chat_feed.created = true;
	rfo_controller_on_session(on_session, NULL);
	if (!chat_feed.ws || !rfo_ws_start(chat_feed.ws))
		rfo_log_sub(LOG_WARNING, "chat", "the chat connection could not be started");
	return true;
}

void rfo_chat_feed_stop(void)
{
	if (!chat_feed.created)
		return;
	pthread_mutex_lock(&chat_feed.ws_mutex);
	struct rfo_ws *ws = chat_feed.ws;
	chat_feed.ws = NULL;
	pthread_mutex_unlock(&chat_feed.ws_mutex);
	rfo_ws_destroy(ws); /* joins the socket thread: no callback runs after this */
	if (ui_view)
		ui_view->stop(); /* UI thread (EXIT): the dock shows nothing more, its backlog is dropped */
	pthread_mutex_lock(&chat_feed.mutex);
	bool dirty = chat_feed.settings_dirty;
	struct rfo_ui_chat_settings s = chat_feed.settings;
	chat_feed.settings_dirty = false;
	pthread_mutex_unlock(&chat_feed.mutex);
	if (dirty)
		rfo_chat_settings_save(&s, chat_feed.settings_path);
	rfo_controller_set_link(RFO_LINK_CHAT, "disconnected");
}

void rfo_chat_feed_free(void)
{
	if (!chat_feed.created)
		return;
	rfo_chat_feed_stop();
	rfo_chat_batch_destroy(chat_feed.batch);
	rfo_chat_store_destroy(chat_feed.store);
	rfo_chat_emotes_free();
	bfree(chat_feed.settings_path);
	pthread_mutex_destroy(&chat_feed.mutex);
	pthread_mutex_destroy(&chat_feed.ws_mutex);
	memset(&chat_feed, 0, sizeof(chat_feed));
}
