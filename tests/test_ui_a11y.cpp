/* Keyboard and screen readers (Qt offscreen): each tab of the dock (Go live, Chat, Channels, Stats), the account
 * and signed-out pages and the settings dialog are built with the real en-US locale, and every widget that Tab can
 * reach (or that a user operates: buttons, switches, fields) has an accessible name looked up from the locale; Tab
 * walks them in reading order (top to bottom, left to right within a row); the chat list takes focus and scrolls
 * with PageUp/PageDown/Home/End. */
#include "rfo-channels-view.hpp"
#include "rfo-chat-view.hpp"
#include "rfo-dock.hpp"
#include "rfo-golive-view.hpp"
#include "rfo-settings-dialog.hpp"
#include "rfo-stats-view.hpp"
#include "rfo-ui-channels.h"
#include "rfo-ui-golive.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTabBar>

#include <util/text-lookup.h>

#include <string>
#include <vector>

/* last: its fail()/check() macros would clash with names inside the C++ library's headers */
#include "rfo-test.h"

static lookup_t *locale;

/* The plugin's real texts (en-US.ini); a key without a text comes back as the key, which the checks refuse. */
extern "C" const char *obs_module_text(const char *lookup)
{
	const char *out = lookup;
	if (locale)
		text_lookup_getstr(locale, lookup, &out);
	return out;
}

static size_t problems;

static void settle(int ms)
{
	QElapsedTimer t;
	t.start();
	while (t.elapsed() < ms)
		QApplication::processEvents(QEventLoop::AllEvents, 5);
}

static QString describe(const QWidget *w)
{
	QString s = QString::fromUtf8(w->metaObject()->className());
	if (!w->objectName().isEmpty())
		s += " '" + w->objectName() + "'";
	if (auto *b = qobject_cast<const QAbstractButton *>(w))
		s += " \"" + b->text() + "\"";
	return s;
}

/* A widget a user operates: Tab reaches it, or it is a control even when Tab does not (a click-only button). */
static bool interactive(const QWidget *w)
{
	if (qobject_cast<const QTabBar *>(w) && w->focusPolicy() == Qt::NoFocus)
		return false;
	if (w->focusPolicy() & Qt::TabFocus)
		return true;
	return qobject_cast<const QAbstractButton *>(w) || qobject_cast<const QLineEdit *>(w) ||
	       qobject_cast<const QComboBox *>(w) || qobject_cast<const QAbstractSpinBox *>(w) ||
	       qobject_cast<const QPlainTextEdit *>(w);
}

/* A widget's own parts (a spin box's line edit, a combo box's popup, a table's corner button, a scroll bar) are named
 * by their owner. */
static bool part_of_control(const QWidget *w, const QWidget *root)
{
	for (const QWidget *p = w->parentWidget(); p && p != root; p = p->parentWidget())
		if (qobject_cast<const QAbstractSpinBox *>(p) || qobject_cast<const QComboBox *>(p) ||
		    qobject_cast<const QAbstractItemView *>(p))
			return true;
	/* a dialog's standard buttons (Save, Cancel) carry Qt's own translated text, which is their name */
	if (qobject_cast<const QDialogButtonBox *>(w->parentWidget()))
		return true;
	return qobject_cast<const QScrollBar *>(w) != nullptr;
}

/* Every interactive widget under `root` has an accessible name that is locale text (not a key, not empty). */
static void check_names(QWidget *root, const char *what, bool hasControls = true)
{
	size_t named = 0;
	for (QWidget *w : root->findChildren<QWidget *>()) {
		if (!interactive(w) || part_of_control(w, root))
			continue;
		const QString name = w->accessibleName();
		bool ok = !name.trimmed().isEmpty();
		const QByteArray utf8 = name.toUtf8();
		const char *unused = nullptr;
		if (ok && text_lookup_getstr(locale, utf8.constData(), &unused))
			ok = false; /* the key itself: the lookup failed */
		if (!ok) {
			fprintf(stderr, "%s: %s has no accessible name (\"%s\")\n", what,
				describe(w).toUtf8().constData(), utf8.constData());
			problems++;
		} else {
			named++;
		}
	}
	printf("%s: %zu controls named\n", what, named);
	check(named > 0 || !hasControls);
}

/* What Tab walks: from `root` along the focus chain, the widgets under it that take Tab focus now. */
static QList<QWidget *> tab_chain(QWidget *root)
{
	QList<QWidget *> out;
	QWidget *w = root->nextInFocusChain();
	for (int guard = 0; w && w != root && guard < 10000; guard++, w = w->nextInFocusChain()) {
		if (!root->isAncestorOf(w) || !(w->focusPolicy() & Qt::TabFocus) || !w->isEnabled() ||
		    !w->isVisibleTo(root) || w->focusProxy())
			continue;
		out << w;
	}
	return out;
}

/* Reading order: each next stop is on a lower row, or on the same row further right. Two widgets share a row when
 * their vertical extents overlap. */
static void check_order(QWidget *root, const char *what)
{
	const QList<QWidget *> chain = tab_chain(root);
	QStringList walk;
	for (QWidget *w : chain)
		walk << describe(w);
	printf("%s: Tab walks %s\n", what, walk.join(" -> ").toUtf8().constData());
	check(!chain.isEmpty());
	for (int i = 1; i < chain.size(); i++) {
		const QRect a(chain[i - 1]->mapTo(root, QPoint(0, 0)), chain[i - 1]->size());
		const QRect b(chain[i]->mapTo(root, QPoint(0, 0)), chain[i]->size());
		const bool sameRow = b.top() <= a.bottom() && a.top() <= b.bottom();
		const bool ok = sameRow ? b.left() >= a.right() - 1 : b.top() > a.top();
		if (!ok) {
			fprintf(stderr,
				"%s: Tab goes from %s (%d,%d %dx%d) to %s (%d,%d %dx%d), against reading order\n", what,
				describe(chain[i - 1]).toUtf8().constData(), a.x(), a.y(), a.width(), a.height(),
				describe(chain[i]).toUtf8().constData(), b.x(), b.y(), b.width(), b.height());
			problems++;
		}
	}
}

static void show_at(QWidget *w, int width, int height)
{
	w->resize(width, height);
	w->show();
	settle(50);
}

/* ---- Go live: signed in, two servers, one event, SRT offered ---- */

static void golive_state(rfo_ui_golive_state_cb cb, void *param)
{
	rfo_ui_golive_server servers[2] = {{1, "EU-West (London)"}, {2, "US-East (New York)"}};
	rfo_ui_golive_event event = {"ev1", "Morning show", "upcoming", 0};
	rfo_ui_golive_state st{};
	st.signed_in = true;
	st.servers = servers;
	st.server_count = 2;
	st.user_ingest_id = 1;
	st.events = &event;
	st.event_count = 1;
	st.srt_available = true;
	st.key_masked = "re_••••";
	st.was_set_up = true;
	st.protocol = "rtmp";
	st.event_id = "";
	st.server_text = "rtmp://live.restream.io/live";
	st.can_restore = true;
	cb(param, &st);
}

static void check_golive(void)
{
	rfo_ui_golive_actions actions{};
	actions.state = golive_state;
	rfo_ui_golive_connect(&actions);
	auto *view = new RfoGoLiveView();
	show_at(view, 400, 900);
	check_names(view, "Go live");
	check_order(view, "Go live");
	delete view;
	rfo_ui_golive_connect(nullptr);
}

/* ---- Channels: two channels, the title editor open ---- */

static void channels_state(rfo_ui_channels_state_cb cb, void *param)
{
	rfo_ui_channel ch[2] = {};
	ch[0].id = 1000101;
	ch[0].platform_id = 1;
	ch[0].platform_name = "Twitch";
	ch[0].platform_known = true;
	ch[0].badge = "T";
	ch[0].display_name = "emu_streamer";
	ch[0].enabled = true;
	ch[0].url = "https://twitch.tv/emu_streamer";
	ch[1] = ch[0];
	ch[1].id = 1000102;
	ch[1].platform_id = 5;
	ch[1].platform_name = "YouTube";
	ch[1].badge = "Y";
	ch[1].display_name = "Emu Streams";
	ch[1].enabled = false;
	rfo_ui_channels_state st{};
	st.signed_in = true;
	st.channels = ch;
	st.count = 2;
	cb(param, &st);
}

static void check_channels(void)
{
	rfo_ui_channels_actions actions{};
	actions.state = channels_state;
	const rfo_ui_channels_view *port = rfo_ui_channels_connect(&actions);
	auto *view = new RfoChannelsView();
	port->changed();
	show_at(view, 400, 700);
	if (auto *toggle = view->findChild<QAbstractButton *>("RestreamChannelsTitleToggle"))
		toggle->setChecked(true);
	settle(50);
	check_names(view, "Channels");
	check_order(view, "Channels");
	/* each row's switch says which channel it switches */
	auto *sw = view->findChild<QAbstractButton *>("RestreamChannelSwitch_1000102");
	check(sw != nullptr);
	if (sw && !sw->accessibleName().contains("Emu Streams")) {
		fprintf(stderr, "Channels: the switch's name \"%s\" does not name its channel\n",
			sw->accessibleName().toUtf8().constData());
		problems++;
	}
	delete view;
	rfo_ui_channels_connect(nullptr);
}

/* ---- Chat: a connection and enough messages to scroll ---- */

static void check_chat(void)
{
	auto *view = new RfoChatView();
	rfo_chat_connection conn{};
	conn.identifier = const_cast<char *>("c1");
	conn.platform = "Twitch";
	conn.status = RFO_CHAT_CONN_CONNECTED;
	conn.target_name = const_cast<char *>("emu_streamer");
	view->setConnections(&conn, 1);
	std::vector<std::string> ids, texts;
	std::vector<rfo_chat_message> msgs(200);
	std::vector<rfo_chat_message *> ptrs;
	for (int i = 0; i < 200; i++) {
		ids.push_back("c1|e" + std::to_string(i) + "|0");
		texts.push_back("message number " + std::to_string(i) + " with some words to wrap in the list");
	}
	for (size_t i = 0; i < msgs.size(); i++) {
		rfo_chat_message &m = msgs[i];
		m = rfo_chat_message{};
		m.id = const_cast<char *>(ids[i].c_str());
		m.connection_id = const_cast<char *>("c1");
		m.platform = "Twitch";
		m.kind = RFO_CHAT_KIND_TEXT;
		m.author = const_cast<char *>("viewer");
		m.text = const_cast<char *>(texts[i].c_str());
		m.timestamp = 1700000000;
		ptrs.push_back(&m);
	}
	view->addMessages(ptrs.data(), ptrs.size());
	show_at(view, 400, 500);
	settle(300);
	check_names(view, "Chat");
	check_order(view, "Chat");

	auto *list = view->findChild<QListView *>("RestreamChatList");
	check(list != nullptr);
	check(list->focusPolicy() & Qt::TabFocus);
	QScrollBar *bar = list->verticalScrollBar();
	check(bar->maximum() > 0);
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
	view->activateWindow(); /* QApplication::setActiveWindow is deprecated in Qt 6 */
#else
	QApplication::setActiveWindow(view);
#endif
	list->setFocus(Qt::TabFocusReason);
	auto key = [list](int k) {
		QKeyEvent press(QEvent::KeyPress, k, Qt::NoModifier);
		QApplication::sendEvent(list, &press);
		settle(30);
	};
	key(Qt::Key_End);
	const int bottom = bar->value();
	key(Qt::Key_PageUp);
	const int afterPageUp = bar->value();
	key(Qt::Key_Home);
	const int top = bar->value();
	key(Qt::Key_PageDown);
	const int afterPageDown = bar->value();
	printf("Chat: keys End=%d PageUp=%d Home=%d PageDown=%d (max %d)\n", bottom, afterPageUp, top, afterPageDown,
	       bar->maximum());
	check(bottom == bar->maximum());
	check(afterPageUp < bottom);
	check(top == bar->minimum());
	check(afterPageDown > top);
	delete view;
}

/* ---- Stats, the dock's own pages and the settings dialog ---- */

static void check_stats(void)
{
	auto *view = new RfoStatsView();
	show_at(view, 400, 600);
	check_names(view, "Stats", false); /* a read-only page: no control, and none unnamed */
	delete view;
}

static void no_settings(rfo_ui_app_settings *out)
{
	qstrncpy(out->redirect_uri, "http://127.0.0.1:38475/callback", sizeof(out->redirect_uri));
	out->redirect_port = 38475;
	qstrncpy(out->sign_in_mode, "through the plugin's token broker", sizeof(out->sign_in_mode));
}

static void check_dock(void)
{
	rfo_ui_actions actions{};
	actions.load_app_settings = no_settings;
	auto *dock = new RfoDock(actions);
	rfo_ui_account signingIn{};
	signingIn.state = RFO_UI_SIGNING_IN;
	signingIn.authorize_url = "http://127.0.0.1:1/login";
	dock->setAccount(signingIn);
	show_at(dock, 400, 600);
	check_names(dock, "Dock (signing in)");
	check_order(dock, "Dock (signing in)");
	rfo_ui_account signedIn{};
	signedIn.state = RFO_UI_SIGNED_IN;
	signedIn.display_name = "Emu";
	signedIn.username = "emu_streamer";
	dock->setAccount(signedIn);
	settle(50);
	check_names(dock, "Dock (signed in)");
	delete dock;

	auto *dialog = new RfoSettingsDialog(actions, nullptr);
	dialog->setAttribute(Qt::WA_DeleteOnClose, false);
	show_at(dialog, 520, 400);
	check_names(dialog, "Settings");
	check_order(dialog, "Settings");
	delete dialog;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		fail("usage: test_ui_a11y <locale/en-US.ini>");
	locale = text_lookup_create(argv[1]);
	if (!locale)
		fail("en-US.ini does not load");
	QApplication app(argc, argv);
	check_golive();
	check_channels();
	check_chat();
	check_stats();
	check_dock();
	text_lookup_destroy(locale);
	locale = nullptr;
	printf("%zu accessibility problems\n", problems);
	check(problems == 0);
	return 0;
}
