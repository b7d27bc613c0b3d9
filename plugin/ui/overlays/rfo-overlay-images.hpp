#pragma once
/* The overlays' emote images (rfo-ui-overlays.h add_image, has_image, drop_images): decoded once, shared by every
 * overlay source. Any thread: the overlays' worker adds and paints, the UI thread paints when Qt cannot render text
 * elsewhere. QImage is implicitly shared (its reference count is atomic), so a copy taken under the cache's lock is
 * drawn after it is released while the cache may drop its own. */

#include <QImage>

#include <cstddef>

bool rfoOverlayImageAdd(const char *url, const void *data, size_t len);
bool rfoOverlayImageHas(const char *url);
/* The image kept for url (marked as just used), or a null image. */
QImage rfoOverlayImage(const char *url);
void rfoOverlayImagesDrop();
