#include "rfo-dock.hpp"
#include "rfo-text-probe.hpp"
#include "rfo-elide.hpp"
#include "rfo-ui-text.hpp"
#include "rfo-log.h"

#include <cstdlib>
#include <cstring>

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

RfoDock::RfoDock(const rfo_ui_actions &actions_, QWidget *parent) : QWidget(parent), actions(actions_)
{
	setObjectName("RestreamDockContent");
	pages = new QStackedWidget(this);
	pages->addWidget(buildSignedOutPage());
	pages->addWidget(buildAccountPage());

	auto *layout = new QVBoxLayout(this);
	layout->setContentsMargins(4, 4, 4, 4);
	layout->addWidget(pages);
}

QWidget *RfoDock::buildSignedOutPage()
{
	auto *page = new QWidget;
	auto *layout = new QVBoxLayout(page);

	intro = new QLabel(QTStr("Dock.SignedOut.Explanation"));
	intro->setWordWrap(true);
	intro->setTextFormat(Qt::PlainText);

	signInButton = new QPushButton(QTStr("Dock.SignIn"));
	signInButton->setObjectName("RestreamSignInButton");
	signInButton->setAccessibleName(signInButton->text());
	rfoElideButton(signInButton);
	connect(signInButton, &QPushButton::clicked, this, [this]() {
		if (actions.sign_in)
			actions.sign_in();
	});

	message = new QLabel;
	message->setWordWrap(true);
	message->setTextFormat(Qt::PlainText);
	message->setVisible(false);

	/* Shown while signing in, for machines where no browser opens. */
	linkRow = new QWidget;
	auto *linkLayout = new QHBoxLayout(linkRow);
	linkLayout->setContentsMargins(0, 0, 0, 0);
	linkEdit = new QLineEdit;
	linkEdit->setReadOnly(true);
	linkEdit->setAccessibleName(QTStr("Dock.SignInLink"));
	auto *copy = new QPushButton(QTStr("Dock.CopyLink"));
	copy->setAccessibleName(QTStr("Dock.CopyLink"));
	connect(copy, &QPushButton::clicked, this, [this]() { QApplication::clipboard()->setText(linkEdit->text()); });
	linkLayout->addWidget(linkEdit, 1);
	linkLayout->addWidget(copy);
	linkRow->setVisible(false);

	layout->addWidget(intro);
	layout->addWidget(signInButton);
	layout->addWidget(message);
	layout->addWidget(linkRow);
	layout->addStretch(1);
	return page;
}

QWidget *RfoDock::buildAccountPage()
{
	auto *page = new QWidget;
	auto *layout = new QVBoxLayout(page);
	accountLayout = layout;

	accountName = new RfoElidedLabel;
	accountName->setObjectName("RestreamAccountName");
	QFont bold = accountName->font();
	bold.setBold(true);
	accountName->setFont(bold);
	accountUser = new RfoElidedLabel;
	accountUser->setObjectName("RestreamAccountUser");

	auto *signOut = new QPushButton(QTStr("Dock.SignOut"));
	signOut->setAccessibleName(QTStr("Dock.SignOut"));
	connect(signOut, &QPushButton::clicked, this, [this]() {
		if (actions.sign_out)
			actions.sign_out();
	});

	auto *header = new QHBoxLayout;
	auto *names = new QVBoxLayout;
	names->addWidget(accountName);
	names->addWidget(accountUser);
	header->addLayout(names, 1);
	header->addWidget(signOut);

	/* A note while signed in (e.g. Restream is not answering); plain text, hidden when empty. */
	auto *note = new QLabel;
	note->setObjectName("RestreamAccountNote");
	note->setWordWrap(true);
	note->setTextFormat(Qt::PlainText);
	note->setVisible(false);

	tabs = new QTabWidget;
	tabs->setObjectName("RestreamDockTabs");
	tabs->setDocumentMode(true);
	tabs->setAccessibleName(QTStr("Dock.Title"));
	tabs->tabBar()->setAccessibleName(QTStr("Dock.Title"));
	/* a narrow dock shortens the tab titles ("Chan…") rather than hiding tabs behind scroll arrows */
	tabs->setElideMode(Qt::ElideRight);
	tabs->setUsesScrollButtons(false);
	/* OBS's themes give every tab a minimum width (Yami: 50 px plus padding), four of which are wider than a
	 * 280 px dock: ours may shrink to their elided titles (paddings, colours and the rest stay the theme's) */
	tabs->setStyleSheet(QStringLiteral("QTabBar::tab { min-width: 0px; }"));

	layout->addLayout(header);
	layout->addWidget(note);
	layout->addWidget(tabs, 1);
	return page;
}

void RfoDock::addTab(QWidget *view, const QString &title, const char *name, int index)
{
	view->setProperty("rfoTabName", QString::fromUtf8(name));
	tabs->insertTab(index, view, title);
	const char *wanted = getenv("RFO_DOCK_TAB");
	if (wanted && strcmp(wanted, name) == 0) {
		tabs->setCurrentWidget(view);
		tabChosen = true;
		rfo_log(LOG_INFO, "dock: tab '%s' selected (RFO_DOCK_TAB)", name);
	}
}

void RfoDock::addBanner(QWidget *banner)
{
	accountLayout->insertWidget(accountLayout->indexOf(tabs), banner);
}

static const QEvent::Type build_early_event = static_cast<QEvent::Type>(QEvent::registerEventType());
static const QEvent::Type build_late_event = static_cast<QEvent::Type>(QEvent::registerEventType());

void RfoDock::deferViews(std::function<void(RfoDock *)> early, std::function<void(RfoDock *)> late)
{
	earlyViews = std::move(early);
	lateViews = std::move(late);
	if (earlyViews)
		QCoreApplication::postEvent(this, new QEvent(build_early_event), Qt::HighEventPriority);
}

void RfoDock::buildEarly(const char *why)
{
	if (!earlyViews)
		return;
	auto build = std::move(earlyViews);
	earlyViews = nullptr;
	QElapsedTimer clock;
	clock.start();
	build(this);
	rfo_log(LOG_INFO, "dock: early views built in %lld ms (%s)", (long long)clock.elapsed(), why);
}

void RfoDock::buildLate(const char *why)
{
	buildEarly(why);
	if (!lateViews)
		return;
	auto build = std::move(lateViews);
	lateViews = nullptr;
	QElapsedTimer clock;
	clock.start();
	build(this);
	if (!tabChosen)
		tabs->setCurrentIndex(0);
	rfo_log(LOG_INFO, "dock: feature views built in %lld ms (%s)", (long long)clock.elapsed(), why);
	rfoTextProbeLog(this);
}

void RfoDock::frontendLoaded()
{
	buildEarly("finished loading");
	loaded = true;
	/* Low priority: behind whatever FINISHED_LOADING queued; the views cost 10-90 ms of the UI thread. */
	QCoreApplication::postEvent(this, new QEvent(build_late_event), Qt::LowEventPriority);
}

bool RfoDock::event(QEvent *event)
{
	if (event->type() == build_early_event) {
		buildEarly("event loop");
		return true;
	}
	if (event->type() == build_late_event) {
		buildLate("after finished loading");
		return true;
	}
	return QWidget::event(event);
}

void RfoDock::showEvent(QShowEvent *event)
{
	if (loaded)
		buildLate("dock shown");
	else
		buildEarly("dock shown");
	QWidget::showEvent(event);
}

void RfoDock::setAccount(const rfo_ui_account &account)
{
	const bool signedIn = account.state == RFO_UI_SIGNED_IN;
	pages->setCurrentIndex(signedIn ? 1 : 0);

	if (signedIn) {
		const QString display = QString::fromUtf8(account.display_name ? account.display_name : "");
		const QString user = QString::fromUtf8(account.username ? account.username : "");
		/* one name when both are the same (Restream fills the display name with the username by default) */
		const bool same = display.isEmpty() || display.compare(user, Qt::CaseInsensitive) == 0;
		accountName->setFullText(display.isEmpty() ? user : display);
		accountUser->setFullText(user);
		accountUser->setVisible(!same && !user.isEmpty());
		if (auto *note = findChild<QLabel *>("RestreamAccountNote")) {
			note->setText(account.message ? QString::fromUtf8(account.message) : QString());
			note->setVisible(account.message && *account.message);
		}
		return;
	}

	const bool signingIn = account.state == RFO_UI_SIGNING_IN;
	signInButton->setText(QTStr(account.state == RFO_UI_RECONNECT ? "Dock.Reconnect" : "Dock.SignIn"));
	signInButton->setAccessibleName(signInButton->text());
	rfoElideButton(signInButton);
	signInButton->setEnabled(!signingIn);

	QString text = account.message ? QString::fromUtf8(account.message) : QString();
	if (signingIn && text.isEmpty())
		text = QTStr("Dock.SigningIn");
	message->setText(text);
	message->setVisible(!text.isEmpty());

	linkEdit->setText(account.authorize_url ? QString::fromUtf8(account.authorize_url) : QString());
	linkRow->setVisible(signingIn && account.authorize_url && *account.authorize_url);
}
