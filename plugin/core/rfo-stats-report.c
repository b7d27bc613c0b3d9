/* Live stats report: labels, wire form, feed rules, rate gate. See rfo-stats-report.h. */
#include "rfo-stats-report.h"

#include <string.h>
#include <util/bmem.h>

void rfo_stats_report_init(struct rfo_stats_report *r)
{
	memset(r, 0, sizeof(*r));
}

static void free_labels(struct rfo_stats_report *r)
{
	for (size_t i = 0; i < r->state.num_channels; i++) {
		if (r->names)
			bfree(r->names[i]);
		if (r->platforms)
			bfree(r->platforms[i]);
	}
	bfree(r->names);
	bfree(r->platforms);
	bfree(r->alerts);
	r->names = r->platforms = NULL;
	r->alerts = NULL;
}

void rfo_stats_report_free(struct rfo_stats_report *r)
{
	if (!r)
		return;
	free_labels(r);
	rfo_stats_state_free(&r->state);
	memset(r, 0, sizeof(*r));
}

void rfo_stats_report_set_state(struct rfo_stats_report *r, const struct rfo_stats_state *state)
{
	free_labels(r);
	rfo_stats_state_copy(&r->state, state);
	if (r->state.num_channels) {
		r->names = bzalloc(sizeof(char *) * r->state.num_channels);
		r->platforms = bzalloc(sizeof(char *) * r->state.num_channels);
		r->alerts = bzalloc(sizeof(bool) * r->state.num_channels);
	}
}

void rfo_stats_report_label_take(struct rfo_stats_report *r, size_t i, char *name, char *platform)
{
	if (i >= r->state.num_channels) {
		bfree(name);
		bfree(platform);
		return;
	}
	bfree(r->names[i]);
	bfree(r->platforms[i]);
	r->names[i] = name;
	r->platforms[i] = platform;
}

const char *rfo_stats_status_text(enum rfo_stats_out_status s)
{
	switch (s) {
	case RFO_STATS_OUT_CONNECTING:
		return "connecting";
	case RFO_STATS_OUT_CONNECTED:
		return "connected";
	case RFO_STATS_OUT_DISCONNECTED:
		return "disconnected";
	case RFO_STATS_OUT_NONE:
	case RFO_STATS_OUT_OTHER:
		break;
	}
	return "unknown";
}

static void set_known_int(obs_data_t *d, const char *key, int64_t v)
{
	if (v >= 0)
		obs_data_set_int(d, key, (long long)v);
}

static void set_nonempty(obs_data_t *d, const char *key, const char *v)
{
	if (v && *v)
		obs_data_set_string(d, key, v);
}

static obs_data_t *incoming_data(const struct rfo_stats_incoming *in)
{
	obs_data_t *d = obs_data_create();
	set_known_int(d, "bitrate", in->bitrate_total);
	if (in->fps >= 0)
		obs_data_set_double(d, "fps", in->fps);
	set_known_int(d, "width", in->width);
	set_known_int(d, "height", in->height);
	set_nonempty(d, "videoCodec", in->video_codec);
	set_nonempty(d, "audioCodec", in->audio_codec);
	set_known_int(d, "audioBitrate", in->bitrate_audio);
	set_known_int(d, "videoBitrate", in->bitrate_video);
	set_known_int(d, "keyframeInterval", in->keyframe_interval);
	if (in->loss_rate >= 0)
		obs_data_set_double(d, "lossRate", in->loss_rate);
	set_nonempty(d, "profile", in->profile);
	return d;
}

static obs_data_t *channel_data(const struct rfo_stats_report *r, size_t i)
{
	const struct rfo_stats_channel *c = &r->state.channels[i];
	obs_data_t *d = obs_data_create();
	obs_data_set_int(d, "channelId", (long long)c->channel_id);
	obs_data_set_int(d, "platformId", (long long)c->platform_id);
	obs_data_set_string(d, "status", rfo_stats_status_text(c->status));
	if (r->alerts && r->alerts[i])
		obs_data_set_bool(d, "alert", true);
	set_known_int(d, "bitrate", c->bitrate);
	set_known_int(d, "viewers", c->viewers);
	if (c->online >= 0)
		obs_data_set_bool(d, "online", c->online == 1);
	set_nonempty(d, "title", c->title);
	if (r->names)
		set_nonempty(d, "displayName", r->names[i]);
	if (r->platforms)
		set_nonempty(d, "platformName", r->platforms[i]);
	return d;
}

bool rfo_stats_viewers_known(const struct rfo_stats_state *state)
{
	for (size_t i = 0; i < state->num_channels; i++) {
		if (state->channels[i].online == 1 && state->channels[i].viewers >= 0)
			return true;
	}
	return false;
}

void rfo_stats_report_fill(const struct rfo_stats_report *r, obs_data_t *out)
{
	if (r->state.incoming.present) {
		obs_data_t *in = incoming_data(&r->state.incoming);
		obs_data_set_obj(out, "incoming", in);
		obs_data_release(in);
	}
	obs_data_array_t *arr = obs_data_array_create();
	for (size_t i = 0; i < r->state.num_channels; i++) {
		obs_data_t *d = channel_data(r, i);
		obs_data_array_push_back(arr, d);
		obs_data_release(d);
	}
	obs_data_set_array(out, "channels", arr);
	obs_data_array_release(arr);
	obs_data_set_int(out, "totalViewers", (long long)rfo_stats_total_viewers(&r->state));
	obs_data_set_bool(out, "viewersKnown", rfo_stats_viewers_known(&r->state));
	if (r->link)
		obs_data_set_string(out, "streaming", r->link);
}

/* ---- feed rules ---------------------------------------------------------------------------------- */

bool rfo_stats_drop_channel(struct rfo_stats_state *s, int64_t channel_id)
{
	for (size_t i = 0; i < s->num_channels; i++) {
		if (s->channels[i].channel_id != channel_id)
			continue;
		bfree(s->channels[i].title);
		bfree(s->channels[i].game_title);
		memmove(&s->channels[i], &s->channels[i + 1], sizeof(*s->channels) * (s->num_channels - i - 1));
		s->num_channels--;
		return true;
	}
	return false;
}

bool rfo_stats_apply_frame(struct rfo_stats_state *s, const struct rfo_stats_frame *f, int64_t now)
{
	bool changed = rfo_stats_apply(s, f, now);
	/* rfo_stats_apply refuses a deleteOutgoing older than the row's last push; keep that rule. */
	if (changed && f->action == RFO_STATS_DELETE_OUTGOING)
		rfo_stats_drop_channel(s, f->channel.channel_id);
	return changed;
}

bool rfo_stats_expire(struct rfo_stats_state *s, int64_t now, int64_t max_age_s)
{
	bool had_incoming = s->incoming.present;
	size_t dropped = rfo_stats_age_out(s, now, max_age_s);
	return dropped > 0 || had_incoming != s->incoming.present;
}

bool rfo_stats_prune_before(struct rfo_stats_state *s, int64_t since)
{
	/* age_out drops rows with now - updated_at > max_age, i.e. updated_at < since */
	return rfo_stats_expire(s, since + 1, 1);
}

/* ---- rate gate ------------------------------------------------------------------------------------- */

void rfo_rate_gate_init(struct rfo_rate_gate *g, uint64_t interval_ns)
{
	memset(g, 0, sizeof(*g));
	g->interval_ns = interval_ns;
}

void rfo_rate_gate_mark(struct rfo_rate_gate *g)
{
	g->pending = true;
}

uint64_t rfo_rate_gate_wait_ns(const struct rfo_rate_gate *g, uint64_t now_ns)
{
	if (!g->pending || !g->sent || now_ns < g->last_ns)
		return 0;
	uint64_t since = now_ns - g->last_ns;
	return since >= g->interval_ns ? 0 : g->interval_ns - since;
}

bool rfo_rate_gate_take(struct rfo_rate_gate *g, uint64_t now_ns)
{
	if (!g->pending || rfo_rate_gate_wait_ns(g, now_ns) > 0)
		return false;
	g->pending = false;
	g->sent = true;
	g->last_ns = now_ns;
	return true;
}
