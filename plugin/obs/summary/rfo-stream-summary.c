/* The end-of-stream summary: live accumulation, the stream's end, the vendor request and the Stats tab's box (see
 * rfo-stream-summary.h). */
#include "rfo-stream-summary.h"
#include "rfo-channels.h"
#include "rfo-chat-feed.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-golive.h"
#include "rfo-golive-apply.h"
#include "rfo-health.h"
#include "rfo-log.h"
#include "rfo-stats-feed.h"
#include "rfo-stats.h"
#include "rfo-ui-summary.h"
#include "rfo-vendor.h"

#include <obs-frontend-api.h>
#include <obs-module.h>
#include <string.h>
#include <time.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/threading.h>

struct chat_base {
	char platform[32];
	uint64_t count;
};

static bool created;
/* Guards everything below: the stats socket thread reports viewers, the UI thread starts and ends streams, the
 * analytics thread and obs-websocket's threads read. Only libobs' log and the summary's plain functions are called
 * under it. */
static pthread_mutex_t mutex;
static struct rfo_summary summary;
static enum rfo_summary_analytics_state analytics;
static DARRAY(struct chat_base) chat_at_start; /* the chat store's counters when the stream began */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the Stats tab's box (UI thread) ---- */

static const struct rfo_ui_summary_view *ui_view;

static void ui_changed_task(void *param)
{
	UNUSED_PARAMETER(param);
	if (created && rfo_controller_running() && ui_view)
		ui_view->changed();
}

static void ui_state(rfo_ui_summary_state_cb cb, void *param)
{
	if (!created)
		return;
	struct rfo_summary s;
	rfo_summary_init(&s);
	pthread_mutex_lock(&mutex);
	rfo_summary_copy(&s, &summary);
	enum rfo_summary_analytics_state a = analytics;
	pthread_mutex_unlock(&mutex);

	struct rfo_ui_summary_state st = {
		.have = s.valid,
		.live = s.active,
		.started_at = s.started_ms / 1000,
		.ended_at = s.ended_ms / 1000,
		.peak = s.peak_viewers,
		.average = s.average_viewers,
		.alert_count = s.alerts.num,
		.from_restream = s.from_restream,
	};
	st.note = a == RFO_SUMMARY_ANALYTICS_PENDING       ? obs_module_text("Summary.AnalyticsPending")
		  : a == RFO_SUMMARY_ANALYTICS_UNAVAILABLE ? obs_module_text("Summary.AnalyticsMissing")
							   : "";
	struct rfo_ui_summary_channel *channels = s.channels.num ? bzalloc(s.channels.num * sizeof(*channels)) : NULL;
	for (size_t i = 0; i < s.channels.num; i++) {
		const struct rfo_summary_channel *c = &s.channels.array[i];
		obs_data_t *d = rfo_channels_channel_data(c->channel_id);
		struct dstr name = {0};
		if (d)
			dstr_printf(&name, "%s (%s)", obs_data_get_string(d, "displayName"),
				    obs_data_get_string(d, "platformName"));
		obs_data_release(d);
		channels[i] = (struct rfo_ui_summary_channel){c->channel_id, name.array ? name.array : bstrdup(""),
							      c->peak, c->average};
	}
	struct rfo_ui_summary_chat *chat = s.chat.num ? bzalloc(s.chat.num * sizeof(*chat)) : NULL;
	for (size_t i = 0; i < s.chat.num; i++)
		chat[i] = (struct rfo_ui_summary_chat){s.chat.array[i].platform, s.chat.array[i].count};
	st.channels = channels;
	st.channel_count = s.channels.num;
	st.chat = chat;
	st.chat_count = s.chat.num;
	cb(param, &st);
	for (size_t i = 0; i < s.channels.num; i++)
		bfree((char *)channels[i].name);
	bfree(channels);
	bfree(chat);
	rfo_summary_free(&s);
}

const struct rfo_ui_summary_actions *rfo_stream_summary_ui_actions(void)
{
	static const struct rfo_ui_summary_actions actions = {.state = ui_state};
	return &actions;
}

void rfo_stream_summary_set_view(const struct rfo_ui_summary_view *view)
{
	ui_view = view;
}

static void tell_ui(void)
{
	if (rfo_controller_running())
		rfo_dispatch(ui_changed_task, NULL);
}

/* ---- live accumulation ---- */

/* The streaming socket's thread: viewers per destination, and the event being streamed. */
static void on_stats_frame(void *param, const struct rfo_stats_frame *frame)
{
	UNUSED_PARAMETER(param);
	int64_t now = now_ms();
	pthread_mutex_lock(&mutex);
	if (frame->action == RFO_STATS_UPDATE_INCOMING)
		rfo_summary_set_event(&summary, frame->incoming.event_id);
	else if (frame->action == RFO_STATS_UPDATE_STATUSES && frame->channel.has_statuses)
		rfo_summary_viewers(&summary, frame->channel.channel_id, frame->channel.platform_id,
				    frame->channel.viewers, frame->channel.online != 0, now);
	pthread_mutex_unlock(&mutex);
}

static void add_base(void *param, const char *platform, uint64_t count)
{
	UNUSED_PARAMETER(param);
	struct chat_base b = {.count = count};
	snprintf(b.platform, sizeof(b.platform), "%s", platform);
	da_push_back(chat_at_start, &b);
}

static void add_delta(void *param, const char *platform, uint64_t count)
{
	struct rfo_summary *s = param;
	uint64_t base = 0;
	for (size_t i = 0; i < chat_at_start.num; i++)
		if (strcmp(chat_at_start.array[i].platform, platform) == 0)
			base = chat_at_start.array[i].count;
	if (count > base)
		rfo_summary_chat_add(s, platform, (int64_t)(count - base));
}

/* The seam for the health alerts: adds the alerts raised during the stream (none are recorded yet). */
/* The health alerts raised during this stream (health keeps this and the last live session's episodes: the ones
 * that began before this stream are the last session's). Runs under `mutex`; health's lock is a leaf. */
static void collect_alerts(struct rfo_summary *s)
{
	size_t n = 0;
	struct rfo_health_episode *eps = rfo_health_copy_episodes(&n);
	for (size_t i = 0; i < n; i++) {
		if (eps[i].started_at < s->started_ms / 1000 - 1)
			continue;
		rfo_summary_add_alert(s, eps[i].kind, eps[i].channel_id, eps[i].platform, eps[i].message,
				      eps[i].started_at);
	}
	bfree(eps);
}

static void stream_started(void)
{
	struct rfo_golive_setup setup = {0};
	rfo_golive_setup_get(&setup);
	bool ours = setup.active;
	rfo_summary_analytics_cancel();
	pthread_mutex_lock(&mutex);
	if (ours) {
		rfo_summary_begin(&summary, now_ms());
		rfo_summary_set_event(&summary, setup.event_id); /* the picked event, unless Restream names another */
		analytics = RFO_SUMMARY_ANALYTICS_NONE;
		da_resize(chat_at_start, 0);
		rfo_chat_feed_platform_counts(add_base, NULL);
	}
	pthread_mutex_unlock(&mutex);
	bfree(setup.event_id);
	if (ours) {
		rfo_log_sub(LOG_INFO, "summary", "stream to Restream started: collecting its summary");
		tell_ui();
	}
}

static void stream_stopped(void)
{
	struct rfo_summary copy;
	rfo_summary_init(&copy);
	pthread_mutex_lock(&mutex);
	bool was = summary.active;
	if (was) {
		rfo_summary_end(&summary, now_ms());
		rfo_chat_feed_platform_counts(add_delta, &summary);
		collect_alerts(&summary);
		analytics = summary.event_id[0] ? RFO_SUMMARY_ANALYTICS_PENDING : RFO_SUMMARY_ANALYTICS_UNAVAILABLE;
		rfo_summary_copy(&copy, &summary);
	}
	pthread_mutex_unlock(&mutex);
	if (!was)
		return;
	rfo_log_sub(LOG_INFO, "summary", "stream to Restream ended after %lld s, peak %lld viewers",
		    (long long)((copy.ended_ms - copy.started_ms) / 1000), (long long)copy.peak_viewers);
	rfo_summary_analytics_start(copy.event_id, copy.started_ms); /* the files, then Restream's numbers */
	rfo_summary_free(&copy);
	tell_ui();
}

static void on_frontend_event(enum obs_frontend_event event, void *param)
{
	UNUSED_PARAMETER(param);
	if (event == OBS_FRONTEND_EVENT_STREAMING_STARTED)
		stream_started();
	else if (event == OBS_FRONTEND_EVENT_STREAMING_STOPPED)
		stream_stopped();
}

/* ---- Restream's analytics (the analytics thread) ---- */

void rfo_stream_summary_analytics(int64_t started_ms, const char *body, size_t len, bool gave_up)
{
	struct rfo_summary copy;
	rfo_summary_init(&copy);
	bool merged = false;
	struct rfo_error err = {0};
	pthread_mutex_lock(&mutex);
	if (summary.started_ms == started_ms && !summary.active) {
		if (gave_up) {
			analytics = RFO_SUMMARY_ANALYTICS_UNAVAILABLE;
		} else if (rfo_summary_merge_analytics(&summary, body, len, &err)) {
			analytics = RFO_SUMMARY_ANALYTICS_PUBLISHED;
			merged = true;
			rfo_summary_copy(&copy, &summary);
		}
	}
	pthread_mutex_unlock(&mutex);
	if (merged) {
		rfo_log_sub(LOG_INFO, "summary", "Restream's viewer analytics arrived: the summary uses them");
		rfo_summary_files_save(&copy);
	} else if (gave_up) {
		rfo_log_sub(LOG_INFO, "summary",
			    "Restream has not published the viewer analytics; the summary keeps "
			    "what the plugin saw live");
	}
	rfo_summary_free(&copy);
	if (merged || gave_up)
		tell_ui();
}

void rfo_stream_summary_save(int64_t started_ms)
{
	struct rfo_summary copy;
	rfo_summary_init(&copy);
	pthread_mutex_lock(&mutex);
	bool same = summary.started_ms == started_ms && !summary.active;
	if (same)
		rfo_summary_copy(&copy, &summary);
	pthread_mutex_unlock(&mutex);
	if (same)
		rfo_summary_files_save(&copy);
	rfo_summary_free(&copy);
}

bool rfo_stream_summary_analytics_done(int64_t started_ms)
{
	pthread_mutex_lock(&mutex);
	bool done = summary.started_ms != started_ms || analytics == RFO_SUMMARY_ANALYTICS_PUBLISHED;
	pthread_mutex_unlock(&mutex);
	return done;
}

/* ---- vendor request ---- */

static const char *analytics_word(enum rfo_summary_analytics_state a)
{
	switch (a) {
	case RFO_SUMMARY_ANALYTICS_PENDING:
		return "pending";
	case RFO_SUMMARY_ANALYTICS_PUBLISHED:
		return "published";
	case RFO_SUMMARY_ANALYTICS_UNAVAILABLE:
		return "unavailable";
	default:
		return "live";
	}
}

void rfo_stream_summary_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	UNUSED_PARAMETER(wait_ms);
	if (!created) {
		rfo_vendor_fail(response, RFO_VENDOR_UNAVAILABLE, obs_module_text("Summary.Error.None"));
		return;
	}
	pthread_mutex_lock(&mutex);
	bool valid = summary.valid, active = summary.active;
	char *json = valid && !active ? rfo_summary_json(&summary) : NULL;
	enum rfo_summary_analytics_state a = analytics;
	pthread_mutex_unlock(&mutex);
	if (!json) {
		rfo_vendor_fail(response, RFO_VENDOR_NOT_READY,
				obs_module_text(active ? "Summary.Error.Live" : "Summary.Error.None"));
		return;
	}
	obs_data_t *d = obs_data_create_from_json(json);
	bfree(json);
	obs_data_apply(response, d);
	obs_data_release(d);
	obs_data_set_string(response, "analytics", analytics_word(a));
	if (a != RFO_SUMMARY_ANALYTICS_PUBLISHED)
		obs_data_set_string(response, "analyticsNote",
				    obs_module_text(a == RFO_SUMMARY_ANALYTICS_PENDING ? "Summary.AnalyticsPending"
										       : "Summary.AnalyticsMissing"));
	rfo_vendor_ok(response);
}

/* ---- lifecycle ---- */

bool rfo_stream_summary_create(void)
{
	if (created)
		return true;
	pthread_mutex_init(&mutex, NULL);
	rfo_summary_init(&summary);
	da_init(chat_at_start);
	analytics = RFO_SUMMARY_ANALYTICS_NONE;
	rfo_summary_analytics_create();
	created = true;
	rfo_stats_feed_set_listener(on_stats_frame, NULL);
	obs_frontend_add_event_callback(on_frontend_event, NULL);
	return true;
}

void rfo_stream_summary_stop(void)
{
	if (!created)
		return;
	obs_frontend_remove_event_callback(on_frontend_event, NULL);
	rfo_stats_feed_set_listener(NULL, NULL);
	rfo_summary_analytics_stop();
}

void rfo_stream_summary_destroy(void)
{
	if (!created)
		return;
	rfo_stream_summary_stop();
	rfo_summary_analytics_destroy();
	rfo_summary_free(&summary);
	da_free(chat_at_start);
	pthread_mutex_destroy(&mutex);
	created = false;
}
