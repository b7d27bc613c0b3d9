#include "rfo-tooltip-probe.hpp"
#include "rfo-log.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QHelpEvent>
#include <QPointer>
#include <QSet>
#include <QTextDocument>
#include <QTimer>
#include <QToolTip>
#include <QWidget>

#include <stdlib.h>

#define MAX_ROWS 50

/* What QToolTip shows for `tip`: rich text is rendered when Qt::mightBeRichText guesses so. */
static QString shownText(const QString &tip)
{
	if (!Qt::mightBeRichText(tip))
		return tip;
	QTextDocument doc;
	doc.setHtml(tip);
	return doc.toPlainText();
}

static QString widgetName(const QWidget *w)
{
	return w->objectName().isEmpty() ? QString::fromUtf8(w->metaObject()->className()) : w->objectName();
}

/* Sends the hover's ToolTip event to `target` at `pos` and logs what QToolTip then shows (new texts only). */
static void hover(QWidget *target, const QPoint &pos, const QString &name, QSet<QString> &logged)
{
	QHelpEvent ev(QEvent::ToolTip, pos, target->mapToGlobal(pos));
	QApplication::sendEvent(target, &ev);
	if (!QToolTip::isVisible())
		return;
	const QString tip = QToolTip::text();
	const QString key = name + QChar(0) + tip;
	if (logged.contains(key))
		return;
	logged.insert(key);
	QString shown = shownText(tip);
	for (QChar &c : shown)
		if (c.category() == QChar::Other_Control || c.category() == QChar::Separator_Line ||
		    c.category() == QChar::Separator_Paragraph)
			c = QLatin1Char('?');
	QToolTip::hideText();
	rfo_log(LOG_INFO, "tooltip probe: %s: shows \"%s\"", name.toUtf8().constData(), shown.toUtf8().constData());
}

static void probe(QWidget *root, QSet<QString> &logged)
{
	QList<QWidget *> all = root->findChildren<QWidget *>();
	for (QWidget *w : all) {
		if (!w->isVisible())
			continue;
		if (!w->toolTip().isEmpty())
			hover(w, w->rect().center(), widgetName(w), logged);
		auto *view = qobject_cast<QAbstractItemView *>(w);
		if (!view || !view->model())
			continue;
		const int rows = qMin(view->model()->rowCount(), MAX_ROWS);
		for (int r = 0; r < rows; r++) {
			const QRect rect = view->visualRect(view->model()->index(r, 0));
			if (rect.isValid() && view->viewport()->rect().intersects(rect))
				hover(view->viewport(), rect.center(), widgetName(view) + QStringLiteral("[row]"),
				      logged);
		}
	}
}

void rfoTooltipProbeStart(QWidget *root)
{
	const char *env = getenv("RFO_TOOLTIP_PROBE");
	if (!env || !*env || !root)
		return;
	rfo_log(LOG_INFO, "tooltip probe: on (RFO_TOOLTIP_PROBE)");
	auto *timer = new QTimer(root);
	auto *logged = new QSet<QString>;
	QPointer<QWidget> target(root);
	QObject::connect(timer, &QTimer::destroyed, [logged]() { delete logged; });
	QObject::connect(timer, &QTimer::timeout, [target, logged]() {
		if (target)
			probe(target.data(), *logged);
	});
	timer->start(1000);
}
