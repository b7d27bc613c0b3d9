#pragma once
/* Every C entry point of plugin/ui (rfo_ui_* and the functions of the tables rfo_ui_*_connect returns) runs on
 * OBS's UI thread only: Qt widgets may not be touched from any other, and plugin/obs marshals there through
 * rfo_dispatch. RFO_ASSERT_UI_THREAD() at the top of each entry point catches a call from another thread in
 * debug and sanitizer builds (compiled in when NDEBUG is not defined, or with RFO_SANITIZE or
 * RFO_CHECK_UI_THREAD): it logs the file and function and aborts. Release builds compile it out.
 *
 * OBS's UI thread is the thread of the QApplication (its main thread). Header-only, so the unit tests that
 * compile a view's files directly get it too. */

#include "rfo-log.h"

#include <QCoreApplication>
#include <QThread>

#include <cstdlib>
#include <cstring>

#if !defined(NDEBUG) || defined(RFO_SANITIZE) || defined(RFO_CHECK_UI_THREAD)
#define RFO_UI_THREAD_CHECKS 1
#define RFO_ASSERT_UI_THREAD() rfo_ui_assert_thread(__FILE__, __func__)
#else
#define RFO_UI_THREAD_CHECKS 0
#define RFO_ASSERT_UI_THREAD() ((void)0)
#endif

/* True on the QApplication's thread (and when there is no QApplication yet: nothing to compare with). */
static inline bool rfo_ui_on_thread()
{
	QCoreApplication *app = QCoreApplication::instance();
	return !app || QThread::currentThread() == app->thread();
}

static inline void rfo_ui_assert_thread(const char *file, const char *function)
{
	if (rfo_ui_on_thread())
		return;
	const char *name = strrchr(file, '/');
	rfo_log(LOG_ERROR, "%s: %s called outside OBS's UI thread", name ? name + 1 : file, function);
	abort();
}
