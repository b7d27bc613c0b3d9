/* Every C entry point of plugin/ui runs on OBS's UI thread only (RFO_ASSERT_UI_THREAD, rfo-ui-thread.hpp). On the
 * application's thread each of them runs; in debug and sanitizer builds a call from any other thread aborts (each
 * is called in a child process, from a second thread). Release builds compile the check out: there only the
 * first half runs. No display: a QCoreApplication, no widget is built (OBS's main window does not exist here). */
#include "rfo-ui-channels.h"
#include "rfo-ui-chat.h"
#include "rfo-ui-golive.h"
#include "rfo-ui-health.h"
#include "rfo-ui-stats.h"
#include "rfo-ui-summary.h"
#include "rfo-ui-thread.hpp"
#include "rfo-ui.h"

#include <QCoreApplication>

#include <csignal>
#include <functional>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

/* after every Qt header: its check() macro would break Qt 6's */
#include "rfo-test.h"

extern "C" const char *obs_module_text(const char *lookup)
{
	return lookup;
}

static const rfo_ui_actions app_actions{};
static const rfo_ui_golive_actions golive_actions{};
static const rfo_ui_channels_actions channels_actions{};
static const rfo_ui_chat_actions chat_actions{};
static const rfo_ui_stats_actions stats_actions{};
static const rfo_ui_summary_actions summary_actions{};
static const rfo_ui_health_actions health_actions{};

struct entry {
	const char *name;
	std::function<void()> call;
};

/* true when `call`, run on a second thread of a child process, made the child abort */
static bool aborts_off_thread(const entry &e)
{
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		std::thread other(e.call);
		other.join();
		_exit(0);
	}
	int status = 0;
	check(pid > 0 && waitpid(pid, &status, 0) == pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

int main(int argc, char **argv)
{
	QCoreApplication app(argc, argv);

	const rfo_ui_dock *dock = rfo_ui_create(&app_actions);
	const rfo_ui_golive_view *golive = rfo_ui_golive_connect(&golive_actions);
	const rfo_ui_channels_view *channels = rfo_ui_channels_connect(&channels_actions);
	const rfo_ui_chat_view *chat = rfo_ui_chat_connect(&chat_actions);
	const rfo_ui_stats_view *stats = rfo_ui_stats_connect(&stats_actions);
	const rfo_ui_summary_view *summary = rfo_ui_summary_connect(&summary_actions);
	const rfo_ui_health_view *health = rfo_ui_health_connect(&health_actions);
	check(dock && golive && channels && chat && stats && summary && health);

	rfo_ui_account account{};
	rfo_stats_report report;
	rfo_stats_report_init(&report);
	rfo_chat_reply_state reply{};
	const unsigned char png[] = {0x89, 'P', 'N', 'G'};

	/* every entry point (open_url aside: it would open a browser) */
	const std::vector<entry> entries = {
		{"rfo_ui_create",
		 [] {
			 rfo_ui_create(&app_actions);
		 }},
		{"rfo_ui_destroy",
		 [] {
			 rfo_ui_destroy();
		 }},
		{"dock->set_account",
		 [&] {
			 dock->set_account(&account);
		 }},
		{"dock->reveal",
		 [&] {
			 dock->reveal();
		 }},
		{"rfo_ui_golive_connect",
		 [] {
			 rfo_ui_golive_connect(&golive_actions);
		 }},
		{"golive->changed",
		 [&] {
			 golive->changed();
		 }},
		{"rfo_ui_channels_connect",
		 [] {
			 rfo_ui_channels_connect(&channels_actions);
		 }},
		{"channels->changed",
		 [&] {
			 channels->changed();
		 }},
		{"rfo_ui_chat_connect",
		 [] {
			 rfo_ui_chat_connect(&chat_actions);
		 }},
		{"chat->add",
		 [&] {
			 chat->add(nullptr, 0);
		 }},
		{"chat->clear",
		 [&] {
			 chat->clear();
		 }},
		{"chat->stop",
		 [&] {
			 chat->stop();
		 }},
		{"chat->set_link",
		 [&] {
			 chat->set_link(RFO_UI_CHAT_CONNECTING, nullptr);
		 }},
		{"chat->set_connections",
		 [&] {
			 chat->set_connections(nullptr, 0);
		 }},
		{"chat->set_reply",
		 [&] {
			 chat->set_reply(&reply);
		 }},
		{"chat->set_user",
		 [&] {
			 chat->set_user("Streamer", "streamer");
		 }},
		{"chat->set_image",
		 [&] {
			 chat->set_image("https://example.com/e.png", png, sizeof(png));
		 }},
		{"rfo_ui_stats_connect",
		 [] {
			 rfo_ui_stats_connect(&stats_actions);
		 }},
		{"stats->update",
		 [&] {
			 stats->update(RFO_UI_STATS_CONNECTED, nullptr, &report);
		 }},
		{"rfo_ui_summary_connect",
		 [] {
			 rfo_ui_summary_connect(&summary_actions);
		 }},
		{"summary->changed",
		 [&] {
			 summary->changed();
		 }},
		{"rfo_ui_health_connect",
		 [] {
			 rfo_ui_health_connect(&health_actions);
		 }},
		{"health->changed",
		 [&] {
			 health->changed();
		 }},
	};

	/* on the application's thread they all run (no tab exists: they change nothing) */
	for (const entry &e : entries)
		e.call();

	if (!RFO_UI_THREAD_CHECKS) {
		fprintf(stderr, "UI-thread checks are compiled out (release build): only the UI-thread calls ran\n");
	} else {
		for (const entry &e : entries) {
			if (!aborts_off_thread(e)) {
				fprintf(stderr, "FAIL: %s ran outside the UI thread without being caught\n", e.name);
				return 1;
			}
		}
		const entry open_url = {"dock->open_url", [&] {
						dock->open_url("about:blank");
					}};
		check(aborts_off_thread(open_url));
		fprintf(stderr, "%zu entry points abort outside the UI thread\n", entries.size() + 1);
	}
	rfo_ui_destroy();
	rfo_stats_report_free(&report);
	return rfo_test_end();
}
