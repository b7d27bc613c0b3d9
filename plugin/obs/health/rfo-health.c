/* Destination health alerts while live: the ticker, the episodes, the vendor events and the banner's port.
 * See rfo-health.h. */
#include "rfo-health.h"
#include "rfo-health-private.h"
#include "rfo-channels.h"
#include "rfo-chat-feed.h"
#include "rfo-chat-store.h"
#include "rfo-chat.h"
#include "rfo-config.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"
#include "rfo-stats-feed.h"
#include "rfo-stats.h"
#include "rfo-ui-health.h"
#include "rfo-vendor.h"

#include <errno.h>
#include <obs-frontend-api.h>
#include <obs-module.h>
#include <string.h>
#include <time.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#define TICK_MS 250
#define NS_PER_MS 1000000LL
#define RATE_WINDOW_NS 1000000000ULL /* OBS's bitrate: bytes sent over at least a second */

struct health_entry {
	uint32_t id; /* the monitor's episode number */
	struct rfo_health_episode e;
};

struct health {
	bool created;
	os_event_t *stop_event;
	pthread_t ticker;
	bool ticker_started;

	/* the ticker thread's own (no lock) */
	struct rfo_health_monitor *monitor;
	bool was_live;
	uint64_t bytes_at_ns, bytes;
	int64_t sent_bps;

	/* Guards `entries` (this and the last live session's episodes). A leaf: only libobs' memory functions run
	 * under it. */
	pthread_mutex_t mutex;
	DARRAY(struct health_entry) entries;
};

static struct health health;

static int64_t mono_ms(void)
{
	return (int64_t)(os_gettime_ns() / (uint64_t)NS_PER_MS);
}

/* A monotonic time of this round as unix seconds. */
static int64_t unix_of(int64_t at_ms, int64_t now_ms)
{
	return (int64_t)time(NULL) - (now_ms - at_ms) / 1000;
}

/* ---- the episodes (any thread) ---------------------------------------------------------------------------- */

struct rfo_health_episode *rfo_health_copy_episodes(size_t *count)
{
	*count = 0;
	if (!health.created)
		return NULL;
	pthread_mutex_lock(&health.mutex);
	size_t n = health.entries.num;
	struct rfo_health_episode *out = n ? bzalloc(sizeof(*out) * n) : NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = health.entries.array[i].e;
	pthread_mutex_unlock(&health.mutex);
	*count = n;
	return out;
}

bool rfo_health_channel_alerted(int64_t channel_id)
{
	if (!health.created || channel_id <= 0)
		return false;
	bool alerted = false;
	pthread_mutex_lock(&health.mutex);
	for (size_t i = 0; i < health.entries.num && !alerted; i++) {
		const struct rfo_health_episode *e = &health.entries.array[i].e;
		alerted = e->channel_id == channel_id && !e->ended_at;
	}
	pthread_mutex_unlock(&health.mutex);
	return alerted;
}

static void add_episode(uint32_t id, const struct rfo_health_episode *e)
{
	pthread_mutex_lock(&health.mutex);
	if (health.entries.num >= RFO_HEALTH_MAX_EPISODES) {
		for (size_t i = 0; i < health.entries.num; i++)
			if (health.entries.array[i].e.ended_at) {
				da_erase(health.entries, i);
				break;
			}
	}
	if (health.entries.num < RFO_HEALTH_MAX_EPISODES) {
		struct health_entry *entry = da_push_back_new(health.entries);
		entry->id = id;
		entry->e = *e;
	}
	pthread_mutex_unlock(&health.mutex);
}

static void end_episode(uint32_t id, int64_t ended_at)
{
	pthread_mutex_lock(&health.mutex);
	for (size_t i = 0; i < health.entries.num; i++)
		if (health.entries.array[i].id == id && !health.entries.array[i].e.ended_at)
			health.entries.array[i].e.ended_at = ended_at > 0 ? ended_at : 1;
	pthread_mutex_unlock(&health.mutex);
}

/* ---- the banner (UI thread) ------------------------------------------------------------------------------- */

static const struct rfo_ui_health_view *ui_view; /* UI thread only */

void rfo_health_set_view(const struct rfo_ui_health_view *view)
{
	ui_view = view;
}

static void ui_state(rfo_ui_health_state_cb cb, void *param)
{
	size_t n = 0;
	struct rfo_health_episode *eps = rfo_health_copy_episodes(&n);
	struct rfo_ui_health_alert *alerts = n ? bzalloc(sizeof(*alerts) * n) : NULL;
	size_t open = 0;
	for (size_t i = 0; i < n; i++) {
		if (eps[i].ended_at)
			continue;
		alerts[open++] = (struct rfo_ui_health_alert){
			.kind = eps[i].kind,
			.channel_id = eps[i].channel_id,
			.message = eps[i].message,
			.since = eps[i].started_at,
			.url = eps[i].url,
		};
	}
	cb(param, alerts, open);
	bfree(alerts);
	bfree(eps);
}

const struct rfo_ui_health_actions *rfo_health_ui_actions(void)
{
	static const struct rfo_ui_health_actions actions = {.state = ui_state};
	return &actions;
}

static void ui_task(void *param)
{
	UNUSED_PARAMETER(param);
	if (health.created && rfo_controller_running() && ui_view)
		ui_view->changed();
}

/* ---- notices (ticker thread) ------------------------------------------------------------------------------ */

/* The destination's name and platform from the channel list ("Channel <id>" until it is loaded) and its page. */
static void describe_channel(int64_t id, struct rfo_health_episode *e, struct dstr *label)
{
	obs_data_t *d = rfo_channels_channel_data(id);
	const char *name = d ? obs_data_get_string(d, "displayName") : "";
	const char *platform = d ? obs_data_get_string(d, "platformName") : "";
	snprintf(e->platform, sizeof(e->platform), "%s", platform);
	snprintf(e->url, sizeof(e->url), "%s", d ? obs_data_get_string(d, "url") : "");
	if (*name) {
		dstr_copy(label, name);
	} else {
		dstr_printf(label, "%lld", (long long)id);
		struct dstr unnamed = {0};
		dstr_copy(&unnamed, obs_module_text("Stats.Channel.Unnamed"));
		dstr_replace(&unnamed, "%1", label->array);
		dstr_move(label, &unnamed);
	}
	if (*platform) {
		struct dstr both = {0};
		dstr_copy(&both, obs_module_text("Stats.Channel.WithPlatform"));
		dstr_replace(&both, "%2", platform);
		dstr_replace(&both, "%1", label->array);
		dstr_move(label, &both);
	}
	obs_data_release(d);
}

static void on_notice(void *param, const struct rfo_health_notice *n)
{
	int64_t now_ms = *(const int64_t *)param;
	struct rfo_health_episode e = {0};
	struct dstr label = {0};
	snprintf(e.kind, sizeof(e.kind), "%s", rfo_health_kind_name(n->kind));
	snprintf(e.cause, sizeof(e.cause), "%s", rfo_health_cause_name(n->cause));
	e.channel_id = n->channel_id;
	if (n->kind == RFO_HEALTH_DESTINATION) {
		describe_channel(n->channel_id, &e, &label);
	} else if (n->kind == RFO_HEALTH_CHAT) {
		snprintf(e.platform, sizeof(e.platform), "%s", n->platform);
		dstr_copy(&label, n->platform);
		if (*n->name)
			dstr_catf(&label, " (%s)", n->name);
	}
	char *message = rfo_health_text(n, label.array);
	snprintf(e.message, sizeof(e.message), "%s", message);
	e.started_at = unix_of(n->since_ms, now_ms);
	if (n->raised)
		add_episode(n->episode, &e);
	else
		end_episode(n->episode, unix_of(n->at_ms, now_ms));
	/* one line per alert and per end; names and numbers only, nothing secret */
	rfo_log_sub(n->raised ? LOG_WARNING : LOG_INFO, "health", "%s (%s%s%s): %s", n->raised ? "alert" : "recovered",
		    e.kind, n->raised ? ", " : "", n->raised ? e.cause : "", message);

	obs_data_t *d = obs_data_create();
	obs_data_set_string(d, "kind", e.kind);
	if (e.channel_id > 0)
		obs_data_set_int(d, "channelId", (long long)e.channel_id);
	if (*e.platform)
		obs_data_set_string(d, "platform", e.platform);
	obs_data_set_string(d, "message", message);
	rfo_vendor_emit(n->raised ? "HealthAlert" : "HealthRecovered", d);
	obs_data_release(d);
	bfree(message);
	dstr_free(&label);

	rfo_dispatch(ui_task, NULL);
	if (n->kind == RFO_HEALTH_DESTINATION)
		rfo_stats_feed_changed();
}

/* ---- the ticker ------------------------------------------------------------------------------------------- */

/* What OBS sent over the last second or so (bits/s), -1 until measured. */
static void sample_sent(void)
{
	obs_output_t *out = obs_frontend_get_streaming_output();
	if (!out) {
		health.sent_bps = -1;
		health.bytes_at_ns = 0;
		return;
	}
	uint64_t bytes = obs_output_get_total_bytes(out);
	obs_output_release(out);
	uint64_t now = os_gettime_ns();
	if (!health.bytes_at_ns || bytes < health.bytes) {
		health.bytes_at_ns = now;
		health.bytes = bytes;
		return;
	}
	if (now - health.bytes_at_ns < RATE_WINDOW_NS)
		return;
	health.sent_bps = (int64_t)((bytes - health.bytes) * 8 * 1000000000ULL / (now - health.bytes_at_ns));
	health.bytes_at_ns = now;
	health.bytes = bytes;
}

static enum rfo_health_seen seen_of_outgoing(enum rfo_stats_out_status s)
{
	switch (s) {
	case RFO_STATS_OUT_CONNECTED:
		return RFO_HEALTH_SEEN_OK;
	case RFO_STATS_OUT_CONNECTING:
		return RFO_HEALTH_SEEN_CONNECTING;
	case RFO_STATS_OUT_DISCONNECTED:
		return RFO_HEALTH_SEEN_DISCONNECTED;
	default:
		return RFO_HEALTH_SEEN_ERROR;
	}
}

static enum rfo_health_seen seen_of_chat(enum rfo_chat_conn_status s)
{
	switch (s) {
	case RFO_CHAT_CONN_CONNECTED:
		return RFO_HEALTH_SEEN_OK;
	case RFO_CHAT_CONN_ERROR:
		return RFO_HEALTH_SEEN_ERROR;
	default:
		return RFO_HEALTH_SEEN_CONNECTING;
	}
}

static void observe_live(void)
{
	struct rfo_stats_state st;
	rfo_stats_state_init(&st);
	rfo_stats_feed_snapshot(&st);
	for (size_t i = 0; i < st.num_channels; i++) {
		const struct rfo_stats_channel *c = &st.channels[i];
		if (c->has_outgoing)
			rfo_health_monitor_destination(health.monitor, c->channel_id, NULL, NULL,
						       seen_of_outgoing(c->status));
	}
	sample_sent();
	int64_t incoming = -1;
	if (st.incoming.present) /* receiving at an unknown rate counts as receiving enough */
		incoming = st.incoming.bitrate_total >= 0 ? st.incoming.bitrate_total
							  : (health.sent_bps > 0 ? health.sent_bps : 0);
	rfo_health_monitor_bitrate(health.monitor, incoming, health.sent_bps);
	rfo_stats_state_free(&st);

	size_t n = 0;
	struct rfo_chat_connection *conns = rfo_chat_feed_copy_connections(&n);
	for (size_t i = 0; i < n; i++)
		rfo_health_monitor_chat(health.monitor, conns[i].identifier, conns[i].platform, conns[i].target_name,
					seen_of_chat(conns[i].status), conns[i].reason);
	rfo_chat_connections_free(conns, n);
}

/* A stream to Restream began: this session's settings, and a fresh list of episodes. */
static void session_start(void)
{
	int grace_s = RFO_HEALTH_DEFAULT_GRACE_S, pct = RFO_HEALTH_DEFAULT_BITRATE_PCT;
	rfo_config_read_health(rfo_controller_settings_path(), &grace_s, &pct);
	rfo_health_monitor_configure(health.monitor, grace_s, pct);
	health.bytes_at_ns = 0;
	health.sent_bps = -1;
	pthread_mutex_lock(&health.mutex);
	da_free(health.entries);
	pthread_mutex_unlock(&health.mutex);
	rfo_log_sub(LOG_INFO, "health", "watching the stream (grace period %d s, bitrate alert below %d %%)", grace_s,
		    pct);
	rfo_dispatch(ui_task, NULL);
}

static void tick(void)
{
	bool live = rfo_controller_service_active() && obs_frontend_streaming_active();
	if (live && !health.was_live)
		session_start();
	health.was_live = live;
	int64_t now_ms = mono_ms();
	rfo_health_monitor_begin(health.monitor, now_ms, live);
	if (live)
		observe_live();
	rfo_health_monitor_end(health.monitor, on_notice, &now_ms);
}

static void *ticker_main(void *param)
{
	UNUSED_PARAMETER(param);
	os_set_thread_name("rfo-health");
	while (os_event_timedwait(health.stop_event, TICK_MS) == ETIMEDOUT)
		tick();
	return NULL;
}

/* ---- lifecycle -------------------------------------------------------------------------------------------- */

bool rfo_health_create(void)
{
	if (health.created)
		return true;
	pthread_mutex_init(&health.mutex, NULL);
	da_init(health.entries);
	health.monitor = rfo_health_monitor_create();
	health.sent_bps = -1;
	health.created = true;
	return true;
}

void rfo_health_start(void)
{
	if (!health.created || health.ticker_started)
		return;
	if (os_event_init(&health.stop_event, OS_EVENT_TYPE_MANUAL) == 0 &&
	    pthread_create(&health.ticker, NULL, ticker_main, NULL) == 0)
		health.ticker_started = true;
	else
		rfo_log_sub(LOG_WARNING, "health", "the health ticker could not be started");
}

void rfo_health_stop(void)
{
	if (!health.created || !health.ticker_started)
		return;
	os_event_signal(health.stop_event);
	pthread_join(health.ticker, NULL);
	health.ticker_started = false;
}

void rfo_health_destroy(void)
{
	if (!health.created)
		return;
	rfo_health_stop();
	os_event_destroy(health.stop_event);
	rfo_health_monitor_destroy(health.monitor);
	da_free(health.entries);
	pthread_mutex_destroy(&health.mutex);
	memset(&health, 0, sizeof(health));
}
