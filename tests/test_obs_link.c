/* rfo-obs links without Qt. This program links every object of rfo-obs (the whole archive) with what rfo-obs
 * itself names (core, net, ui's C headers, libobs, obs-frontend-api) and no ui library: a direct call from
 * plugin/obs into plugin/ui, or anything else from Qt, would fail its link. At run time it checks that no Qt
 * library is loaded into the process, and that the features hand their views the state through the ports. */
#include "rfo-test.h"
#include "rfo-channels.h"
#include "rfo-chat-feed.h"
#include "rfo-controller.h"
#include "rfo-golive.h"
#include "rfo-health.h"
#include "rfo-stats-feed.h"
#include "rfo-ui-chat.h"
#include "rfo-ui-golive.h"
#include "rfo-ui-health.h"
#include "rfo-ui-stats.h"
#include "rfo-ui.h"

#include <obs-module.h>

OBS_DECLARE_MODULE()
OBS_MODULE_USE_DEFAULT_LOCALE("restream-for-obs", "en-US")

static void check_no_qt_loaded(void)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	check(maps);
	char line[4096];
	int libs = 0;
	while (fgets(line, sizeof(line), maps)) {
		if (strstr(line, "libobs"))
			libs++;
		if (strstr(line, "libQt")) {
			fprintf(stderr, "a Qt library is loaded: %s", line);
			fail("rfo-obs pulls in Qt");
		}
	}
	fclose(maps);
	check(libs > 0); /* the maps were read: libobs is there */
}

int main(void)
{
	check_no_qt_loaded();

	/* every feature with a tab offers a state pull, the first thing its view asks for */
	check(rfo_golive_ui_actions()->state);
	check(rfo_channels_ui_actions()->state);
	check(rfo_chat_feed_ui_actions()->state);
	check(rfo_stats_feed_ui_actions()->state);
	check(rfo_health_ui_actions()->state);

	/* without a dock the controller's dock functions do nothing */
	check(rfo_controller_dock()->open_url && !rfo_controller_dock()->open_url("https://example.com/"));
	check(!rfo_controller_running());
	return rfo_test_end();
}
