#include "rfo-chat-view.hpp"
#include "rfo-chat-list.hpp"
#include "rfo-chat-scroll.hpp"
#include "rfo-elide.hpp"
#include "rfo-flow-layout.hpp"
#include "rfo-log.h"
#include "rfo-ui-image.hpp"
#include "rfo-ui-text.hpp"
#include "rfo-ui-thread.hpp"

#include <climits>

#include <QDesktopServices>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QPointer>
#include <QPushButton>
#include <QTabWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <util/platform.h>

#define FLUSH_INTERVAL_MS 33       /* at most ~30 model updates (and repaints) a second */
#define FLUSH_INTERVAL_BUSY_MS 100 /* during a flood: 10 a second (each relayouts the whole list, in batches) */
#define FLUSH_CATCHUP_MS 25        /* rows a time-sliced flush left over follow this soon */
#define BUSY_ROWS 20               /* a flush of more rows than this means a flood */
/* A flush lays out the text of the newest rows that fill the viewport (the costly part: shaping) for at most
 * this long, newest first (at least FLUSH_MIN_ROWS); the other new rows get a guessed height. */
#define FLUSH_BUDGET_NS 12000000ULL
#define FLUSH_MIN_ROWS 8
#define LAYOUT_BATCH_ROWS 500 /* the list lays out this many (cached-height) rows per event-loop turn */
#define VIEW_MARGIN_PX 64     /* rows laid out beyond the viewport's height at each flush */

static QPointer<RfoChatView> chat_view;
static rfo_ui_chat_actions chat_actions;

/* One platform connection chip. */
struct RfoChatChip {
	QString platform, status, tip;
	QColor accent;
};

static rfo_ui_chat_settings default_settings()
{
	rfo_ui_chat_settings s{};
	s.history = RFO_CHAT_STORE_DEFAULT_CAPACITY;
	s.show_timestamps = true;
	s.highlight_mentions = true;
	return s;
}

RfoChatView::RfoChatView(QWidget *parent) : QWidget(parent)
{
	setObjectName("RestreamChatView");
	chat_view = this;

	status = new QLabel(QTStr("Chat.Status.SignedOut"));
	status->setTextFormat(Qt::PlainText);
	status->setWordWrap(true);

	filterButton = new QToolButton;
	filterButton->setText(QTStr("Chat.Filter"));
	filterButton->setToolTip(QTStr("Chat.Filter.Tooltip"));
	filterButton->setAccessibleName(QTStr("Chat.Filter"));
	filterButton->setAccessibleDescription(QTStr("Chat.Filter.Tooltip"));
	filterButton->setPopupMode(QToolButton::InstantPopup);
	auto *filterMenu = new QMenu(filterButton);
	filterButton->setMenu(filterMenu);
	connect(filterMenu, &QMenu::aboutToShow, this, &RfoChatView::fillFilterMenu);

	settingsButton = new QToolButton;
	settingsButton->setText(QTStr("Chat.Options"));
	settingsButton->setAccessibleName(QTStr("Chat.Options"));
	settingsButton->setPopupMode(QToolButton::InstantPopup);
	auto *settingsMenu = new QMenu(settingsButton);
	settingsButton->setMenu(settingsMenu);
	connect(settingsMenu, &QMenu::aboutToShow, this, &RfoChatView::fillSettingsMenu);

	/* the status line above its buttons: beside them it would leave a narrow dock no room */
	auto *buttons = new QHBoxLayout;
	buttons->setContentsMargins(0, 0, 0, 0);
	buttons->addStretch(1);
	buttons->addWidget(filterButton);
	buttons->addWidget(settingsButton);
	auto *top = new QVBoxLayout;
	top->setContentsMargins(0, 0, 0, 0);
	top->addWidget(status);
	top->addLayout(buttons);

	/* the chips wrap onto more lines in a narrow dock */
	chipBox = new QWidget;
	chipBox->setObjectName("RestreamChatChips");
	chipLayout = new RfoFlowLayout(chipBox);
	chipBox->setVisible(false);

	model = new RfoChatModel(this);
	auto *chatList = new RfoChatList;
	list = chatList;
	list->setObjectName("RestreamChatList");
	list->setAccessibleName(QTStr("Chat.List"));
	list->setModel(model);
	delegate = new RfoChatDelegate(model, list);
	list->setItemDelegate(delegate);
	list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
	list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
	list->setResizeMode(QListView::Adjust);
	list->setLayoutMode(QListView::Batched);
	list->setBatchSize(LAYOUT_BATCH_ROWS);
	list->setSelectionMode(QAbstractItemView::SingleSelection);
	list->setWordWrap(true);
	list->setUniformItemSizes(false);
	scroll = new RfoChatScroll(this, chatList, model, delegate);

	replyButton = new QPushButton(QTStr("Chat.Reply.Open"));
	replyButton->setToolTip(QTStr("Chat.Reply.Tooltip"));
	replyButton->setAccessibleName(QTStr("Chat.Reply.Open"));
	replyButton->setAccessibleDescription(QTStr("Chat.Reply.Tooltip"));
	rfoElideButton(replyButton);
	connect(replyButton, &QPushButton::clicked, this, []() {
		const char *url =
			chat_actions.reply_url ? chat_actions.reply_url : "https://restream.io/chat-application";
		QDesktopServices::openUrl(QUrl(QString::fromUtf8(url)));
	});
	auto *note = new QLabel(QTStr("Chat.Reply.Note"));
	note->setTextFormat(Qt::PlainText);
	note->setWordWrap(true);
	note->setEnabled(false);

	auto *layout = new QVBoxLayout(this);
	layout->setContentsMargins(0, 4, 0, 0);
	layout->addLayout(top);
	layout->addWidget(chipBox);
	layout->addWidget(list, 1);
	layout->addWidget(replyButton);
	layout->addWidget(note);

	flushTimer.setSingleShot(true);
	flushTimer.setInterval(FLUSH_INTERVAL_MS);
	connect(&flushTimer, &QTimer::timeout, this, &RfoChatView::flush);

	/* everything the feature has now, the backlog replayed from its chat store; without a feature (unit tests)
	 * the defaults */
	bool pulled = false;
	if (chat_actions.state) {
		void *param[2] = {this, &pulled};
		chat_actions.state(
			[](void *p, const rfo_ui_chat_state *state) {
				auto **args = static_cast<void **>(p);
				*static_cast<bool *>(args[1]) = true;
				try {
					static_cast<RfoChatView *>(args[0])->replay(*state);
				} catch (...) {
					/* nothing may cross into C; what could not be copied is not shown */
				}
			},
			param);
	}
	if (!pulled) {
		applySettings(default_settings());
		setConnections(nullptr, 0);
	}
}

RfoChatView::~RfoChatView() = default;

void RfoChatView::replay(const rfo_ui_chat_state &state)
{
	applySettings(*state.settings);
	setLink(state.link, state.reason ? QString::fromUtf8(state.reason) : QString());
	setConnections(state.connections, state.connection_count);
	setUser(QString::fromUtf8(state.display_name ? state.display_name : ""),
		QString::fromUtf8(state.username ? state.username : ""));
	for (size_t i = 0; i < state.count; i++)
		pending.push_back(rfo_chat_row_from_message(state.messages[i]));
	const size_t cap = (size_t)std::max(1, settings.history);
	if (pending.size() > cap)
		pending.erase(pending.begin(), pending.begin() + (long)(pending.size() - cap));
	if (!pending.empty())
		flushTimer.start(0);
}

void RfoChatView::applySettings(const rfo_ui_chat_settings &s)
{
	settings = s;
	model->setCapacity(settings.history);
	QSet<QString> hidden;
	for (const QString &p : QString::fromUtf8(settings.hidden_platforms).split(',', Qt::SkipEmptyParts))
		hidden.insert(p.trimmed());
	model->setHiddenPlatforms(hidden);
	delegate->setShowTimestamps(settings.show_timestamps);
	updateHighlight();
	applyFont();
}

void RfoChatView::settingsChanged()
{
	if (chat_actions.settings_changed)
		chat_actions.settings_changed(&settings);
}

void RfoChatView::updateHighlight()
{
	rfo_chat_highlight rules;
	QByteArray display = userDisplayName.toUtf8(), user = userName.toUtf8();
	const bool mentions = settings.highlight_mentions;
	rfo_chat_highlight_init(&rules, settings.keywords, mentions ? display.constData() : nullptr,
				mentions ? user.constData() : nullptr);
	model->setHighlight(rules);
}

void RfoChatView::applyFont()
{
	/* OBS themes set fonts in their style sheet, which wins over setFont(): override it for the list only */
	if (settings.font_size > 0)
		list->setStyleSheet(QStringLiteral("QListView { font-size: %1pt; }").arg(settings.font_size));
	else
		list->setStyleSheet(QString());
	list->ensurePolished();
	delegate->invalidate();
	list->doItemsLayout();
}

void RfoChatView::addMessages(rfo_chat_message *const *messages, size_t count)
{
	const bool prof = RfoChatList::profiling();
	const uint64_t t0 = prof ? os_gettime_ns() : 0;
	const qint64 c0 = prof ? RfoChatList::cpuNow() : 0;
	for (size_t i = 0; i < count; i++)
		pending.push_back(rfo_chat_row_from_message(messages[i]));
	/* a backlog larger than the history can never be shown: keep the newest */
	size_t cap = (size_t)std::max(1, settings.history);
	if (pending.size() > cap)
		pending.erase(pending.begin(), pending.begin() + (long)(pending.size() - cap));
	if (stopped)
		pending.clear();
	else if (!flushTimer.isActive())
		flushTimer.start(lastFlushRows > BUSY_ROWS ? FLUSH_INTERVAL_BUSY_MS : FLUSH_INTERVAL_MS);
	if (prof)
		RfoChatList::record(RFO_CHAT_PROFILE_ADD, t0, c0);
}

void RfoChatView::flush()
{
	if (pending.empty())
		return;
	const uint64_t t0 = os_gettime_ns();
	const qint64 c0 = RfoChatList::profiling() ? RfoChatList::cpuNow() : 0;
	/* only rows that can be seen need their text laid out (the costly part: shaping) before the list reads their
	 * heights: the newest rows that fill the viewport (plus a margin), newest first, within the budget; the batch's
	 * older rows get a guessed height and are laid out when painted or scrolled to (RfoChatDelegate::estimate).
	 * While the tab is hidden the width is not known: the rows are shaped when the list lays them out */
	const bool shown = list->isVisible();
	const size_t n = pending.size();
	if (shown) {
		const int need = list->viewport()->height() + VIEW_MARGIN_PX;
		int filled = 0, prepared = 0;
		size_t i = n;
		for (; i > 0 && filled < need; i--) {
			if (prepared >= FLUSH_MIN_ROWS && os_gettime_ns() - t0 >= FLUSH_BUDGET_NS)
				break;
			const RfoChatRow &r = *pending[i - 1];
			if (!model->shows(r)) {
				delegate->estimate(r);
				continue;
			}
			delegate->prepare(r);
			filled += r.cachedHeight;
			prepared++;
		}
		for (size_t k = 0; k < i; k++)
			delegate->estimate(*pending[k]);
	}
	std::vector<std::unique_ptr<RfoChatRow>> rows;
	rows.reserve(n);
	for (size_t i = 0; i < n; i++)
		rows.push_back(std::move(pending[i]));
	pending.erase(pending.begin(), pending.begin() + (long)n);

	const int added = (int)rows.size();
	lastFlushRows = added;
	if (chat_actions.want_image) {
		for (const auto &row : rows) {
			for (const auto &e : row->emotes) {
				if (e.url.isEmpty() || askedImages.contains(e.url) || delegate->hasImage(e.url))
					continue;
				if (askedImages.size() >= 1024)
					askedImages.clear();
				askedImages.insert(e.url);
				QByteArray url = e.url.toUtf8();
				chat_actions.want_image(url.constData());
			}
		}
	}
	const uint64_t t1 = os_gettime_ns();
	scroll->setModelChanging(true);
	model->append(rows);
	scroll->setModelChanging(false);
	const uint64_t t2 = os_gettime_ns();
	scroll->rowsAdded(added); /* no scrollToBottom(): it would run the list's whole layout now */
	if (!pending.empty())
		flushTimer.start(FLUSH_CATCHUP_MS);
	if (RfoChatList::profiling()) {
		const uint64_t t3 = os_gettime_ns();
		const qint64 cpu = RfoChatList::cpuNow() - c0;
		if (t3 - t0 > 10000000)
			rfo_log_sub(
				LOG_INFO, "chat",
				"profile: flush of %d rows: text layout %.2f, model %.2f, rest %.2f ms (CPU %.2f ms)",
				added, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, cpu / 1e6);
		RfoChatList::notePending(pending.size());
		RfoChatList::record(RFO_CHAT_PROFILE_FLUSH, t0, c0, added);
	}
}

void RfoChatView::stopFlushing()
{
	flushTimer.stop();
	pending.clear();
	stopped = true;
}

void RfoChatView::clearMessages()
{
	pending.clear();
	model->clear();
	scroll->setFollowing(true);
}

void RfoChatView::resizeEvent(QResizeEvent *event)
{
	QWidget::resizeEvent(event);
	scroll->viewResized();
}

void RfoChatView::changeEvent(QEvent *event)
{
	QWidget::changeEvent(event);
	const auto t = event->type();
	if (t == QEvent::PaletteChange || t == QEvent::StyleChange || t == QEvent::FontChange) {
		delegate->invalidate();
		list->doItemsLayout();
	}
}

static QString connStatusText(const rfo_chat_connection &c)
{
	switch (c.status) {
	case RFO_CHAT_CONN_CONNECTED:
		return QTStr("Chat.Conn.Connected");
	case RFO_CHAT_CONN_CONNECTING:
		return QTStr("Chat.Conn.Connecting");
	case RFO_CHAT_CONN_ERROR:
		return QString::fromUtf8(obs_module_text(rfo_chat_reason_lookup(c.reason)->locale_key));
	default:
		return QTStr("Chat.Conn.Unknown");
	}
}

static std::vector<RfoChatChip> chips_from(const rfo_chat_connection *conns, size_t count)
{
	std::vector<RfoChatChip> chips;
	for (size_t i = 0; i < count; i++) {
		const rfo_chat_connection &c = conns[i];
		RfoChatChip chip;
		chip.platform = QString::fromUtf8(c.platform ? c.platform : "");
		chip.status = connStatusText(c);
		chip.tip = c.target_name ? QString::fromUtf8(c.target_name) : chip.platform;
		chip.accent = QColor(QRgb(rfo_chat_platform_accent(c.platform)));
		chips.push_back(chip);
	}
	return chips;
}

void RfoChatView::setConnections(const rfo_chat_connection *conns, size_t count)
{
	const std::vector<RfoChatChip> chips = chips_from(conns, count);
	while (chipLayout->count() > 0) {
		QLayoutItem *item = chipLayout->takeAt(0);
		delete item->widget();
		delete item;
	}
	for (size_t i = 0; i < chips.size(); i++) {
		const RfoChatChip &c = chips[i];
		/* one line: a long reason ends in "…" (the whole of it in the tooltip, before the target's name) */
		auto *chip = new RfoElidedLabel;
		chip->setFullText(c.platform + QStringLiteral(": ") + c.status);
		chip->setTip(c.tip);
		chip->setStyleSheet(
			QStringLiteral("QLabel { border-left: 3px solid %1; padding: 1px 4px; }").arg(c.accent.name()));
		chipLayout->addWidget(chip);
	}
	chipBox->setVisible(!chips.empty());
}

void RfoChatView::setLink(enum rfo_ui_chat_link link, const QString &reason)
{
	QString text;
	switch (link) {
	case RFO_UI_CHAT_SIGNED_OUT:
		text = QTStr("Chat.Status.SignedOut");
		break;
	case RFO_UI_CHAT_CONNECTING:
		text = QTStr("Chat.Status.Connecting");
		break;
	case RFO_UI_CHAT_CONNECTED:
		text = QTStr("Chat.Status.Connected");
		break;
	case RFO_UI_CHAT_RECONNECTING:
		text = QTStr("Chat.Status.Reconnecting");
		if (!reason.isEmpty())
			text += QStringLiteral(" (") + reason + QStringLiteral(")");
		break;
	case RFO_UI_CHAT_UNREACHABLE:
		text = QTStr("Chat.Status.Unreachable");
		break;
	}
	if (text == status->text())
		return;
	status->setText(text);
	/* what the viewer reads, in the log (tests check it; a handful of lines per session) */
	QByteArray utf8 = text.toUtf8();
	rfo_log_sub(LOG_INFO, "chat", "status line: %s", utf8.constData());
}

void RfoChatView::setReply(const rfo_chat_reply_state &state)
{
	model->setReplyState(state);
	list->doItemsLayout();
}

void RfoChatView::setUser(const QString &displayName, const QString &username)
{
	userDisplayName = displayName;
	userName = username;
	updateHighlight();
}

void RfoChatView::setImage(const QString &url, const QByteArray &data)
{
	QImage image = rfoDecodeRemoteImage(data, 512);
	if (image.isNull())
		return;
	const int h = std::max(8, delegate->imageHeight());
	QPixmap pm = QPixmap::fromImage(image.scaledToHeight(h, Qt::SmoothTransformation));
	if (pm.width() > 4 * h)
		return;
	delegate->setImage(url, pm);
	/* the emote's text stays in the layout (transparent, in the same font) under the image: no row changes
	 * height, so a repaint is enough (invalidating every row's height made the next layout pass shape the text
	 * of all 5,000 rows again, in batches of tens of milliseconds, while a flood was arriving) */
	list->viewport()->update();
}

/* ---- the tab's side of the port (UI thread) ------------------------------------------------------- */

template <typename F> static void guarded(F &&fn)
{
	try {
		if (chat_view)
			fn(chat_view.data());
	} catch (...) {
		/* nothing may cross into C; a failed update is dropped */
	}
}

static void add(struct rfo_chat_message *const *messages, size_t count)
{
	RFO_ASSERT_UI_THREAD();
	guarded([&](RfoChatView *v) { v->addMessages(messages, count); });
}

static void clear(void)
{
	RFO_ASSERT_UI_THREAD();
	guarded([](RfoChatView *v) { v->clearMessages(); });
}

static void stop(void)
{
	RFO_ASSERT_UI_THREAD();
	guarded([](RfoChatView *v) { v->stopFlushing(); });
}

static void set_link(enum rfo_ui_chat_link link, const char *reason)
{
	RFO_ASSERT_UI_THREAD();
	guarded([&](RfoChatView *v) { v->setLink(link, reason ? QString::fromUtf8(reason) : QString()); });
}

static void set_connections(const struct rfo_chat_connection *conns, size_t count)
{
	RFO_ASSERT_UI_THREAD();
	guarded([&](RfoChatView *v) { v->setConnections(conns, count); });
}

static void set_reply(const struct rfo_chat_reply_state *state)
{
	RFO_ASSERT_UI_THREAD();
	guarded([&](RfoChatView *v) { v->setReply(*state); });
}

static void set_user(const char *display_name, const char *username)
{
	RFO_ASSERT_UI_THREAD();
	guarded([&](RfoChatView *v) {
		v->setUser(QString::fromUtf8(display_name ? display_name : ""),
			   QString::fromUtf8(username ? username : ""));
	});
}

static void set_image(const char *url, const void *data, size_t len)
{
	RFO_ASSERT_UI_THREAD();
	if (!url || !data || !len || len > (size_t)INT_MAX)
		return;
	guarded([&](RfoChatView *v) {
		v->setImage(QString::fromUtf8(url), QByteArray(static_cast<const char *>(data), (int)len));
	});
}

const struct rfo_ui_chat_view *rfo_ui_chat_connect(const struct rfo_ui_chat_actions *actions)
{
	RFO_ASSERT_UI_THREAD();
	static const rfo_ui_chat_view view = {add,       clear,    stop,     set_link, set_connections,
					      set_reply, set_user, set_image};
	chat_actions = actions ? *actions : rfo_ui_chat_actions{};
	return &view;
}
