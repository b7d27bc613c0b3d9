#include "rfo-ui.h"
#include "rfo-channels-view.hpp"
#include "rfo-chat-view.hpp"
#include "rfo-dock.hpp"
#include "rfo-golive-view.hpp"
#include "rfo-health-banner.hpp"
#include "rfo-layout-probe.hpp"
#include "rfo-settings-dialog.hpp"
#include "rfo-stats-view.hpp"
#include "rfo-tooltip-probe.hpp"
#include "rfo-ui-text.hpp"
#include "rfo-ui-thread.hpp"
#include "rfo-log.h"

#include <obs-frontend-api.h>
#include <obs.h>

#include <QDesktopServices>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>
#include <QUrl>

#define RFO_DOCK_ID "RestreamDock"

static rfo_ui_actions ui_actions;
static QPointer<RfoDock> dock;
static QPointer<RfoSettingsDialog> settings_dialog;

static void open_settings(void *)
{
	if (settings_dialog) {
		settings_dialog->raise();
		settings_dialog->activateWindow();
		return;
	}
	auto *main = static_cast<QWidget *>(obs_frontend_get_main_window());
	settings_dialog = new RfoSettingsDialog(ui_actions, main);
	settings_dialog->show();
}

/* The feature tabs are built once OBS is ready (see RfoDock::deferViews); each asks its feature for the current
 * state when it is built (chat: the backlog from the chat store too), so nothing sent before is missed. */
static void add_late_views(RfoDock *d)
{
	QElapsedTimer clock;
	qint64 ms[4];
	clock.start();
	d->addTab(new RfoGoLiveView(), QTStr("GoLive.Tab"), "golive");
	ms[0] = clock.restart();
	d->addTab(new RfoChatView(), QTStr("Chat.Tab"), "chat");
	ms[1] = clock.restart();
	d->addTab(new RfoChannelsView(), QTStr("Channels.Tab"), "channels");
	ms[2] = clock.restart();
	d->addTab(new RfoStatsView(), QTStr("Stats.Tab"), "stats");
	d->addBanner(new RfoHealthBanner());
	ms[3] = clock.restart();
	rfo_log(LOG_INFO, "dock: views built: golive %lld ms, chat %lld ms, channels %lld ms, stats %lld ms",
		(long long)ms[0], (long long)ms[1], (long long)ms[2], (long long)ms[3]);
	rfoTooltipProbeStart(d);
	rfoLayoutProbeStart(d);
}

static void on_frontend_event(enum obs_frontend_event event, void *)
{
	if (event == OBS_FRONTEND_EVENT_FINISHED_LOADING) {
		RfoStatsView::frontendLoaded();
		if (dock)
			dock->frontendLoaded();
	}
}

static void add_dock(QMainWindow *main)
{
	dock = new RfoDock(ui_actions);
	dock->deferViews(nullptr, add_late_views);
#if LIBOBS_API_VER >= MAKE_SEMANTIC_VERSION(30, 0, 0)
	if (!obs_frontend_add_dock_by_id(RFO_DOCK_ID, obs_module_text("Dock.Title"), dock)) {
		rfo_log(LOG_WARNING, "OBS refused the dock id '%s'", RFO_DOCK_ID);
		delete dock;
		return;
	}
#else
	auto *frame = new QDockWidget(main);
	frame->setObjectName(RFO_DOCK_ID);
	frame->setWindowTitle(QTStr("Dock.Title"));
	frame->setWidget(dock);
	frame->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable |
			   QDockWidget::DockWidgetFloatable);
	obs_frontend_add_dock(frame);
#endif
	/* Prove the dock exists where OBS keeps docks: the end-to-end tests read this line. */
	if (main->findChild<QDockWidget *>(RFO_DOCK_ID))
		rfo_log(LOG_INFO, "dock added to main window: %s", RFO_DOCK_ID);
	else
		rfo_log(LOG_WARNING, "dock '%s' is missing from the main window", RFO_DOCK_ID);
}

static void set_account(const struct rfo_ui_account *account)
{
	RFO_ASSERT_UI_THREAD();
	if (dock)
		dock->setAccount(*account);
}

static bool open_url(const char *url)
{
	RFO_ASSERT_UI_THREAD();
	return QDesktopServices::openUrl(QUrl(QString::fromUtf8(url), QUrl::StrictMode));
}

static void reveal_dock(void)
{
	RFO_ASSERT_UI_THREAD();
	auto *main = static_cast<QMainWindow *>(obs_frontend_get_main_window());
	auto *frame = main ? main->findChild<QDockWidget *>(RFO_DOCK_ID) : nullptr;
	if (!frame)
		return;
	if (frame->isFloating() || main->dockWidgetArea(frame) == Qt::NoDockWidgetArea)
		main->addDockWidget(Qt::RightDockWidgetArea, frame);
	frame->setFloating(false);
	frame->show();
	frame->raise();
}

static const rfo_ui_dock dock_functions = {set_account, open_url, reveal_dock};

const struct rfo_ui_dock *rfo_ui_create(const struct rfo_ui_actions *actions)
{
	RFO_ASSERT_UI_THREAD();
	ui_actions = *actions;
	auto *main = static_cast<QMainWindow *>(obs_frontend_get_main_window());
	if (!main) {
		rfo_log(LOG_WARNING, "no OBS main window; the Restream dock is not available");
		return &dock_functions;
	}
	add_dock(main);
	obs_frontend_add_event_callback(on_frontend_event, nullptr);
	obs_frontend_add_tools_menu_item(obs_module_text("Tools.Settings"), open_settings, nullptr);
	return &dock_functions;
}

void rfo_ui_destroy(void)
{
	RFO_ASSERT_UI_THREAD();
	obs_frontend_remove_event_callback(on_frontend_event, nullptr);
	if (settings_dialog)
		settings_dialog->close();
	ui_actions = {};
}
