#pragma once
/* The overlay sources' painter: the port between plugin/obs/overlays (which decides what an overlay shows) and Qt
 * (which shapes and paints text). Plain C, no Qt.
 *
 * Unlike every other function of plugin/ui, `paint_line` is called off the UI thread: on the overlays' own worker
 * thread, so that shaping and painting never run on OBS's graphics or UI thread. It only paints into a QImage over
 * the line's own picture (QPainter on a QImage is reentrant; fonts are shared through Qt's locked font database). When Qt
 * says text cannot be rendered outside the GUI thread, `threaded` is false and the caller dispatches the call to the
 * UI thread instead. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-chat.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rfo_ui_overlay_label {
	RFO_UI_OVERLAY_LABEL_ICON = 0, /* a badge in the platform's colour with its short name ("Tw", "YT") */
	RFO_UI_OVERLAY_LABEL_NAME,     /* the platform's name */
	RFO_UI_OVERLAY_LABEL_NONE,
};

/* One line: plain strings (never markup), borrowed for the call. */
struct rfo_ui_overlay_line {
	const char *platform;    /* NULL: no platform label */
	uint32_t platform_color; /* 0xRRGGBB */
	const char *author;      /* NULL or "": no author */
	uint32_t author_color;   /* 0xRRGGBB, used when the frame has platform_colors */
	const char *text;        /* never NULL */
	const char *donation;    /* NULL or an amount ("$5.00") */
	const char *time;        /* NULL or "12:34" */
	bool highlight;          /* a donation drawn highlighted */
	bool system;             /* a system line (italic) */
	float alpha;             /* 0..1 */
	/* custom emotes of `text` (the message's, core/rfo-chat.h: code words by byte range, sorted, not overlapping),
	 * each drawn as its image scaled to the line's height when the painter has it (add_image), else as its code
	 * word; NULL/0: none */
	const struct rfo_chat_emote *emotes;
	size_t emote_count;
};

#define RFO_UI_OVERLAY_GAP(font_size) ((float)(font_size) / 4.0f)

/* One overlay's look and the box its lines go in, font_size / 4 px apart (RFO_UI_OVERLAY_GAP). Colours are
 * 0xAARRGGBB. */
struct rfo_ui_overlay_frame {
	uint32_t width, height;
	const char *font_face; /* NULL: the default sans-serif */
	int font_size;         /* px */
	bool bold, italic;     /* the style, from OBS's font flags */
	uint32_t text_color;
	uint32_t background; /* alpha 0: none (drawn by the caller, under the lines) */
	bool outline, shadow;
	uint32_t padding;
	bool platform_colors; /* authors in their platform's colour */
	enum rfo_ui_overlay_label label;
	bool centered;    /* the viewer count: lines centred */
	const char *hint; /* non-NULL: this one line only, dimmed (preview while signed out or disconnected) */
};

#define RFO_UI_OVERLAY_PARTS 16

/* A part of a picture with ink, in the picture's pixels. */
struct rfo_ui_overlay_part {
	uint16_t x, y, w, h;
};

/* One line painted on its own, to be drawn as it is (premultiplied, sRGB-encoded, bytes B, G, R, A: libobs' GS_BGRA;
 * w × h, w * 4 bytes a row) at (x, top + y) of the box, where top is the line's place (rfo_overlay_stack); y is
 * negative where an outline, a shadow or a donation's highlight reaches above the line. `height` is the line's own
 * height, for stacking. */
struct rfo_ui_overlay_picture {
	uint8_t *bgra; /* bmalloc'd, the caller's to bfree; NULL: nothing to draw */
	uint32_t w, h;
	int32_t x, y;
	float height;
	/* The parts to draw, which hold every pixel of the picture that is not transparent (its words, each only as tall
	 * as its own ink: a software renderer pays for every pixel it draws, and a line of text is mostly clear between
	 * and around its words); 0: the whole picture. */
	struct rfo_ui_overlay_part parts[RFO_UI_OVERLAY_PARTS];
	uint32_t num_parts;
};

struct rfo_ui_overlays_view {
	/* Paints `line` as `frame` looks into a picture of its own (only as large as its ink), at its alpha; with
	 * frame->hint, paints the hint instead (line unused: a picture of the whole box at 0, 0). */
	void (*paint_line)(const struct rfo_ui_overlay_frame *frame, const struct rfo_ui_overlay_line *line,
			   struct rfo_ui_overlay_picture *out);
	/* Whether paint_line may run off the UI thread (Qt renders text outside the GUI thread). */
	bool threaded;
	/* Emote images, shared by every overlay (any thread; the cache is locked, bounded in count and bytes, the least
	 * recently drawn dropped first). add_image decodes `data` (PNG/GIF/JPEG/WebP, at most 512×512 pixels) and keeps
	 * it for `url`: false when it is not such an image. has_image: whether `url` is kept. drop_images: empties the
	 * cache (unload). */
	bool (*add_image)(const char *url, const void *data, size_t len);
	bool (*has_image)(const char *url);
	void (*drop_images)(void);
};

/* The painter, handed to the overlays feature by plugin-main.c (UI thread, at load, after the Qt application
 * exists). Never NULL. */
const struct rfo_ui_overlays_view *rfo_ui_overlays_connect(void);

#ifdef __cplusplus
}
#endif
