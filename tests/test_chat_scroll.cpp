/* The chat tab's scrolling (Qt offscreen): a viewer who scrolled up keeps the same message at the top of the
 * list while a flood arrives (several flushes, rows evicted at the 5,000-row cap), until they go back to the
 * bottom; at the bottom the list follows the newest message. */
#include "rfo-chat-view.hpp"
#include "rfo-test.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QListView>
#include <QPushButton>
#include <QScrollBar>

#include <string>
#include <vector>

extern "C" const char *obs_module_text(const char *lookup)
{
	return strcmp(lookup, "Chat.NewMessages") == 0 ? "%1 new messages" : lookup;
}

static int g_next = 0;

/* `count` messages "m<N> ..." of varied lengths (one to several wrapped lines) */
static void push(RfoChatView *view, int count)
{
	std::vector<std::string> ids, texts;
	std::vector<rfo_chat_message> msgs((size_t)count);
	std::vector<rfo_chat_message *> ptrs;
	ids.reserve((size_t)count);
	texts.reserve((size_t)count);
	for (int i = 0; i < count; i++) {
		const int n = g_next++;
		ids.push_back("c|e" + std::to_string(n) + "|0");
		std::string t = "m" + std::to_string(n) + " hello";
		for (int k = 0; k < (n * 7) % 23; k++)
			t += " word" + std::to_string(k);
		texts.push_back(t);
	}
	for (int i = 0; i < count; i++) {
		rfo_chat_message &m = msgs[(size_t)i];
		m = rfo_chat_message{};
		m.id = const_cast<char *>(ids[(size_t)i].c_str());
		m.connection_id = const_cast<char *>("c");
		m.platform = "Twitch";
		m.kind = RFO_CHAT_KIND_TEXT;
		m.author = const_cast<char *>("viewer");
		m.text = const_cast<char *>(texts[(size_t)i].c_str());
		m.timestamp = 1700000000;
		ptrs.push_back(&m);
	}
	view->addMessages(ptrs.data(), ptrs.size());
}

static void settle(int ms)
{
	QElapsedTimer t;
	t.start();
	while (t.elapsed() < ms)
		QApplication::processEvents(QEventLoop::AllEvents, 5);
}

/* the message number at the top of the viewport, and how far its row starts above the viewport's top */
static int topMessage(QListView *list, int *offset)
{
	const QModelIndex idx = list->indexAt(QPoint(12, 0));
	if (!idx.isValid())
		return -1;
	if (offset)
		*offset = -list->visualRect(idx).top();
	const QString text = idx.data(Qt::DisplayRole).toString();
	const int at = text.indexOf(QStringLiteral(": m"));
	return at < 0 ? -1 : text.mid(at + 3).section(' ', 0, 0).toInt();
}

static bool atBottom(QListView *list)
{
	QScrollBar *sb = list->verticalScrollBar();
	if (sb->value() != sb->maximum())
		return false;
	const QModelIndex last = list->model()->index(list->model()->rowCount() - 1, 0);
	const QRect r = list->visualRect(last);
	return r.isValid() && r.bottom() <= list->viewport()->height() + 1 && r.bottom() >= 0;
}

int main(int argc, char **argv)
{
	qputenv("QT_QPA_PLATFORM", "offscreen");
	QApplication app(argc, argv);
	int failures = 0;
	{
		RfoChatView view;
		rfo_ui_chat_settings settings{};
		settings.history = 5000; /* the cap the flood crosses */
		settings.show_timestamps = true;
		view.applySettings(settings);
		view.resize(320, 480);
		view.show();
		auto *list = view.findChild<QListView *>(QStringLiteral("RestreamChatList"));
		auto *newButton = view.findChild<QPushButton *>(QStringLiteral("RestreamChatNewMessages"));
		check(list && newButton);
		QScrollBar *sb = list->verticalScrollBar();

		for (int i = 0; i < 6; i++) {
			push(&view, 500);
			settle(60);
		}
		settle(500);
		check(list->model()->rowCount() == 3000);
		check(atBottom(list));

		/* the viewer scrolls up to message 2000, a few pixels into its row (as a wheel would leave it) */
		list->scrollTo(list->model()->index(2000, 0), QAbstractItemView::PositionAtTop);
		sb->triggerAction(QAbstractSlider::SliderSingleStepAdd);
		settle(100);
		int offset0 = 0;
		const int top0 = topMessage(list, &offset0);
		fprintf(stderr, "reading message %d (offset %d px), value %d of %d\n", top0, offset0, sb->value(),
			sb->maximum());
		check(top0 >= 1995 && top0 <= 2005);

		/* a flood: 8 pushes of 400 (several flushes each), past the cap (3000 + 3200 > 5000: 1200 evicted) */
		for (int i = 0; i < 8; i++) {
			push(&view, 400);
			settle(40);
			int off = 0;
			const int top = topMessage(list, &off);
			if (top != top0 || off != offset0) {
				fprintf(stderr, "FAIL after push %d: top message %d (offset %d), expected %d (%d)\n", i,
					top, off, top0, offset0);
				failures++;
			}
		}
		settle(800);
		check(list->model()->rowCount() == 5000);
		int offset1 = 0;
		const int top1 = topMessage(list, &offset1);
		fprintf(stderr, "after the flood: message %d (offset %d px), value %d of %d\n", top1, offset1,
			sb->value(), sb->maximum());
		check(top1 == top0);
		check(offset1 == offset0);
		check(!atBottom(list));
		check(newButton->isVisible());

		/* back to the newest: the list follows the bottom through the next flood */
		newButton->click();
		settle(200);
		check(atBottom(list));
		check(!newButton->isVisible());
		for (int i = 0; i < 6; i++) {
			push(&view, 300);
			settle(50);
		}
		settle(800);
		fprintf(stderr, "following: value %d of %d\n", sb->value(), sb->maximum());
		check(atBottom(list));
		check(!newButton->isVisible());
		int off = 0;
		check(topMessage(list, &off) > g_next - 60);

		/* the viewer scrolls up with the wheel-like step, then back to the bottom by dragging the scroll bar */
		for (int i = 0; i < 30; i++)
			sb->triggerAction(QAbstractSlider::SliderPageStepSub);
		settle(100);
		const int top2 = topMessage(list, &offset0);
		push(&view, 500);
		settle(600);
		check(topMessage(list, &off) == top2 && off == offset0);
		sb->setSliderPosition(sb->maximum());
		settle(100);
		push(&view, 500);
		settle(600);
		check(atBottom(list));
	}
	if (failures)
		fail("the viewer's message moved during the flood");
	fprintf(stderr, "chat scroll: ok\n");
	return 0;
}
