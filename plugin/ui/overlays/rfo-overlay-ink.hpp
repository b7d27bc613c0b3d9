#pragma once
/* A painted line's pixels (premultiplied 0xAARRGGBB words, QImage's ARGB32_Premultiplied): its ink cut out into the
 * picture, the picture's parts, a fade. Byte loops, compiled -O3 (see CMakeLists.txt). */

#include "rfo-ui-overlays.h"

#include <cstddef>
#include <cstdint>

/* Copies the ink of a painted w × h area (the margins the painter leaves for the outline, the shadow and overhangs
 * are mostly transparent, and the renderer pays for every pixel it draws) into `out`, placed at x, y, and finds its
 * parts (rfo_ui_overlay_picture.parts: runs of columns with ink, split at 4 clear columns or more, each cut to its
 * own rows); no ink: no picture. A premultiplied pixel without alpha is 0. */
void rfoOverlayCutInk(const uint32_t *px, uint32_t w, uint32_t h, int32_t x, int32_t y, rfo_ui_overlay_picture *out);

/* A fading line: every premultiplied channel scaled by its alpha (drawn whole first, so that its outline strokes do
 * not add up). */
void rfoOverlayFade(uint8_t *bgra, size_t bytes, float alpha);
