/* Remote text in the dock's tooltips is shown literally (Qt offscreen): a channel name and title, a platform name, a
 * chat connection's target name and a chat message carrying `<img src=…>` and `<b>` markup. QToolTip guesses rich
 * text on its own, so an unescaped tooltip would render the markup (and load the image from a local path on every
 * repaint). Every widget's tooltip and the chat list's ToolTipRole are checked for what a viewer would see.
 * Also: remote images are decoded only when their header announces a small raster picture (a PNG whose header
 * claims 40000×40000 pixels is refused before a pixel is allocated). */
#include "rfo-channels-view.hpp"
#include "rfo-chat-view.hpp"
#include "rfo-test.h"
#include "rfo-ui-channels.h"
#include "rfo-ui-image.hpp"
#include "rfo-ui-text.hpp"

#include <QAbstractItemView>
#include <QApplication>
#include <QElapsedTimer>
#include <QListView>
#include <QTextDocument>
#include <QWidget>

#include <string>
#include <vector>
#include <zlib.h>

extern "C" const char *obs_module_text(const char *lookup)
{
	if (strcmp(lookup, "Channels.CurrentTitle") == 0 || strcmp(lookup, "Channels.UnknownPlatform") == 0)
		return "%1";
	return lookup;
}

static const char *const hostile_name = "<b>Bold</b> & <img src=\"/tmp/rfo-probe-fifo\"> name that is long";
static const char *const hostile_platform = "<b>Kick</b><img src=\"/tmp/rfo-probe-fifo\">";
static const char *const hostile_title = "Title <img src=\"/tmp/rfo-probe-fifo\"> with <i>markup</i> in it";
static const char *const hostile_target = "<img src=\"/tmp/rfo-probe-fifo\"><b>Server</b>";
static const char *const hostile_text = "look <img src=\"/tmp/rfo-probe-fifo\"> <b>here</b>";

/* What QToolTip shows for `tip`: it renders rich text when Qt::mightBeRichText guesses so. */
static QString shown(const QString &tip)
{
	if (!Qt::mightBeRichText(tip))
		return tip;
	QTextDocument doc;
	doc.setHtml(tip);
	return doc.toPlainText();
}

static void settle(int ms)
{
	QElapsedTimer t;
	t.start();
	while (t.elapsed() < ms)
		QApplication::processEvents(QEventLoop::AllEvents, 5);
}

/* Every tooltip under `root`, as shown: widgets' own and item views' ToolTipRole. */
static QStringList tooltips(QWidget *root)
{
	QStringList out;
	QList<QWidget *> all = root->findChildren<QWidget *>();
	all.push_back(root);
	for (QWidget *w : all) {
		if (!w->toolTip().isEmpty())
			out << shown(w->toolTip());
		auto *view = qobject_cast<QAbstractItemView *>(w);
		if (!view || !view->model())
			continue;
		for (int r = 0; r < view->model()->rowCount(); r++) {
			const QString tip = view->model()->index(r, 0).data(Qt::ToolTipRole).toString();
			if (!tip.isEmpty())
				out << shown(tip);
		}
	}
	return out;
}

static void check_literal(const QStringList &tips, const char *text)
{
	const QString want = QString::fromUtf8(text);
	for (const QString &t : tips)
		if (t.contains(want))
			return;
	fprintf(stderr, "FAIL: no tooltip shows \"%s\" literally; tooltips as shown:\n", text);
	for (const QString &t : tips)
		fprintf(stderr, "  [%s]\n", t.toUtf8().constData());
	exit(1);
}

/* ---- channels: one channel whose name, platform and title are hostile ---- */

static void channels_state(rfo_ui_channels_state_cb cb, void *param)
{
	rfo_ui_channel ch{};
	ch.id = 1000106;
	ch.platform_id = 75;
	ch.platform_name = hostile_platform;
	ch.platform_known = true;
	ch.badge = "K";
	ch.display_name = hostile_name;
	ch.enabled = true;
	ch.title = hostile_title;
	rfo_ui_channels_state st{};
	st.signed_in = true;
	st.channels = &ch;
	st.count = 1;
	cb(param, &st);
}

static void check_channels(void)
{
	rfo_ui_channels_actions actions{};
	actions.state = channels_state;
	const rfo_ui_channels_view *port = rfo_ui_channels_connect(&actions);
	auto *view = new RfoChannelsView();
	port->changed();
	view->resize(400, 600);
	view->show();
	settle(50);
	const QStringList tips = tooltips(view);
	check_literal(tips, hostile_name);
	check_literal(tips, hostile_platform);
	check_literal(tips, hostile_title);
	delete view;
	rfo_ui_channels_connect(nullptr);
}

/* ---- chat: a connection chip and a message ---- */

static void check_chat(void)
{
	auto *view = new RfoChatView();
	rfo_chat_connection conn{};
	conn.identifier = const_cast<char *>("c1");
	conn.platform = "Discord";
	conn.status = RFO_CHAT_CONN_CONNECTED;
	conn.target_name = const_cast<char *>(hostile_target);
	view->setConnections(&conn, 1);

	rfo_chat_message m{};
	m.id = const_cast<char *>("c1|e1|0");
	m.connection_id = const_cast<char *>("c1");
	m.platform = "Discord";
	m.kind = RFO_CHAT_KIND_TEXT;
	m.author = const_cast<char *>("viewer");
	m.text = const_cast<char *>(hostile_text);
	m.timestamp = 1700000000;
	rfo_chat_message *ptr = &m;
	view->addMessages(&ptr, 1);
	view->resize(400, 600);
	view->show();
	settle(100);
	const QStringList tips = tooltips(view);
	check_literal(tips, hostile_target);
	check_literal(tips, hostile_text);
	delete view;
}

/* ---- remote images ---- */

static void put32(std::string &s, uint32_t v)
{
	for (int i = 3; i >= 0; i--)
		s.push_back((char)((v >> (8 * i)) & 0xff));
}

static void chunk(std::string &png, const char *type, const std::string &data)
{
	put32(png, (uint32_t)data.size());
	std::string body = std::string(type, 4) + data;
	png += body;
	put32(png, (uint32_t)crc32(0, (const Bytef *)body.data(), (uInt)body.size()));
}

/* A grey PNG of w×h (8-bit greyscale) whose rows are all zero: tiny on disk however large it claims to be. */
static QByteArray png(uint32_t w, uint32_t h, size_t rows_to_store)
{
	std::string out("\x89PNG\r\n\x1a\n", 8), ihdr;
	put32(ihdr, w);
	put32(ihdr, h);
	ihdr += std::string("\x08\x00\x00\x00\x00", 5);
	chunk(out, "IHDR", ihdr);
	std::string raw(rows_to_store * (w + 1), '\0');
	uLongf len = compressBound((uLong)raw.size());
	std::string z(len, '\0');
	check(compress((Bytef *)&z[0], &len, (const Bytef *)raw.data(), (uLong)raw.size()) == Z_OK);
	z.resize(len);
	chunk(out, "IDAT", z);
	chunk(out, "IEND", std::string());
	return QByteArray(out.data(), (int)out.size());
}

static void check_images(void)
{
	const QImage small = rfoDecodeRemoteImage(png(24, 24, 24), 1024);
	check(!small.isNull() && small.width() == 24 && small.height() == 24);
	/* the bomb: 40000×40000 announced (1.6 GB of pixels), a few hundred bytes sent */
	const QByteArray bomb = png(40000, 40000, 1);
	check(bomb.size() < 4096);
	QElapsedTimer t;
	t.start();
	check(rfoDecodeRemoteImage(bomb, 1024).isNull());
	check(t.elapsed() < 1000);
	check(rfoDecodeRemoteImage(png(2000, 10, 10), 1024).isNull()); /* one side too long */
	check(rfoDecodeRemoteImage(QByteArray("<svg xmlns='http://www.w3.org/2000/svg'/>"), 1024).isNull());
	check(rfoDecodeRemoteImage(QByteArray("not an image"), 1024).isNull());
}

int main(int argc, char **argv)
{
	QApplication app(argc, argv);
	check(rfoPlainTip(QString()).isEmpty());
	check(shown(rfoPlainTip(QStringLiteral("a & b"))) == QStringLiteral("a & b"));
	check_channels();
	check_chat();
	check_images();
	return 0;
}
