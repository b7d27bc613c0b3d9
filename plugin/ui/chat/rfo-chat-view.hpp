#pragma once
/* The dock's "Chat" tab: status line, per-platform connection chips, a toolbar (platform filter,
 * settings, "Reply in Restream Chat"), the message list (QListView + model + delegate) with auto-scroll
 * that pauses while the viewer reads back, and a "new messages" button. Asks the chat feature for everything
 * (the backlog too) when it is built; then driven through rfo-ui-chat.h. */

#include "rfo-chat-model.hpp"
#include "rfo-ui-chat.h"

#include <QSet>
#include <QTimer>
#include <QWidget>

#include <deque>
#include <memory>
#include <vector>

class QLabel;
class QListView;
class QPushButton;
class QToolButton;
class RfoChatScroll;
class RfoFlowLayout;

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
	void setConnections(const rfo_chat_connection *conns, size_t count);
	void setReply(const rfo_chat_reply_state &state);
	void setUser(const QString &displayName, const QString &username);
	void setImage(const QString &url, const QByteArray &data);

protected:
	void resizeEvent(QResizeEvent *event) override;
	void changeEvent(QEvent *event) override;

private:
	void replay(const rfo_ui_chat_state &state); /* what the feature has when the view is built */
	void flush();
	void settingsChanged();
	void updateHighlight();
	void applyFont();
	void fillFilterMenu();
	void fillSettingsMenu();

	rfo_ui_chat_settings settings{};
	QString userDisplayName, userName;

	RfoChatModel *model = nullptr;
	RfoChatDelegate *delegate = nullptr;
	QListView *list = nullptr;
	QLabel *status = nullptr;
	QWidget *chipBox = nullptr;
	RfoFlowLayout *chipLayout = nullptr; /* the platform chips, wrapping onto more lines */
	QToolButton *filterButton = nullptr;
	QToolButton *settingsButton = nullptr;
	QPushButton *replyButton = nullptr;
	RfoChatScroll *scroll = nullptr; /* following the bottom, the reader's anchor, the "new messages" button */

	std::deque<std::unique_ptr<RfoChatRow>> pending; /* waiting for the next flush */
	QTimer flushTimer;
	bool stopped = false; /* the feature stopped the view (OBS is quitting): nothing more is shown */
	int lastFlushRows = 0;
	QSet<QString> askedImages; /* emote URLs already handed to want_image (bounded) */
};
