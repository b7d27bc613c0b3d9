#include "rfo-health-banner.hpp"
#include "rfo-ui-text.hpp"
#include "rfo-ui-thread.hpp"

#include <QDateTime>
#include <QDesktopServices>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QStyle>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

static QPointer<RfoHealthBanner> banner;
static rfo_ui_health_actions health_actions;

RfoHealthBanner::RfoHealthBanner(QWidget *parent) : QFrame(parent)
{
	setObjectName("RestreamHealthBanner");
	setFrameShape(QFrame::StyledPanel);
	rows = new QVBoxLayout(this);
	rows->setContentsMargins(6, 4, 6, 4);
	setVisible(false);
	banner = this;
	refresh();
}

RfoHealthBanner::~RfoHealthBanner()
{
	if (banner == this)
		banner = nullptr;
}

static QWidget *alertRow(const rfo_ui_health_alert &a)
{
	auto *row = new QWidget;
	row->setObjectName(QString("RestreamHealthAlert_%1").arg(QString::fromUtf8(a.kind)));
	auto *layout = new QHBoxLayout(row);
	layout->setContentsMargins(0, 0, 0, 0);
	auto *icon = new QLabel;
	int px = row->style()->pixelMetric(QStyle::PM_SmallIconSize);
	icon->setPixmap(row->style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(px, px));
	icon->setAlignment(Qt::AlignTop);
	/* the message carries remote names (channel, chat target): plain text only */
	auto *text = new QLabel;
	text->setTextFormat(Qt::PlainText);
	text->setWordWrap(true);
	QFont bold = text->font();
	bold.setBold(true);
	text->setFont(bold);
	text->setText(QString::fromUtf8(a.message));
	auto *since = new QLabel(
		QTStr("Health.Banner.Since")
			.arg(QLocale().toString(QDateTime::fromSecsSinceEpoch(a.since).time(), QLocale::ShortFormat)));
	since->setTextFormat(Qt::PlainText);
	auto *texts = new QVBoxLayout;
	texts->setSpacing(0);
	texts->addWidget(text);
	texts->addWidget(since);
	layout->addWidget(icon);
	layout->addLayout(texts, 1);
	QUrl url(QString::fromUtf8(a.url ? a.url : ""), QUrl::StrictMode);
	if (!url.isEmpty() && url.isValid() && (url.scheme() == "https" || url.scheme() == "http")) {
		auto *open = new QToolButton;
		open->setObjectName("RestreamHealthOpen");
		open->setText(QTStr("Health.Banner.Open"));
		open->setToolTip(QTStr("Health.Banner.Open.Tooltip"));
		QObject::connect(open, &QToolButton::clicked, row, [url]() { QDesktopServices::openUrl(url); });
		layout->addWidget(open, 0, Qt::AlignTop);
	}
	return row;
}

void RfoHealthBanner::showAlerts(const rfo_ui_health_alert *alerts, size_t count)
{
	while (QLayoutItem *item = rows->takeAt(0)) {
		delete item->widget();
		delete item;
	}
	for (size_t i = 0; i < count; i++)
		rows->addWidget(alertRow(alerts[i]));
	setVisible(count > 0);
}

static void fill(void *param, const rfo_ui_health_alert *alerts, size_t count)
{
	static_cast<RfoHealthBanner *>(param)->showAlerts(alerts, count);
}

void RfoHealthBanner::refresh()
{
	if (health_actions.state)
		health_actions.state(fill, this);
}

static void changed()
{
	RFO_ASSERT_UI_THREAD();
	if (banner)
		banner->refresh();
}

const struct rfo_ui_health_view *rfo_ui_health_connect(const struct rfo_ui_health_actions *actions)
{
	RFO_ASSERT_UI_THREAD();
	static const rfo_ui_health_view view = {changed};
	health_actions = actions ? *actions : rfo_ui_health_actions{};
	return &view;
}
