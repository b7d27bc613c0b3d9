#pragma once

#include "rfo-ui.h"

#include <QDialog>

class QLineEdit;
class QSpinBox;

/* Tools → "Restream settings": how the plugin signs in now, and the Restream app credentials for people who
 * register their own app, with the redirect port and the exact redirect URI to register (copyable); the health
 * alerts' grace period and bitrate threshold. */
class RfoSettingsDialog : public QDialog {
	Q_OBJECT

public:
	RfoSettingsDialog(const rfo_ui_actions &actions, QWidget *parent);

private:
	void save();

	rfo_ui_actions actions;
	QLineEdit *clientId = nullptr;
	QLineEdit *clientSecret = nullptr;
	QSpinBox *redirectPort = nullptr;
	QSpinBox *healthGrace = nullptr;
	QSpinBox *healthBitrate = nullptr;
};
