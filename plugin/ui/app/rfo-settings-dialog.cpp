#include "rfo-settings-dialog.hpp"
#include "rfo-ui-text.hpp"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

RfoSettingsDialog::RfoSettingsDialog(const rfo_ui_actions &actions_, QWidget *parent)
	: QDialog(parent), actions(actions_)
{
	setObjectName("RestreamSettingsDialog");
	setWindowTitle(QTStr("Settings.Title"));
	setAttribute(Qt::WA_DeleteOnClose);

	rfo_ui_app_settings current = {};
	if (actions.load_app_settings)
		actions.load_app_settings(&current);

	auto *app = new QGroupBox(QTStr("Settings.App"));
	auto *appLayout = new QVBoxLayout(app);
	auto *help = new QLabel(QTStr("Settings.App.Help"));
	help->setWordWrap(true);
	help->setTextFormat(Qt::PlainText);

	auto *redirect = new QLineEdit(QString::fromUtf8(current.redirect_uri));
	redirect->setReadOnly(true);
	clientId = new QLineEdit(QString::fromUtf8(current.client_id));
	clientSecret = new QLineEdit(QString::fromUtf8(current.client_secret));
	clientSecret->setEchoMode(QLineEdit::Password);

	auto *form = new QFormLayout;
	form->addRow(QTStr("Settings.App.RedirectUri"), redirect);
	form->addRow(QTStr("Settings.App.ClientId"), clientId);
	form->addRow(QTStr("Settings.App.ClientSecret"), clientSecret);
	appLayout->addWidget(help);
	appLayout->addLayout(form);

	auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
	connect(buttons, &QDialogButtonBox::accepted, this, [this]() {
		save();
		accept();
	});
	connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

	auto *layout = new QVBoxLayout(this);
	layout->addWidget(app);
	layout->addStretch(1);
	layout->addWidget(buttons);
	resize(520, 300);
}

void RfoSettingsDialog::save()
{
	if (!actions.save_app_settings)
		return;
	rfo_ui_app_settings s = {};
	QByteArray id = clientId->text().trimmed().toUtf8();
	QByteArray secret = clientSecret->text().trimmed().toUtf8();
	qstrncpy(s.client_id, id.constData(), sizeof(s.client_id));
	qstrncpy(s.client_secret, secret.constData(), sizeof(s.client_secret));
	actions.save_app_settings(&s);
}
