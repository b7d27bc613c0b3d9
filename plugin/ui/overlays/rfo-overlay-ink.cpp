/* A painted line's pixels (rfo-overlay-ink.hpp). */
#include "rfo-overlay-ink.hpp"

#include <util/bmem.h>

#include <algorithm>
#include <cstring>
#include <vector>

void rfoOverlayFade(uint8_t *bgra, size_t bytes, float alpha)
{
	const uint32_t a = uint32_t(std::clamp(alpha, 0.0f, 1.0f) * 256.0f + 0.5f);
	for (size_t i = 0; i < bytes; i++)
		bgra[i] = uint8_t((bgra[i] * a) >> 8);
}

/* Clear columns that split a picture into parts (a word space at 12 px and up; narrower gaps are drawn through). */
static const uint32_t PART_GAP = 4;

/* The parts of a w × h picture with ink: runs of columns with ink, split where PART_GAP clear columns or more lie
 * between (the last part takes the rest once there are RFO_UI_OVERLAY_PARTS), each cut to its own rows. */
static void find_parts(const uint32_t *px, uint32_t w, uint32_t h, rfo_ui_overlay_picture *out)
{
	static thread_local std::vector<uint8_t> ink;
	ink.assign(w, 0);
	uint8_t *col = ink.data();
	for (uint32_t y = 0; y < h; y++) {
		const uint32_t *row = px + size_t(y) * w;
		for (uint32_t x = 0; x < w; x++)
			col[x] |= row[x] != 0;
	}
	out->num_parts = 0;
	uint32_t x = 0;
	while (x < w && out->num_parts < RFO_UI_OVERLAY_PARTS) {
		while (x < w && !col[x])
			x++;
		if (x == w)
			break;
		const uint32_t start = x;
		uint32_t end = x + 1, clear = 0;
		const bool last = out->num_parts + 1 == RFO_UI_OVERLAY_PARTS;
		for (; x < w && (last || clear < PART_GAP); x++) {
			if (col[x]) {
				end = x + 1;
				clear = 0;
			} else {
				clear++;
			}
		}
		uint32_t top = h, bottom = 0;
		for (uint32_t y = 0; y < h; y++) {
			const uint32_t *row = px + size_t(y) * w;
			for (uint32_t c = start; c < end; c++)
				if (row[c]) {
					top = std::min(top, y);
					bottom = y + 1;
					break;
				}
		}
		out->parts[out->num_parts++] = rfo_ui_overlay_part{uint16_t(start), uint16_t(top),
								   uint16_t(end - start), uint16_t(bottom - top)};
	}
}

void rfoOverlayCutInk(const uint32_t *px, uint32_t w, uint32_t h, int32_t x, int32_t y, rfo_ui_overlay_picture *out)
{
	uint32_t top = h, bottom = 0, left = w, right = 0;
	for (uint32_t row = 0; row < h; row++) {
		const uint32_t *p = px + size_t(row) * w;
		uint32_t a = 0;
		/* four at a time: most of a row is clear */
		while (a + 4 <= w && !(p[a] | p[a + 1] | p[a + 2] | p[a + 3]))
			a += 4;
		while (a < w && !p[a])
			a++;
		if (a == w)
			continue;
		uint32_t b = w;
		while (b >= a + 4 && !(p[b - 1] | p[b - 2] | p[b - 3] | p[b - 4]))
			b -= 4;
		while (!p[b - 1])
			b--;
		top = std::min(top, row);
		bottom = row + 1;
		left = std::min(left, a);
		right = std::max(right, b);
	}
	if (top >= bottom)
		return;
	out->w = right - left;
	out->h = bottom - top;
	out->x = x + int32_t(left);
	out->y = y + int32_t(top);
	out->bgra = static_cast<uint8_t *>(bmalloc(size_t(out->w) * out->h * 4));
	for (uint32_t row = 0; row < out->h; row++)
		memcpy(out->bgra + size_t(row) * out->w * 4, px + size_t(top + row) * w + left, size_t(out->w) * 4);
	if (out->w <= UINT16_MAX && out->h <= UINT16_MAX)
		find_parts(reinterpret_cast<const uint32_t *>(out->bgra), out->w, out->h, out);
}
