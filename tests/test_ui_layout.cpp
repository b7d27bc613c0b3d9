/* Every tab of the dock fits a 280 px wide dock (Qt offscreen, run at scale 1 and 2): no horizontal scrollbar, no
 * one-line text or button cut without an ellipsis, nothing past the right edge, with long English texts (the real
 * locale/en-US.ini), long remote names and titles, and six chat connections (their chips wrap onto more lines). The
 * account line shows the name once when display name and username are equal; elided lines keep their full text in
 * a plain-text tooltip. */
#include "rfo-channels-view.hpp"
#include "rfo-chat-emoji.hpp"
#include "rfo-chat-view.hpp"
#include "rfo-dock.hpp"
#include "rfo-elide.hpp"
#include "rfo-golive-view.hpp"
#include "rfo-layout-probe.hpp"
#include "rfo-stats-view.hpp"
#include "rfo-ui-channels.h"
#include "rfo-ui-chat.h"
#include "rfo-ui-golive.h"
#include "rfo-ui-text.hpp"

#include <QAbstractScrollArea>
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QLabel>
#include <QTextStream>
#include <QVBoxLayout>

#include <string>

/* last: its fail()/check() macros would clash with names inside the C++ library's headers */
#include "rfo-test.h"

#define NARROW 280

static QHash<QString, std::string> texts;

extern "C" const char *obs_module_text(const char *lookup)
{
	auto it = texts.constFind(QString::fromUtf8(lookup));
	return it == texts.constEnd() ? lookup : it->c_str();
}

static void load_locale(const char *path)
{
	QFile f(QString::fromUtf8(path));
	check(f.open(QIODevice::ReadOnly | QIODevice::Text));
	QTextStream in(&f);
	while (!in.atEnd()) {
		const QString line = in.readLine();
		const int eq = line.indexOf('=');
		if (eq <= 0 || line.startsWith('#'))
			continue;
		QString value = line.mid(eq + 1).trimmed();
		if (value.startsWith('"') && value.endsWith('"') && value.size() >= 2)
			value = value.mid(1, value.size() - 2);
		texts.insert(line.left(eq).trimmed(), value.replace("\\\"", "\"").toStdString());
	}
	check(texts.size() > 100);
}

static void settle(int ms)
{
	QElapsedTimer t;
	t.start();
	while (t.elapsed() < ms)
		QApplication::processEvents(QEventLoop::AllEvents, 5);
}

/* `view` in a window `width` px wide, as the dock shows its tabs: nothing needs a horizontal scrollbar or is cut. */
static void check_fits(const char *name, QWidget *view, int width)
{
	QWidget window;
	auto *layout = new QVBoxLayout(&window);
	layout->setContentsMargins(4, 4, 4, 4);
	layout->addWidget(view);
	window.resize(width, 700);
	window.show();
	settle(150);
	const QStringList bars = rfoLayoutScrollbars(&window), cut = rfoLayoutClipped(&window, &window);
	const int need = window.minimumSizeHint().width();
	if (!bars.isEmpty() || !cut.isEmpty() || need > width || window.width() != width)
		fprintf(stderr, "%s at %d px (window %d, needs %d): scrollbars [%s] cut [%s]\n", name, width,
			window.width(), need, bars.join(", ").toUtf8().constData(),
			cut.join(", ").toUtf8().constData());
	if (!bars.isEmpty())
		for (QWidget *w : window.findChildren<QWidget *>())
			if (w->isVisible() && w->minimumSizeHint().width() > width - 40)
				fprintf(stderr, "  wide: %s %s min %d parent %s layout %s\n",
					w->metaObject()->className(), w->objectName().toUtf8().constData(),
					w->minimumSizeHint().width(),
					w->parentWidget() ? w->parentWidget()->metaObject()->className() : "-",
					w->layout() ? w->layout()->metaObject()->className() : "-");
	check(bars.isEmpty());
	check(cut.isEmpty());
	check(need <= width);
	check(window.width() == width);
	layout->removeWidget(view);
	view->setParent(nullptr);
}

/* ---- go live: long server names, an event with a long title, the warnings shown, a long SRT address ---- */

static void golive_state(rfo_ui_golive_state_cb cb, void *param)
{
	static const rfo_ui_golive_server servers[] = {
		{1, "EU-West (London, United Kingdom) — the long name of a server"},
		{2, "US-East (New York)"}};
	static const rfo_ui_golive_event events[] = {
		{"ev1", "A very long event title that Restream allows and people actually use for their streams",
		 "upcoming", 1900000000}};
	rfo_ui_golive_state st{};
	st.signed_in = true;
	st.servers = servers;
	st.server_count = 2;
	st.user_ingest_id = 1;
	st.events = events;
	st.event_count = 1;
	st.srt_available = false;
	st.key_masked = "re_1234567_••••••••••••••••••••••••••••";
	st.service_active = true;
	st.was_set_up = true;
	st.builtin_restream = true;
	st.protocol = "rtmp";
	st.event_id = "ev1";
	st.server_text = "srt://live-eu-west.restream.io:2010?streamid=••••••••••••••••&passphrase=••••••••";
	st.result_count = 1;
	st.result_message = "Done: OBS's Start Streaming now goes to Restream.";
	st.can_restore = true;
	cb(param, &st);
}

static void test_golive(int width)
{
	rfo_ui_golive_actions actions{};
	actions.state = golive_state;
	rfo_ui_golive_connect(&actions);
	auto *view = new RfoGoLiveView;
	check_fits("golive", view, width);
	/* found as QLabel: findChild needs Q_OBJECT in the class (Qt 6.11 asserts it), RfoElidedLabel has none */
	auto *server = dynamic_cast<RfoElidedLabel *>(view->findChild<QLabel *>("RestreamGoLiveServer"));
	check(server != nullptr);
	if (server) {
		check(server->elided());
		check(server->text().endsWith(QChar(0x2026)));
		check(server->toolTip().contains("passphrase=")); /* the whole (masked) address */
	}
	delete view;
	rfo_ui_golive_connect(nullptr);
}

/* ---- chat: six connections, their chips wrap ---- */

static void test_chat(int width)
{
	auto *view = new RfoChatView;
	static const char *const platforms[] = {"Twitch", "YouTube", "Facebook", "Kick", "Discord", "LinkedIn"};
	rfo_chat_connection conns[6] = {};
	for (int i = 0; i < 6; i++) {
		conns[i].platform = platforms[i];
		conns[i].status = RFO_CHAT_CONN_CONNECTED;
	}
	view->setConnections(conns, 6);
	check_fits("chat", view, width);
	QWidget window;
	auto *layout = new QVBoxLayout(&window);
	layout->addWidget(view);
	window.resize(width, 600);
	window.show();
	settle(100);
	QWidget *chips = view->findChild<QWidget *>("RestreamChatChips");
	check(chips != nullptr);
	if (chips) {
		const QList<QLabel *> labels = chips->findChildren<QLabel *>();
		check(labels.size() == 6);
		int lines = 0, lastTop = -1;
		for (QLabel *l : labels) {
			if (getenv("RFO_TEST_VERBOSE"))
				fprintf(stderr, "chip '%s' at %d,%d %dx%d hint %dx%d\n", l->text().toUtf8().constData(),
					l->x(), l->y(), l->width(), l->height(), l->sizeHint().width(),
					l->sizeHint().height());
			check(l->geometry().right() < chips->width());
			if (l->y() != lastTop)
				lines++;
			lastTop = l->y();
		}
		check(lines >= 2); /* six chips do not fit one line of a narrow dock */
		check(chips->height() >= labels.first()->height() * lines);
	}
	delete view;
}

/* ---- channels: long names and titles elide, the full text in a plain tooltip ---- */

static const char *const long_name = "A streamer's channel name that is far too long for the dock <b>x</b>";

static void channels_state(rfo_ui_channels_state_cb cb, void *param)
{
	rfo_ui_channel ch[2] = {};
	for (int i = 0; i < 2; i++) {
		ch[i].id = 1000 + i;
		ch[i].platform_id = 5;
		ch[i].platform_name = "YouTube";
		ch[i].platform_known = true;
		ch[i].badge = "Y";
		ch[i].display_name = long_name;
		ch[i].url = "https://example.com/c";
		ch[i].enabled = i == 0;
		ch[i].title = "Tonight: a long stream title with many words in it, and more words after those";
	}
	rfo_ui_channels_state st{};
	st.signed_in = true;
	st.channels = ch;
	st.count = 2;
	cb(param, &st);
}

static void test_channels(int width)
{
	rfo_ui_channels_actions actions{};
	actions.state = channels_state;
	rfo_ui_channels_connect(&actions);
	auto *view = new RfoChannelsView;
	check_fits("channels", view, width);
	bool seen = false;
	for (QLabel *label : view->findChildren<QLabel *>()) {
		auto *l = dynamic_cast<RfoElidedLabel *>(label); /* no Q_OBJECT: qobject_cast would take any QLabel */
		if (!l || l->fullText() != QString::fromUtf8(long_name))
			continue;
		seen = true;
		check(l->elided());
		check(l->toolTip() == rfoPlainTip(QString::fromUtf8(long_name)));
	}
	check(seen);
	delete view;
	rfo_ui_channels_connect(nullptr);
}

static void test_stats(int width)
{
	check_fits("stats", new RfoStatsView, width);
}

/* ---- the dock: the signed-out page fits; the account line names the user once when both names are equal ---- */

static void test_dock(int width)
{
	rfo_ui_actions actions{};
	auto *dock = new RfoDock(actions);
	rfo_ui_account account{};
	account.state = RFO_UI_SIGNING_IN;
	account.authorize_url = "http://127.0.0.1:28765/login?client_id=abcdefghijklmnopqrstuvwxyz&state=0123456789";
	dock->setAccount(account);
	check_fits("signed out", dock, width);

	account = {};
	account.state = RFO_UI_SIGNED_IN;
	account.display_name = "emu_streamer";
	account.username = "emu_streamer";
	dock->setAccount(account);
	auto *name = dynamic_cast<RfoElidedLabel *>(dock->findChild<QLabel *>("RestreamAccountName"));
	auto *user = dynamic_cast<RfoElidedLabel *>(dock->findChild<QLabel *>("RestreamAccountUser"));
	check(name && user);
	if (name && user) {
		check(name->fullText() == "emu_streamer");
		check(user->isHidden());
		account.display_name = "Emu Streamer";
		dock->setAccount(account);
		check(name->fullText() == "Emu Streamer");
		check(!user->isHidden() && user->fullText() == "emu_streamer");
	}
	check_fits("account", dock, width);
	delete dock;
}

/* every emoji of a chat line is found whole (modifiers, joiners, flags' tags), nothing else */
static void test_emoji_ranges()
{
	const QString text = QString::fromUtf8("hi 🎉 ok 👍🏽👨‍👩‍👧 £ 日本 ❤️ שלום");
	const QVector<RfoTextRange> r = rfoEmojiRanges(text);
	check(r.size() == 3);
	if (r.size() == 3) {
		check(text.mid(r[0].start, r[0].length) == QString::fromUtf8("🎉"));
		check(text.mid(r[1].start, r[1].length) == QString::fromUtf8("👍🏽👨‍👩‍👧"));
		check(text.mid(r[2].start, r[2].length) == QString::fromUtf8("❤️"));
	}
	check(rfoEmojiRanges(QString::fromUtf8("plain text, 中文, عربي")).isEmpty());
}

int main(int argc, char **argv)
{
	QApplication app(argc, argv);
	check(argc > 1);
	if (argc > 1)
		load_locale(argv[1]);
	test_emoji_ranges();
	test_dock(NARROW);
	test_golive(NARROW);
	test_chat(NARROW);
	test_channels(NARROW);
	test_stats(NARROW);
	return rfo_test_end();
}
