#include "rfo-layout-probe.hpp"
#include "rfo-elide.hpp"
#include "rfo-log.h"

#include <obs.h>

#include <QAbstractButton>
#include <QAbstractScrollArea>
#include <QApplication>
#include <QDockWidget>
#include <QLabel>
#include <QPointer>
#include <QScreen>
#include <QScrollBar>
#include <QStackedWidget>
#include <QStringList>
#include <QTabWidget>
#include <QTimer>

#include <stdlib.h>

#define SETTLE_MS 400 /* a resize, a relayout and a repaint, on a loaded machine */
#define VIEWS 5       /* what the dock shows at the start, then each of its four tabs */

static const int widths[] = {280, 400, 700};
static QPointer<QWidget> probe_dock;
static int probe_step;

static QString nameOf(const QWidget *w)
{
	QString name = w->objectName().isEmpty() ? QString::fromUtf8(w->metaObject()->className()) : w->objectName();
	if (auto *b = qobject_cast<const QAbstractButton *>(w))
		name += QStringLiteral("(") + b->text().left(24) + QStringLiteral(")");
	else if (auto *l = qobject_cast<const QLabel *>(w))
		name += QStringLiteral("(") + l->text().left(24) + QStringLiteral(")");
	return name;
}

static QString rectText(const QWidget *w)
{
	const qreal dpr = w->devicePixelRatioF();
	const QPoint p = w->mapToGlobal(QPoint(0, 0));
	return QStringLiteral("%1,%2,%3,%4")
		.arg(qRound(p.x() * dpr))
		.arg(qRound(p.y() * dpr))
		.arg(qRound(w->width() * dpr))
		.arg(qRound(w->height() * dpr));
}

/* The page or tab shown now, and its name. */
static QWidget *shownView(QWidget *dock, QString *name)
{
	auto *pages = dock->findChild<QStackedWidget *>(QString(), Qt::FindDirectChildrenOnly);
	auto *tabs = dock->findChild<QTabWidget *>("RestreamDockTabs");
	if (pages && tabs && pages->currentWidget() && pages->currentWidget()->isAncestorOf(tabs) &&
	    tabs->currentWidget()) {
		*name = tabs->currentWidget()->property("rfoTabName").toString();
		return tabs->currentWidget();
	}
	*name = QStringLiteral("signedout");
	return pages ? pages->currentWidget() : dock;
}

/* A one-line text or a button cut without an ellipsis, or a widget reaching past the dock's right edge. */
static bool clipped(const QWidget *w, const QWidget *frame)
{
	if (w->mapTo(frame, QPoint(w->width(), 0)).x() > frame->width() + 1)
		return true;
	if (auto *l = qobject_cast<const QLabel *>(w)) {
		if (l->wordWrap() || l->text().isEmpty() || dynamic_cast<const RfoElidedLabel *>(l))
			return false;
		return l->fontMetrics().horizontalAdvance(l->text()) > l->contentsRect().width() + 1;
	}
	if (auto *b = qobject_cast<const QAbstractButton *>(w))
		return !b->text().isEmpty() && b->sizeHint().width() > b->width() + 1;
	return false;
}

QStringList rfoLayoutScrollbars(QWidget *root)
{
	QStringList out;
	for (QWidget *w : root->findChildren<QWidget *>()) {
		auto *area = qobject_cast<QAbstractScrollArea *>(w);
		if (area && area->isVisible() && area->horizontalScrollBar()->isVisible())
			out << nameOf(w);
	}
	return out;
}

QStringList rfoLayoutClipped(QWidget *root, QWidget *edge)
{
	QStringList out;
	for (QWidget *w : root->findChildren<QWidget *>())
		if (w->isVisible() && clipped(w, edge))
			out << nameOf(w);
	return out;
}

static void report(int step, int asked)
{
	QWidget *dock = probe_dock.data();
	auto *frame = dock ? qobject_cast<QDockWidget *>(dock->parentWidget()) : nullptr;
	if (!frame)
		return;
	QString view;
	QWidget *root = shownView(dock, &view);
	QStringList hscroll = rfoLayoutScrollbars(root), cut = rfoLayoutClipped(root, frame);
	if (dock->minimumSizeHint().width() > dock->width())
		hscroll << QStringLiteral("dock");
	QString line = QStringLiteral("layout probe: step %1 view=%2 width=%3 (asked %4) scale=%5 rect=%6")
			       .arg(step)
			       .arg(view)
			       .arg(frame->width())
			       .arg(asked)
			       .arg(frame->devicePixelRatioF())
			       .arg(rectText(frame));
	auto *list = root->findChild<QAbstractScrollArea *>("RestreamChatList");
	if (list && list->isVisible())
		line += QStringLiteral(" list=") + rectText(list->viewport());
	line += QStringLiteral(" hscroll=") + (hscroll.isEmpty() ? QStringLiteral("none") : hscroll.join(','));
	line += QStringLiteral(" clipped=") + (cut.isEmpty() ? QStringLiteral("none") : cut.join(','));
	if (frame->width() > asked) {
		/* what keeps the dock wider than asked: every widget (any tab) that needs nearly that much */
		QStringList wide;
		for (QWidget *w : dock->findChildren<QWidget *>())
			if (w->minimumSizeHint().width() > asked - 40 && wide.size() < 16)
				wide << nameOf(w) + QStringLiteral(":") + QString::number(w->minimumSizeHint().width());
		line += QStringLiteral(" wide=") + wide.join(',');
	}
	rfo_log(LOG_INFO, "%s", line.toUtf8().constData());
}

static void next()
{
	QWidget *dock = probe_dock.data();
	auto *frame = dock ? qobject_cast<QDockWidget *>(dock->parentWidget()) : nullptr;
	if (!frame)
		return;
	const int step = probe_step++;
	const int n = (int)(sizeof(widths) / sizeof(widths[0]));
	if (step >= VIEWS * n) {
		rfo_log(LOG_INFO, "layout probe: done");
		return;
	}
	const int view = step / n, width = widths[step % n];
	auto *tabs = dock->findChild<QTabWidget *>("RestreamDockTabs");
	if (view > 0 && tabs && view - 1 < tabs->count())
		tabs->setCurrentIndex(view - 1);
	frame->setFloating(true);
	const QScreen *screen = frame->screen();
	const int height = screen ? qMin(600, screen->availableGeometry().height() - 40) : 600;
	frame->setGeometry(10, 10, width, height);
	frame->show();
	frame->raise();
	QTimer::singleShot(SETTLE_MS, dock, [step, width]() { report(step, width); });
}

static void pressed(void *, obs_hotkey_id, obs_hotkey_t *, bool down)
{
	if (!down)
		return;
	/* OBS routes frontend hotkeys to its UI thread; from any other thread this is still only a queued call */
	QMetaObject::invokeMethod(qApp, []() { next(); }, Qt::QueuedConnection);
}

void rfoLayoutProbeStart(QWidget *dock)
{
	const char *env = getenv("RFO_LAYOUT_PROBE");
	if (!env || !*env || !dock || probe_dock)
		return;
	probe_dock = dock;
	obs_hotkey_register_frontend("RestreamForOBS.LayoutProbe", "Restream: layout probe (tests)", pressed, nullptr);
	rfo_log(LOG_INFO, "layout probe: on (RFO_LAYOUT_PROBE)");
}
