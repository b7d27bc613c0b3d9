/* Streaming-updates WebSocket parser and live-stats state (docs/restream-api.md §3). See rfo-stats.h. */
#include "rfo-stats.h"

#include <string.h>
#include <util/bmem.h>
#include <util/threading.h>

#include "rfo-json.h"
#include "rfo-text.h"

#define MAX_TITLE 512

/* ---- parsing --------------------------------------------------------------------------------------- */

static int64_t int_or_unknown(const json_t *obj, const char *key)
{
	int64_t v;
	return rfo_json_int(obj, key, &v) && v >= 0 ? v : -1;
}

static void copy_field(char *dst, size_t size, const json_t *obj, const char *key)
{
	const json_t *v = rfo_json_get(obj, key);
	dst[0] = 0;
	if (!json_is_string(v))
		return;
	char *s = rfo_text_sanitize(json_string_value(v), json_string_length(v), size - 1);
	strcpy(dst, s); /* fits: sanitize bounded it to size - 1 bytes */
	bfree(s);
}

static char *title_dup(const json_t *obj, const char *key)
{
	const json_t *v = rfo_json_get(obj, key);
	if (!json_is_string(v))
		return NULL;
	return rfo_text_sanitize(json_string_value(v), json_string_length(v), MAX_TITLE);
}

static void parse_incoming(const json_t *root, struct rfo_stats_incoming *in)
{
	const json_t *st = rfo_json_object(root, "streaming");
	const json_t *br = rfo_json_object(st, "bitrate");
	const json_t *codec = rfo_json_object(st, "codec");
	in->present = true;
	in->bitrate_total = int_or_unknown(br, "total");
	in->bitrate_audio = int_or_unknown(br, "audio");
	in->bitrate_video = int_or_unknown(br, "video");
	if (!rfo_json_double(st, "fps", &in->fps) || in->fps < 0)
		in->fps = -1;
	if (!rfo_json_double(st, "lossRate", &in->loss_rate) || in->loss_rate < 0)
		in->loss_rate = -1;
	in->width = int_or_unknown(st, "width");
	in->height = int_or_unknown(st, "height");
	in->keyframe_interval = int_or_unknown(st, "keyframeInterval");
	copy_field(in->video_codec, sizeof(in->video_codec), codec, "video");
	copy_field(in->audio_codec, sizeof(in->audio_codec), codec, "audio");
	copy_field(in->profile, sizeof(in->profile), st, "profileAndLevel");
	copy_field(in->suid, sizeof(in->suid), root, "suid");
	copy_field(in->event_id, sizeof(in->event_id), root, "eventId");
}

static enum rfo_stats_out_status parse_status(const char *s)
{
	if (!s)
		return RFO_STATS_OUT_NONE;
	if (strcmp(s, "CONNECTING") == 0)
		return RFO_STATS_OUT_CONNECTING;
	if (strcmp(s, "CONNECTED") == 0)
		return RFO_STATS_OUT_CONNECTED;
	if (strcmp(s, "DISCONNECTED") == 0)
		return RFO_STATS_OUT_DISCONNECTED;
	return RFO_STATS_OUT_OTHER;
}

static const struct {
	const char *name;
	enum rfo_stats_action action;
} actions[] = {
	{"updateIncoming", RFO_STATS_UPDATE_INCOMING}, {"deleteIncoming", RFO_STATS_DELETE_INCOMING},
	{"updateOutgoing", RFO_STATS_UPDATE_OUTGOING}, {"deleteOutgoing", RFO_STATS_DELETE_OUTGOING},
	{"updateStatuses", RFO_STATS_UPDATE_STATUSES},
};

bool rfo_stats_parse(const char *data, size_t len, struct rfo_stats_frame *frame, struct rfo_error *err)
{
	memset(frame, 0, sizeof(*frame));
	json_t *root = rfo_json_load_object(data, len, "a stream status update", err);
	if (!root)
		return false;

	const char *action = rfo_json_str(root, "action");
	for (size_t i = 0; action && i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].name, action) == 0)
			frame->action = actions[i].action;
	}
	rfo_json_int(root, "createdAt", &frame->created_at);

	struct rfo_stats_channel *ch = &frame->channel;
	rfo_json_int(root, "channelId", &ch->channel_id);
	rfo_json_int(root, "platformId", &ch->platform_id);
	if (ch->channel_id < 0)
		ch->channel_id = 0;

	switch (frame->action) {
	case RFO_STATS_UPDATE_INCOMING:
		parse_incoming(root, &frame->incoming);
		break;
	case RFO_STATS_UPDATE_OUTGOING: {
		const json_t *st = rfo_json_object(root, "streaming");
		ch->has_outgoing = true;
		ch->status = parse_status(rfo_json_str(st, "status"));
		ch->bitrate = int_or_unknown(st, "bitrate");
		break;
	}
	case RFO_STATS_UPDATE_STATUSES: {
		bool online;
		ch->has_statuses = true;
		ch->online = rfo_json_bool(root, "online", &online) ? (online ? 1 : 0) : -1;
		ch->viewers = int_or_unknown(root, "viewers");
		ch->followers = int_or_unknown(root, "followers");
		ch->channel_views = int_or_unknown(root, "channelViews");
		ch->stream_views = int_or_unknown(root, "streamViews");
		ch->title = title_dup(root, "title");
		ch->game_title = title_dup(root, "gameTitle");
		break;
	}
	default:
		break;
	}
	json_decref(root);
	return true;
}

void rfo_stats_frame_free(struct rfo_stats_frame *frame)
{
	if (!frame)
		return;
	bfree(frame->channel.title);
	bfree(frame->channel.game_title);
	memset(frame, 0, sizeof(*frame));
}

/* ---- state ------------------------------------------------------------------------------------------ */

void rfo_stats_state_init(struct rfo_stats_state *state)
{
	memset(state, 0, sizeof(*state));
}

static void channel_free(struct rfo_stats_channel *c)
{
	bfree(c->title);
	bfree(c->game_title);
}

void rfo_stats_state_free(struct rfo_stats_state *state)
{
	if (!state)
		return;
	for (size_t i = 0; i < state->num_channels; i++)
		channel_free(&state->channels[i]);
	bfree(state->channels);
	memset(state, 0, sizeof(*state));
}

void rfo_stats_state_copy(struct rfo_stats_state *dst, const struct rfo_stats_state *src)
{
	rfo_stats_state_free(dst);
	dst->incoming = src->incoming;
	if (src->num_channels) {
		dst->channels = bmalloc(sizeof(*dst->channels) * src->num_channels);
		dst->capacity = dst->num_channels = src->num_channels;
		for (size_t i = 0; i < src->num_channels; i++) {
			dst->channels[i] = src->channels[i];
			dst->channels[i].title = src->channels[i].title ? bstrdup(src->channels[i].title) : NULL;
			dst->channels[i].game_title =
				src->channels[i].game_title ? bstrdup(src->channels[i].game_title) : NULL;
		}
	}
}

/* Index of channel_id, or its insertion point. */
static size_t find_index(const struct rfo_stats_state *s, int64_t id, bool *found)
{
	size_t lo = 0, hi = s->num_channels;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->channels[mid].channel_id == id) {
			*found = true;
			return mid;
		}
		if (s->channels[mid].channel_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

const struct rfo_stats_channel *rfo_stats_find(const struct rfo_stats_state *s, int64_t channel_id)
{
	bool found;
	size_t i = find_index(s, channel_id, &found);
	return found ? &s->channels[i] : NULL;
}

static struct rfo_stats_channel *get_row(struct rfo_stats_state *s, int64_t id, bool create)
{
	bool found;
	size_t i = find_index(s, id, &found);
	if (found)
		return &s->channels[i];
	if (!create || s->num_channels >= RFO_STATS_MAX_CHANNELS)
		return NULL;
	if (s->num_channels == s->capacity) {
		s->capacity = s->capacity ? s->capacity * 2 : 8;
		s->channels = brealloc(s->channels, sizeof(*s->channels) * s->capacity);
	}
	memmove(&s->channels[i + 1], &s->channels[i], sizeof(*s->channels) * (s->num_channels - i));
	s->num_channels++;
	struct rfo_stats_channel *c = &s->channels[i];
	memset(c, 0, sizeof(*c));
	c->channel_id = id;
	c->bitrate = -1;
	c->online = -1;
	c->viewers = c->followers = c->channel_views = c->stream_views = -1;
	return c;
}

static void remove_row(struct rfo_stats_state *s, size_t i)
{
	channel_free(&s->channels[i]);
	memmove(&s->channels[i], &s->channels[i + 1], sizeof(*s->channels) * (s->num_channels - i - 1));
	s->num_channels--;
}

static void clear_outgoing(struct rfo_stats_channel *c)
{
	c->has_outgoing = false;
	c->status = RFO_STATS_OUT_NONE;
	c->bitrate = -1;
}

bool rfo_stats_apply(struct rfo_stats_state *s, const struct rfo_stats_frame *f, int64_t now)
{
	const struct rfo_stats_channel *fc = &f->channel;
	struct rfo_stats_channel *c;

	switch (f->action) {
	case RFO_STATS_UPDATE_INCOMING:
		if (s->incoming.created_at && f->created_at && f->created_at < s->incoming.created_at)
			return false;
		s->incoming = f->incoming;
		s->incoming.present = true;
		s->incoming.created_at = f->created_at ? f->created_at : s->incoming.created_at;
		s->incoming.updated_at = now;
		return true;

	case RFO_STATS_DELETE_INCOMING: {
		if (s->incoming.created_at && f->created_at && f->created_at < s->incoming.created_at)
			return false;
		bool was = s->incoming.present;
		memset(&s->incoming, 0, sizeof(s->incoming));
		s->incoming.created_at = f->created_at; /* guards against an older replayed update */
		return was;
	}

	case RFO_STATS_UPDATE_OUTGOING:
		if (!fc->channel_id || !(c = get_row(s, fc->channel_id, true)))
			return false;
		if (c->has_outgoing && f->created_at && f->created_at < c->out_created_at)
			return false;
		c->has_outgoing = true;
		c->status = fc->status;
		c->bitrate = fc->bitrate;
		if (f->created_at)
			c->out_created_at = f->created_at;
		if (fc->platform_id)
			c->platform_id = fc->platform_id;
		c->updated_at = now;
		return true;

	case RFO_STATS_DELETE_OUTGOING: {
		bool found;
		size_t i = find_index(s, fc->channel_id, &found);
		if (!fc->channel_id || !found)
			return false;
		c = &s->channels[i];
		if (f->created_at && f->created_at < c->out_created_at)
			return false;
		clear_outgoing(c);
		if (!c->has_statuses)
			remove_row(s, i);
		return true;
	}

	case RFO_STATS_UPDATE_STATUSES:
		if (!fc->channel_id || !(c = get_row(s, fc->channel_id, true)))
			return false;
		if (c->has_statuses && f->created_at && f->created_at < c->st_created_at)
			return false;
		c->has_statuses = true;
		c->online = fc->online;
		c->viewers = fc->viewers;
		c->followers = fc->followers;
		c->channel_views = fc->channel_views;
		c->stream_views = fc->stream_views;
		bfree(c->title);
		bfree(c->game_title);
		c->title = fc->title ? bstrdup(fc->title) : NULL;
		c->game_title = fc->game_title ? bstrdup(fc->game_title) : NULL;
		if (f->created_at)
			c->st_created_at = f->created_at;
		if (fc->platform_id)
			c->platform_id = fc->platform_id;
		c->updated_at = now;
		return true;

	case RFO_STATS_UNKNOWN:
		break;
	}
	return false;
}

size_t rfo_stats_age_out(struct rfo_stats_state *s, int64_t now, int64_t max_age_s)
{
	if (max_age_s <= 0)
		max_age_s = RFO_STATS_DEFAULT_MAX_AGE;
	size_t dropped = 0;
	for (size_t i = s->num_channels; i-- > 0;) {
		if (now - s->channels[i].updated_at > max_age_s) {
			remove_row(s, i);
			dropped++;
		}
	}
	if (s->incoming.present && now - s->incoming.updated_at > max_age_s) {
		int64_t created = s->incoming.created_at;
		memset(&s->incoming, 0, sizeof(s->incoming));
		s->incoming.created_at = created;
	}
	return dropped;
}

int64_t rfo_stats_total_viewers(const struct rfo_stats_state *s)
{
	int64_t total = 0;
	for (size_t i = 0; i < s->num_channels; i++) {
		const struct rfo_stats_channel *c = &s->channels[i];
		if (c->online == 1 && c->viewers > 0 && total <= INT64_MAX - c->viewers)
			total += c->viewers;
	}
	return total;
}

const char *rfo_stats_out_status_name(enum rfo_stats_out_status st)
{
	switch (st) {
	case RFO_STATS_OUT_CONNECTING:
		return "CONNECTING";
	case RFO_STATS_OUT_CONNECTED:
		return "CONNECTED";
	case RFO_STATS_OUT_DISCONNECTED:
		return "DISCONNECTED";
	case RFO_STATS_OUT_OTHER:
		return "OTHER";
	case RFO_STATS_OUT_NONE:
		break;
	}
	return "";
}

/* ---- thread-safe holder ------------------------------------------------------------------------- */

struct rfo_stats {
	/* Guards `state`: the streaming socket thread applies frames, any thread snapshots. A leaf lock. */
	pthread_mutex_t mutex;
	struct rfo_stats_state state;
};

struct rfo_stats *rfo_stats_create(void)
{
	struct rfo_stats *st = bzalloc(sizeof(*st));
	if (pthread_mutex_init(&st->mutex, NULL) != 0) {
		bfree(st);
		return NULL;
	}
	return st;
}

void rfo_stats_destroy(struct rfo_stats *st)
{
	if (!st)
		return;
	rfo_stats_state_free(&st->state);
	pthread_mutex_destroy(&st->mutex);
	bfree(st);
}

bool rfo_stats_push_frame(struct rfo_stats *st, const struct rfo_stats_frame *frame, int64_t now)
{
	pthread_mutex_lock(&st->mutex);
	bool changed = rfo_stats_apply(&st->state, frame, now);
	pthread_mutex_unlock(&st->mutex);
	return changed;
}

bool rfo_stats_feed(struct rfo_stats *st, const char *data, size_t len, int64_t now, struct rfo_error *err)
{
	struct rfo_stats_frame frame;
	bool changed = false;
	if (rfo_stats_parse(data, len, &frame, err))
		changed = rfo_stats_push_frame(st, &frame, now);
	rfo_stats_frame_free(&frame);
	return changed;
}

size_t rfo_stats_prune(struct rfo_stats *st, int64_t now, int64_t max_age_s)
{
	pthread_mutex_lock(&st->mutex);
	size_t n = rfo_stats_age_out(&st->state, now, max_age_s);
	pthread_mutex_unlock(&st->mutex);
	return n;
}

void rfo_stats_snapshot(struct rfo_stats *st, struct rfo_stats_state *out)
{
	pthread_mutex_lock(&st->mutex);
	rfo_stats_state_copy(out, &st->state);
	pthread_mutex_unlock(&st->mutex);
}

void rfo_stats_reset(struct rfo_stats *st)
{
	pthread_mutex_lock(&st->mutex);
	rfo_stats_state_free(&st->state);
	pthread_mutex_unlock(&st->mutex);
}
