#pragma once

#include <QBuffer>
#include <QByteArray>
#include <QImage>
#include <QImageReader>

/* An image from the network (channel icons, chat emotes), decoded on the UI thread only when its header says it is a
 * small raster image: the format and the dimensions are read before any pixel is, so a tiny file announcing a huge
 * picture (a decompression bomb) is refused without allocating it. A null image when refused or unreadable. */
static inline QImage rfoDecodeRemoteImage(const QByteArray &data, int maxSide)
{
	QBuffer buffer;
	buffer.setData(data);
	QImageReader reader(&buffer);
	const QByteArray format = reader.format().toLower();
	if (format != "png" && format != "gif" && format != "jpeg" && format != "jpg" && format != "webp")
		return QImage();
	const QSize size = reader.size();
	if (!size.isValid() || size.width() > maxSide || size.height() > maxSide)
		return QImage();
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
	reader.setAllocationLimit(16); /* MiB; a second guard for formats whose header can lie about the size */
#endif
	return reader.read();
}
