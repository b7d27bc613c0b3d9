/* Where an overlay's picture has ink (rfo-overlay-ink.h). */
#include "rfo-overlay-ink.h"

#include <stdbool.h>
#include <string.h>

static inline bool ink_at(const uint8_t *row, uint32_t x)
{
	uint32_t px;
	memcpy(&px, row + (size_t)x * 4, sizeof(px));
	return px != 0;
}

/* Whether any of the 8 pixels at x has ink: a transparent row is read 32 bytes a step. */
static inline bool ink_in_8(const uint8_t *row, uint32_t x)
{
	uint64_t v[4];
	memcpy(v, row + (size_t)x * 4, sizeof(v));
	return (v[0] | v[1] | v[2] | v[3]) != 0;
}

/* The first and last pixel with ink in a row; false when the row is transparent. */
static bool row_ink(const uint8_t *row, uint32_t w, uint32_t *first, uint32_t *last)
{
	uint32_t x = 0;
	while (x + 8 <= w && !ink_in_8(row, x))
		x += 8;
	while (x < w && !ink_at(row, x))
		x++;
	if (x == w)
		return false;
	*first = x;
	uint32_t r = w;
	while (r >= x + 8 && !ink_in_8(row, r - 8))
		r -= 8;
	while (!ink_at(row, r - 1))
		r--; /* stops at the latest at x, which has ink */
	*last = r - 1;
	return true;
}

size_t rfo_overlay_ink(const uint8_t *rgba, uint32_t w, uint32_t h, uint32_t linesize, struct rfo_overlay_rect *rects,
		       size_t max)
{
	if (!rgba || !rects || !max || !w || !h)
		return 0;
	size_t n = 0;
	bool open = false;                   /* rects[n - 1] is the band still growing */
	uint32_t x0 = 0, x1 = 0, bottom = 0; /* the open band: its columns and its last ink row */
	for (uint32_t y = 0; y < h; y++) {
		uint32_t first, last;
		if (!row_ink(rgba + (size_t)y * linesize, w, &first, &last))
			continue;
		if (open && (y - bottom - 1 <= RFO_OVERLAY_INK_GAP || n == max)) {
			/* the open band goes on (also when no rectangle is left: the rest joins the last one) */
			x0 = first < x0 ? first : x0;
			x1 = last > x1 ? last : x1;
		} else {
			n++;
			x0 = first;
			x1 = last;
			rects[n - 1].y = y;
			open = true;
		}
		bottom = y;
		rects[n - 1].x = x0;
		rects[n - 1].w = x1 - x0 + 1;
		rects[n - 1].h = bottom - rects[n - 1].y + 1;
	}
	return n;
}
