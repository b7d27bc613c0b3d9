#pragma once
/* A line's outline and shadow, made from its text's ink instead of drawing the text again at every offset (eight
 * draws of the whole text for an outline cost three times what the line's paint costs without one). Pixels are
 * premultiplied 0xAARRGGBB words (QImage's ARGB32_Premultiplied), w × h, tightly packed. */

#include <cstdint>

/* Puts `text` (the line's text alone, on transparent) over `dst` (what is under the text: transparent, or a donation's
 * highlight), with black under it: an outline reaching `radius` px from the ink in every direction (as opaque as the
 * nearest ink is) and a shadow `shadow` px down and to the right (200/255 as opaque); 0: none. */
void rfoOverlayOutlineText(uint32_t *dst, const uint32_t *text, int w, int h, int radius, int shadow);
