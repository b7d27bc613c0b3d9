#pragma once
/* Where an overlay's picture has ink: the rectangles that hold every pixel of a premultiplied RGBA picture that is
 * not fully transparent, so that the graphics thread draws those and skips the rest (drawing a transparent pixel
 * costs a software renderer as much as drawing an opaque one). No I/O. */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RFO_OVERLAY_INK_MAX 32 /* rectangles at most: further bands are merged into the last one */
#define RFO_OVERLAY_INK_GAP 3  /* rows: a draw call costs more than drawing a few transparent rows */

struct rfo_overlay_rect {
	uint32_t x, y, w, h;
};

/* Scans rgba (w × h pixels, linesize bytes a row; premultiplied, so a transparent pixel is four zero bytes) into
 * horizontal bands of rows with ink, each as narrow as its ink: runs of ink rows separated by fewer than
 * RFO_OVERLAY_INK_GAP transparent rows are one band. Writes at most `max` rectangles, top to bottom, and returns
 * how many (0: the picture is fully transparent). */
size_t rfo_overlay_ink(const uint8_t *rgba, uint32_t w, uint32_t h, uint32_t linesize, struct rfo_overlay_rect *rects,
		       size_t max);

#ifdef __cplusplus
}
#endif
