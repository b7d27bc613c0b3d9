#include "rfo-geometry-probe.hpp"
#include "rfo-log.h"

#include <QHash>
#include <QPointer>
#include <QScrollArea>
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
		if (pin)
			area->ensureWidgetVisible(pin, 10, 10);
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
