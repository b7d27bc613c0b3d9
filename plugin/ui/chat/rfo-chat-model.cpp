#include "rfo-chat-model.hpp"
#include "rfo-chat-emoji.hpp"
#include "rfo-ui-text.hpp"

#include <QDateTime>
#include <QListView>
#include <QPainter>
#include <QPointer>
#include <QTextLayout>

#include <algorithm>
#include <cmath>

#define PAD_LEFT 9
#define PAD_RIGHT 4
#define PAD_V 3
#define ACCENT_W 3
#define MIN_CONTRAST 3.0

RfoChatModel::RfoChatModel(QObject *parent) : QAbstractListModel(parent) {}

int RfoChatModel::rowCount(const QModelIndex &parent) const
{
	return parent.isValid() ? 0 : (int)visible.size();
}

const RfoChatRow *RfoChatModel::row(int i) const
{
	return i >= 0 && i < (int)visible.size() ? visible[(size_t)i] : nullptr;
}

QVariant RfoChatModel::data(const QModelIndex &index, int role) const
{
	const RfoChatRow *r = row(index.row());
	if (!r)
		return QVariant();
	if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
		return QVariant();
	const QString text = r->author.isEmpty() ? r->text : r->author + QStringLiteral(": ") + r->text;
	return role == Qt::ToolTipRole ? rfoPlainTip(text) : text;
}

void RfoChatModel::append(std::vector<std::unique_ptr<RfoChatRow>> &rows)
{
	if (rows.empty())
		return;
	/* only the newest `capacity` rows can survive: skip the rest before touching the view */
	size_t skip = rows.size() > (size_t)capacity ? rows.size() - (size_t)capacity : 0;
	std::vector<RfoChatRow *> shown;
	for (size_t i = skip; i < rows.size(); i++) {
		RfoChatRow *r = rows[i].get();
		r->serial = nextSerial++;
		seenPlatforms.insert(r->platform);
		QByteArray utf8 = r->text.toUtf8();
		r->highlight = rfo_chat_highlight_match(&rules, utf8.constData());
		if (visibleRow(*r))
			shown.push_back(r);
	}

	/* trim the oldest so that all + new <= capacity */
	size_t incoming = rows.size() - skip;
	size_t drop = all.size() + incoming > (size_t)capacity ? all.size() + incoming - (size_t)capacity : 0;
	drop = std::min(drop, all.size());
	if (drop) {
		size_t visibleDrop = 0;
		for (size_t i = 0; i < drop; i++)
			if (visibleDrop < visible.size() && visible[visibleDrop] == all[i].get())
				visibleDrop++;
		if (visibleDrop) {
			beginRemoveRows(QModelIndex(), 0, (int)visibleDrop - 1);
			visible.erase(visible.begin(), visible.begin() + (long)visibleDrop);
			endRemoveRows();
		}
		all.erase(all.begin(), all.begin() + (long)drop);
	}

	if (!shown.empty()) {
		int first = (int)visible.size();
		beginInsertRows(QModelIndex(), first, first + (int)shown.size() - 1);
		visible.insert(visible.end(), shown.begin(), shown.end());
	}
	for (size_t i = skip; i < rows.size(); i++)
		all.push_back(std::move(rows[i]));
	if (!shown.empty())
		endInsertRows();
	rows.clear();
}

int RfoChatModel::rowAtOrAfter(quint64 serial) const
{
	/* rows stay in arrival order (appended at the end, evicted from the front, filtered in place) */
	auto it = std::lower_bound(visible.begin(), visible.end(), serial,
				   [](const RfoChatRow *r, quint64 s) { return r->serial < s; });
	return it == visible.end() ? -1 : (int)(it - visible.begin());
}

void RfoChatModel::clear()
{
	beginResetModel();
	visible.clear();
	all.clear();
	replies.clear();
	endResetModel();
}

void RfoChatModel::setCapacity(int cap)
{
	capacity = std::max(1, cap);
	if (all.size() <= (size_t)capacity)
		return;
	beginResetModel();
	all.erase(all.begin(), all.begin() + (long)(all.size() - (size_t)capacity));
	visible.clear();
	for (auto &r : all)
		if (visibleRow(*r))
			visible.push_back(r.get());
	endResetModel();
}

void RfoChatModel::rebuildVisible()
{
	beginResetModel();
	visible.clear();
	for (auto &r : all)
		if (visibleRow(*r))
			visible.push_back(r.get());
	endResetModel();
}

void RfoChatModel::setHiddenPlatforms(const QSet<QString> &h)
{
	if (h == hidden)
		return;
	hidden = h;
	rebuildVisible();
}

void RfoChatModel::setHighlight(const rfo_chat_highlight &r)
{
	rules = r;
	for (auto &row : all) {
		QByteArray utf8 = row->text.toUtf8();
		row->highlight = rfo_chat_highlight_match(&rules, utf8.constData());
	}
	if (!visible.empty())
		emit dataChanged(index(0), index((int)visible.size() - 1));
}

void RfoChatModel::setReplyState(const rfo_chat_reply_state &state)
{
	QString uuid = QString::fromUtf8(state.reply_uuid);
	replies.insert(uuid, state);
	if (replies.size() > RFO_CHAT_STORE_MAX_REPLIES * 4)
		replies.erase(replies.begin());
	for (size_t i = 0; i < visible.size(); i++) {
		if (visible[i]->kind == RFO_CHAT_KIND_REPLY && visible[i]->replyUuid == uuid) {
			visible[i]->cachedWidth = -1;
			emit dataChanged(index((int)i), index((int)i));
		}
	}
}

rfo_chat_reply_state RfoChatModel::replyState(const QString &uuid) const
{
	rfo_chat_reply_state none{};
	return replies.value(uuid, none);
}

QStringList RfoChatModel::platforms() const
{
	QStringList list(seenPlatforms.begin(), seenPlatforms.end());
	list.sort(Qt::CaseInsensitive);
	return list;
}

/* ---- delegate ------------------------------------------------------------------------------------- */

RfoChatDelegate::RfoChatDelegate(RfoChatModel *model_, QListView *view_)
	: QStyledItemDelegate(view_), model(model_), view(view_)
{
}

void RfoChatDelegate::setShowTimestamps(bool on)
{
	showTimestamps = on;
	invalidate();
}

int RfoChatDelegate::textWidth() const
{
	return std::max(40, view->viewport()->width() - PAD_LEFT - PAD_RIGHT);
}

static QColor readable(const QColor &c, const QColor &background)
{
	/* the contrast search runs for every row laid out; authors and platforms repeat: remember the answers */
	static QHash<quint64, uint32_t> memo;
	const quint64 key = ((quint64)(c.rgb() & 0xFFFFFF) << 32) | (background.rgb() & 0xFFFFFF);
	auto it = memo.constFind(key);
	if (it != memo.constEnd())
		return QColor(QRgb(it.value()));
	uint32_t rgb = rfo_chat_color_readable(c.rgb() & 0xFFFFFF, background.rgb() & 0xFFFFFF, MIN_CONTRAST);
	if (memo.size() >= 4096)
		memo.clear();
	memo.insert(key, rgb);
	return QColor(QRgb(rgb));
}

static QString replyStateText(const rfo_chat_reply_state &s)
{
	switch (s.status) {
	case RFO_CHAT_REPLY_STATUS_CREATED:
		return QTStr("Chat.Reply.Sent");
	case RFO_CHAT_REPLY_STATUS_ACCEPTED:
		return QTStr("Chat.Reply.Accepted");
	case RFO_CHAT_REPLY_STATUS_CONFIRMED:
		return QTStr("Chat.Reply.Delivered");
	case RFO_CHAT_REPLY_STATUS_FAILED:
		return QTStr("Chat.Reply.Failed") + QStringLiteral(" ") +
		       QString::fromUtf8(obs_module_text(rfo_chat_reason_lookup(s.reason)->locale_key));
	default:
		return QTStr("Chat.Reply.Sent");
	}
}

int RfoChatDelegate::layoutRow(const RfoChatRow &r, int width, QTextLayout &layout) const
{
	const QPalette &pal = view->palette();
	const QColor base = pal.color(QPalette::Base);
	QString s;
	QVector<QTextLayout::FormatRange> formats;
	auto add = [&](const QString &part, const QTextCharFormat &fmt) {
		QTextLayout::FormatRange range;
		range.start = s.size();
		range.length = part.size();
		range.format = fmt;
		s += part;
		if (range.length)
			formats.append(range);
	};
	QTextCharFormat plain, dim, platform, author, badge, donation, emote, system;
	dim.setForeground(pal.color(QPalette::PlaceholderText));
	platform.setForeground(
		QColor(QRgb(rfo_chat_platform_text_color(r.platform.toUtf8().constData(), base.rgb() & 0xFFFFFF))));
	platform.setFontWeight(QFont::DemiBold);
	author.setFontWeight(QFont::Bold);
	if (r.authorColor.isValid())
		author.setForeground(readable(r.authorColor, base));
	badge.setForeground(pal.color(QPalette::PlaceholderText));
	badge.setFontWeight(QFont::Bold);
	donation.setFontWeight(QFont::Bold);
	emote.setFontWeight(QFont::DemiBold);
	emote.setFontItalic(true);
	system.setFontItalic(true);

	if (showTimestamps)
		add(r.time + QStringLiteral("  "), dim);
	add(r.platform + QStringLiteral("  "), platform);
	if (r.bot)
		add(QTStr("Chat.Badge.Bot") + QStringLiteral(" "), badge);
	if (r.moderator)
		add(QTStr("Chat.Badge.Mod") + QStringLiteral(" "), badge);
	if (r.kind == RFO_CHAT_KIND_REPLY)
		add(QTStr("Chat.You"), author);
	else
		add(r.author.isEmpty() ? QTStr("Chat.Anonymous") : r.author, author);
	if (!r.replyTo.isEmpty())
		add(QStringLiteral(" → ") + r.replyTo, dim);
	add(QStringLiteral(": "), plain);
	if (!r.donation.isEmpty())
		add(QStringLiteral("💰 ") + r.donation + QStringLiteral("  "), donation);
	int textStart = s.size();
	add(r.text, r.kind == RFO_CHAT_KIND_SYSTEM || r.sticker ? system : plain);
	QTextCharFormat hidden = emote;
	hidden.setForeground(QColor(Qt::transparent)); /* the image is drawn over the emote's text */
	for (const auto &e : r.emotes) {
		QTextLayout::FormatRange range;
		range.start = textStart + e.start;
		range.length = e.end - e.start;
		range.format = images.contains(e.url) ? hidden : emote;
		if (range.length > 0 && e.end <= r.text.size())
			formats.append(range);
	}
	if (r.kind == RFO_CHAT_KIND_REPLY)
		add(QStringLiteral("  (") + replyStateText(model->replyState(r.replyUuid)) + QStringLiteral(")"), dim);

	const QString emojiFamily = rfoColorEmojiFamily();
	if (!emojiFamily.isEmpty()) {
		QTextCharFormat colorEmoji;
		colorEmoji.setFontFamilies(QStringList{emojiFamily});
		for (const RfoTextRange &e : rfoEmojiRanges(s)) {
			QTextLayout::FormatRange range;
			range.start = e.start;
			range.length = e.length;
			range.format = colorEmoji;
			formats.append(range);
		}
	}

	QTextOption option;
	option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
	/* a message written right to left (Arabic, Hebrew) is laid out right to left, its time and names included */
	option.setTextDirection(r.text.isRightToLeft() ? Qt::RightToLeft : Qt::LeftToRight);
	layout.setText(s);
	layout.setFont(view->font());
	layout.setTextOption(option);
	layout.setFormats(formats);
	layout.beginLayout();
	qreal y = 0;
	for (;;) {
		QTextLine line = layout.createLine();
		if (!line.isValid())
			break;
		line.setLineWidth(width);
		line.setPosition(QPointF(0, y));
		y += line.height();
	}
	layout.endLayout();
	return (int)std::ceil(y);
}

QSize RfoChatDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
	Q_UNUSED(option);
	const RfoChatRow *r = model->row(index.row());
	if (!r)
		return QSize(0, 0);
	/* a guessed row stays guessed (a new width or font only re-guesses it): its text is laid out when painted */
	if (r->estimated)
		estimate(*r);
	else
		prepare(*r);
	return QSize(r->cachedWidth + PAD_LEFT + PAD_RIGHT, r->cachedHeight);
}

void RfoChatDelegate::estimate(const RfoChatRow &r) const
{
	const int width = textWidth();
	if (r.cachedWidth == width && r.cachedGeneration == generation)
		return; /* laid out (or guessed) for this width already */
	if (estWidth != width || estGeneration != generation) {
		const QFontMetrics fm(view->font());
		estLine = std::max(1, fm.height());
		estChar = std::max(1, fm.averageCharWidth());
		estWidth = width;
		estGeneration = generation;
	}
	/* the composed line (layoutRow): time, platform, badges, author, reply target, ": ", donation, text */
	int chars = (int)(r.platform.size() + r.author.size() + r.text.size()) + 4;
	if (showTimestamps)
		chars += (int)r.time.size() + 2;
	if (r.bot || r.moderator)
		chars += 8;
	if (!r.replyTo.isEmpty())
		chars += (int)r.replyTo.size() + 3;
	if (!r.donation.isEmpty())
		chars += (int)r.donation.size() + 5;
	if (r.kind == RFO_CHAT_KIND_REPLY)
		chars += 16;
	const int perLine = std::max(1, width / estChar);
	const int lines = std::max(1, (chars + perLine - 1) / perLine);
	r.cachedHeight = lines * estLine + 2 * PAD_V;
	r.cachedWidth = width;
	r.cachedGeneration = generation;
	r.estimated = true;
}

void RfoChatDelegate::settle(const RfoChatRow &r, int height) const
{
	const int old = r.cachedHeight;
	r.cachedHeight = height;
	r.cachedWidth = textWidth();
	r.cachedGeneration = generation;
	r.estimated = false;
	if (height == old || relayoutQueued)
		return;
	/* not from inside a paint: the list lays itself out again on the next turn (cached heights only), in one
	 * pass: a batched pass first shrinks the scroll range to its first batch, which would clamp a viewer reading
	 * further up to the bottom */
	relayoutQueued = true;
	QPointer<QListView> v(view);
	QMetaObject::invokeMethod(
		const_cast<RfoChatDelegate *>(this),
		[this, v]() {
			relayoutQueued = false;
			if (!v)
				return;
			const QListView::LayoutMode mode = v->layoutMode();
			v->setLayoutMode(QListView::SinglePass);
			v->doItemsLayout();
			v->setLayoutMode(mode);
		},
		Qt::QueuedConnection);
}

void RfoChatDelegate::prepareRows(int first, int last) const
{
	for (int i = std::max(0, first); i <= last; i++) {
		const RfoChatRow *r = model->row(i);
		if (!r)
			break;
		if (!r->estimated)
			continue;
		QTextLayout layout;
		settle(*r, layoutRow(*r, textWidth(), layout) + 2 * PAD_V);
	}
}

bool RfoChatDelegate::prepare(const RfoChatRow &r) const
{
	const int width = textWidth();
	if (!r.estimated && r.cachedWidth == width && r.cachedGeneration == generation)
		return false;
	QTextLayout layout;
	const int height = layoutRow(r, width, layout) + 2 * PAD_V;
	if (r.estimated) {
		settle(r, height);
		return true;
	}
	r.cachedHeight = height;
	r.cachedWidth = width;
	r.cachedGeneration = generation;
	return true;
}

void RfoChatDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
	const RfoChatRow *r = model->row(index.row());
	if (!r)
		return;
	const QPalette &pal = option.palette;
	const QRect rect = option.rect;
	const bool selected = option.state & QStyle::State_Selected;
	painter->save();
	if (selected) {
		painter->fillRect(rect, pal.color(QPalette::Highlight));
	} else if (!r->donation.isEmpty() || r->highlight) {
		QColor tint = !r->donation.isEmpty() ? r->accent : pal.color(QPalette::Highlight);
		tint.setAlpha(!r->donation.isEmpty() ? 70 : 50);
		painter->fillRect(rect, tint);
	}
	painter->fillRect(QRect(rect.left() + 1, rect.top() + 2, ACCENT_W, rect.height() - 4), r->accent);

	QTextLayout layout;
	const int height = layoutRow(*r, textWidth(), layout) + 2 * PAD_V;
	if (r->estimated)
		settle(*r, height); /* its text is laid out now anyway */
	painter->setPen(pal.color(selected ? QPalette::HighlightedText : QPalette::Text));
	const QPointF origin(rect.left() + PAD_LEFT, rect.top() + PAD_V);
	layout.draw(painter, origin);
	drawEmotes(painter, *r, layout, origin);
	painter->restore();
}

void RfoChatDelegate::drawEmotes(QPainter *painter, const RfoChatRow &r, const QTextLayout &layout,
				 const QPointF &origin) const
{
	if (r.emotes.empty() || images.isEmpty() || r.kind == RFO_CHAT_KIND_REPLY)
		return;
	/* the message text ends the composed string (emote rows are never replies, which add a suffix) */
	const int textStart = layout.text().size() - r.text.size();
	for (const auto &e : r.emotes) {
		auto it = images.constFind(e.url);
		if (it == images.constEnd() || e.end > r.text.size())
			continue;
		QTextLine line = layout.lineForTextPosition(textStart + e.start);
		if (!line.isValid())
			continue;
		const QPixmap &pm = it.value();
		qreal x = line.cursorToX(textStart + e.start);
		qreal y = line.y() + (line.height() - pm.height()) / 2.0;
		painter->drawPixmap(QPointF(origin.x() + x, origin.y() + y), pm);
	}
}

void RfoChatDelegate::setImage(const QString &url, const QPixmap &pixmap)
{
	if (images.size() >= 256)
		images.erase(images.begin());
	images.insert(url, pixmap);
}

int RfoChatDelegate::imageHeight() const
{
	return QFontMetrics(view->font()).height();
}

/* ---- rows from core messages ---------------------------------------------------------------------- */

std::unique_ptr<RfoChatRow> rfo_chat_row_from_message(const rfo_chat_message *m)
{
	auto r = std::make_unique<RfoChatRow>();
	r->id = QString::fromUtf8(m->id);
	r->platform = QString::fromUtf8(m->platform);
	r->author = QString::fromUtf8(m->author);
	r->text = QString::fromUtf8(m->text);
	r->kind = m->kind;
	r->sticker = m->kind == RFO_CHAT_KIND_STICKER;
	if (r->sticker && r->text.isEmpty())
		r->text = QTStr("Chat.Sticker");
	if (m->donation)
		r->donation = QString::fromUtf8(m->donation);
	if (m->parent_author)
		r->replyTo = QString::fromUtf8(m->parent_author);
	r->bot = m->bot;
	r->moderator = m->moderator;
	r->member = m->member;
	qint64 ts = m->timestamp > 0 ? m->timestamp : QDateTime::currentSecsSinceEpoch();
	/* local time formatting is costly (time zone rules) and a flood shares the minute: format once a minute */
	static qint64 lastMinute = -1;
	static QString lastTime;
	const qint64 minute = ts / 60;
	if (minute != lastMinute || lastTime.isEmpty()) {
		lastTime = QDateTime::fromSecsSinceEpoch(minute * 60).toString(QStringLiteral("HH:mm"));
		lastMinute = minute;
	}
	r->time = lastTime;
	if (m->kind == RFO_CHAT_KIND_REPLY && r->id.startsWith(QStringLiteral("reply|")))
		r->replyUuid = r->id.mid(6);
	r->accent = QColor(QRgb(rfo_chat_platform_accent(m->platform)));
	uint32_t rgb;
	if (rfo_chat_color_parse(m->author_color, &rgb))
		r->authorColor = QColor(QRgb(rgb));
	if (!r->sticker || m->text[0]) {
		for (size_t i = 0; i < m->num_emotes; i++) {
			const rfo_chat_emote &e = m->emotes[i];
			int start = QString::fromUtf8(m->text, (int)e.byte_start).size();
			int end = start +
				  QString::fromUtf8(m->text + e.byte_start, (int)(e.byte_end - e.byte_start)).size();
			r->emotes.push_back(RfoChatEmote{start, end, QString::fromUtf8(e.url)});
		}
	}
	return r;
}
