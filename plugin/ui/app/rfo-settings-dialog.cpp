#include "rfo-settings-dialog.hpp"
#include "rfo-ui-text.hpp"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

RfoSettingsDialog::RfoSettingsDialog(const rfo_ui_actions &actions_, QWidget *parent)
	: QDialog(parent), actions(actions_)
{
	setObjectName("RestreamSettingsDialog");
	setWindowTitle(QTStr("Settings.Title"));
	setAttribute(Qt::WA_DeleteOnClose);

	rfo_ui_app_settings current = {};
	current.health_grace_s = 15; /* the plugin's defaults, should the settings not load */
	current.health_bitrate_pct = 50;
	if (actions.load_app_settings)
		actions.load_app_settings(&current);

	auto *app = new QGroupBox(QTStr("Settings.App"));
	auto *appLayout = new QVBoxLayout(app);
	auto *help = new QLabel(QTStr("Settings.App.Help"));
	help->setWordWrap(true);
	help->setTextFormat(Qt::PlainText);

	auto *mode = new QLabel(QTStr("Settings.Mode") + " " + QString::fromUtf8(current.sign_in_mode));
	mode->setWordWrap(true);
	mode->setTextFormat(Qt::PlainText);

	/* the URI to register, exactly as the plugin sends it; it follows the port as it is edited */
	auto *redirect = new QLineEdit(QString::fromUtf8(current.redirect_uri));
	redirect->setReadOnly(true);
	redirect->setObjectName("RedirectUri");
	redirect->setAccessibleName(QTStr("Settings.App.RedirectUri"));
	auto *copy = new QPushButton(QTStr("Settings.App.Copy"));
	copy->setAccessibleName(QTStr("Settings.App.Copy"));
	connect(copy, &QPushButton::clicked, redirect,
		[redirect]() { QApplication::clipboard()->setText(redirect->text()); });
	auto *redirectRow = new QHBoxLayout;
	redirectRow->addWidget(redirect, 1);
	redirectRow->addWidget(copy);
	redirectPort = new QSpinBox;
	redirectPort->setRange(1024, 65535);
	redirectPort->setValue(current.redirect_port);
	redirectPort->setAccessibleName(QTStr("Settings.App.RedirectPort"));
	connect(redirectPort, QOverload<int>::of(&QSpinBox::valueChanged), redirect,
		[redirect](int port) { redirect->setText(QStringLiteral("http://127.0.0.1:%1/callback").arg(port)); });
	clientId = new QLineEdit(QString::fromUtf8(current.client_id));
	clientSecret = new QLineEdit(QString::fromUtf8(current.client_secret));
	clientSecret->setEchoMode(QLineEdit::Password);
	clientId->setAccessibleName(QTStr("Settings.App.ClientId"));
	clientSecret->setAccessibleName(QTStr("Settings.App.ClientSecret"));

	auto *form = new QFormLayout;
	form->addRow(QTStr("Settings.App.RedirectPort"), redirectPort);
	form->addRow(QTStr("Settings.App.RedirectUri"), redirectRow);
	form->addRow(QTStr("Settings.App.ClientId"), clientId);
	form->addRow(QTStr("Settings.App.ClientSecret"), clientSecret);
	appLayout->addWidget(mode);
	appLayout->addWidget(help);
	appLayout->addLayout(form);

	/* health alerts while live: applied at the next stream's start */
	auto *health = new QGroupBox(QTStr("Settings.Health"));
	auto *healthForm = new QFormLayout(health);
	healthGrace = new QSpinBox;
	healthGrace->setObjectName("HealthGrace");
	healthGrace->setRange(1, 600);
	healthGrace->setSuffix(QStringLiteral(" s"));
	healthGrace->setValue(current.health_grace_s);
	healthBitrate = new QSpinBox;
	healthBitrate->setObjectName("HealthBitrate");
	healthBitrate->setRange(1, 100);
	healthBitrate->setSuffix(QStringLiteral(" %"));
	healthBitrate->setValue(current.health_bitrate_pct);
	healthGrace->setAccessibleName(QTStr("Settings.Health.Grace"));
	healthBitrate->setAccessibleName(QTStr("Settings.Health.Bitrate"));
	auto *healthHelp = new QLabel(QTStr("Settings.Health.Help"));
	healthHelp->setWordWrap(true);
	healthHelp->setTextFormat(Qt::PlainText);
	healthForm->addRow(healthHelp);
	healthForm->addRow(QTStr("Settings.Health.Grace"), healthGrace);
	healthForm->addRow(QTStr("Settings.Health.Bitrate"), healthBitrate);

	auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
	connect(buttons, &QDialogButtonBox::accepted, this, [this]() {
		save();
		accept();
	});
	connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

	auto *layout = new QVBoxLayout(this);
	layout->addWidget(app);
	layout->addWidget(health);
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
	s.redirect_port = (uint16_t)redirectPort->value();
	s.health_grace_s = healthGrace->value();
	s.health_bitrate_pct = healthBitrate->value();
	actions.save_app_settings(&s);
}
