/* The "Restream Viewers" source (restream_viewers_source): the total viewer count from the streaming socket in a
 * format text, optionally each platform's count. */
#include "rfo-chat-look.h"
#include "rfo-overlays-private.h"
#include "rfo-overlays.h"

#include <obs-module.h>
#include <stdio.h>
#include <string.h>
#include <util/bmem.h>

#define S_FORMAT "format"
#define S_PER_PLATFORM "per_platform"
#define S_HIDE_OFFLINE "hide_offline"

void rfo_viewers_source_read(obs_data_t *settings, struct rfo_overlay_settings *s)
{
	snprintf(s->format, sizeof(s->format), "%s", obs_data_get_string(settings, S_FORMAT));
	s->per_platform = obs_data_get_bool(settings, S_PER_PLATFORM);
	s->hide_offline = obs_data_get_bool(settings, S_HIDE_OFFLINE);
}

static const char *get_name(void *type_data)
{
	UNUSED_PARAMETER(type_data);
	return obs_module_text("Overlays.Viewers.Name");
}

static void *create(obs_data_t *settings, obs_source_t *source)
{
	return rfo_overlay_new(RFO_OVERLAY_VIEWERS, source, settings);
}

static void get_defaults(obs_data_t *settings)
{
	rfo_overlay_look_defaults(settings, 480, 120, 48);
	obs_data_set_default_string(settings, S_FORMAT, obs_module_text("Overlays.Format.Default"));
	obs_data_set_default_bool(settings, S_PER_PLATFORM, false);
	obs_data_set_default_bool(settings, S_HIDE_OFFLINE, true);
}

static obs_properties_t *get_properties(void *data)
{
	obs_properties_t *props = obs_properties_create();
	obs_properties_add_text(props, S_FORMAT, obs_module_text("Overlays.Format"), OBS_TEXT_DEFAULT);
	obs_properties_add_bool(props, S_PER_PLATFORM, obs_module_text("Overlays.PerPlatform"));
	obs_properties_add_bool(props, S_HIDE_OFFLINE, obs_module_text("Overlays.HideOffline"));
	rfo_overlay_add_platforms(props, data);
	rfo_overlay_add_look(props);
	return props;
}

void rfo_viewers_source_register(void)
{
	struct obs_source_info info = {
		.id = RFO_VIEWERS_SOURCE_ID,
		.get_name = get_name,
		.create = create,
		.get_defaults = get_defaults,
		.get_properties = get_properties,
	};
	rfo_overlay_register_kind(&info);
}

/* ---- what it shows (the worker) -------------------------------------------------------------------- */

struct platform_sum {
	const char *platform;
	int64_t viewers; /* -1: none reported */
	bool online;
};

/* Per platform (in the filter's order), summed over its channels. */
static size_t sum_platforms(const struct rfo_overlay_round *r, uint32_t mask, struct platform_sum *out, int64_t *total)
{
	size_t n = 0;
	*total = r->stats_known ? 0 : -1;
	for (size_t i = 0; i < rfo_overlay_platform_count(); i++) {
		const char *name = rfo_overlay_platform(i);
		struct platform_sum sum = {name, -1, false};
		for (size_t c = 0; c < r->num_channels; c++) {
			const struct rfo_overlay_channel *ch = &r->channels[c];
			if (rfo_overlay_platform_index(ch->platform) != (int)i)
				continue;
			sum.online |= ch->online;
			if (ch->online && ch->viewers >= 0)
				sum.viewers = (sum.viewers < 0 ? 0 : sum.viewers) + ch->viewers;
		}
		if (!rfo_overlay_filter_match(mask, name) || (sum.viewers < 0 && !sum.online))
			continue;
		if (sum.viewers > 0 && *total >= 0)
			*total += sum.viewers;
		out[n++] = sum;
	}
	/* channels of platforms this list does not name count when every platform is shown */
	for (size_t c = 0; c < r->num_channels && (mask == 0 || mask == rfo_overlay_filter_all()); c++) {
		const struct rfo_overlay_channel *ch = &r->channels[c];
		const bool listed = rfo_overlay_platform_index(ch->platform) >= 0;
		if (!listed && ch->online && ch->viewers > 0 && *total >= 0)
			*total += ch->viewers;
	}
	return n;
}

void rfo_viewers_source_build(struct rfo_overlay_paint *p, const struct rfo_overlay_round *r)
{
	const struct rfo_overlay_settings *s = &p->settings;
	struct platform_sum sums[32];
	int64_t total = 0;
	size_t n = sum_platforms(r, s->platforms, sums, &total);
	size_t lines = 0;
	char *text = rfo_overlay_format_viewers(s->format, total, ',');
	p->lines[lines++] = (struct rfo_ui_overlay_line){.text = rfo_overlay_paint_keep(p, text), .alpha = 1.0f};
	p->key = rfo_overlay_hash_str(p->key, text);
	for (size_t i = 0; s->per_platform && i < n && lines < RFO_OVERLAY_MAX_LINES; i++) {
		if (s->hide_offline && (!sums[i].online || sums[i].viewers < 0))
			continue;
		char count[32];
		if (sums[i].viewers < 0)
			snprintf(count, sizeof(count), "\xE2\x80\x93");
		else
			snprintf(count, sizeof(count), "%lld", (long long)sums[i].viewers);
		struct rfo_ui_overlay_line *l = &p->lines[lines++];
		*l = (struct rfo_ui_overlay_line){
			.platform = sums[i].platform,
			.platform_color = rfo_chat_platform_accent(sums[i].platform),
			.text = rfo_overlay_paint_keep(p, bstrdup(count)),
			.alpha = 1.0f,
		};
		p->key = rfo_overlay_hash_str(p->key, sums[i].platform);
		p->key = rfo_overlay_hash_str(p->key, count);
	}
	/* the last line goes on top with newest_top: the total first, then the platforms downwards */
	for (size_t i = 0; i < lines / 2; i++) {
		struct rfo_ui_overlay_line t = p->lines[i];
		p->lines[i] = p->lines[lines - 1 - i];
		p->lines[lines - 1 - i] = t;
	}
	p->num_lines = lines;
	p->newest_top = true;
	p->frame.centered = true;
}
