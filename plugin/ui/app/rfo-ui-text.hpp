#pragma once

#include <obs-module.h>
#include <QString>
#include <QTextDocument>

/* Every user-visible string goes through the module's locale (locale/en-US.ini). */
static inline QString QTStr(const char *key)
{
	return QString::fromUtf8(obs_module_text(key));
}

/* Remote text (anything from Restream or a chat) as a tooltip. QToolTip guesses rich text on its own, and rich text
 * loads <img> sources from local paths on every repaint: this is always rich text whose content is the escaped,
 * literal string. Empty stays empty (no tooltip). */
static inline QString rfoPlainTip(const QString &text)
{
	return text.isEmpty() ? QString() : Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal);
}
