#pragma once
/* Shared between the files of plugin/obs/overlays (functions only, no shared variables). */

#include "rfo-chat.h"
#include "rfo-overlay-ink.h"
#include "rfo-overlay-model.h"
#include "rfo-ui-overlays.h"

#include <obs.h>
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

struct rfo_overlay {
	enum rfo_overlay_kind kind;
	obs_source_t *source; /* set at create; valid until the source's destroy unregisters it */
	volatile long refs;
	volatile bool active;  /* shown on the program output (activate/deactivate) */
	volatile long showing; /* shown anywhere, preview and properties dialog included (show/hide) */
	volatile bool ready;   /* a painted frame waits in `pending` for the graphics thread */

	pthread_mutex_t mutex; /* guards settings and the pending frame below; a leaf */
	struct rfo_overlay_settings settings;
	uint8_t *pending; /* premultiplied RGBA, pending_w × pending_h; NULL = nothing to draw */
	uint32_t pending_w, pending_h;
	struct rfo_overlay_rect pending_ink[RFO_OVERLAY_INK_MAX]; /* where `pending` has ink */
	size_t pending_num_ink;

	/* the worker's own (rfo-overlays.c) */
	uint8_t *spare;
	size_t spare_size;
	uint64_t inputs_key, content_key, deadline_ns;

	/* the graphics thread's own (video_render, destroy) */
	gs_texture_t *tex;
	uint32_t tex_w, tex_h;
	struct rfo_overlay_rect ink[RFO_OVERLAY_INK_MAX]; /* the parts of the texture that are drawn */
	size_t num_ink;                                   /* 0: nothing to draw */
};

/* ---- rfo-overlay-source.c: what both kinds share ---- */
struct rfo_overlay *rfo_overlay_new(enum rfo_overlay_kind kind, obs_source_t *source, obs_data_t *settings);
struct rfo_overlay *rfo_overlay_addref(struct rfo_overlay *o);
void rfo_overlay_release(struct rfo_overlay *o);
/* The source's destroy: unregisters, frees the texture (entering graphics), drops the source's reference. */
void rfo_overlay_destroy(struct rfo_overlay *o);
/* Reads the settings (update; any thread) and wakes the worker. */
void rfo_overlay_update(struct rfo_overlay *o, obs_data_t *settings);
/* Worker: hands a painted buffer (w × h RGBA; NULL = draw nothing) to the graphics thread with where it has ink
 * (rfo_overlay_ink: only that is drawn); takes buf and returns the buffer it replaced (NULL, or one of *old_size bytes
 * to reuse). */
uint8_t *rfo_overlay_publish(struct rfo_overlay *o, uint8_t *buf, uint32_t w, uint32_t h, size_t *old_size);
/* Graphics thread: uploads a published frame and draws. */
void rfo_overlay_render(struct rfo_overlay *o);
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
	struct rfo_ui_overlay_line lines[RFO_OVERLAY_MAX_LINES];
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
