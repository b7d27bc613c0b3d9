#pragma once
/* The dock's "Stats" tab: the streaming socket's state, total viewers (prominent), what Restream
 * receives (bitrate, fps, resolution, codecs) beside what OBS sends (bitrate, dropped frames, sampled
 * once a second), and a row per destination (name, status light, viewers, bitrate). Unknown values
 * are shown as "—", never 0. Asks the feature for the current picture when it is built; then driven through
 * rfo-ui-stats.h, at most twice a second. */

#include "rfo-ui-stats.h"

#include <obs-frontend-api.h>

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QTableWidget;

class RfoStatsView : public QWidget {
	Q_OBJECT

public:
	explicit RfoStatsView(QWidget *parent = nullptr);
	~RfoStatsView() override;

	void applyStats(enum rfo_ui_stats_link link, const QString &reason, const rfo_stats_report &report);
	/* OBS_FRONTEND_EVENT_FINISHED_LOADING was seen (a view built later starts sampling OBS's output at once). */
	static void frontendLoaded();

protected:
	void resizeEvent(QResizeEvent *event) override;

private:
	static void onFrontendEvent(enum obs_frontend_event event, void *param);
	void sampleOutput();
	void setIncoming(const rfo_stats_incoming &in);
	void setChannels(const rfo_stats_report &report);

	QLabel *status = nullptr;
	QLabel *totalViewers = nullptr;
	QLabel *inBitrate = nullptr, *inFps = nullptr, *inResolution = nullptr, *inCodecs = nullptr;
	QLabel *outState = nullptr, *outBitrate = nullptr, *outDropped = nullptr;
	QLabel *emptyNote = nullptr;
	QTableWidget *table = nullptr;

	QTimer outputTimer;
	QElapsedTimer outputClock;
	uint64_t lastBytes = 0;
	qint64 lastSampleMs = -1;
};
