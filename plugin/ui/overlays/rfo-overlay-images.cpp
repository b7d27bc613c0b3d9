/* The overlays' emote image cache: see rfo-overlay-images.hpp. Bounded in count and in decoded bytes; the least
 * recently used image goes first (the ones on screen are used by every paint, so they stay). */
#include "rfo-overlay-images.hpp"
#include "rfo-ui-image.hpp"

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>

#define MAX_IMAGES 256
#define MAX_BYTES (32 * 1024 * 1024) /* decoded; an emote is at most 512×512 pixels (1 MiB) */
#define MAX_SIDE 512

struct entry {
	QImage image;
	quint64 used = 0;
};

/* Guards the cache below; a leaf (nothing else is locked, no Qt call but QImage copies while it is held). */
static QMutex cache_mutex;
static QHash<QByteArray, entry> cache;
static qint64 cache_bytes;
static quint64 use_clock;

static qint64 image_bytes(const QImage &image)
{
	return qint64(image.bytesPerLine()) * image.height();
}

/* With the lock held: drops the least recently used until `incoming` more bytes and one more image fit. */
static void make_room(qint64 incoming)
{
	while (!cache.isEmpty() && (cache.size() >= MAX_IMAGES || cache_bytes + incoming > MAX_BYTES)) {
		auto oldest = cache.begin();
		for (auto it = cache.begin(); it != cache.end(); ++it)
			if (it->used < oldest->used)
				oldest = it;
		cache_bytes -= image_bytes(oldest->image);
		cache.erase(oldest);
	}
}

bool rfoOverlayImageAdd(const char *url, const void *data, size_t len)
{
	if (!url || !data || !len || len > size_t(64 * 1024 * 1024))
		return false;
	/* decoded outside the lock; premultiplied once here rather than on every draw */
	QImage image = rfoDecodeRemoteImage(QByteArray(static_cast<const char *>(data), int(len)), MAX_SIDE);
	if (image.isNull() || image.width() < 1 || image.height() < 1)
		return false;
	image = image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
	const QByteArray key(url);
	QMutexLocker lock(&cache_mutex);
	auto it = cache.find(key);
	if (it != cache.end()) {
		cache_bytes -= image_bytes(it->image);
		cache.erase(it);
	}
	make_room(image_bytes(image));
	cache_bytes += image_bytes(image);
	cache.insert(key, entry{image, ++use_clock});
	return true;
}

bool rfoOverlayImageHas(const char *url)
{
	if (!url)
		return false;
	QMutexLocker lock(&cache_mutex);
	return cache.contains(QByteArray(url));
}

QImage rfoOverlayImage(const char *url)
{
	if (!url)
		return QImage();
	QMutexLocker lock(&cache_mutex);
	auto it = cache.find(QByteArray(url));
	if (it == cache.end())
		return QImage();
	it->used = ++use_clock;
	return it->image;
}

void rfoOverlayImagesDrop()
{
	QMutexLocker lock(&cache_mutex);
	cache.clear();
	cache_bytes = 0;
}
