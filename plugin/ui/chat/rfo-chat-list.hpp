#pragma once
/* The chat's QListView, with an optional profile of what it costs OBS's UI thread: with RFO_CHAT_PROFILE=1 in
 * the environment, the time spent taking messages in, in the chat's flushes, in the list's own events (its layout timers) and in its
 * viewport's events (paint, scroll) is logged every 5 s as count, maximum, 99th percentile and sum. */

#include <QEvent>
#include <QKeyEvent>
#include <QListView>

#include <stdint.h>

enum rfo_chat_profile_part {
	RFO_CHAT_PROFILE_ADD, /* messages handed over by the feed, turned into rows */
	RFO_CHAT_PROFILE_FLUSH,
	RFO_CHAT_PROFILE_LIST,
	RFO_CHAT_PROFILE_VIEWPORT,
	RFO_CHAT_PROFILE_PARTS,
};

class RfoChatList : public QListView {
	Q_OBJECT

public:
	explicit RfoChatList(QWidget *parent = nullptr);
	~RfoChatList() override; /* logs the last window */
	static bool profiling();
	/* The UI thread's CPU time in ns (CLOCK_THREAD_CPUTIME_ID). */
	static qint64 cpuNow();
	/* Adds one sample that began at wall time `wallStart` (os_gettime_ns) and thread CPU time `cpuStart`
	 * (`rows` applied, for flushes); logs the window's figures when 5 s have passed. Returns the wall ns. */
	static qint64 record(enum rfo_chat_profile_part part, uint64_t wallStart, qint64 cpuStart, int rows = 0);
	/* Rows waiting in the view after a flush (the window's largest and last are logged). */
	static void notePending(size_t rows);

signals:
	/* The list laid its rows out (a pass ended) and set its scroll range. */
	void laidOut();

protected:
	void updateGeometries() override;
	bool event(QEvent *event) override;
	bool viewportEvent(QEvent *event) override;
	/* The keyboard scrolls the list (Up/Down a line, PageUp/PageDown a page, Home/End to either end) rather than
	 * moving a current row: a reader of the chat has no row to select first. */
	void keyPressEvent(QKeyEvent *event) override;
};
