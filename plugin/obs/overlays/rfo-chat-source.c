/* The "Restream Chat" source (restream_chat_source): its properties and what it shows from the chat store. */
#include "rfo-chat-look.h"
#include "rfo-overlays-private.h"
#include "rfo-overlays.h"

#include <obs-module.h>
#include <string.h>
#include <time.h>
#include <util/bmem.h>

#define S_KIND_TEXT "kind_text"
#define S_KIND_DONATION "kind_donation"
#define S_KIND_STICKER "kind_sticker"
#define S_KIND_REPLY "kind_reply"
#define S_KIND_SYSTEM "kind_system"
#define S_MAX_LINES "max_lines"
#define S_LIFETIME "lifetime"
#define S_FADE "fade"
#define S_NEWEST_TOP "newest_top"
#define S_PLATFORM_COLORS "platform_colors"
#define S_TIMESTAMPS "timestamps"
#define S_EMOTES "emotes"
#define S_HIGHLIGHT "highlight_donations"

static const struct {
	const char *key;
	const char *text;
	enum rfo_chat_kind kind;
} kinds[] = {
	{S_KIND_TEXT, "Overlays.Kind.Text", RFO_CHAT_KIND_TEXT},
	{S_KIND_DONATION, "Overlays.Kind.Donation", RFO_CHAT_KIND_DONATION},
	{S_KIND_STICKER, "Overlays.Kind.Sticker", RFO_CHAT_KIND_STICKER},
	{S_KIND_REPLY, "Overlays.Kind.Reply", RFO_CHAT_KIND_REPLY},
	{S_KIND_SYSTEM, "Overlays.Kind.System", RFO_CHAT_KIND_SYSTEM},
};
#define KIND_COUNT (sizeof(kinds) / sizeof(kinds[0]))

void rfo_chat_source_read(obs_data_t *settings, struct rfo_overlay_settings *s)
{
	s->select.kinds = 0;
	for (size_t i = 0; i < KIND_COUNT; i++)
		if (obs_data_get_bool(settings, kinds[i].key))
			s->select.kinds |= RFO_OVERLAY_KIND_BIT(kinds[i].kind);
	long long lines = obs_data_get_int(settings, S_MAX_LINES);
	s->select.max_lines = lines < 1 ? 1 : lines > RFO_OVERLAY_MAX_LINES ? RFO_OVERLAY_MAX_LINES : (uint32_t)lines;
	long long life = obs_data_get_int(settings, S_LIFETIME);
	long long fade = obs_data_get_int(settings, S_FADE);
	s->select.lifetime_ms = life <= 0 ? 0 : life > 86400 ? 86400000u : (uint32_t)life * 1000u;
	s->select.fade_ms = fade <= 0 ? 0 : fade > 60 ? 60000u : (uint32_t)fade * 1000u;
	s->select.platforms = s->platforms;
	s->newest_top = obs_data_get_bool(settings, S_NEWEST_TOP);
	s->platform_colors = obs_data_get_bool(settings, S_PLATFORM_COLORS);
	s->timestamps = obs_data_get_bool(settings, S_TIMESTAMPS);
	s->emotes = obs_data_get_bool(settings, S_EMOTES);
	s->highlight_donations = obs_data_get_bool(settings, S_HIGHLIGHT);
}

static const char *get_name(void *type_data)
{
	UNUSED_PARAMETER(type_data);
	return obs_module_text("Overlays.Chat.Name");
}

static void *create(obs_data_t *settings, obs_source_t *source)
{
	return rfo_overlay_new(RFO_OVERLAY_CHAT, source, settings);
}

static void get_defaults(obs_data_t *settings)
{
	rfo_overlay_look_defaults(settings, 600, 800, 32);
	for (size_t i = 0; i < KIND_COUNT; i++)
		obs_data_set_default_bool(settings, kinds[i].key, true);
	obs_data_set_default_int(settings, S_MAX_LINES, 10);
	obs_data_set_default_int(settings, S_LIFETIME, 0);
	obs_data_set_default_int(settings, S_FADE, 1);
	obs_data_set_default_bool(settings, S_NEWEST_TOP, false);
	obs_data_set_default_bool(settings, S_PLATFORM_COLORS, true);
	obs_data_set_default_bool(settings, S_TIMESTAMPS, false);
	obs_data_set_default_bool(settings, S_EMOTES, true);
	obs_data_set_default_bool(settings, S_HIGHLIGHT, true);
}

static obs_properties_t *get_properties(void *data)
{
	obs_properties_t *props = obs_properties_create();
	rfo_overlay_add_platforms(props, data);
	obs_properties_t *group = obs_properties_create();
	for (size_t i = 0; i < KIND_COUNT; i++)
		obs_properties_add_bool(group, kinds[i].key, obs_module_text(kinds[i].text));
	obs_properties_add_group(props, "kinds", obs_module_text("Overlays.Kinds"), OBS_GROUP_NORMAL, group);
	obs_properties_add_int(props, S_MAX_LINES, obs_module_text("Overlays.MaxLines"), 1, RFO_OVERLAY_MAX_LINES, 1);
	obs_properties_add_int(props, S_LIFETIME, obs_module_text("Overlays.Lifetime"), 0, 86400, 1);
	obs_properties_add_int(props, S_FADE, obs_module_text("Overlays.Fade"), 0, 60, 1);
	obs_properties_add_bool(props, S_NEWEST_TOP, obs_module_text("Overlays.NewestTop"));
	obs_properties_add_bool(props, S_PLATFORM_COLORS, obs_module_text("Overlays.PlatformColors"));
	obs_properties_add_bool(props, S_TIMESTAMPS, obs_module_text("Overlays.Timestamps"));
	obs_properties_add_bool(props, S_EMOTES, obs_module_text("Overlays.Emotes"));
	obs_properties_add_bool(props, S_HIGHLIGHT, obs_module_text("Overlays.HighlightDonations"));
	rfo_overlay_add_look(props);
	return props;
}

void rfo_chat_source_register(void)
{
	struct obs_source_info info = {
		.id = RFO_CHAT_SOURCE_ID,
		.get_name = get_name,
		.create = create,
		.get_defaults = get_defaults,
		.get_properties = get_properties,
	};
	rfo_overlay_register_kind(&info);
}

/* ---- what it shows (the worker) -------------------------------------------------------------------- */

static const char *clock_text(struct rfo_overlay_paint *p, int64_t unix_s)
{
	time_t t = (time_t)unix_s;
	struct tm tm;
	char buf[16];
	if (!localtime_r(&t, &tm))
		return NULL;
	strftime(buf, sizeof(buf), "%H:%M", &tm);
	return rfo_overlay_paint_keep(p, bstrdup(buf));
}

/* A line's emotes: drawn as images once the painter has them; those it has not are fetched meanwhile (never waited
 * for: the line shows the code words and is painted again when an image arrives). False when the fetcher was busy
 * and a later round must ask again. */
static bool line_emotes(struct rfo_overlay_paint *p, struct rfo_ui_overlay_line *l, const struct rfo_chat_message *m,
			const struct rfo_overlay_round *r)
{
	bool asked = true;
	if (!p->settings.emotes || !m->num_emotes || !r->view)
		return true;
	l->emotes = m->emotes;
	l->emote_count = m->num_emotes;
	for (size_t i = 0; i < m->num_emotes; i++)
		asked &= rfo_overlay_images_want(r->view, m->emotes[i].url);
	p->key = rfo_overlay_hash(p->key, &r->images_generation, sizeof(r->images_generation));
	return asked;
}

void rfo_chat_source_build(struct rfo_overlay_paint *p, const struct rfo_overlay_round *r, uint64_t *next_ms)
{
	const struct rfo_overlay_settings *s = &p->settings;
	struct rfo_overlay_select_opts opts = s->select;
	opts.fade_step_ms = r->step_ms;
	struct rfo_overlay_pick picks[RFO_OVERLAY_MAX_LINES];
	size_t n = rfo_overlay_select((const struct rfo_chat_message *const *)r->messages, r->ages_ms, r->num_messages,
				      &opts, picks, next_ms);
	p->messages = n ? bzalloc(n * sizeof(*p->messages)) : NULL;
	bool asked = true;
	for (size_t i = 0; i < n; i++) {
		struct rfo_chat_message *m = rfo_chat_message_addref(r->messages[picks[i].index]);
		p->messages[p->num_messages++] = m;
		struct rfo_ui_overlay_line *l = &p->lines[i];
		uint32_t accent = rfo_chat_platform_accent(m->platform);
		uint32_t author = accent;
		if (m->author_color)
			rfo_chat_color_parse(m->author_color, &author);
		l->platform = m->platform;
		l->platform_color = accent;
		l->author = m->kind == RFO_CHAT_KIND_REPLY && !*m->author ? NULL : m->author;
		l->author_color = author;
		l->text = m->text;
		l->donation = m->donation;
		l->time = s->timestamps ? clock_text(p, m->timestamp ? m->timestamp : (int64_t)time(NULL)) : NULL;
		l->highlight = s->highlight_donations && m->kind == RFO_CHAT_KIND_DONATION;
		l->system = m->kind == RFO_CHAT_KIND_SYSTEM;
		l->alpha = picks[i].alpha;
		asked &= line_emotes(p, l, m, r);
		p->key = rfo_overlay_hash(p->key, &m->seq, sizeof(m->seq));
		p->key = rfo_overlay_hash(p->key, &l->alpha, sizeof(l->alpha));
		p->key = rfo_overlay_hash_str(p->key, l->time);
	}
	if (!asked && *next_ms > RFO_OVERLAY_IMAGE_RETRY_MS)
		*next_ms = RFO_OVERLAY_IMAGE_RETRY_MS;
	p->num_lines = n;
	p->newest_top = s->newest_top;
	p->frame.platform_colors = s->platform_colors;
}
