#pragma once
/* Shared between the files of plugin/obs/overlays (functions only, no shared variables). */

#include "rfo-chat.h"
#include "rfo-overlay-model.h"
#include "rfo-ui-overlays.h"

#include <obs.h>
#include <util/darray.h>
#include <util/threading.h>

#define RFO_CHAT_SOURCE_ID "restream_chat_source"
#define RFO_VIEWERS_SOURCE_ID "restream_viewers_source"
#define RFO_OVERLAY_MAX_SIDE 4096      /* width and height in px */
#define RFO_OVERLAY_MESSAGES 300       /* most recent messages the chat sources choose from */
#define RFO_OVERLAY_IMAGE_RETRY_MS 500 /* an emote the fetcher was too busy for is asked for again after this */

enum rfo_overlay_kind { RFO_OVERLAY_CHAT, RFO_OVERLAY_VIEWERS };

/* What update() read from the settings; the worker copies it under the overlay's mutex. */
struct rfo_overlay_settings {
	uint64_t generation; /* bumped by every update */
	/* the look both kinds share */
	char font_face[128];
	int font_size;
	bool bold, italic;
	uint32_t text_color, background; /* 0xAARRGGBB */
	bool outline, shadow;
	uint32_t padding, width, height;
	uint32_t platforms; /* filter mask (rfo-overlay-model.h); 0 = all */
	enum rfo_ui_overlay_label label;
	/* chat */
	struct rfo_overlay_select_opts select;
	bool newest_top, platform_colors, timestamps, emotes, highlight_donations;
	/* viewers */
	char format[256];
	bool per_platform, hide_offline;
};

/* One line's picture, shared by every layout that shows it (counted references): painted by the worker (or the UI
 * thread), made a texture by the graphics thread, which alone touches `tex`. */
struct rfo_overlay_picture {
	volatile long refs;
	uint64_t key;                     /* a hash of the line and the look it was painted with */
	struct rfo_ui_overlay_picture px; /* the painter's; its pixels are freed once they are a texture */
	gs_texture_t *tex;
};

/* What a source draws: a background under pictures at their places (references), within w × h. */
struct rfo_overlay_layout {
	uint32_t w, h;
	uint32_t background; /* 0xAARRGGBB; alpha 0: none */
	size_t num;
	struct rfo_overlay_placed {
		struct rfo_overlay_picture *pic;
		int32_t x, y;
	} items[RFO_OVERLAY_MAX_LINES];
};

struct rfo_overlay {
	enum rfo_overlay_kind kind;
	obs_source_t *source; /* set at create; valid until the source's destroy unregisters it */
	volatile long refs;
	volatile bool active;  /* shown on the program output (activate/deactivate) */
	volatile long showing; /* shown anywhere, preview and properties dialog included (show/hide) */
	volatile bool ready;   /* a layout waits in `pending` for the graphics thread */

	pthread_mutex_t mutex; /* guards settings, pending, dead and spent below; a leaf */
	struct rfo_overlay_settings settings;
	struct rfo_overlay_layout *pending;
	DARRAY(struct rfo_overlay_picture *) dead; /* textures whose last reference went off the graphics thread */
	DARRAY(uint8_t *) spent;                   /* pixels made textures, for the worker to free */

	/* the worker's own (rfo-overlays.c): the pictures of the last layout, for the next one to reuse */
	struct rfo_overlay_picture *cache[RFO_OVERLAY_MAX_LINES];
	size_t num_cache;
	uint64_t inputs_key, content_key, deadline_ns;

	/* the graphics thread's own (video_render, destroy) */
	struct rfo_overlay_layout *shown;
	gs_samplerstate_t *point; /* for draws that land 1:1 on the target's pixels */
};

/* ---- rfo-overlay-source.c: what both kinds share ---- */
struct rfo_overlay *rfo_overlay_new(enum rfo_overlay_kind kind, obs_source_t *source, obs_data_t *settings);
struct rfo_overlay *rfo_overlay_addref(struct rfo_overlay *o);
void rfo_overlay_release(struct rfo_overlay *o);
/* The source's destroy: unregisters, frees the texture (entering graphics), drops the source's reference. */
void rfo_overlay_destroy(struct rfo_overlay *o);
/* Reads the settings (update; any thread) and wakes the worker. */
void rfo_overlay_update(struct rfo_overlay *o, obs_data_t *settings);
uint32_t rfo_overlay_width(struct rfo_overlay *o);
uint32_t rfo_overlay_height(struct rfo_overlay *o);
/* registers a source kind: INFO brings its id, name, create, defaults and properties; the rest (drawing, show/hide,
 * update, destroy) is the same for every kind */
void rfo_overlay_register_kind(struct obs_source_info *info);

/* properties and defaults both kinds have: platforms (with the "Twitch only" button), font, colours, outline,
 * shadow, background, padding, size */
void rfo_overlay_add_platforms(obs_properties_t *props, void *data); /* data: the source's rfo_overlay */
void rfo_overlay_add_look(obs_properties_t *props);
void rfo_overlay_look_defaults(obs_data_t *settings, uint32_t width, uint32_t height, int font_size);
/* Sets the platform switches of `settings` from a filter mask (0 = all). */
void rfo_overlay_set_platforms(obs_data_t *settings, uint32_t mask);
uint32_t rfo_overlay_read_platforms(obs_data_t *settings);

/* ---- rfo-overlay-draw.c: the pictures, handed from the worker to the graphics thread, and the draw ---- */
/* A picture of the painter's (takes px->bgra) with one reference. */
struct rfo_overlay_picture *rfo_overlay_picture_new(uint64_t key, struct rfo_ui_overlay_picture *px);
struct rfo_overlay_picture *rfo_overlay_picture_addref(struct rfo_overlay_picture *pic);
/* Drops a reference; the last one frees the picture, its texture on the graphics thread (graphics: the caller is in
 * the graphics context; otherwise a texture waits in o->dead for it). */
void rfo_overlay_picture_release(struct rfo_overlay *o, struct rfo_overlay_picture *pic, bool graphics);
/* Worker: hands a layout (and its references) to the graphics thread; one not drawn yet is replaced. */
void rfo_overlay_publish(struct rfo_overlay *o, struct rfo_overlay_layout *layout);
/* Worker: frees the pixels the graphics thread has made textures of. */
void rfo_overlay_free_spent(struct rfo_overlay *o);
/* Graphics thread: takes a published layout, makes its new pictures textures and draws. */
void rfo_overlay_render(struct rfo_overlay *o);
/* The source's destroy (any thread but the graphics one): frees the textures in the graphics context and what the
 * graphics thread held. */
void rfo_overlay_drop_textures(struct rfo_overlay *o);
/* The last reference: frees what the worker and the hand-over held. */
void rfo_overlay_free_layouts(struct rfo_overlay *o);

/* ---- rfo-chat-source.c, rfo-viewers-source.c ---- */
void rfo_chat_source_register(void);
void rfo_viewers_source_register(void);
void rfo_chat_source_read(obs_data_t *settings, struct rfo_overlay_settings *s);
void rfo_viewers_source_read(obs_data_t *settings, struct rfo_overlay_settings *s);

/* ---- rfo-overlays.c: the registry and the worker ---- */
void rfo_overlays_add(struct rfo_overlay *o);
void rfo_overlays_remove(struct rfo_overlay *o);
void rfo_overlays_wake(void);
/* Calls cb for every live source with the registry's lock held (cb only copies; obs_source_get_ref to keep one). */
void rfo_overlays_foreach(void (*cb)(void *param, obs_source_t *source, enum rfo_overlay_kind kind), void *param);

/* ---- what one paint needs: the frame with its lines and everything they borrow ---- */
struct rfo_overlay_paint {
	struct rfo_overlay *overlay; /* a reference */
	struct rfo_ui_overlay_frame frame;
	struct rfo_ui_overlay_line lines[RFO_OVERLAY_MAX_LINES]; /* oldest first */
	size_t num_lines;
	bool newest_top;            /* the newest (last) line at the top, older ones below it */
	uint64_t images_generation; /* of the round: a line with emotes is painted again when an image arrived */
	struct rfo_overlay_settings settings;
	struct rfo_chat_message **messages; /* references the lines' strings point into */
	size_t num_messages;
	char *owned[RFO_OVERLAY_MAX_LINES * 2 + 2]; /* bstrdup'd strings the lines point to */
	size_t num_owned;
	uint64_t key; /* a hash of everything painted */
};
/* Takes s (a bstrdup'd string) and keeps it until the paint is freed; returns it. */
const char *rfo_overlay_paint_keep(struct rfo_overlay_paint *p, char *s);
uint64_t rfo_overlay_hash(uint64_t h, const void *data, size_t len);
uint64_t rfo_overlay_hash_str(uint64_t h, const char *s);

/* The round's inputs, gathered once for every instance by the worker. */
struct rfo_overlay_round {
	uint64_t now_ns;
	bool signed_in;
	bool connected; /* the chat socket */
	/* chat: the most recent messages (oldest first) and their ages */
	struct rfo_chat_message **messages;
	uint64_t *ages_ms;
	size_t num_messages;
	uint32_t step_ms; /* the frame interval */
	/* emote images: the painter (its image cache), and a number bumped whenever an image arrived in it */
	const struct rfo_ui_overlays_view *view;
	uint64_t images_generation;
	/* viewers: per channel, the platform name (or NULL) and its count (-1 unknown) and online */
	struct rfo_overlay_channel {
		const char *platform;
		int64_t viewers;
		bool online;
	} *channels;
	size_t num_channels;
	bool stats_known;
};

/* ---- rfo-overlay-images.c: the emote images the chat sources draw (the worker's, but for the hand-over) ---- */
/* Whether the painter has url's image; when not, starts its fetch unless one is in flight or it failed before.
 * False only when the fetcher was too busy: ask again later. */
bool rfo_overlay_images_want(const struct rfo_ui_overlays_view *view, const char *url);
/* Starts (the worker's start) or stops (its stop) hearing of the emote images fetched, the dock's included. */
void rfo_overlay_images_listen(bool on);
/* Hands the images fetched since the last call to the painter (which decodes them here); returns the images'
 * generation, bumped when one was added. */
uint64_t rfo_overlay_images_take(const struct rfo_ui_overlays_view *view);
/* Frees fetched bytes not taken yet and empties the painter's cache (view may be NULL); unload. */
void rfo_overlay_images_free(const struct rfo_ui_overlays_view *view);

/* Fill p's frame and lines from the settings and the round; *next_ms: when, from now, the picture changes by
 * itself (UINT64_MAX: never). */
void rfo_chat_source_build(struct rfo_overlay_paint *p, const struct rfo_overlay_round *r, uint64_t *next_ms);
void rfo_viewers_source_build(struct rfo_overlay_paint *p, const struct rfo_overlay_round *r);
