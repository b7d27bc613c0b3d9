#pragma once
/* The Stats tab's "Last stream" box: the end-of-stream summary (duration, peak and average viewers in total and per
 * destination, chat messages per platform, alerts, whether the numbers are Restream's). Hidden before the first
 * stream; the last summary stays until the next stream. Pulls the state when built and when told it changed
 * (rfo-ui-summary.h). */

#include "rfo-ui-summary.h"

#include <QGroupBox>

class QLabel;

class RfoSummaryBox : public QGroupBox {
	Q_OBJECT

public:
	explicit RfoSummaryBox(QWidget *parent = nullptr);
	void pull();

private:
	void setState(const rfo_ui_summary_state &state);

	QLabel *text = nullptr;
};
