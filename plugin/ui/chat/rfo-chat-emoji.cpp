#include "rfo-chat-emoji.hpp"

#include <QFontDatabase>
#include <QStringList>

QString rfoColorEmojiFamily()
{
	static bool looked = false;
	static QString family;
	if (looked)
		return family;
	looked = true;
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
	const QStringList families = QFontDatabase::families();
#else
	const QStringList families = QFontDatabase().families();
#endif
	for (const char *name : {"Noto Color Emoji", "Twemoji", "Apple Color Emoji", "Segoe UI Emoji", "JoyPixels"}) {
		for (const QString &f : families)
			if (f.startsWith(QLatin1String(name), Qt::CaseInsensitive)) {
				family = f;
				return family;
			}
	}
	for (const QString &f : families)
		if (f.contains(QLatin1String("Color Emoji"), Qt::CaseInsensitive) ||
		    f.contains(QLatin1String("Emoji"), Qt::CaseInsensitive)) {
			family = f;
			break;
		}
	return family;
}

/* A code point drawn as an emoji by default, or one that joins or modifies the emoji before it. */
static bool emojiBase(uint c)
{
	return (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x1F000 && c <= 0x1F2FF) || (c >= 0x2600 && c <= 0x27BF) ||
	       (c >= 0x2B00 && c <= 0x2BFF) || c == 0x2122 || c == 0x2139 || (c >= 0x2194 && c <= 0x21AA) ||
	       (c >= 0x231A && c <= 0x23FF) || c == 0x3030 || c == 0x303D || c == 0x3297 || c == 0x3299;
}

static bool emojiJoin(uint c)
{
	return c == 0x200D || c == 0xFE0F || c == 0x20E3 || (c >= 0x1F3FB && c <= 0x1F3FF) ||
	       (c >= 0xE0020 && c <= 0xE007F);
}

QVector<RfoTextRange> rfoEmojiRanges(const QString &text)
{
	QVector<RfoTextRange> out;
	const int n = text.size();
	int i = 0;
	while (i < n) {
		const uint c = text.at(i).isHighSurrogate() && i + 1 < n && text.at(i + 1).isLowSurrogate()
				       ? QChar::surrogateToUcs4(text.at(i), text.at(i + 1))
				       : text.at(i).unicode();
		const int w = c > 0xFFFF ? 2 : 1;
		if (!emojiBase(c)) {
			i += w;
			continue;
		}
		int end = i + w;
		while (end < n) {
			const uint d =
				text.at(end).isHighSurrogate() && end + 1 < n && text.at(end + 1).isLowSurrogate()
					? QChar::surrogateToUcs4(text.at(end), text.at(end + 1))
					: text.at(end).unicode();
			const int dw = d > 0xFFFF ? 2 : 1;
			const bool afterJoiner = text.at(end - 1).unicode() == 0x200D;
			if (!emojiJoin(d) && !(afterJoiner && emojiBase(d)))
				break;
			end += dw;
		}
		if (!out.isEmpty() && out.last().start + out.last().length == i)
			out.last().length = end - out.last().start;
		else
			out.append({i, end - i});
		i = end;
	}
	return out;
}
