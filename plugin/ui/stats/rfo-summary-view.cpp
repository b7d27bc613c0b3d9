#include "rfo-summary-view.hpp"
#include "rfo-ui-text.hpp"
#include "rfo-ui-thread.hpp"

#include <QDateTime>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QVBoxLayout>

static rfo_ui_summary_actions summary_actions;
static bool have_actions;
static QPointer<RfoSummaryBox> summary_box;

RfoSummaryBox::RfoSummaryBox(QWidget *parent) : QGroupBox(QTStr("Summary.Title"), parent)
{
	setObjectName("RestreamStatsSummary");
	summary_box = this;
	auto *layout = new QVBoxLayout(this);
	text = new QLabel;
	text->setObjectName("RestreamStatsSummaryText");
	text->setTextFormat(Qt::PlainText); /* channel names are remote text */
	text->setWordWrap(true);
	text->setTextInteractionFlags(Qt::TextSelectableByMouse);
	layout->addWidget(text);
	setVisible(false);
	pull();
}

void RfoSummaryBox::pull()
{
	if (!have_actions || !summary_actions.state)
		return;
	summary_actions.state(
		[](void *param, const rfo_ui_summary_state *st) {
			try {
				static_cast<RfoSummaryBox *>(param)->setState(*st);
			} catch (...) {
				/* nothing may cross into C; a failed update is dropped */
			}
		},
		this);
}

static QString duration(int64_t seconds)
{
	return QStringLiteral("%1:%2:%3")
		.arg(seconds / 3600)
		.arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
		.arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

void RfoSummaryBox::setState(const rfo_ui_summary_state &st)
{
	setVisible(st.have);
	if (!st.have)
		return;
	QLocale locale;
	QStringList lines;
	if (st.live) {
		lines << QTStr("Summary.Live");
	} else {
		lines << QTStr("Summary.When")
				 .arg(locale.toString(QDateTime::fromSecsSinceEpoch(st.started_at),
						      QLocale::ShortFormat),
				      duration(st.ended_at - st.started_at));
		lines << QTStr("Summary.Viewers").arg(st.peak).arg(locale.toString(st.average, 'f', 1));
		for (size_t i = 0; i < st.channel_count; i++) {
			const rfo_ui_summary_channel &c = st.channels[i];
			QString name = QString::fromUtf8(c.name && *c.name ? c.name : "");
			if (name.isEmpty())
				name = QString::number(c.channel_id);
			lines << QTStr("Summary.Channel").arg(name).arg(c.peak).arg(locale.toString(c.average, 'f', 1));
		}
		QStringList chat;
		for (size_t i = 0; i < st.chat_count; i++)
			chat << QStringLiteral("%1 %2")
					.arg(QString::fromUtf8(st.chat[i].platform))
					.arg(st.chat[i].count);
		lines << QTStr("Summary.Chat")
				 .arg(chat.isEmpty() ? QStringLiteral("0") : chat.join(QStringLiteral(", ")));
		lines << QTStr("Summary.Alerts").arg((qulonglong)st.alert_count);
		lines << QTStr(st.from_restream ? "Summary.FromRestream" : "Summary.FromLive");
		if (st.note && *st.note)
			lines << QString::fromUtf8(st.note);
	}
	text->setText(lines.join(QLatin1Char('\n')));
}

/* ---- the box's side of the port (UI thread) ---- */

static void changed(void)
{
	RFO_ASSERT_UI_THREAD();
	if (summary_box)
		summary_box->pull();
}

const struct rfo_ui_summary_view *rfo_ui_summary_connect(const struct rfo_ui_summary_actions *actions)
{
	RFO_ASSERT_UI_THREAD();
	static const rfo_ui_summary_view view = {changed};
	have_actions = actions != nullptr;
	summary_actions = actions ? *actions : rfo_ui_summary_actions{};
	return &view;
}
