#pragma once
/* The dock's "Chat" tab: status line, per-platform connection chips, a toolbar (platform filter,
 * settings, "Reply in Restream Chat"), the message list (QListView + model + delegate) with auto-scroll
 * that pauses while the viewer reads back, and a "new messages" button. Driven through rfo-ui-chat.h. */

#include "rfo-chat-model.hpp"
#include "rfo-ui-chat.h"

#include <QSet>
#include <QTimer>
#include <QWidget>

#include <deque>
#include <memory>
#include <vector>

class QHBoxLayout;
class QLabel;
class QListView;
class QPushButton;
class QScrollArea;
class QToolButton;

/* One platform connection chip (kept by the C entry points while there is no view). */
struct RfoChatChip {
	QString platform, status, tip;
	QColor accent;
};

class RfoChatView : public QWidget {
	Q_OBJECT

public:
	explicit RfoChatView(QWidget *parent = nullptr);
	~RfoChatView() override;

	void applySettings(const rfo_ui_chat_settings &settings);
	void addMessages(rfo_chat_message *const *messages, size_t count);
	void clearMessages();
	void stopFlushing(); /* OBS is quitting */
	void setLink(enum rfo_ui_chat_link link, const QString &reason);
	void showChips(); /* the connections last pushed (rfo_ui_chat_set_connections) */
	void setReply(const rfo_chat_reply_state &state);
	void setUser(const QString &displayName, const QString &username);
	void setImage(const QString &url, const QByteArray &data);

protected:
	void resizeEvent(QResizeEvent *event) override;
	void changeEvent(QEvent *event) override;

private:
	void flush();
	void settingsChanged();
	void updateHighlight();
	void applyFont();
	void placeNewButton();
	void onScrollValue(int value);
	void prepareVisible(); /* lays out the guessed rows in view */
	void onScrollRange(int min, int max);
	void onLaidOut();
	/* Following the newest message (the viewer is at the bottom) or reading back (the list keeps the anchor). */
	void setFollowing(bool on);
	void noteAnchor();        /* the message at the top of the viewport, and how far into it the viewer is */
	void keepAnchor();        /* scrolls so that message is there again (rows came, went or changed height) */
	void scrollTo(int value); /* our own scroll (not the viewer's) */
	void fillFilterMenu();
	void fillSettingsMenu();

	rfo_ui_chat_settings settings{};
	QString userDisplayName, userName;

	RfoChatModel *model = nullptr;
	RfoChatDelegate *delegate = nullptr;
	QListView *list = nullptr;
	QLabel *status = nullptr;
	QScrollArea *chipArea = nullptr;
	QWidget *chipBox = nullptr;
	QHBoxLayout *chipLayout = nullptr;
	QToolButton *filterButton = nullptr;
	QToolButton *settingsButton = nullptr;
	QPushButton *replyButton = nullptr;
	QPushButton *newButton = nullptr;

	std::deque<std::unique_ptr<RfoChatRow>> pending; /* waiting for the next flush */
	QTimer flushTimer;
	bool stopped = false; /* rfo_ui_chat_stop: nothing more is shown */
	/* Only the viewer's scrolling (not a layout pass shrinking the range and clamping the value) decides it */
	bool stickToBottom = true;
	bool scrolling = false;     /* our own scroll in progress */
	bool modelChanging = false; /* rows being added or evicted: the list's own scrolls are not the viewer's */
	int lastValue = 0;          /* the scroll value before the latest change */
	quint64 anchorSerial = 0;   /* while reading back: the message at the top of the viewport */
	int anchorOffset = 0;       /* pixels of it above the viewport's top */
	int unseen = 0;
	int lastFlushRows = 0;
	QSet<QString> askedImages; /* emote URLs already handed to want_image (bounded) */
};
