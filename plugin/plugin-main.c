/* Wiring only: module entry points, the UI dispatch seam, frontend events, and the one place where plugin/obs
 * and plugin/ui are joined (each reaches the other only through the function tables handed over here). */
#include <obs-module.h>
#include <obs-frontend-api.h>
#include <util/platform.h>

#include "rfo-account.h"
#include "rfo-channels.h"
#include "rfo-chat-feed.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-golive.h"
#include "rfo-health.h"
#include "rfo-log.h"
#include "rfo-overlays.h"
#include "rfo-service.h"
#include "rfo-stats-feed.h"
#include "rfo-stream-summary.h"
#include "rfo-ui-channels.h"
#include "rfo-ui-chat.h"
#include "rfo-ui-golive.h"
#include "rfo-ui-health.h"
#include "rfo-ui-overlays.h"
#include "rfo-ui-stats.h"
#include "rfo-ui-summary.h"
#include "rfo-ui.h"
#include "rfo-vendor.h"

OBS_DECLARE_MODULE()
OBS_MODULE_USE_DEFAULT_LOCALE("restream-for-obs", "en-US")

MODULE_EXPORT const char *obs_module_description(void)
{
	return obs_module_text("Module.Description");
}

static void queue_on_ui(rfo_task_fn task, void *param)
{
	obs_queue_task(OBS_TASK_UI, task, param, false);
}

static void on_frontend_event(enum obs_frontend_event event, void *param)
{
	UNUSED_PARAMETER(param);
	if (event == OBS_FRONTEND_EVENT_FINISHED_LOADING) {
		rfo_controller_frontend_loaded();
	} else if (event == OBS_FRONTEND_EVENT_EXIT) {
		rfo_controller_stop();
		rfo_ui_destroy();
	}
}

bool obs_module_load(void)
{
	rfo_dispatch_set(queue_on_ui);
	rfo_service_register();
	rfo_overlays_register_sources();
	if (!rfo_controller_create())
		return false;
	rfo_controller_set_dock(rfo_ui_create(rfo_controller_ui_actions()));
	/* Each feature tab gets its feature's actions and hands back its side; it asks for the state when built. */
	rfo_golive_set_view(rfo_ui_golive_connect(rfo_golive_ui_actions()));
	rfo_chat_feed_set_view(rfo_ui_chat_connect(rfo_chat_feed_ui_actions()));
	rfo_channels_set_view(rfo_ui_channels_connect(rfo_channels_ui_actions()));
	rfo_stats_feed_set_view(rfo_ui_stats_connect(rfo_stats_feed_ui_actions()));
	rfo_stream_summary_set_view(rfo_ui_summary_connect(rfo_stream_summary_ui_actions()));
	rfo_health_set_view(rfo_ui_health_connect(rfo_health_ui_actions()));
	rfo_overlays_set_view(rfo_ui_overlays_connect()); /* the painter the overlay sources' worker calls */
	rfo_account_refresh_ui();
	obs_frontend_add_event_callback(on_frontend_event, NULL);
	/* where it was loaded from: a user install, a package (/usr/lib/<arch>/obs-plugins) or a Flatpak extension */
	rfo_log(LOG_INFO, "loaded (version %s) from %s", PLUGIN_VERSION,
		obs_get_module_binary_path(obs_current_module()));
	return true;
}

void obs_module_post_load(void)
{
	rfo_controller_register_vendor();
}

/* The plugin's share of OBS's quit is logged in two lines: "stopped in" (the EXIT event) and "unloaded in". */
void obs_module_unload(void)
{
	uint64_t t0 = os_gettime_ns();
	obs_frontend_remove_event_callback(on_frontend_event, NULL);
	rfo_vendor_forget();
	rfo_controller_destroy();
	rfo_dispatch_set(NULL);
	rfo_log(LOG_INFO, "unloaded in %llu ms", (unsigned long long)((os_gettime_ns() - t0) / 1000000ULL));
}
