/* A line's outline and shadow from its text's ink (rfo-overlay-outline.hpp): the ink's alpha spread by a square max
 * filter (3 × 3, along the rows and down the columns, as many times as the outline's reach) and shifted for the
 * shadow, then black at that alpha and the
 * text composited over dst. The painting thread keeps its buffers (a line is painted every few hundred ms). */
#include "rfo-overlay-outline.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

/* every channel of a premultiplied pixel × k / 255, two channels at a time */
static inline uint32_t byte_mul(uint32_t px, uint32_t k)
{
	uint32_t rb = (px & 0xFF00FFu) * k;
	rb = ((rb + ((rb >> 8) & 0xFF00FFu) + 0x800080u) >> 8) & 0xFF00FFu;
	uint32_t ag = ((px >> 8) & 0xFF00FFu) * k;
	ag = (ag + ((ag >> 8) & 0xFF00FFu) + 0x800080u) & 0xFF00FF00u;
	return rb | ag;
}

static thread_local std::vector<uint8_t> alpha, spread, dark;

/* out = the largest of in and its neighbours along each row (loops a compiler vectorises: no branch per pixel) */
static void spread_rows(const uint8_t *__restrict in, uint8_t *__restrict out, int w, int h)
{
	for (int y = 0; y < h; y++) {
		const uint8_t *__restrict row = in + size_t(y) * w;
		uint8_t *__restrict o = out + size_t(y) * w;
		if (w == 1) {
			o[0] = row[0];
			continue;
		}
		o[0] = std::max(row[0], row[1]);
		o[w - 1] = std::max(row[w - 2], row[w - 1]);
		for (int x = 1; x < w - 1; x++) {
			const uint8_t a = row[x - 1] > row[x] ? row[x - 1] : row[x];
			o[x] = a > row[x + 1] ? a : row[x + 1];
		}
	}
}

/* out = the largest of in and its neighbours down each column */
static void spread_columns(const uint8_t *__restrict in, uint8_t *__restrict out, int w, int h)
{
	for (int y = 0; y < h; y++) {
		const uint8_t *up = in + size_t(y > 0 ? y - 1 : y) * w, *mid = in + size_t(y) * w;
		const uint8_t *down = in + size_t(y < h - 1 ? y + 1 : y) * w;
		uint8_t *o = out + size_t(y) * w;
		for (int x = 0; x < w; x++)
			o[x] = std::max(std::max(up[x], mid[x]), down[x]);
	}
}

void rfoOverlayOutlineText(uint32_t *dst, const uint32_t *text, int w, int h, int radius, int shadow)
{
	if (w <= 0 || h <= 0)
		return;
	const size_t n = size_t(w) * size_t(h);
	alpha.resize(n);
	spread.resize(n);
	dark.assign(n, 0);
	/* plain pointers: through the thread's vectors every byte stored would reload them */
	uint8_t *a = alpha.data(), *s = spread.data(), *d = dark.data();
	for (size_t i = 0; i < n; i++)
		a[i] = uint8_t(text[i] >> 24);
	/* a square of 2 × radius + 1: the 3 × 3 spread radius times */
	for (int i = 0; i < radius; i++) {
		spread_rows(i ? d : a, s, w, h);
		spread_columns(s, d, w, h);
	}
	for (int y = shadow; shadow > 0 && y < h; y++) {
		const uint8_t *from = a + size_t(y - shadow) * w;
		uint8_t *to = d + size_t(y) * w;
		for (int x = shadow; x < w; x++)
			to[x] = std::max(to[x], uint8_t((from[x - shadow] * 200u + 127u) / 255u));
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t px = dst[i];
		if (d[i])
			px = (uint32_t(d[i]) << 24) + byte_mul(px, 255u - d[i]);
		if (text[i])
			px = text[i] + byte_mul(px, 255u - (text[i] >> 24));
		dst[i] = px;
	}
}
