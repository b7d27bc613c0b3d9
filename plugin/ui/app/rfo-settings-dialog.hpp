#pragma once

#include "rfo-ui.h"

#include <QDialog>

class QLineEdit;

/* Tools → "Restream settings": the Restream app credentials for people who register their own
 * app, with the exact redirect URI to register. */
class RfoSettingsDialog : public QDialog {
	Q_OBJECT

public:
	RfoSettingsDialog(const rfo_ui_actions &actions, QWidget *parent);

private:
	void save();

	rfo_ui_actions actions;
	QLineEdit *clientId = nullptr;
	QLineEdit *clientSecret = nullptr;
};
