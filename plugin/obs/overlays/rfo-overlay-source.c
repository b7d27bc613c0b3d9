/* What both overlay sources share: the instance (its settings and lifetime; what it draws is in rfo-overlay-draw.c),
 * the source callbacks around it, and the look's properties. See rfo-overlays.h. */
#include "rfo-overlays-private.h"
#include "rfo-overlays.h"

#include <ctype.h>
#include <obs-module.h>
#include <string.h>
#include <util/bmem.h>

#define S_FONT "font"
#define S_TEXT_COLOR "text_color"
#define S_OUTLINE "outline"
#define S_SHADOW "shadow"
#define S_BG_COLOR "bg_color"
#define S_BG_OPACITY "bg_opacity"
#define S_PADDING "padding"
#define S_WIDTH "width"
#define S_HEIGHT "height"
#define S_LABEL "platform_label"
#define S_SHOW_PREFIX "show_"

/* ---- the instance ---------------------------------------------------------------------------------- */

struct rfo_overlay *rfo_overlay_new(enum rfo_overlay_kind kind, obs_source_t *source, obs_data_t *settings)
{
	struct rfo_overlay *o = bzalloc(sizeof(*o));
	o->kind = kind;
	o->source = source;
	o->refs = 1;
	pthread_mutex_init(&o->mutex, NULL);
	rfo_overlay_update(o, settings);
	rfo_overlays_add(o);
	return o;
}

struct rfo_overlay *rfo_overlay_addref(struct rfo_overlay *o)
{
	os_atomic_inc_long(&o->refs);
	return o;
}

void rfo_overlay_release(struct rfo_overlay *o)
{
	if (!o || os_atomic_dec_long(&o->refs) > 0)
		return;
	rfo_overlay_free_layouts(o);
	pthread_mutex_destroy(&o->mutex);
	bfree(o);
}

void rfo_overlay_destroy(struct rfo_overlay *o)
{
	if (!o)
		return;
	rfo_overlays_remove(o); /* the worker may still hold a reference: it only paints pictures */
	rfo_overlay_drop_textures(o);
	rfo_overlay_release(o);
}

static uint32_t argb_of(long long obs_color, uint32_t alpha)
{
	const uint32_t c = (uint32_t)obs_color; /* OBS: 0xAABBGGRR */
	return (alpha << 24) | ((c & 0xFF) << 16) | (c & 0xFF00) | ((c >> 16) & 0xFF);
}

static uint32_t clamp_u(long long v, uint32_t lo, uint32_t hi)
{
	return v<(long long)lo ? lo : v>(long long) hi ? hi : (uint32_t)v;
}

void rfo_overlay_update(struct rfo_overlay *o, obs_data_t *settings)
{
	struct rfo_overlay_settings s = {0};
	obs_data_t *font = obs_data_get_obj(settings, S_FONT);
	snprintf(s.font_face, sizeof(s.font_face), "%s", font ? obs_data_get_string(font, "face") : "");
	s.font_size = font ? (int)clamp_u(obs_data_get_int(font, "size"), 6, 512) : 32;
	const long long flags = font ? obs_data_get_int(font, "flags") : 0;
	s.bold = flags & OBS_FONT_BOLD;
	s.italic = flags & OBS_FONT_ITALIC;
	obs_data_release(font);
	s.text_color = argb_of(obs_data_get_int(settings, S_TEXT_COLOR), 0xFF);
	s.background = argb_of(obs_data_get_int(settings, S_BG_COLOR),
			       clamp_u(obs_data_get_int(settings, S_BG_OPACITY), 0, 100) * 255 / 100);
	s.outline = obs_data_get_bool(settings, S_OUTLINE);
	s.shadow = obs_data_get_bool(settings, S_SHADOW);
	s.padding = clamp_u(obs_data_get_int(settings, S_PADDING), 0, 512);
	s.width = clamp_u(obs_data_get_int(settings, S_WIDTH), 16, RFO_OVERLAY_MAX_SIDE);
	s.height = clamp_u(obs_data_get_int(settings, S_HEIGHT), 16, RFO_OVERLAY_MAX_SIDE);
	s.platforms = rfo_overlay_read_platforms(settings);
	const char *label = obs_data_get_string(settings, S_LABEL);
	s.label = strcmp(label, "name") == 0   ? RFO_UI_OVERLAY_LABEL_NAME
		  : strcmp(label, "none") == 0 ? RFO_UI_OVERLAY_LABEL_NONE
					       : RFO_UI_OVERLAY_LABEL_ICON;
	if (o->kind == RFO_OVERLAY_CHAT)
		rfo_chat_source_read(settings, &s);
	else
		rfo_viewers_source_read(settings, &s);

	pthread_mutex_lock(&o->mutex);
	s.generation = o->settings.generation + 1;
	o->settings = s;
	pthread_mutex_unlock(&o->mutex);
	rfo_overlays_wake();
}

uint32_t rfo_overlay_width(struct rfo_overlay *o)
{
	pthread_mutex_lock(&o->mutex);
	uint32_t w = o->settings.width;
	pthread_mutex_unlock(&o->mutex);
	return w;
}

uint32_t rfo_overlay_height(struct rfo_overlay *o)
{
	pthread_mutex_lock(&o->mutex);
	uint32_t h = o->settings.height;
	pthread_mutex_unlock(&o->mutex);
	return h;
}

/* ---- source callbacks both kinds use --------------------------------------------------------------- */

static void rfo_overlay_show(void *data)
{
	os_atomic_inc_long(&((struct rfo_overlay *)data)->showing);
	rfo_overlays_wake();
}

static void rfo_overlay_hide(void *data)
{
	os_atomic_dec_long(&((struct rfo_overlay *)data)->showing);
	rfo_overlays_wake();
}

static void rfo_overlay_activate(void *data)
{
	os_atomic_set_bool(&((struct rfo_overlay *)data)->active, true);
	rfo_overlays_wake();
}

static void rfo_overlay_deactivate(void *data)
{
	os_atomic_set_bool(&((struct rfo_overlay *)data)->active, false);
	rfo_overlays_wake();
}

static void rfo_overlay_video_render(void *data, gs_effect_t *effect)
{
	UNUSED_PARAMETER(effect);
	rfo_overlay_render(data);
}

static uint32_t rfo_overlay_get_width(void *data)
{
	return rfo_overlay_width(data);
}

static uint32_t rfo_overlay_get_height(void *data)
{
	return rfo_overlay_height(data);
}

static void rfo_overlay_source_update(void *data, obs_data_t *settings)
{
	rfo_overlay_update(data, settings);
}

static void rfo_overlay_source_destroy(void *data)
{
	rfo_overlay_destroy(data);
}

/* ---- platforms ------------------------------------------------------------------------------------- */

static void show_key(char *buf, size_t size, const char *platform)
{
	snprintf(buf, size, S_SHOW_PREFIX "%s", platform);
	for (char *c = buf; *c; c++)
		*c = (char)tolower((unsigned char)*c);
}

void rfo_overlay_set_platforms(obs_data_t *settings, uint32_t mask)
{
	char key[64];
	for (size_t i = 0; i < rfo_overlay_platform_count(); i++) {
		show_key(key, sizeof(key), rfo_overlay_platform(i));
		obs_data_set_bool(settings, key, mask == 0 || (mask & (1u << i)));
	}
}

uint32_t rfo_overlay_read_platforms(obs_data_t *settings)
{
	char key[64];
	uint32_t mask = 0;
	for (size_t i = 0; i < rfo_overlay_platform_count(); i++) {
		show_key(key, sizeof(key), rfo_overlay_platform(i));
		if (obs_data_get_bool(settings, key))
			mask |= 1u << i;
	}
	return mask == rfo_overlay_filter_all() ? 0 : mask;
}

static bool set_filter_clicked(obs_source_t *source, uint32_t mask)
{
	obs_data_t *settings = obs_source_get_settings(source);
	rfo_overlay_set_platforms(settings, mask);
	obs_source_update(source, settings);
	obs_data_release(settings);
	return true; /* the dialog shows the switches again */
}

static bool twitch_only_clicked(obs_properties_t *props, obs_property_t *p, void *data)
{
	UNUSED_PARAMETER(props);
	UNUSED_PARAMETER(p);
	struct rfo_overlay *o = data;
	uint32_t mask = 0;
	rfo_overlay_filter_parse("Twitch", &mask, NULL);
	return o && o->source ? set_filter_clicked(o->source, mask) : false;
}

static bool all_platforms_clicked(obs_properties_t *props, obs_property_t *p, void *data)
{
	UNUSED_PARAMETER(props);
	UNUSED_PARAMETER(p);
	struct rfo_overlay *o = data;
	return o && o->source ? set_filter_clicked(o->source, 0) : false;
}

void rfo_overlay_add_platforms(obs_properties_t *props, void *data)
{
	obs_properties_t *group = obs_properties_create();
	char key[64];
	for (size_t i = 0; i < rfo_overlay_platform_count(); i++) {
		const char *name = rfo_overlay_platform(i);
		show_key(key, sizeof(key), name);
		obs_properties_add_bool(group, key,
					strcmp(name, "Restream") == 0 ? obs_module_text("Overlays.Replies") : name);
	}
	obs_properties_add_button2(group, "twitch_only", obs_module_text("Overlays.TwitchOnly"), twitch_only_clicked,
				   data);
	obs_properties_add_button2(group, "all_platforms", obs_module_text("Overlays.AllPlatforms"),
				   all_platforms_clicked, data);
	obs_properties_add_group(props, "platforms", obs_module_text("Overlays.Platforms"), OBS_GROUP_NORMAL, group);
}

/* ---- the look -------------------------------------------------------------------------------------- */

void rfo_overlay_add_look(obs_properties_t *props)
{
	obs_properties_add_font(props, S_FONT, obs_module_text("Overlays.Font"));
	obs_properties_add_color(props, S_TEXT_COLOR, obs_module_text("Overlays.TextColor"));
	obs_property_t *label = obs_properties_add_list(props, S_LABEL, obs_module_text("Overlays.Label"),
							OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(label, obs_module_text("Overlays.Label.Icon"), "icon");
	obs_property_list_add_string(label, obs_module_text("Overlays.Label.Name"), "name");
	obs_property_list_add_string(label, obs_module_text("Overlays.Label.None"), "none");
	obs_properties_add_bool(props, S_OUTLINE, obs_module_text("Overlays.Outline"));
	obs_properties_add_bool(props, S_SHADOW, obs_module_text("Overlays.Shadow"));
	obs_properties_add_color(props, S_BG_COLOR, obs_module_text("Overlays.Background"));
	obs_properties_add_int_slider(props, S_BG_OPACITY, obs_module_text("Overlays.BackgroundOpacity"), 0, 100, 1);
	obs_properties_add_int(props, S_PADDING, obs_module_text("Overlays.Padding"), 0, 512, 1);
	obs_properties_add_int(props, S_WIDTH, obs_module_text("Overlays.Width"), 16, RFO_OVERLAY_MAX_SIDE, 1);
	obs_properties_add_int(props, S_HEIGHT, obs_module_text("Overlays.Height"), 16, RFO_OVERLAY_MAX_SIDE, 1);
}

void rfo_overlay_look_defaults(obs_data_t *settings, uint32_t width, uint32_t height, int font_size)
{
	obs_data_t *font = obs_data_create();
	obs_data_set_string(font, "face", "Sans Serif");
	obs_data_set_string(font, "style", "Regular");
	obs_data_set_int(font, "size", font_size);
	obs_data_set_int(font, "flags", 0);
	obs_data_set_default_obj(settings, S_FONT, font);
	obs_data_release(font);
	obs_data_set_default_int(settings, S_TEXT_COLOR, 0xFFFFFFFF);
	obs_data_set_default_string(settings, S_LABEL, "icon");
	obs_data_set_default_bool(settings, S_OUTLINE, true);
	obs_data_set_default_bool(settings, S_SHADOW, false);
	obs_data_set_default_int(settings, S_BG_COLOR, 0xFF000000);
	obs_data_set_default_int(settings, S_BG_OPACITY, 0);
	obs_data_set_default_int(settings, S_PADDING, 12);
	obs_data_set_default_int(settings, S_WIDTH, width);
	obs_data_set_default_int(settings, S_HEIGHT, height);
	char key[64];
	for (size_t i = 0; i < rfo_overlay_platform_count(); i++) {
		show_key(key, sizeof(key), rfo_overlay_platform(i));
		obs_data_set_default_bool(settings, key, true);
	}
}

void rfo_overlay_register_kind(struct obs_source_info *info)
{
	info->type = OBS_SOURCE_TYPE_INPUT;
	info->output_flags = OBS_SOURCE_VIDEO | OBS_SOURCE_CUSTOM_DRAW | OBS_SOURCE_SRGB;
	info->destroy = rfo_overlay_source_destroy;
	info->update = rfo_overlay_source_update;
	info->show = rfo_overlay_show;
	info->hide = rfo_overlay_hide;
	info->activate = rfo_overlay_activate;
	info->deactivate = rfo_overlay_deactivate;
	info->video_render = rfo_overlay_video_render;
	info->get_width = rfo_overlay_get_width;
	info->get_height = rfo_overlay_get_height;
	info->icon_type = OBS_ICON_TYPE_TEXT;
	obs_register_source(info);
}
