#pragma once

#include <QString>
#include <QVector>

/* Colour emoji in chat text. Text fonts such as DejaVu Sans carry black-and-white drawings of some emoji (the
 * smileys), which Qt would pick before the system's colour emoji font; the chat marks every emoji with that font's
 * family instead, so all of them are drawn in colour wherever such a font is installed. */

/* The family of an installed colour emoji font ("Noto Color Emoji", …), or empty when there is none. */
QString rfoColorEmojiFamily();

struct RfoTextRange {
	int start;
	int length;
};

/* The emoji in `text` (UTF-16 positions), each with its modifiers, variation selectors and joiners. */
QVector<RfoTextRange> rfoEmojiRanges(const QString &text);
