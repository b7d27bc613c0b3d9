#include "rfo-chat-scroll.hpp"
#include "rfo-chat-list.hpp"
#include "rfo-chat-model.hpp"
#include "rfo-ui-text.hpp"

#include <QPushButton>
#include <QScrollBar>

#include <algorithm>

#define SCROLL_PREPARE_ROWS 200 /* the most rows a scroll lays out at once (a viewport's worth) */
#define PREPARE_PROBE_X 12      /* indexAt() probes this far into the viewport (past the accent bar) */

RfoChatScroll::RfoChatScroll(QWidget *view, RfoChatList *list_, RfoChatModel *model_, RfoChatDelegate *delegate_)
	: QObject(view), list(list_), model(model_), delegate(delegate_)
{
	connect(list->verticalScrollBar(), &QScrollBar::valueChanged, this, &RfoChatScroll::onScrollValue);
	connect(list->verticalScrollBar(), &QScrollBar::rangeChanged, this, &RfoChatScroll::onScrollRange);
	connect(list, &RfoChatList::laidOut, this, &RfoChatScroll::onLaidOut);

	newButton = new QPushButton(view);
	newButton->setObjectName("RestreamChatNewMessages");
	newButton->setAccessibleName(QTStr("Chat.NewMessages").arg(0)); /* the count follows while it is shown */
	newButton->setVisible(false);
	connect(newButton, &QPushButton::clicked, this, [this]() {
		setFollowing(true);
		list->scrollToBottom();
	});
}

void RfoChatScroll::rowsAdded(int added)
{
	/* no scrollToBottom() here: it would run the list's whole layout now; the list lays itself out on its own
	 * turns and onScrollRange() keeps the bottom in view when its range changes. A viewer reading back keeps
	 * their message in place (evicted rows above it moved it up) */
	if (stickToBottom)
		return;
	keepAnchor();
	unseen += added;
	newButton->setText(QTStr("Chat.NewMessages").arg(unseen));
	newButton->setAccessibleName(newButton->text());
	newButton->adjustSize();
	newButton->show();
	newButton->raise();
	placeNewButton();
}

void RfoChatScroll::scrollTo(int value)
{
	scrolling = true;
	list->verticalScrollBar()->setValue(value);
	scrolling = false;
}

void RfoChatScroll::onScrollRange(int min, int max)
{
	Q_UNUSED(min);
	if (stickToBottom)
		scrollTo(max);
	else
		keepAnchor();
}

void RfoChatScroll::onLaidOut()
{
	if (stickToBottom)
		scrollTo(list->verticalScrollBar()->maximum());
	else
		keepAnchor();
}

void RfoChatScroll::setFollowing(bool on)
{
	if (on) {
		unseen = 0;
		newButton->hide();
	}
	if (on == stickToBottom)
		return;
	stickToBottom = on;
	/* following: the list lays itself out in batches (a flood costs the UI thread less per turn); reading back:
	 * in one pass, as a batched pass first shrinks the scroll range to its first batch and the rows under the
	 * viewer would flicker away until it ends */
	list->setLayoutMode(on ? QListView::Batched : QListView::SinglePass);
}

void RfoChatScroll::noteAnchor()
{
	const QModelIndex top = list->indexAt(QPoint(PREPARE_PROBE_X, 0));
	const RfoChatRow *r = top.isValid() ? model->row(top.row()) : nullptr;
	if (!r)
		return;
	anchorSerial = r->serial;
	anchorOffset = -list->visualRect(top).top();
}

void RfoChatScroll::keepAnchor()
{
	if (stickToBottom || scrolling || !anchorSerial)
		return;
	const int row = model->rowAtOrAfter(anchorSerial);
	if (row < 0)
		return;
	const RfoChatRow *r = model->row(row);
	if (r->serial != anchorSerial) {
		/* the message was evicted (or filtered out): the next one stays at the top */
		anchorSerial = r->serial;
		anchorOffset = 0;
	}
	const QRect rect = list->visualRect(model->index(row)); /* lays the list out first if it is due */
	if (!rect.isValid())
		return;
	QScrollBar *sb = list->verticalScrollBar();
	const int target = sb->value() + rect.top() + anchorOffset;
	if (target != sb->value())
		scrollTo(target);
}

void RfoChatScroll::prepareVisible()
{
	const QRect vp = list->viewport()->rect();
	const QModelIndex top = list->indexAt(QPoint(vp.left() + PREPARE_PROBE_X, vp.top()));
	if (!top.isValid())
		return;
	const QModelIndex bottom = list->indexAt(QPoint(vp.left() + PREPARE_PROBE_X, vp.bottom()));
	const int last = bottom.isValid() ? bottom.row() : model->rowCount() - 1;
	delegate->prepareRows(top.row(), std::min(last, top.row() + SCROLL_PREPARE_ROWS));
}

void RfoChatScroll::onScrollValue(int value)
{
	const int before = lastValue;
	lastValue = value;
	if (scrolling || modelChanging)
		return;
	const int max = list->verticalScrollBar()->maximum();
	if (before > max && value == max) {
		/* the range shrank under the value (a layout pass, a resize): not the viewer going to the bottom */
		keepAnchor();
		return;
	}
	/* the viewer scrolled: rows with a guessed height that came into view get their text laid out now */
	prepareVisible();
	setFollowing(value >= max - 2);
	if (!stickToBottom)
		noteAnchor();
}

void RfoChatScroll::placeNewButton()
{
	QRect r = list->geometry();
	newButton->move(r.center().x() - newButton->width() / 2, r.bottom() - newButton->height() - 8);
}

void RfoChatScroll::viewResized()
{
	if (newButton->isVisible())
		placeNewButton();
}
