#pragma once
/* The chat list's model and delegate: one row per message, plain text only, bounded, filtered by
 * platform inside the model (no proxy), row heights cached per width so a relayout of thousands of rows
 * stays cheap. */

#include "rfo-chat-look.h"
#include "rfo-chat-store.h"
#include "rfo-chat.h"

#include <QAbstractListModel>
#include <QColor>
#include <QHash>
#include <QPixmap>
#include <QSet>
#include <QStyledItemDelegate>

#include <deque>
#include <memory>
#include <vector>

class QListView;
class QTextLayout;

struct RfoChatEmote {
	int start, end; /* [start, end) in UTF-16 units of the row's text */
	QString url;
};

struct RfoChatRow {
	QString id;
	QString platform;
	QString author;
	QString text;
	QString donation;
	QString time; /* "HH:mm" */
	QString replyUuid;
	QString replyTo;
	QColor accent;
	QColor authorColor; /* invalid = theme text colour */
	enum rfo_chat_kind kind = RFO_CHAT_KIND_TEXT;
	bool bot = false, moderator = false, member = false, highlight = false;
	bool sticker = false;
	std::vector<RfoChatEmote> emotes;
	mutable int cachedWidth = -1, cachedGeneration = -1, cachedHeight = 0;
	/* cachedHeight is a guess (RfoChatDelegate::estimate): the text is laid out when the row is painted */
	mutable bool estimated = false;
	quint64 serial = 0; /* set by RfoChatModel::append: 1, 2, ... in arrival order */
};

class RfoChatModel : public QAbstractListModel {
	Q_OBJECT

public:
	explicit RfoChatModel(QObject *parent = nullptr);

	int rowCount(const QModelIndex &parent = QModelIndex()) const override;
	QVariant data(const QModelIndex &index, int role) const override;
	const RfoChatRow *row(int visibleRow) const;

	/* Appends rows (oldest first) and trims the oldest beyond the capacity. */
	void append(std::vector<std::unique_ptr<RfoChatRow>> &rows);
	void clear();
	void setCapacity(int capacity);
	void setHiddenPlatforms(const QSet<QString> &hidden);
	/* Recomputes every row's highlight flag. */
	void setHighlight(const rfo_chat_highlight &rules);
	const rfo_chat_highlight &highlightRules() const { return rules; }
	void setReplyState(const rfo_chat_reply_state &state);
	/* Delivery state of a reply row, or UNKNOWN. */
	rfo_chat_reply_state replyState(const QString &uuid) const;
	QStringList platforms() const; /* every platform seen, sorted */
	int totalCount() const { return (int)all.size(); }
	/* The visible row of the message with `serial`, or of the first one after it (it was evicted or is
	 * filtered out); -1 when there is none. */
	int rowAtOrAfter(quint64 serial) const;
	/* Whether a row would be listed (its platform is not filtered out). */
	bool shows(const RfoChatRow &r) const { return visibleRow(r); }

private:
	bool visibleRow(const RfoChatRow &r) const { return !hidden.contains(r.platform); }
	void rebuildVisible();

	std::deque<std::unique_ptr<RfoChatRow>> all;
	std::deque<RfoChatRow *> visible;
	int capacity = RFO_CHAT_STORE_DEFAULT_CAPACITY;
	quint64 nextSerial = 1;
	QSet<QString> hidden;
	QSet<QString> seenPlatforms;
	rfo_chat_highlight rules{};
	QHash<QString, rfo_chat_reply_state> replies;
};

class RfoChatDelegate : public QStyledItemDelegate {
	Q_OBJECT

public:
	RfoChatDelegate(RfoChatModel *model, QListView *view);
	void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
	QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
	/* Lays the row out now (the costly part: text shaping) and caches its height for the current width, so
	 * the list's layout passes only read it. Returns whether it had to lay it out. */
	bool prepare(const RfoChatRow &r) const;
	/* Gives the row a cheap height guess (its characters at the font's average width, no shaping) for the
	 * current width; the row's text is laid out when it is painted or prepareRows() reaches it. */
	void estimate(const RfoChatRow &r) const;
	/* Lays out the guessed rows among visible rows [first, last]; a relayout follows if a height changed. */
	void prepareRows(int first, int last) const;
	void setShowTimestamps(bool on);
	/* Font or theme changed: every cached height is stale. */
	void invalidate() { generation++; }
	/* Emote images by URL (scaled to the text height), bounded. */
	bool hasImage(const QString &url) const { return images.contains(url); }
	void setImage(const QString &url, const QPixmap &pixmap);
	int imageHeight() const;

private:
	/* Lays out the row's text for `width` pixels; returns the height of the text block. */
	int layoutRow(const RfoChatRow &r, int width, QTextLayout &layout) const;
	void drawEmotes(QPainter *painter, const RfoChatRow &r, const QTextLayout &layout, const QPointF &origin) const;
	int textWidth() const;
	/* A guessed row now has its real height `height`: keep it, relayout the list once if it differs. */
	void settle(const RfoChatRow &r, int height) const;

	RfoChatModel *model;
	QListView *view;
	bool showTimestamps = true;
	int generation = 0;
	QHash<QString, QPixmap> images;
	mutable int estWidth = -1, estGeneration = -1, estLine = 1, estChar = 1;
	mutable bool relayoutQueued = false;
};

/* Builds a row from a core message (copies everything it needs). */
std::unique_ptr<RfoChatRow> rfo_chat_row_from_message(const rfo_chat_message *m);
