#pragma once

#include "rfo-ui.h"

#include <QWidget>

#include <functional>

class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTabWidget;

/* The "Restream" dock's content: a signed-out page and an account page. */
class RfoDock : public QWidget {
	Q_OBJECT

public:
	explicit RfoDock(const rfo_ui_actions &actions, QWidget *parent = nullptr);
	void setAccount(const rfo_ui_account &account);
	/* Each feature (go live, channels, chat, stats) adds its view as a tab of the signed-in page.
	 * RFO_DOCK_TAB=<name> (read at start) makes that tab the current one (screenshots in tests). */
	void addTab(QWidget *view, const QString &title, const char *name);
	/* Start-up stays cheap: the feature views are built by `build` later, at the first of: the event loop's
	 * first turn (a high-priority event posted now, ahead of anything queued for the UI thread), the dock
	 * being shown, or ensureViews() (OBS_FRONTEND_EVENT_FINISHED_LOADING, before the features push state). */
	void deferViews(std::function<void(RfoDock *)> build);
	void ensureViews(const char *why);

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
	QLabel *accountName = nullptr;
	QLabel *accountUser = nullptr;
	QTabWidget *tabs = nullptr;
	std::function<void(RfoDock *)> buildViews;
};
