#include "rfo-flow-layout.hpp"

#include <QWidget>

RfoFlowLayout::RfoFlowLayout(QWidget *parent, int spacing) : QLayout(parent), gap(spacing)
{
	setContentsMargins(0, 0, 0, 0);
}

RfoFlowLayout::~RfoFlowLayout()
{
	while (QLayoutItem *item = takeAt(0))
		delete item;
}

void RfoFlowLayout::addItem(QLayoutItem *item)
{
	items.append(item);
}

int RfoFlowLayout::count() const
{
	return items.size();
}

QLayoutItem *RfoFlowLayout::itemAt(int index) const
{
	return items.value(index);
}

QLayoutItem *RfoFlowLayout::takeAt(int index)
{
	if (index < 0 || index >= items.size())
		return nullptr;
	return items.takeAt(index);
}

Qt::Orientations RfoFlowLayout::expandingDirections() const
{
	return {};
}

bool RfoFlowLayout::hasHeightForWidth() const
{
	return true;
}

int RfoFlowLayout::heightForWidth(int width) const
{
	return arrange(QRect(0, 0, width, 0), false);
}

QSize RfoFlowLayout::minimumSize() const
{
	/* as narrow as its widest item: everything else goes onto more lines */
	QSize size;
	for (const QLayoutItem *item : items)
		size = size.expandedTo(item->minimumSize());
	const QMargins m = contentsMargins();
	return size + QSize(m.left() + m.right(), m.top() + m.bottom());
}

QSize RfoFlowLayout::sizeHint() const
{
	return minimumSize();
}

void RfoFlowLayout::setGeometry(const QRect &rect)
{
	QLayout::setGeometry(rect);
	arrange(rect, true);
}

int RfoFlowLayout::arrange(const QRect &rect, bool apply) const
{
	const QMargins m = contentsMargins();
	const QRect area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom());
	const bool rtl = parentWidget() && parentWidget()->layoutDirection() == Qt::RightToLeft;
	int x = 0, y = area.y(), lineHeight = 0;
	for (QLayoutItem *item : items) {
		if (item->isEmpty())
			continue;
		/* the widget's own wish: a QWidgetItem reports 0 for a width its size policy ignores (elided lines) */
		const QSize want =
			item->widget() ? item->widget()->sizeHint().expandedTo(item->minimumSize()) : item->sizeHint();
		const QSize s = want.boundedTo(QSize(area.width(), QWIDGETSIZE_MAX));
		if (x > 0 && x + s.width() > area.width()) {
			x = 0;
			y += lineHeight + gap;
			lineHeight = 0;
		}
		if (apply) {
			const int left = rtl ? area.right() + 1 - x - s.width() : area.x() + x;
			item->setGeometry(QRect(QPoint(left, y), s));
		}
		x += s.width() + gap;
		lineHeight = qMax(lineHeight, s.height());
	}
	return y + lineHeight - rect.y() + m.bottom();
}
