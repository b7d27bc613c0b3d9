#include "rfo-text-probe.hpp"
#include "rfo-log.h"

#include <QTabWidget>
#include <QWidget>

#include <stdlib.h>

#define MAX_LINES 80

static QByteArray printable(QString text)
{
	for (QChar &c : text)
		if (c.category() == QChar::Other_Control || c.category() == QChar::Separator_Line ||
		    c.category() == QChar::Separator_Paragraph)
			c = QLatin1Char('?');
	return text.toUtf8();
}

void rfoTextProbeLog(QWidget *root)
{
	const char *env = getenv("RFO_DOCK_TEXT_PROBE");
	if (!env || !*env || !root)
		return;
	int lines = 0;
	for (QTabWidget *tabs : root->findChildren<QTabWidget *>())
		for (int i = 0; i < tabs->count() && lines < MAX_LINES; i++, lines++)
			rfo_log(LOG_INFO, "dock text probe: tab %d: \"%s\"", i,
				printable(tabs->tabText(i)).constData());
	for (QWidget *w : root->findChildren<QWidget *>()) {
		if (w->accessibleName().isEmpty() || lines >= MAX_LINES)
			continue;
		lines++;
		rfo_log(LOG_INFO, "dock text probe: %s '%s': \"%s\"", w->metaObject()->className(),
			printable(w->objectName()).constData(), printable(w->accessibleName()).constData());
	}
}
