/* The overlays' registry of live sources and their one worker thread ("rfo-overlays"), which decides what each
 * source shows and paints it off OBS's graphics thread. See rfo-overlays.h. */
#include "rfo-overlays.h"
#include "rfo-auth.h"
#include "rfo-channels.h"
#include "rfo-chat-feed.h"
#include "rfo-chat-store.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"
#include "rfo-overlays-private.h"
#include "rfo-stats-feed.h"
#include "rfo-stats.h"

#include <obs-module.h>
#include <string.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/platform.h>
#include <util/threading.h>

#define SEEN_RING 1024              /* arrival times of the most recent messages, by sequence number */
#define STATS_EVERY_NS 250000000ULL /* the viewers sources look at the stats four times a second */
#define BATCH_MS_PER_MESSAGE 100U   /* the worker's batches (batch_ms) … */
#define BATCH_MAX_MS 500U           /* … at most */
#define FLOOD_MESSAGES 50U          /* more in one round: a flood … */
#define FLOOD_MS 1000U              /* … whose batches are a second apart */

struct seen {
	uint64_t seq;
	uint64_t ns;
};

static struct {
	/* Guards the list of live sources; a leaf (libobs' getters only are called under it). */
	pthread_mutex_t mutex;
	DARRAY(struct rfo_overlay *) list;
	const struct rfo_ui_overlays_view *view;

	bool created;
	pthread_t thread;
	os_event_t *wake;    /* auto-reset: a source was added or changed */
	os_event_t *stopped; /* manual: rfo_overlays_stop */

	/* the worker's own */
	struct seen seen[SEEN_RING];
	struct rfo_overlay_round round;
	uint64_t stats_at_ns, stats_key;
	struct rfo_stats_state stats;
	DARRAY(struct rfo_overlay_channel) channels;
	DARRAY(char *) names;
} overlays = {.mutex = PTHREAD_MUTEX_INITIALIZER};

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline bool stopping(void)
{
	return overlays.stopped && os_event_try(overlays.stopped) == 0;
}

/* ---- registry -------------------------------------------------------------------------------------- */

void rfo_overlays_add(struct rfo_overlay *o)
{
	pthread_mutex_lock(&overlays.mutex);
	da_push_back(overlays.list, &o);
	pthread_mutex_unlock(&overlays.mutex);
	rfo_overlays_wake();
}

void rfo_overlays_remove(struct rfo_overlay *o)
{
	pthread_mutex_lock(&overlays.mutex);
	da_erase_item(overlays.list, &o);
	if (!overlays.list.num)
		da_free(overlays.list);
	pthread_mutex_unlock(&overlays.mutex);
}

void rfo_overlays_foreach(void (*cb)(void *param, obs_source_t *source, enum rfo_overlay_kind kind), void *param)
{
	pthread_mutex_lock(&overlays.mutex);
	for (size_t i = 0; i < overlays.list.num; i++)
		cb(param, overlays.list.array[i]->source, overlays.list.array[i]->kind);
	pthread_mutex_unlock(&overlays.mutex);
}

void rfo_overlays_wake(void)
{
	if (overlays.wake)
		os_event_signal(overlays.wake);
}

/* The chat feed's notice of a new message or a link change (its socket thread): a scene collection without overlay
 * sources lets the worker sleep through the chat (a source added later takes in the messages at its first round). */
static void chat_changed(void)
{
	pthread_mutex_lock(&overlays.mutex);
	const bool any = overlays.list.num > 0;
	pthread_mutex_unlock(&overlays.mutex);
	if (any)
		rfo_overlays_wake();
}

void rfo_overlays_set_view(const struct rfo_ui_overlays_view *view)
{
	pthread_mutex_lock(&overlays.mutex);
	overlays.view = view;
	pthread_mutex_unlock(&overlays.mutex);
	rfo_overlays_wake();
}

/* ---- a paint --------------------------------------------------------------------------------------- */

uint64_t rfo_overlay_hash(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

uint64_t rfo_overlay_hash_str(uint64_t h, const char *s)
{
	return s ? rfo_overlay_hash(h, s, strlen(s) + 1) : rfo_overlay_hash(h, "", 1);
}

const char *rfo_overlay_paint_keep(struct rfo_overlay_paint *p, char *s)
{
	if (p->num_owned < sizeof(p->owned) / sizeof(p->owned[0])) {
		p->owned[p->num_owned++] = s;
		return s;
	}
	bfree(s);
	return "";
}

static void paint_free(struct rfo_overlay_paint *p)
{
	if (!p)
		return;
	rfo_chat_messages_release(p->messages, p->num_messages);
	for (size_t i = 0; i < p->num_owned; i++)
		bfree(p->owned[i]);
	rfo_overlay_release(p->overlay);
	bfree(p);
}

/* Builds what `o` shows now; NULL when it shows what it showed (nothing to paint). */
static struct rfo_overlay_paint *build(struct rfo_overlay *o, const struct rfo_overlay_round *r)
{
	struct rfo_overlay_paint *p = bzalloc(sizeof(*p));
	p->overlay = rfo_overlay_addref(o);
	pthread_mutex_lock(&o->mutex);
	p->settings = o->settings;
	pthread_mutex_unlock(&o->mutex);
	const struct rfo_overlay_settings *s = &p->settings;
	struct rfo_ui_overlay_frame *f = &p->frame;
	f->width = s->width;
	f->height = s->height;
	f->font_face = s->font_face;
	f->font_size = s->font_size;
	f->bold = s->bold;
	f->italic = s->italic;
	f->text_color = s->text_color;
	f->background = s->background;
	f->outline = s->outline;
	f->shadow = s->shadow;
	f->padding = s->padding;
	f->label = s->label;
	p->images_generation = r->images_generation;
	p->key = rfo_overlay_hash(14695981039346656037ULL, &s->generation, sizeof(s->generation));

	uint64_t next_ms = UINT64_MAX;
	const bool live = o->kind == RFO_OVERLAY_CHAT ? r->connected : r->signed_in;
	if (!live) {
		/* nothing on the program output; a one-line hint where only the streamer sees it */
		if (!os_atomic_load_bool(&o->active) && os_atomic_load_long(&o->showing) > 0)
			f->hint = obs_module_text(r->signed_in ? "Overlays.Hint.Disconnected"
							       : "Overlays.Hint.SignedOut");
		p->key = rfo_overlay_hash_str(p->key, f->hint);
	} else if (o->kind == RFO_OVERLAY_CHAT) {
		rfo_chat_source_build(p, r, &next_ms);
	} else {
		rfo_viewers_source_build(p, r);
	}
	o->deadline_ns = next_ms == UINT64_MAX ? UINT64_MAX : r->now_ns + next_ms * 1000000ULL;
	if (p->key == o->content_key) {
		paint_free(p);
		return NULL;
	}
	o->content_key = p->key;
	return p;
}

/* What a line's picture depends on: the look (any change of the settings paints every line again) and the line. */
static uint64_t line_key(const struct rfo_overlay_paint *p, const struct rfo_ui_overlay_line *l)
{
	uint64_t k = rfo_overlay_hash(14695981039346656037ULL, &p->settings.generation, sizeof(p->settings.generation));
	k = rfo_overlay_hash_str(k, l->platform);
	k = rfo_overlay_hash_str(k, l->author);
	k = rfo_overlay_hash_str(k, l->text);
	k = rfo_overlay_hash_str(k, l->donation);
	k = rfo_overlay_hash_str(k, l->time);
	const uint32_t colors[2] = {l->platform_color, l->author_color};
	const bool flags[2] = {l->highlight, l->system};
	k = rfo_overlay_hash(k, colors, sizeof(colors));
	k = rfo_overlay_hash(k, flags, sizeof(flags));
	k = rfo_overlay_hash(k, &l->alpha, sizeof(l->alpha));
	k = rfo_overlay_hash(k, &l->emote_count, sizeof(l->emote_count));
	for (size_t i = 0; i < l->emote_count; i++)
		k = rfo_overlay_hash_str(k, l->emotes[i].url);
	if (l->emote_count)
		k = rfo_overlay_hash(k, &p->images_generation, sizeof(p->images_generation));
	return k;
}

/* The line's picture: the one the last layout had for it, or a new paint. */
static struct rfo_overlay_picture *line_picture(struct rfo_overlay *o, const struct rfo_overlay_paint *p,
						const struct rfo_ui_overlay_line *l,
						const struct rfo_ui_overlays_view *view)
{
	const uint64_t key = line_key(p, l);
	for (size_t i = 0; i < o->num_cache; i++)
		if (o->cache[i]->key == key)
			return rfo_overlay_picture_addref(o->cache[i]);
	struct rfo_ui_overlay_picture px;
	view->paint_line(&p->frame, l, &px);
	return rfo_overlay_picture_new(key, &px);
}

/* Lays p out from its lines' pictures (painting only lines not shown before, newest first, and none older than the
 * first that does not fit: in a flood most lines are never on screen) and hands the layout to the graphics thread;
 * frees p. */
static void paint_publish(struct rfo_overlay_paint *p, const struct rfo_ui_overlays_view *view)
{
	struct rfo_overlay *o = p->overlay;
	const struct rfo_ui_overlay_frame *f = &p->frame;
	struct rfo_overlay_layout *layout = bzalloc(sizeof(*layout));
	layout->w = f->width;
	layout->h = f->height;
	struct rfo_overlay_picture *pics[RFO_OVERLAY_MAX_LINES];
	size_t first = p->num_lines;
	rfo_overlay_free_spent(o); /* before painting: the new lines reuse that memory */
	if (f->hint) {
		struct rfo_ui_overlay_picture px;
		view->paint_line(f, NULL, &px);
		layout->items[layout->num++] = (struct rfo_overlay_placed){rfo_overlay_picture_new(0, &px), px.x, px.y};
	} else if (p->num_lines) {
		layout->background = f->background;
		const float gap = RFO_UI_OVERLAY_GAP(f->font_size);
		float heights[RFO_OVERLAY_MAX_LINES];
		int32_t tops[RFO_OVERLAY_MAX_LINES];
		while (first > 0) {
			const size_t i = first - 1;
			struct rfo_overlay_picture *pic = line_picture(o, p, &p->lines[i], view);
			heights[i] = pic->px.height;
			/* the places of lines i.. (a line's place depends only on the newer ones); 0: line i fits too */
			if (rfo_overlay_stack(heights + i, p->num_lines - i, (float)f->height, (float)f->padding, gap,
					      p->newest_top, tops + i) != 0) {
				rfo_overlay_picture_release(o, pic, false);
				break;
			}
			pics[i] = pic;
			first = i;
		}
		for (size_t i = first; i < p->num_lines; i++) {
			if (!pics[i]->px.w)
				continue;
			layout->items[layout->num++] = (struct rfo_overlay_placed){
				rfo_overlay_picture_addref(pics[i]), pics[i]->px.x, tops[i] + pics[i]->px.y};
		}
	}
	for (size_t i = 0; i < o->num_cache; i++)
		rfo_overlay_picture_release(o, o->cache[i], false);
	o->num_cache = p->num_lines - first;
	memcpy(o->cache, pics + first, o->num_cache * sizeof(pics[0]));
	rfo_overlay_publish(o, layout);
	paint_free(p);
}

/* UI thread, when Qt cannot render text elsewhere: the same paint, dispatched. */
static void paint_task(void *param)
{
	struct rfo_overlay_paint *p = param;
	const struct rfo_ui_overlays_view *view = NULL;
	pthread_mutex_lock(&overlays.mutex);
	view = overlays.view;
	pthread_mutex_unlock(&overlays.mutex);
	if (view && rfo_controller_running()) /* after EXIT the queue may still hold it */
		paint_publish(p, view);
	else
		paint_free(p);
}

/* ---- the round: what every source is drawn from ---------------------------------------------------- */

static uint32_t frame_ms(void)
{
	struct obs_video_info ovi;
	if (obs_get_video_info(&ovi) && ovi.fps_num) {
		uint64_t ms = (uint64_t)ovi.fps_den * 1000 / ovi.fps_num;
		return ms < 8 ? 8 : ms > 1000 ? 1000 : (uint32_t)ms;
	}
	return 33;
}

/* The most recent messages and their ages (from when this worker first saw each). */
static void round_messages(struct rfo_overlay_round *r, uint64_t last_seq, uint64_t *copied_seq)
{
	if (!r->messages || last_seq != *copied_seq) {
		rfo_chat_messages_release(r->messages, r->num_messages);
		r->messages = rfo_chat_feed_copy_recent(RFO_OVERLAY_MESSAGES, &r->num_messages);
		r->ages_ms = brealloc(r->ages_ms, (r->num_messages ? r->num_messages : 1) * sizeof(uint64_t));
		*copied_seq = last_seq;
	}
	for (size_t i = 0; i < r->num_messages; i++) {
		struct seen *s = &overlays.seen[r->messages[i]->seq % SEEN_RING];
		if (s->seq != r->messages[i]->seq) {
			s->seq = r->messages[i]->seq;
			s->ns = r->now_ns;
		}
		r->ages_ms[i] = (r->now_ns - s->ns) / 1000000ULL;
	}
}

/* Viewer counts per channel with the platform's name (from the channel list), and a hash of them. */
static void round_stats(struct rfo_overlay_round *r)
{
	if (r->now_ns - overlays.stats_at_ns < STATS_EVERY_NS && overlays.stats_at_ns)
		return;
	overlays.stats_at_ns = r->now_ns;
	rfo_stats_state_free(&overlays.stats);
	rfo_stats_feed_snapshot(&overlays.stats);
	for (size_t i = 0; i < overlays.names.num; i++)
		bfree(overlays.names.array[i]);
	da_resize(overlays.names, 0);
	da_resize(overlays.channels, 0);
	uint64_t key = 14695981039346656037ULL;
	for (size_t i = 0; i < overlays.stats.num_channels; i++) {
		const struct rfo_stats_channel *c = &overlays.stats.channels[i];
		obs_data_t *d = rfo_channels_channel_data(c->channel_id);
		char *name = d && *obs_data_get_string(d, "platformName")
				     ? bstrdup(obs_data_get_string(d, "platformName"))
				     : NULL;
		obs_data_release(d);
		if (name)
			da_push_back(overlays.names, &name);
		struct rfo_overlay_channel ch = {name, c->has_statuses ? c->viewers : -1, c->online == 1};
		da_push_back(overlays.channels, &ch);
		key = rfo_overlay_hash_str(key, name);
		key = rfo_overlay_hash(key, &ch.viewers, sizeof(ch.viewers));
		key = rfo_overlay_hash(key, &ch.online, sizeof(ch.online));
	}
	r->channels = overlays.channels.array;
	r->num_channels = overlays.channels.num;
	r->stats_known = overlays.stats.num_channels > 0;
	overlays.stats_key = key;
}

static bool signed_in_now(void)
{
	struct rfo_auth *auth = rfo_controller_auth();
	return auth && rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
}

/* One round over every source; returns when the next one is due by itself (a line fades or expires, the viewers'
 * next look at the stats), UINT64_MAX when only a change (rfo_overlays_wake) brings one. */
static uint64_t run_round(uint32_t step_ms, uint64_t *copied_seq)
{
	uint64_t wake_at = UINT64_MAX;
	struct rfo_overlay_round *r = &overlays.round;
	r->now_ns = os_gettime_ns();
	r->step_ms = step_ms;
	r->signed_in = signed_in_now();
	r->connected = r->signed_in && rfo_chat_feed_connected();
	const uint64_t last_seq = rfo_chat_feed_last_seq();

	DARRAY(struct rfo_overlay *) list = {0};
	pthread_mutex_lock(&overlays.mutex);
	const struct rfo_ui_overlays_view *view = overlays.view;
	for (size_t i = 0; view && i < overlays.list.num; i++) {
		struct rfo_overlay *o = rfo_overlay_addref(overlays.list.array[i]);
		da_push_back(list, &o);
	}
	pthread_mutex_unlock(&overlays.mutex);
	r->view = view;
	if (view)
		r->images_generation = rfo_overlay_images_take(view); /* an emote image arrived: chat sources repaint */

	bool have_messages = false;
	for (size_t i = 0; i < list.num; i++) {
		struct rfo_overlay *o = list.array[i];
		const bool active = os_atomic_load_bool(&o->active);
		const long showing = os_atomic_load_long(&o->showing);
		if (!active && showing <= 0)
			continue; /* not shown anywhere: painted when it is (show and activate wake the worker) */
		if (o->kind == RFO_OVERLAY_VIEWERS) {
			round_stats(r);
			wake_at = min_u64(wake_at, overlays.stats_at_ns + STATS_EVERY_NS);
		}
		pthread_mutex_lock(&o->mutex);
		uint64_t inputs = rfo_overlay_hash(14695981039346656037ULL, &o->settings.generation,
						   sizeof(o->settings.generation));
		pthread_mutex_unlock(&o->mutex);
		const bool flags[4] = {r->signed_in, r->connected, active, showing > 0};
		inputs = rfo_overlay_hash(inputs, flags, sizeof(flags));
		if (o->kind == RFO_OVERLAY_CHAT) {
			inputs = rfo_overlay_hash(inputs, &last_seq, sizeof(last_seq));
			inputs = rfo_overlay_hash(inputs, &r->images_generation, sizeof(r->images_generation));
		} else
			inputs = rfo_overlay_hash(inputs, &overlays.stats_key, sizeof(overlays.stats_key));
		/* unchanged and nothing fading or expiring: no work at all */
		if (inputs == o->inputs_key && r->now_ns < o->deadline_ns) {
			wake_at = min_u64(wake_at, o->deadline_ns);
			continue;
		}
		o->inputs_key = inputs;
		if (o->kind == RFO_OVERLAY_CHAT && !have_messages) {
			round_messages(r, last_seq, copied_seq);
			have_messages = true;
		}
		struct rfo_overlay_paint *p = build(o, r);
		wake_at = min_u64(wake_at, o->deadline_ns);
		if (p && view->threaded)
			paint_publish(p, view);
		else if (p)
			rfo_dispatch(paint_task, p);
	}
	for (size_t i = 0; i < list.num; i++)
		rfo_overlay_release(list.array[i]);
	da_free(list);
	return wake_at;
}

/* How long after a round that took in `taken` new messages the next one waits: N × 100 ms, at most 500; when a flood
 * brings more than 50 (100 a second and more: a raid, a spam wave), a second. A message after a quiet spell, and each
 * of a chat of up to ten a second, shows at the next frame; faster chat comes in batches that grow up to half a second
 * (a screenful lasts less than a second there: nobody reads it line by line); in a flood each screenful stays long
 * enough to be read. Each round's paint starts cold — the text stack's code and data are out of the caches after a
 * sleep, which costs several times the paint of a line itself — and OBS's graphics thread makes a batch's textures
 * in one frame, so fewer, larger batches are most of what fast chat costs. */
static uint64_t batch_ms(uint64_t taken)
{
	if (taken > FLOOD_MESSAGES)
		return FLOOD_MS;
	return taken * BATCH_MS_PER_MESSAGE < BATCH_MAX_MS ? taken * BATCH_MS_PER_MESSAGE : BATCH_MAX_MS;
}

static void *worker(void *param)
{
	UNUSED_PARAMETER(param);
	os_set_thread_name("rfo-overlays");
	uint64_t last_ns = 0, copied_seq = 0, wake_at = UINT64_MAX, taken = 0;
	while (!stopping()) {
		/* nothing polls: a change wakes the worker (a new message or link change through the chat feed, a source
		 * added, changed, shown or activated), or the time the last round said something changes by itself */
		const uint64_t now = os_gettime_ns();
		if (wake_at == UINT64_MAX)
			os_event_wait(overlays.wake);
		else if (wake_at > now)
			os_event_timedwait(overlays.wake, (unsigned long)((wake_at - now) / 1000000ULL) + 1);
		const uint32_t step = frame_ms();
		/* changes are coalesced: at most one round per frame interval; and the busier the chat, the larger its
		 * batches (batch_ms) */
		const uint64_t batch = batch_ms(taken);
		const uint64_t gap_ns = (batch > step ? batch : step) * 1000000ULL;
		const uint64_t since = os_gettime_ns() - last_ns;
		if (last_ns && since < gap_ns &&
		    os_event_timedwait(overlays.stopped, (unsigned long)((gap_ns - since) / 1000000ULL) + 1) == 0)
			break;
		if (stopping())
			break;
		last_ns = os_gettime_ns();
		const uint64_t seq_before = copied_seq;
		wake_at = run_round(step, &copied_seq);
		taken = copied_seq - seq_before; /* the store numbers every message it takes, one after the other */
	}
	return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------------------------- */

void rfo_overlays_register_sources(void)
{
	rfo_chat_source_register();
	rfo_viewers_source_register();
}

bool rfo_overlays_create(void)
{
	if (overlays.created)
		return true;
	if (os_event_init(&overlays.wake, OS_EVENT_TYPE_AUTO) != 0)
		return false;
	if (os_event_init(&overlays.stopped, OS_EVENT_TYPE_MANUAL) != 0 ||
	    pthread_create(&overlays.thread, NULL, worker, NULL) != 0) {
		rfo_log_sub(LOG_WARNING, "overlays", "could not start the overlay worker");
		os_event_destroy(overlays.stopped);
		os_event_destroy(overlays.wake);
		overlays.stopped = overlays.wake = NULL;
		return false;
	}
	overlays.created = true;
	rfo_chat_feed_set_notify(chat_changed);
	rfo_overlay_images_listen(true);
	return true;
}

void rfo_overlays_stop(void)
{
	if (!overlays.created)
		return;
	overlays.created = false;
	rfo_chat_feed_set_notify(NULL);
	rfo_overlay_images_listen(false);
	os_event_signal(overlays.stopped);
	os_event_signal(overlays.wake);
	pthread_join(overlays.thread, NULL);
}

void rfo_overlays_destroy(void)
{
	rfo_overlays_stop();
	struct rfo_overlay_round *r = &overlays.round;
	rfo_chat_messages_release(r->messages, r->num_messages);
	bfree(r->ages_ms);
	memset(r, 0, sizeof(*r));
	rfo_stats_state_free(&overlays.stats);
	for (size_t i = 0; i < overlays.names.num; i++)
		bfree(overlays.names.array[i]);
	da_free(overlays.names);
	da_free(overlays.channels);
	rfo_overlay_images_free(overlays.view);
	/* module unload: OBS has freed every source by now, so nothing wakes the worker any more */
	os_event_destroy(overlays.stopped);
	os_event_destroy(overlays.wake);
	overlays.stopped = overlays.wake = NULL;
}
