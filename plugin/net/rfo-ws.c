/* A WebSocket client that owns one named thread: create/start/reconnect/stop/destroy, the thread's loop,
 * the libwebsockets context (made at the first attempt) and the wake-ups across threads. What the thread
 * does with the connection (connect, backoff, pings, the lws callback) is in rfo-ws-conn.c. */
#include "rfo-ws-private.h"

#include <stdlib.h>

#include <util/dstr.h>

#include "rfo-ws-log.h"

#define DEFAULT_MAX_MESSAGE (1024 * 1024)
#define DEFAULT_CONNECT_TIMEOUT_S 10

static const uint32_t default_backoff[] = {1000, 2000, 5000, 10000, 30000, 60000};

const char *rfo_ws_state_name(enum rfo_ws_state state)
{
	switch (state) {
	case RFO_WS_CONNECTING:
		return "connecting";
	case RFO_WS_CONNECTED:
		return "connected";
	case RFO_WS_DISCONNECTED:
		break;
	}
	return "disconnected";
}

/* The ws whose thread this is (rfo_ws_callback_query_value). */
static __thread struct rfo_ws *thread_ws;

/* lws runs ripe timers at the start of lws_service() and then polls until the next one, so a timer
 * that only "woke" the loop would let the poll sleep past our deadline. Interrupt the poll instead;
 * housekeeping() runs after lws_service() returns. */
static void sul_wake(lws_sorted_usec_list_t *sul)
{
	struct rfo_ws *ws = lws_container_of(sul, struct rfo_ws, sul);
	if (ws->ctx)
		lws_cancel_service(ws->ctx);
}

static const struct lws_protocols protocols[] = {
	{"rfo-ws", rfo_ws_lws_callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

/* The lws context is made at the first connection attempt, not when the thread starts: making it loads the
 * system's CA store (~30 ms of CPU), which a signed-out OBS never needs, and which would otherwise compete with
 * OBS's own start-up. */
bool rfo_ws_context_create(struct rfo_ws *ws)
{
	struct lws_context_creation_info info = {0};
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	/* Deliberately no LWS_SERVER_OPTION_VALIDATE_UTF8: with it lws closes the socket (1007) on a text frame
	 * with invalid UTF-8 and the frame is lost; without it the frame reaches the parser, which repairs the
	 * bytes (U+FFFD) — e2e.chat_utf8 checks that the socket stays up. */
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.gid = -1;
	info.uid = -1;
	info.user = ws;
	info.fd_limit_per_thread = 16;
	info.timeout_secs = (unsigned int)ws->connect_timeout_s;
	info.connect_timeout_secs = (unsigned int)ws->connect_timeout_s;
#if LWS_LIBRARY_VERSION_NUMBER >= 4003000
	rfo_ws_log_cx_init(&ws->log_cx);
	info.log_cx = &ws->log_cx;
#endif

	struct lws_context *ctx = lws_create_context(&info);
	if (!ctx) {
		ws_log(ws, LOG_ERROR, "could not create the libwebsockets context");
		return false;
	}
	pthread_mutex_lock(&ws->mutex);
	ws->ctx = ctx;
	pthread_mutex_unlock(&ws->mutex);
	return true;
}

/* Wakes the thread (call with ws->mutex held). */
static void wake_locked(struct rfo_ws *ws)
{
	if (ws->ctx)
		lws_cancel_service(ws->ctx);
	else
		os_event_signal(ws->wake);
}

static void *ws_thread(void *param)
{
	struct rfo_ws *ws = param;
	os_set_thread_name(ws->thread_name);
	thread_ws = ws;

	ws->phase = PHASE_BACKOFF;
	ws->next_attempt_ns = 0;
	ws->retry_count = 0;

	while (!stop_requested(ws)) {
		rfo_ws_housekeeping(ws);
		if (stop_requested(ws))
			break;
		uint64_t d = rfo_ws_next_deadline(ws);
		struct lws_context *ctx = ws->ctx;
		if (!ctx) { /* no connection attempt yet (signed out) */
			uint64_t now = os_gettime_ns();
			if (d == UINT64_MAX)
				os_event_wait(ws->wake);
			else if (d > now)
				os_event_timedwait(ws->wake, (unsigned long)((d - now) / NS_PER_MS) + 1);
			continue;
		}
		if (os_event_try(ws->wake) == 0)
			continue; /* woken just before the context existed: housekeeping first */
		if (d != UINT64_MAX) {
			uint64_t now = os_gettime_ns();
			lws_usec_t us = d > now ? (lws_usec_t)((d - now) / 1000) + 1 : 1;
			lws_sul_schedule(ctx, 0, &ws->sul, sul_wake, us);
		} else {
			lws_sul_schedule(ctx, 0, &ws->sul, sul_wake, LWS_SET_TIMER_USEC_CANCEL);
		}
		lws_service(ctx, 0);
	}

	/* callbacks fired while the context goes away must not report anything */
	struct lws_context *ctx = ws->ctx;
	if (ctx)
		lws_sul_schedule(ctx, 0, &ws->sul, sul_wake, LWS_SET_TIMER_USEC_CANCEL);
	ws->wsi = NULL;
	ws->closing_wsi = NULL;
	ws->gen++;
	rfo_ws_resolve_release(ws->resolve);
	ws->resolve = NULL;
	target_free(ws);
	pthread_mutex_lock(&ws->mutex);
	ws->ctx = NULL;
	pthread_mutex_unlock(&ws->mutex);
	if (ctx)
		lws_context_destroy(ctx);

	if (os_atomic_load_long(&ws->state) != RFO_WS_DISCONNECTED)
		ws_log(ws, LOG_INFO, "stopped");
	set_state(ws, RFO_WS_DISCONNECTED, 0, "stopped");
	rfo_ws_msg_free(&ws->msg);
	wipe_free(ws->attempt_target);
	ws->attempt_target = NULL;
	thread_ws = NULL;
	return NULL;
}

struct rfo_ws *rfo_ws_create(const struct rfo_ws_config *config)
{
	if (!config || !config->name || !*config->name || !config->get_url)
		return NULL;
	rfo_ws_log_init();

	struct rfo_ws *ws = bzalloc(sizeof(*ws));
	ws->name = bstrdup(config->name);
	struct dstr tn = {0};
	dstr_printf(&tn, "rfo-ws-%s", config->name);
	ws->thread_name = tn.array;
	ws->get_url = config->get_url;
	ws->on_state = config->on_state;
	ws->on_message = config->on_message;
	ws->param = config->param;
	ws->ping_interval_ns = config->ping_interval_s > 0 ? (uint64_t)config->ping_interval_s * NS_PER_S : 0;
	ws->max_missed_pongs = config->max_missed_pongs > 0 ? config->max_missed_pongs : 2;
	ws->idle_timeout_ns = config->idle_timeout_s > 0 ? (uint64_t)config->idle_timeout_s * NS_PER_S : 0;
	bool own_table = config->backoff_ms && config->backoff_count;
	const uint32_t *table = own_table ? config->backoff_ms : default_backoff;
	size_t count = own_table ? config->backoff_count : sizeof(default_backoff) / sizeof(default_backoff[0]);
	if (count > UINT16_MAX)
		count = UINT16_MAX;
	ws->backoff = bmemdup(table, count * sizeof(uint32_t));
	ws->retry.retry_ms_table = ws->backoff;
	ws->retry.retry_ms_table_count = (uint16_t)count;
	ws->retry.conceal_count = LWS_RETRY_CONCEAL_ALWAYS; /* never give up */
	ws->retry.jitter_percent = 20;
	/* secs_since_valid_ping/hangup stay 0: pings and idle checks are ours (config) */
	ws->msg.max = config->max_message_bytes ? config->max_message_bytes : DEFAULT_MAX_MESSAGE;
	ws->connect_timeout_s = config->connect_timeout_s > 0 ? config->connect_timeout_s : DEFAULT_CONNECT_TIMEOUT_S;
	ws->state = RFO_WS_DISCONNECTED;
	if (pthread_mutex_init(&ws->mutex, NULL) != 0) {
		rfo_ws_destroy(ws);
		return NULL;
	}
	ws->mutex_ok = true;
	if (os_event_init(&ws->wake, OS_EVENT_TYPE_AUTO) != 0) {
		rfo_ws_destroy(ws);
		return NULL;
	}
	return ws;
}

bool rfo_ws_start(struct rfo_ws *ws)
{
	if (!ws)
		return false;
	pthread_mutex_lock(&ws->mutex);
	bool ok = true;
	if (!ws->thread_active) {
		os_atomic_set_bool(&ws->stop_req, false);
		os_atomic_set_bool(&ws->reconnect_req, false);
		ok = pthread_create(&ws->thread, NULL, ws_thread, ws) == 0;
		ws->thread_active = ok;
		if (!ok)
			ws_log(ws, LOG_ERROR, "could not start the WebSocket thread");
	}
	pthread_mutex_unlock(&ws->mutex);
	return ok;
}

void rfo_ws_reconnect(struct rfo_ws *ws)
{
	if (!ws)
		return;
	pthread_mutex_lock(&ws->mutex);
	if (ws->thread_active) {
		os_atomic_set_bool(&ws->reconnect_req, true);
		wake_locked(ws);
	}
	pthread_mutex_unlock(&ws->mutex);
}

void rfo_ws_stop(struct rfo_ws *ws)
{
	if (!ws || !ws->mutex_ok)
		return;
	pthread_mutex_lock(&ws->mutex);
	bool join = ws->thread_active;
	ws->thread_active = false;
	if (join) {
		os_atomic_set_bool(&ws->stop_req, true);
		wake_locked(ws);
	}
	pthread_mutex_unlock(&ws->mutex);
	if (!join)
		return;
	if (pthread_equal(pthread_self(), ws->thread)) {
		ws_log(ws, LOG_ERROR, "rfo_ws_stop called from its own thread");
		pthread_detach(ws->thread);
		return;
	}
	pthread_join(ws->thread, NULL);
}

void rfo_ws_destroy(struct rfo_ws *ws)
{
	if (!ws)
		return;
	rfo_ws_stop(ws);
	if (ws->mutex_ok)
		pthread_mutex_destroy(&ws->mutex);
	os_event_destroy(ws->wake);
	bfree(ws->backoff);
	bfree(ws->thread_name);
	bfree(ws->name);
	bfree(ws);
}

char *rfo_ws_callback_query_value(const char *key)
{
	struct rfo_ws *ws = thread_ws;
	return ws && key && ws->attempt_target ? rfo_url_query_get(ws->attempt_target, key) : NULL;
}

enum rfo_ws_state rfo_ws_state_get(const struct rfo_ws *ws)
{
	if (!ws)
		return RFO_WS_DISCONNECTED;
	return (enum rfo_ws_state)os_atomic_load_long((volatile long *)&ws->state);
}
