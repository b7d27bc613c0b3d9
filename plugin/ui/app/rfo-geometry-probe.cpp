#include "rfo-geometry-probe.hpp"
#include "rfo-log.h"

#include <QHash>
#include <QPointer>
#include <QScrollArea>
#include <QScrollBar>
#include <QTimer>
#include <QWidget>

#include <stdlib.h>

void rfoGeometryProbeStart(QScrollArea *scroll, QWidget *anchor, const QList<QWidget *> &widgets)
{
	const char *env = getenv("RFO_GEOMETRY_PROBE");
	if (!env || !*env || !scroll)
		return;
	QList<QPointer<QWidget>> targets;
	for (QWidget *w : widgets)
		targets.append(QPointer<QWidget>(w));
	QPointer<QScrollArea> area(scroll);
	QPointer<QWidget> pin(anchor);
	auto *timer = new QTimer(scroll);
	auto *logged = new QHash<QString, QRect>;
	QObject::connect(timer, &QTimer::destroyed, [logged]() { delete logged; });
	QObject::connect(timer, &QTimer::timeout, [area, pin, targets, logged]() {
		if (!area || !area->isVisible())
			return;
		if (pin && area->widget()) { /* vertically only: the tab stays scrolled to its left edge */
			const int top = pin->mapTo(area->widget(), QPoint(0, 0)).y() - 10;
			const int bottom = top + pin->height() + 20;
			QScrollBar *bar = area->verticalScrollBar();
			if (top < bar->value())
				bar->setValue(top);
			else if (bottom > bar->value() + area->viewport()->height())
				bar->setValue(bottom - area->viewport()->height());
		}
		const QRect port(area->viewport()->mapToGlobal(QPoint(0, 0)), area->viewport()->size());
		for (const QPointer<QWidget> &w : targets) {
			if (!w || !w->isVisible())
				continue;
			const QRect r(w->mapToGlobal(QPoint(0, 0)), w->size());
			if (!port.contains(r.center()) || logged->value(w->objectName()) == r)
				continue;
			logged->insert(w->objectName(), r);
			rfo_log(LOG_INFO, "geometry probe: %s %d %d %d %d", w->objectName().toUtf8().constData(), r.x(),
				r.y(), r.width(), r.height());
		}
	});
	timer->start(500);
}
