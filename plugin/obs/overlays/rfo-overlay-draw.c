/* The overlay sources' pictures, from the worker that paints them to the graphics thread that draws them: each line
 * is a picture of its own, painted once and drawn as a texture at its place for as long as it is shown. A new chat
 * message costs one line's paint and one small texture; the lines that only move cost nothing but their draw. See
 * rfo-overlays.h. */
#include "rfo-overlays-private.h"

#include <graphics/matrix4.h>
#include <graphics/vec4.h>
#include <math.h>
#include <obs-module.h>
#include <util/bmem.h>

struct rfo_overlay_picture *rfo_overlay_picture_new(uint64_t key, struct rfo_ui_overlay_picture *px)
{
	struct rfo_overlay_picture *pic = bzalloc(sizeof(*pic));
	pic->refs = 1;
	pic->key = key;
	pic->px = *px;
	px->bgra = NULL;
	return pic;
}

struct rfo_overlay_picture *rfo_overlay_picture_addref(struct rfo_overlay_picture *pic)
{
	os_atomic_inc_long(&pic->refs);
	return pic;
}

static void picture_free(struct rfo_overlay_picture *pic)
{
	if (pic->tex) /* only in the graphics context */
		gs_texture_destroy(pic->tex);
	bfree(pic->px.bgra);
	bfree(pic);
}

void rfo_overlay_picture_release(struct rfo_overlay *o, struct rfo_overlay_picture *pic, bool graphics)
{
	if (!pic || os_atomic_dec_long(&pic->refs) > 0)
		return;
	if (!pic->tex || graphics) {
		picture_free(pic);
		return;
	}
	pthread_mutex_lock(&o->mutex);
	da_push_back(o->dead, &pic);
	pthread_mutex_unlock(&o->mutex);
}

static void layout_free(struct rfo_overlay *o, struct rfo_overlay_layout *layout, bool graphics)
{
	if (!layout)
		return;
	for (size_t i = 0; i < layout->num; i++)
		rfo_overlay_picture_release(o, layout->items[i].pic, graphics);
	bfree(layout);
}

static void free_spent(uint8_t **spent, size_t num)
{
	for (size_t i = 0; i < num; i++)
		bfree(spent[i]);
	bfree(spent);
}

void rfo_overlay_free_spent(struct rfo_overlay *o)
{
	pthread_mutex_lock(&o->mutex);
	uint8_t **spent = o->spent.array;
	const size_t num_spent = o->spent.num;
	da_init(o->spent);
	pthread_mutex_unlock(&o->mutex);
	free_spent(spent, num_spent);
}

void rfo_overlay_publish(struct rfo_overlay *o, struct rfo_overlay_layout *layout)
{
	pthread_mutex_lock(&o->mutex);
	struct rfo_overlay_layout *old = o->pending;
	o->pending = layout;
	os_atomic_set_bool(&o->ready, true);
	pthread_mutex_unlock(&o->mutex);
	layout_free(o, old, false); /* never drawn */
}

/* Graphics thread: the published layout replaces the shown one; its new pictures become textures (made from memory:
 * a texture updated in place makes libobs map its pixel buffer, which waits for llvmpipe to finish drawing with it),
 * whose pixels go back to the worker to be freed where they were allocated, before its next layout's paints (freed
 * here, each went to another thread's heap, and some runs at 20 messages a second held tens of MB more). Pictures
 * that are no longer shown are freed with their textures. */
static void take(struct rfo_overlay *o)
{
	struct rfo_overlay_picture **dead = NULL;
	size_t num_dead = 0;
	pthread_mutex_lock(&o->mutex);
	os_atomic_set_bool(&o->ready, false);
	struct rfo_overlay_layout *layout = o->pending;
	o->pending = NULL;
	if (o->dead.num) {
		dead = o->dead.array;
		num_dead = o->dead.num;
		da_init(o->dead);
	}
	pthread_mutex_unlock(&o->mutex);
	for (size_t i = 0; i < num_dead; i++)
		picture_free(dead[i]);
	bfree(dead);
	if (!layout)
		return;
	layout_free(o, o->shown, true);
	o->shown = layout;
	uint8_t *spent[RFO_OVERLAY_MAX_LINES];
	size_t num_spent = 0;
	for (size_t i = 0; i < layout->num; i++) {
		struct rfo_overlay_picture *pic = layout->items[i].pic;
		if (pic->tex || !pic->px.bgra)
			continue;
		const uint8_t *data = pic->px.bgra;
		pic->tex = gs_texture_create(pic->px.w, pic->px.h, GS_BGRA, 1, &data, 0);
		spent[num_spent++] = pic->px.bgra;
		pic->px.bgra = NULL; /* a texture that could not be made is not drawn */
	}
	if (num_spent) {
		pthread_mutex_lock(&o->mutex);
		da_push_back_array(o->spent, spent, num_spent);
		pthread_mutex_unlock(&o->mutex);
	}
}

/* Whether this draw lands 1:1 on the target's pixels: the world matrix moves by whole pixels only and the viewport is
 * the render target's size (the canvas, a filter's texture; not the properties dialog's scaled preview, nor a scaled
 * or rotated scene item). Then nearest sampling reads exactly what linear sampling would, at a fraction of a software
 * renderer's cost per pixel. */
static bool one_to_one(void)
{
	struct matrix4 m;
	gs_matrix_get(&m);
	const float e = 1e-4f;
	if (fabsf(m.x.x - 1.0f) > e || fabsf(m.y.y - 1.0f) > e || fabsf(m.x.y) > e || fabsf(m.y.x) > e ||
	    fabsf(m.t.x - roundf(m.t.x)) > 1e-3f || fabsf(m.t.y - roundf(m.t.y)) > 1e-3f)
		return false;
	gs_texture_t *target = gs_get_render_target();
	struct gs_rect vp;
	gs_get_viewport(&vp);
	return target && vp.x == 0 && vp.y == 0 && gs_texture_get_width(target) == (uint32_t)vp.cx &&
	       gs_texture_get_height(target) == (uint32_t)vp.cy;
}

static void draw_background(const struct rfo_overlay_layout *l)
{
	const float a = (float)(l->background >> 24) / 255.0f;
	struct vec4 color; /* premultiplied, in the same encoding as the painter's pixels */
	vec4_set(&color, (float)((l->background >> 16) & 0xFF) / 255.0f * a,
		 (float)((l->background >> 8) & 0xFF) / 255.0f * a, (float)(l->background & 0xFF) / 255.0f * a, a);
	gs_effect_t *solid = obs_get_base_effect(OBS_EFFECT_SOLID);
	gs_effect_set_vec4(gs_effect_get_param_by_name(solid, "color"), &color);
	while (gs_effect_loop(solid, "Solid"))
		gs_draw_sprite(NULL, 0, l->w, l->h);
}

/* The rectangle (x, y, w, h) of a picture placed at `at` (its pixel offsets from the picture's corner), only what is
 * inside the source's box (the newest line may be taller than the box), inside the default effect's "Draw" pass
 * (libobs uploads the changed texture and the world matrix at each draw). */
static void draw_rect(const struct rfo_overlay_layout *l, const struct rfo_overlay_placed *at, int64_t x, int64_t y,
		      int64_t w, int64_t h)
{
	const int64_t left = at->x + x, top = at->y + y;
	const int64_t x0 = left > 0 ? left : 0, y0 = top > 0 ? top : 0;
	const int64_t x1 = left + w < l->w ? left + w : l->w, y1 = top + h < l->h ? top + h : l->h;
	if (x1 <= x0 || y1 <= y0)
		return;
	gs_matrix_push();
	gs_matrix_translate3f((float)x0, (float)y0, 0.0f);
	gs_draw_sprite_subregion(at->pic->tex, 0, (uint32_t)(x0 - at->x), (uint32_t)(y0 - at->y), (uint32_t)(x1 - x0),
				 (uint32_t)(y1 - y0));
	gs_matrix_pop();
}

/* One picture: its parts with ink (a software renderer pays for every pixel of a draw, transparent or not, and
 * hardly anything for a draw more). */
static void draw_picture(const struct rfo_overlay_layout *l, const struct rfo_overlay_placed *at, gs_eparam_t *image,
			 gs_samplerstate_t *point)
{
	const struct rfo_overlay_picture *pic = at->pic;
	if (!pic->tex)
		return;
	gs_effect_set_texture(image, pic->tex);
	if (point)
		gs_effect_set_next_sampler(image, point);
	if (!pic->px.num_parts)
		draw_rect(l, at, 0, 0, pic->px.w, pic->px.h);
	for (uint32_t i = 0; i < pic->px.num_parts; i++) {
		const struct rfo_ui_overlay_part *p = &pic->px.parts[i];
		draw_rect(l, at, p->x, p->y, p->w, p->h);
	}
}

/* Unchanged content costs one atomic read and the draws. The pictures are drawn as they are, without sRGB
 * conversions: they are sRGB-encoded and premultiplied in that encoding (QPainter blends in sRGB space), so decoding
 * them on the texture read and encoding again on the framebuffer write changes no opaque pixel and blends
 * antialiased edges in a space they were not computed for, while llvmpipe pays the conversions per pixel. Each picture
 * is only as large as its line's ink: a software renderer pays for every pixel of a draw, transparent or not. */
void rfo_overlay_render(struct rfo_overlay *o)
{
	if (os_atomic_load_bool(&o->ready))
		take(o);
	const struct rfo_overlay_layout *l = o->shown;
	if (!l || !l->num)
		return;
	if (!o->point) {
		struct gs_sampler_info info = {.filter = GS_FILTER_POINT,
					       .address_u = GS_ADDRESS_CLAMP,
					       .address_v = GS_ADDRESS_CLAMP,
					       .address_w = GS_ADDRESS_CLAMP,
					       .max_anisotropy = 1};
		o->point = gs_samplerstate_create(&info);
	}
	gs_samplerstate_t *point = one_to_one() ? o->point : NULL;
	const bool previous = gs_framebuffer_srgb_enabled();
	gs_enable_framebuffer_srgb(false);
	gs_blend_state_push();
	gs_blend_function(GS_BLEND_ONE, GS_BLEND_INVSRCALPHA); /* premultiplied */
	if (l->background >> 24)
		draw_background(l);
	/* one pass for all the pictures: a pass per picture would bind the shaders and validate the pipeline anew for
	 * each line, which llvmpipe and OBS's graphics thread pay at every frame */
	gs_effect_t *effect = obs_get_base_effect(OBS_EFFECT_DEFAULT);
	gs_eparam_t *image = gs_effect_get_param_by_name(effect, "image");
	gs_technique_t *tech = gs_effect_get_technique(effect, "Draw");
	const size_t passes = gs_technique_begin(tech);
	for (size_t pass = 0; pass < passes; pass++) {
		if (!gs_technique_begin_pass(tech, pass))
			continue;
		for (size_t i = 0; i < l->num; i++)
			draw_picture(l, &l->items[i], image, point);
		gs_technique_end_pass(tech);
	}
	gs_technique_end(tech);
	gs_blend_state_pop();
	gs_enable_framebuffer_srgb(previous);
}

void rfo_overlay_drop_textures(struct rfo_overlay *o)
{
	obs_enter_graphics();
	take(o); /* the dead textures too */
	/* the worker's cache and a later layout may share these pictures: only their textures go now */
	for (size_t i = 0; o->shown && i < o->shown->num; i++) {
		struct rfo_overlay_picture *pic = o->shown->items[i].pic;
		if (pic->tex)
			gs_texture_destroy(pic->tex);
		pic->tex = NULL;
	}
	layout_free(o, o->shown, true);
	o->shown = NULL;
	if (o->point)
		gs_samplerstate_destroy(o->point);
	o->point = NULL;
	obs_leave_graphics();
}

void rfo_overlay_free_layouts(struct rfo_overlay *o)
{
	for (size_t i = 0; i < o->num_cache; i++)
		rfo_overlay_picture_release(o, o->cache[i], false);
	o->num_cache = 0;
	layout_free(o, o->pending, false);
	o->pending = NULL;
	/* none with a texture once the source's destroy freed them; should one be left, it is freed where it may be */
	if (o->dead.num) {
		obs_enter_graphics();
		for (size_t i = 0; i < o->dead.num; i++)
			picture_free(o->dead.array[i]);
		obs_leave_graphics();
	}
	da_free(o->dead);
	free_spent(o->spent.array, o->spent.num);
	da_init(o->spent);
}
