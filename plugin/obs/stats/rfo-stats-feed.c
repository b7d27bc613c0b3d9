/* Live stats: streaming socket -> stats state -> GetStats / StatsChanged / dock. See rfo-stats-feed.h. */
#include "rfo-stats-feed.h"
#include "rfo-auth.h"
#include "rfo-channels.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-health.h"
#include "rfo-log.h"
#include "rfo-stats-report.h"
#include "rfo-stats.h"
#include "rfo-ui-stats.h"
#include "rfo-url.h"
#include "rfo-vendor.h"
#include "rfo-ws.h"

#include <errno.h>
#include <obs-module.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <util/bmem.h>
#include <util/platform.h>
#include <util/threading.h>

#define PING_INTERVAL_S 30 /* docs/restream-api.md §3.3: ping every 30 s, two missed pongs = dead */
#define MAX_MISSED_PONGS 2
#define NOTIFY_INTERVAL_MS 500 /* StatsChanged and dock updates: at most twice a second */
#define TICK_MS 100
#define AGE_CHECK_MS 1000
#define RELABEL_MS 5000 /* names from the channel list may arrive after the stats */
#define NS_PER_MS 1000000ULL

static const uint32_t backoff_ms[] = {2000, 5000, 10000, 30000, 60000, 120000, 300000};

struct stats_feed {
	bool created;
	struct rfo_ws *ws;
	/* Guards `ws` against rfo_stats_feed_stop while the auth thread uses it. Held across rfo_ws_reconnect, so it
	 * is taken before rfo_ws's mutex; no other lock is taken under it. */
	pthread_mutex_t ws_mutex;
	os_event_t *stop_event;
	pthread_t ticker;
	bool ticker_started;
	int64_t age_out_s;

	pthread_mutex_t mutex; /* guards everything below; a leaf lock (only libobs' log is called under it) */
	struct rfo_stats_state state;
	struct rfo_rate_gate gate;
	enum rfo_ui_stats_link link;
	char link_reason[128];
	const char *link_name;  /* "disconnected"/"connecting"/"connected" */
	int64_t connected_at;   /* unix s of the last connect */
	uint64_t confirm_at_ns; /* when to drop what the replay did not confirm (0 = nothing to do) */
	uint64_t token_hash;    /* hash of the token the socket last connected with (0 = none) */
	bool signed_in;
	uint64_t parse_errors;
	rfo_stats_feed_listener_fn listener;
	void *listener_param;
};

static struct stats_feed stats_feed;

static int64_t unix_now(void)
{
	return (int64_t)time(NULL);
}

/* ---- labels and reports --------------------------------------------------------------------------- */

/* Display and platform names from the channel list (rfo-channels), NULL when it lacks the channel. */
static void label_report(struct rfo_stats_report *r)
{
	for (size_t i = 0; i < r->state.num_channels; i++) {
		if (r->alerts)
			r->alerts[i] = rfo_health_channel_alerted(r->state.channels[i].channel_id);
		obs_data_t *d = rfo_channels_channel_data(r->state.channels[i].channel_id);
		if (!d)
			continue;
		const char *name = obs_data_get_string(d, "displayName");
		const char *platform = obs_data_get_string(d, "platformName");
		rfo_stats_report_label_take(r, i, *name ? bstrdup(name) : NULL, *platform ? bstrdup(platform) : NULL);
		obs_data_release(d);
	}
}

/* Caller holds stats_feed.mutex. */
static void snapshot_locked(struct rfo_stats_report *r)
{
	rfo_stats_report_set_state(r, &stats_feed.state);
	r->link = stats_feed.link_name;
}

/* ---- UI hand-over (UI thread) ---------------------------------------------------------------------- */

static const struct rfo_ui_stats_view *ui_view; /* the tab's side of the port; UI thread only */

void rfo_stats_feed_set_view(const struct rfo_ui_stats_view *view)
{
	ui_view = view;
}

/* The tab asks for the current picture when it is built; every later one is sent by the ticker. */
static void ui_state(rfo_ui_stats_update_cb cb, void *param)
{
	if (!stats_feed.created)
		return;
	struct rfo_stats_report r;
	rfo_stats_report_init(&r);
	char reason[sizeof(stats_feed.link_reason)];
	pthread_mutex_lock(&stats_feed.mutex);
	snapshot_locked(&r);
	enum rfo_ui_stats_link link = stats_feed.link;
	memcpy(reason, stats_feed.link_reason, sizeof(reason));
	pthread_mutex_unlock(&stats_feed.mutex);
	label_report(&r);
	cb(param, link, *reason ? reason : NULL, &r);
	rfo_stats_report_free(&r);
}

const struct rfo_ui_stats_actions *rfo_stats_feed_ui_actions(void)
{
	static const struct rfo_ui_stats_actions actions = {.state = ui_state};
	return &actions;
}

struct ui_update {
	enum rfo_ui_stats_link link;
	char reason[128];
	struct rfo_stats_report report;
};

static void ui_task(void *param)
{
	struct ui_update *u = param;
	if (stats_feed.created && rfo_controller_running() && ui_view)
		ui_view->update(u->link, *u->reason ? u->reason : NULL, &u->report);
	rfo_stats_report_free(&u->report);
	bfree(u);
}

/* Takes the report. */
static void send_to_ui(struct rfo_stats_report *r, enum rfo_ui_stats_link link, const char *reason)
{
	struct ui_update *u = bzalloc(sizeof(*u));
	u->link = link;
	snprintf(u->reason, sizeof(u->reason), "%s", reason ? reason : "");
	u->report = *r;
	memset(r, 0, sizeof(*r));
	rfo_dispatch(ui_task, u);
}

/* ---- ticker thread: reconnect pruning, age-out, coalesced notifications ---------------------------- */

static void tick(uint64_t now_ns, uint64_t *next_age_ns, uint64_t *next_label_ns)
{
	bool notify = false, relabel = false;
	struct rfo_stats_report r;
	rfo_stats_report_init(&r);
	enum rfo_ui_stats_link link;
	char reason[sizeof(stats_feed.link_reason)];

	pthread_mutex_lock(&stats_feed.mutex);
	if (stats_feed.confirm_at_ns && now_ns >= stats_feed.confirm_at_ns) {
		stats_feed.confirm_at_ns = 0;
		if (rfo_stats_prune_before(&stats_feed.state, stats_feed.connected_at)) {
			rfo_log_sub(LOG_INFO, "stats", "dropped destinations the replay did not confirm");
			rfo_rate_gate_mark(&stats_feed.gate);
		}
	}
	if (now_ns >= *next_age_ns) {
		*next_age_ns = now_ns + AGE_CHECK_MS * NS_PER_MS;
		if (rfo_stats_expire(&stats_feed.state, unix_now(), stats_feed.age_out_s))
			rfo_rate_gate_mark(&stats_feed.gate);
	}
	notify = rfo_rate_gate_take(&stats_feed.gate, now_ns);
	if (!notify && now_ns >= *next_label_ns && stats_feed.state.num_channels)
		relabel = true;
	if (notify || relabel) {
		snapshot_locked(&r);
		link = stats_feed.link;
		memcpy(reason, stats_feed.link_reason, sizeof(reason));
	}
	pthread_mutex_unlock(&stats_feed.mutex);

	if (!notify && !relabel)
		return;
	*next_label_ns = now_ns + RELABEL_MS * NS_PER_MS;
	label_report(&r);
	if (notify) {
		obs_data_t *d = obs_data_create();
		rfo_stats_report_fill(&r, d);
		rfo_vendor_emit("StatsChanged", d);
		obs_data_release(d);
	}
	send_to_ui(&r, link, reason);
}

static void *ticker_main(void *param)
{
	UNUSED_PARAMETER(param);
	os_set_thread_name("rfo-stats");
	uint64_t next_age_ns = 0, next_label_ns = 0;
	while (os_event_timedwait(stats_feed.stop_event, TICK_MS) == ETIMEDOUT)
		tick(os_gettime_ns(), &next_age_ns, &next_label_ns);
	return NULL;
}

static void mark_changed_locked(void)
{
	rfo_rate_gate_mark(&stats_feed.gate);
}

void rfo_stats_feed_snapshot(struct rfo_stats_state *out)
{
	if (!stats_feed.created)
		return;
	pthread_mutex_lock(&stats_feed.mutex);
	rfo_stats_state_copy(out, &stats_feed.state);
	pthread_mutex_unlock(&stats_feed.mutex);
}

void rfo_stats_feed_changed(void)
{
	if (!stats_feed.created)
		return;
	pthread_mutex_lock(&stats_feed.mutex);
	mark_changed_locked();
	pthread_mutex_unlock(&stats_feed.mutex);
}

/* ---- vendor API ----------------------------------------------------------------------------------- */

void rfo_stats_feed_get_stats(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	UNUSED_PARAMETER(wait_ms);
	if (!stats_feed.created) {
		rfo_vendor_fail(response, RFO_VENDOR_UNAVAILABLE, obs_module_text("Stats.Error.NotRunning"));
		return;
	}
	struct rfo_stats_report r;
	rfo_stats_report_init(&r);
	pthread_mutex_lock(&stats_feed.mutex);
	snapshot_locked(&r);
	pthread_mutex_unlock(&stats_feed.mutex);
	label_report(&r);
	rfo_stats_report_fill(&r, response);
	rfo_stats_report_free(&r);
	rfo_vendor_ok(response);
}

/* ---- socket callbacks (streaming ws thread) -------------------------------------------------------- */

static char *get_url(void *param)
{
	UNUSED_PARAMETER(param);
	uint64_t token_hash = 0;
	char *url = rfo_controller_socket_url(rfo_controller_config()->streaming_url, &token_hash);
	pthread_mutex_lock(&stats_feed.mutex);
	stats_feed.token_hash = token_hash;
	pthread_mutex_unlock(&stats_feed.mutex);
	return url;
}

static void set_link(enum rfo_ui_stats_link link, const char *name, const char *reason)
{
	pthread_mutex_lock(&stats_feed.mutex);
	stats_feed.link = link;
	stats_feed.link_name = name;
	snprintf(stats_feed.link_reason, sizeof(stats_feed.link_reason), "%s", reason ? reason : "");
	if (link == RFO_UI_STATS_CONNECTED) {
		/* Restream replays the last minute now; what it does not confirm goes (rfo-stats-feed.h) */
		stats_feed.connected_at = unix_now();
		stats_feed.confirm_at_ns = os_gettime_ns() + RFO_STATS_CONFIRM_MS * NS_PER_MS;
	}
	mark_changed_locked();
	pthread_mutex_unlock(&stats_feed.mutex);
}

static void on_state(void *param, enum rfo_ws_state state, int http_status, const char *reason)
{
	UNUSED_PARAMETER(param);
	const char *name = rfo_ws_state_name(state);
	rfo_controller_set_link(RFO_LINK_STREAMING, name);
	switch (state) {
	case RFO_WS_CONNECTING:
		set_link(RFO_UI_STATS_CONNECTING, name, NULL);
		break;
	case RFO_WS_CONNECTED:
		rfo_log_sub(LOG_INFO, "stats", "connected to Restream stream updates");
		set_link(RFO_UI_STATS_CONNECTED, name, NULL);
		break;
	case RFO_WS_DISCONNECTED: {
		struct rfo_auth *auth = rfo_controller_auth();
		bool signed_in = auth && rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
		rfo_log_sub(LOG_INFO, "stats", "disconnected from Restream stream updates (%s%s)",
			    reason ? reason : "no reason", http_status ? ", HTTP error" : "");
		if (http_status == 401 && auth) /* the token this socket was refused with */
			rfo_auth_report_rejected_take(auth, rfo_ws_callback_query_value("accessToken"));
		set_link(signed_in ? RFO_UI_STATS_RECONNECTING : RFO_UI_STATS_SIGNED_OUT, name, reason);
		break;
	}
	}
}

static void on_message(void *param, const char *text, size_t len)
{
	UNUSED_PARAMETER(param);
	struct rfo_stats_frame frame;
	struct rfo_error err = {0};
	bool parsed = rfo_stats_parse(text, len, &frame, &err);
	pthread_mutex_lock(&stats_feed.mutex);
	bool first_error = !parsed && stats_feed.parse_errors++ == 0;
	bool changed = parsed && rfo_stats_apply_frame(&stats_feed.state, &frame, unix_now());
	if (changed)
		mark_changed_locked();
	rfo_stats_feed_listener_fn listener = stats_feed.listener;
	void *listener_param = stats_feed.listener_param;
	pthread_mutex_unlock(&stats_feed.mutex);
	if (changed && listener)
		listener(listener_param, &frame);
	if (first_error)
		rfo_log_sub(LOG_WARNING, "stats", "ignored a stream update that is not JSON (%s)", err.message);
	rfo_stats_frame_free(&frame);
}

void rfo_stats_feed_set_listener(rfo_stats_feed_listener_fn fn, void *param)
{
	if (!stats_feed.created)
		return;
	pthread_mutex_lock(&stats_feed.mutex);
	stats_feed.listener = fn;
	stats_feed.listener_param = param;
	pthread_mutex_unlock(&stats_feed.mutex);
}

/* ---- session (auth thread) ------------------------------------------------------------------------ */

static void on_session(void *param)
{
	UNUSED_PARAMETER(param);
	struct rfo_auth *auth = rfo_controller_auth();
	if (!stats_feed.created || !auth)
		return;
	bool signed_in = rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
	uint64_t h = signed_in ? rfo_controller_token_hash() : 0;

	pthread_mutex_lock(&stats_feed.mutex);
	bool was_signed_in = stats_feed.signed_in;
	stats_feed.signed_in = signed_in;
	bool token_changed = h != stats_feed.token_hash;
	if (!signed_in && was_signed_in) {
		rfo_stats_state_free(&stats_feed.state);
		stats_feed.confirm_at_ns = 0;
		mark_changed_locked();
	}
	pthread_mutex_unlock(&stats_feed.mutex);

	if (signed_in && !h)
		return; /* a refresh is under way: the next session call brings the token */
	pthread_mutex_lock(&stats_feed.ws_mutex);
	if (stats_feed.ws && (token_changed || (signed_in && rfo_ws_state_get(stats_feed.ws) == RFO_WS_DISCONNECTED)))
		rfo_ws_reconnect(stats_feed.ws); /* signed out: get_url gives NULL and the socket stays closed */
	pthread_mutex_unlock(&stats_feed.ws_mutex);
}

/* ---- lifecycle ------------------------------------------------------------------------------------ */

static int64_t env_seconds(const char *name, int64_t def, int64_t max)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end = NULL;
	long long n = strtoll(v, &end, 10);
	if (*end || n < 1 || n > max) {
		rfo_log_sub(LOG_WARNING, "stats", "ignored %s (not a number of seconds from 1 to %lld)", name,
			    (long long)max);
		return def;
	}
	rfo_log_sub(LOG_INFO, "stats", "%s=%lld", name, n);
	return n;
}

bool rfo_stats_feed_create(void)
{
	if (stats_feed.created)
		return true;
	pthread_mutex_init(&stats_feed.mutex, NULL);
	pthread_mutex_init(&stats_feed.ws_mutex, NULL);
	rfo_stats_state_init(&stats_feed.state);
	rfo_rate_gate_init(&stats_feed.gate, NOTIFY_INTERVAL_MS * NS_PER_MS);
	stats_feed.link = RFO_UI_STATS_SIGNED_OUT;
	stats_feed.link_name = "disconnected";
	stats_feed.age_out_s = env_seconds("RFO_STATS_AGE_OUT_S", RFO_STATS_DEFAULT_MAX_AGE, 86400);
	int ping_s = (int)env_seconds("RFO_STATS_PING_S", PING_INTERVAL_S, 3600);

	struct rfo_ws_config wc = {
		.name = "streaming",
		.get_url = get_url,
		.on_state = on_state,
		.on_message = on_message,
		.ping_interval_s = ping_s,
		.max_missed_pongs = MAX_MISSED_PONGS,
		.backoff_ms = backoff_ms,
		.backoff_count = sizeof(backoff_ms) / sizeof(backoff_ms[0]),
	};
	stats_feed.ws = rfo_ws_create(&wc);
	stats_feed.created = true;
	if (os_event_init(&stats_feed.stop_event, OS_EVENT_TYPE_MANUAL) == 0 &&
	    pthread_create(&stats_feed.ticker, NULL, ticker_main, NULL) == 0)
		stats_feed.ticker_started = true;
	else
		rfo_log_sub(LOG_WARNING, "stats", "the stats ticker could not be started");
	rfo_controller_on_session(on_session, NULL);
	if (!stats_feed.ws || !rfo_ws_start(stats_feed.ws))
		rfo_log_sub(LOG_WARNING, "stats", "the stream updates connection could not be started");
	pthread_mutex_lock(&stats_feed.mutex);
	mark_changed_locked(); /* the dock's first picture */
	pthread_mutex_unlock(&stats_feed.mutex);
	return true;
}

void rfo_stats_feed_stop(void)
{
	if (!stats_feed.created)
		return;
	pthread_mutex_lock(&stats_feed.ws_mutex);
	struct rfo_ws *ws = stats_feed.ws;
	stats_feed.ws = NULL;
	pthread_mutex_unlock(&stats_feed.ws_mutex);
	rfo_ws_destroy(ws); /* joins the socket thread: no callback runs after this */
	if (stats_feed.ticker_started) {
		os_event_signal(stats_feed.stop_event);
		pthread_join(stats_feed.ticker, NULL);
		stats_feed.ticker_started = false;
	}
	rfo_controller_set_link(RFO_LINK_STREAMING, "disconnected");
}

void rfo_stats_feed_free(void)
{
	if (!stats_feed.created)
		return;
	rfo_stats_feed_stop();
	os_event_destroy(stats_feed.stop_event);
	rfo_stats_state_free(&stats_feed.state);
	pthread_mutex_destroy(&stats_feed.mutex);
	pthread_mutex_destroy(&stats_feed.ws_mutex);
	memset(&stats_feed, 0, sizeof(stats_feed));
}
