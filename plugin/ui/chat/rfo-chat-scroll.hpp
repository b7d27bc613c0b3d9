#pragma once
/* The chat list's scrolling: follows the newest message while the viewer is at the bottom; while they read back,
 * keeps the message at the top of the viewport in place (rows came, went or changed height) and counts the new
 * ones on a "new messages" button that goes back to the bottom. Only the viewer's scrolling (not a layout pass
 * shrinking the range and clamping the value) starts or stops following. Owned by RfoChatView (its QObject child). */

#include <QObject>

class QPushButton;
class QWidget;
class RfoChatDelegate;
class RfoChatList;
class RfoChatModel;

class RfoChatScroll : public QObject {
public:
	/* `view` holds `list` and gets the button; all four outlive this object (it is `view`'s child) */
	RfoChatScroll(QWidget *view, RfoChatList *list, RfoChatModel *model, RfoChatDelegate *delegate);

	/* Following the newest message (the viewer is at the bottom) or reading back (the list keeps the anchor). */
	void setFollowing(bool on);
	/* Around the model adding or evicting rows: the list's own scrolls meanwhile are not the viewer's. */
	void setModelChanging(bool on) { modelChanging = on; }
	/* `added` rows were appended: a viewer reading back keeps their message in place and sees the count. */
	void rowsAdded(int added);
	void viewResized(); /* the button stays over the list's bottom */

private:
	void placeNewButton();
	void onScrollValue(int value);
	void prepareVisible(); /* lays out the guessed rows in view */
	void onScrollRange(int min, int max);
	void onLaidOut();
	void noteAnchor();        /* the message at the top of the viewport, and how far into it the viewer is */
	void keepAnchor();        /* scrolls so that message is there again (rows came, went or changed height) */
	void scrollTo(int value); /* our own scroll (not the viewer's) */

	RfoChatList *list;
	RfoChatModel *model;
	RfoChatDelegate *delegate;
	QPushButton *newButton;

	/* Only the viewer's scrolling (not a layout pass shrinking the range and clamping the value) decides it */
	bool stickToBottom = true;
	bool scrolling = false;     /* our own scroll in progress */
	bool modelChanging = false; /* rows being added or evicted: the list's own scrolls are not the viewer's */
	int lastValue = 0;          /* the scroll value before the latest change */
	quint64 anchorSerial = 0;   /* while reading back: the message at the top of the viewport */
	int anchorOffset = 0;       /* pixels of it above the viewport's top */
	int unseen = 0;
};
