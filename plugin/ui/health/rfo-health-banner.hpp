#pragma once

#include "rfo-ui-health.h"

#include <QFrame>

class QVBoxLayout;

/* The dock's health banner, above the feature tabs: one line per open alert (which destination, what happened,
 * since when) with "Open channel page" where the alert has a channel page. Hidden while nothing is wrong. */
class RfoHealthBanner : public QFrame {
	Q_OBJECT

public:
	explicit RfoHealthBanner(QWidget *parent = nullptr);
	~RfoHealthBanner() override;
	/* Pulls the open alerts from the feature and shows them. */
	void refresh();
	void showAlerts(const rfo_ui_health_alert *alerts, size_t count);

private:
	QVBoxLayout *rows = nullptr;
};
