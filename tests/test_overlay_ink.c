/* rfo-overlay-ink: the rectangles of an overlay picture that hold ink (what the graphics thread draws). */
#include "rfo-test.h"

#include "rfo-overlay-ink.h"

#include <string.h>

#define W 64
#define H 48
#define LINESIZE (W * 4 + 16)

static uint8_t pic[LINESIZE * H];

static void dot(uint32_t x, uint32_t y, uint8_t alpha)
{
	uint8_t *px = pic + y * LINESIZE + x * 4;
	px[0] = px[1] = px[2] = 0;
	px[3] = alpha;
}

static void clear(void)
{
	memset(pic, 0, sizeof(pic));
	/* the padding at the end of each row is not the picture's: ink there is never seen */
	for (uint32_t y = 0; y < H; y++)
		memset(pic + y * LINESIZE + W * 4, 0xFF, LINESIZE - W * 4);
}

static void check_rect(const struct rfo_overlay_rect *r, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	check(r->x == x && r->y == y && r->w == w && r->h == h);
	if (r->x != x || r->y != y || r->w != w || r->h != h)
		fprintf(stderr, "rect %u,%u %ux%u, expected %u,%u %ux%u\n", r->x, r->y, r->w, r->h, x, y, w, h);
}

int main(void)
{
	struct rfo_overlay_rect rects[RFO_OVERLAY_INK_MAX];

	/* transparent: nothing to draw */
	clear();
	check(rfo_overlay_ink(pic, W, H, LINESIZE, rects, RFO_OVERLAY_INK_MAX) == 0);
	check(rfo_overlay_ink(NULL, W, H, LINESIZE, rects, RFO_OVERLAY_INK_MAX) == 0);

	/* two lines of text far apart: two bands, each as wide as its ink; a faint pixel (alpha 1) is ink */
	dot(10, 5, 255);
	dot(30, 7, 1);
	dot(12, 8, 200);
	dot(3, 30, 255);
	dot(60, 33, 255);
	check(rfo_overlay_ink(pic, W, H, LINESIZE, rects, RFO_OVERLAY_INK_MAX) == 2);
	check_rect(&rects[0], 10, 5, 21, 4);
	check_rect(&rects[1], 3, 30, 58, 4);

	/* a gap of RFO_OVERLAY_INK_GAP transparent rows or fewer does not split a band */
	clear();
	dot(5, 10, 255);
	dot(6, 10 + RFO_OVERLAY_INK_GAP + 1, 255);
	check(rfo_overlay_ink(pic, W, H, LINESIZE, rects, RFO_OVERLAY_INK_MAX) == 1);
	check_rect(&rects[0], 5, 10, 2, RFO_OVERLAY_INK_GAP + 2);

	/* a premultiplied colour with alpha 0 is still drawn (additive light): any nonzero byte is ink */
	clear();
	pic[20 * LINESIZE + 40 * 4 + 1] = 9;
	check(rfo_overlay_ink(pic, W, H, LINESIZE, rects, RFO_OVERLAY_INK_MAX) == 1);
	check_rect(&rects[0], 40, 20, 1, 1);

	/* the corners, and an opaque picture: one rectangle, the whole picture */
	clear();
	dot(0, 0, 255);
	dot(W - 1, H - 1, 255);
	check(rfo_overlay_ink(pic, W, H, LINESIZE, rects, RFO_OVERLAY_INK_MAX) == 2);
	check_rect(&rects[0], 0, 0, 1, 1);
	check_rect(&rects[1], W - 1, H - 1, 1, 1);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			dot(x, y, 255);
	check(rfo_overlay_ink(pic, W, H, LINESIZE, rects, RFO_OVERLAY_INK_MAX) == 1);
	check_rect(&rects[0], 0, 0, W, H);

	/* any width (the scan reads 8 pixels a step, then one): ink at either end of rows 1 to 60 pixels wide */
	for (uint32_t w = 1; w <= 60; w++) {
		for (uint32_t at = 0; at < w; at += (w > 9 ? w - 9 : 1)) {
			clear();
			dot(at, 3, 255);
			dot(w - 1 - at / 2, 4, 255);
			const uint32_t x0 = at < w - 1 - at / 2 ? at : w - 1 - at / 2;
			const uint32_t x1 = at > w - 1 - at / 2 ? at : w - 1 - at / 2;
			check(rfo_overlay_ink(pic, w, H, LINESIZE, rects, RFO_OVERLAY_INK_MAX) == 1);
			check_rect(&rects[0], x0, 3, x1 - x0 + 1, 2);
		}
	}

	/* more bands than rectangles: the rest joins the last one, nothing is left out */
	clear();
	for (uint32_t y = 0; y < H; y += 8)
		dot(y, y, 255); /* 6 bands */
	check(rfo_overlay_ink(pic, W, H, LINESIZE, rects, 3) == 3);
	check_rect(&rects[0], 0, 0, 1, 1);
	check_rect(&rects[1], 8, 8, 1, 1);
	check_rect(&rects[2], 16, 16, 25, 25);
	return rfo_test_end();
}
