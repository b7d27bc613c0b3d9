#pragma once

#include "rfo-ui.h"

#include <QWidget>

#include <functional>

class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QVBoxLayout;
class RfoElidedLabel;

/* The "Restream" dock's content: a signed-out page and an account page. */
class RfoDock : public QWidget {
	Q_OBJECT

public:
	explicit RfoDock(const rfo_ui_actions &actions, QWidget *parent = nullptr);
	void setAccount(const rfo_ui_account &account);
	/* Each feature (go live, channels, chat, stats) adds its view as a tab of the signed-in page, at `index`
	 * (-1 = last). RFO_DOCK_TAB=<name> (read at start) makes that tab the current one (screenshots in tests);
	 * without it the first tab is the current one. */
	void addTab(QWidget *view, const QString &title, const char *name, int index = -1);
	/* A feature's banner above the tabs (health alerts); it shows and hides itself. */
	void addBanner(QWidget *banner);
	/* Start-up stays cheap. Every feature view asks its feature for the current state when it is built, so
	 * when it is built changes only what is on screen, never what is shown once it exists. `early` (may be
	 * empty: today every feature view is late) runs at the first of: the event loop's first turn (a
	 * high-priority event posted now), the dock being shown, or frontendLoaded(). `late` runs once OBS is
	 * ready: at the event-loop turn after OBS_FRONTEND_EVENT_FINISHED_LOADING (a low-priority event, so after
	 * every FINISHED_LOADING callback, obs-websocket's included), or when the dock is shown after that. */
	void deferViews(std::function<void(RfoDock *)> early, std::function<void(RfoDock *)> late);
	/* OBS_FRONTEND_EVENT_FINISHED_LOADING. */
	void frontendLoaded();

protected:
	bool event(QEvent *event) override;
	void showEvent(QShowEvent *event) override;

private:
	QWidget *buildSignedOutPage();
	QWidget *buildAccountPage();

	rfo_ui_actions actions;
	QStackedWidget *pages = nullptr;
	QLabel *intro = nullptr;
	QLabel *message = nullptr;
	QPushButton *signInButton = nullptr;
	QWidget *linkRow = nullptr;
	QLineEdit *linkEdit = nullptr;
	RfoElidedLabel *accountName = nullptr;
	RfoElidedLabel *accountUser = nullptr;
	QTabWidget *tabs = nullptr;
	QVBoxLayout *accountLayout = nullptr;
	void buildEarly(const char *why);
	void buildLate(const char *why);

	std::function<void(RfoDock *)> earlyViews;
	std::function<void(RfoDock *)> lateViews;
	bool loaded = false;
	bool tabChosen = false;
};
