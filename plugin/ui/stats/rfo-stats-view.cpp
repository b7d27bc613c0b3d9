#include "rfo-stats-view.hpp"
#include "rfo-summary-view.hpp"
#include "rfo-flow-layout.hpp"
#include "rfo-ui-text.hpp"
#include "rfo-ui-thread.hpp"
#include "rfo-log.h"

#include <obs-frontend-api.h>
#include <obs.h>

#include <QFont>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QPointer>
#include <QStyle>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#define OUTPUT_SAMPLE_MS 1000
#define NARROW_TABLE_PX 360 /* below this width the channel table leaves out its bitrate column */

static QPointer<RfoStatsView> stats_view;
static rfo_ui_stats_actions stats_actions;
static bool frontend_loaded;

enum { COL_NAME, COL_STATUS, COL_VIEWERS, COL_BITRATE, COL_COUNT };

static QString dash()
{
	return QString::fromUtf8("\u2014");
}

static QLabel *plainLabel(const QString &text = QString())
{
	auto *l = new QLabel(text);
	l->setTextFormat(Qt::PlainText);
	return l;
}

/* bits/s for people; unknown (< 0) is a dash */
static QString bitrateText(int64_t bps)
{
	if (bps < 0)
		return dash();
	if (bps >= 1000000)
		return QTStr("Stats.Unit.Mbps").arg(double(bps) / 1e6, 0, 'f', 2);
	return QTStr("Stats.Unit.Kbps").arg(qlonglong((bps + 500) / 1000));
}

static QString countText(int64_t n)
{
	return n < 0 ? dash() : QLocale().toString(qlonglong(n));
}

/* A small status light. Fixed status colours (like OBS's own stream status), always next to a word. */
static QIcon statusLight(enum rfo_stats_out_status s)
{
	QColor color;
	switch (s) {
	case RFO_STATS_OUT_CONNECTED:
		color = QColor(0x2e, 0xb8, 0x4b);
		break;
	case RFO_STATS_OUT_CONNECTING:
		color = QColor(0xe0, 0xa0, 0x20);
		break;
	case RFO_STATS_OUT_DISCONNECTED:
		color = QColor(0xd0, 0x3a, 0x3a);
		break;
	default:
		color = QColor(0x80, 0x80, 0x80);
		break;
	}
	QPixmap pm(12, 12);
	pm.fill(Qt::transparent);
	QPainter p(&pm);
	p.setRenderHint(QPainter::Antialiasing);
	p.setPen(Qt::NoPen);
	p.setBrush(color);
	p.drawEllipse(1, 1, 10, 10);
	return QIcon(pm);
}

static QString statusText(const rfo_stats_channel &c)
{
	QString s;
	switch (c.status) {
	case RFO_STATS_OUT_CONNECTED:
		s = QTStr("Stats.Status.Connected");
		break;
	case RFO_STATS_OUT_CONNECTING:
		s = QTStr("Stats.Status.Connecting");
		break;
	case RFO_STATS_OUT_DISCONNECTED:
		s = QTStr("Stats.Status.Disconnected");
		break;
	default:
		s = dash();
		break;
	}
	if (c.online == 1)
		s = QTStr("Stats.Status.WithLive").arg(s);
	else if (c.online == 0)
		s = QTStr("Stats.Status.WithOffline").arg(s);
	return s;
}

RfoStatsView::RfoStatsView(QWidget *parent) : QWidget(parent)
{
	setObjectName("RestreamStatsView");
	stats_view = this;

	status = plainLabel(QTStr("Stats.Link.SignedOut"));
	status->setObjectName("RestreamStatsStatus");
	status->setWordWrap(true);

	totalViewers = plainLabel(dash());
	totalViewers->setObjectName("RestreamStatsTotalViewers");
	/* OBS's theme sets label fonts through its style sheet, which a plain setFont() loses to */
	const qreal base = totalViewers->font().pointSizeF() > 0 ? totalViewers->font().pointSizeF() : 10;
	totalViewers->setStyleSheet(QStringLiteral("font-size: %1pt; font-weight: bold;").arg(qRound(base * 2.4)));
	auto *totalCaption = plainLabel(QTStr("Stats.TotalViewers"));
	auto *totalBox = new QVBoxLayout;
	totalBox->setSpacing(0);
	totalBox->addWidget(totalViewers, 0, Qt::AlignHCenter);
	totalBox->addWidget(totalCaption, 0, Qt::AlignHCenter);

	auto *ingest = new QGroupBox(QTStr("Stats.Ingest"));
	auto *inForm = new QFormLayout(ingest);
	inBitrate = plainLabel(dash());
	inFps = plainLabel(dash());
	inResolution = plainLabel(dash());
	inCodecs = plainLabel(dash());
	inForm->addRow(QTStr("Stats.Bitrate"), inBitrate);
	inForm->addRow(QTStr("Stats.Fps"), inFps);
	inForm->addRow(QTStr("Stats.Resolution"), inResolution);
	inForm->addRow(QTStr("Stats.Codecs"), inCodecs);

	auto *output = new QGroupBox(QTStr("Stats.Output"));
	auto *outForm = new QFormLayout(output);
	outState = plainLabel(QTStr("Stats.Output.Idle"));
	outBitrate = plainLabel(dash());
	outDropped = plainLabel(dash());
	outForm->addRow(outState);
	outForm->addRow(QTStr("Stats.Bitrate"), outBitrate);
	outForm->addRow(QTStr("Stats.Output.Dropped"), outDropped);

	/* side by side, or one above the other when the dock is too narrow for both */
	auto *pair = new QWidget;
	auto *pairFlow = new RfoFlowLayout(pair, 6);
	pairFlow->addWidget(ingest);
	pairFlow->addWidget(output);

	table = new QTableWidget(0, COL_COUNT);
	table->setObjectName("RestreamStatsChannels");
	table->setHorizontalHeaderLabels({QTStr("Stats.Column.Channel"), QTStr("Stats.Column.Status"),
					  QTStr("Stats.Column.Viewers"), QTStr("Stats.Column.Bitrate")});
	table->verticalHeader()->setVisible(false);
	table->setEditTriggers(QAbstractItemView::NoEditTriggers);
	table->setSelectionMode(QAbstractItemView::NoSelection);
	table->setFocusPolicy(Qt::NoFocus);
	table->setShowGrid(false);
	table->setWordWrap(false);
	table->setTextElideMode(Qt::ElideRight);
	table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
	auto *header = table->horizontalHeader();
	header->setSectionResizeMode(COL_NAME, QHeaderView::Stretch);
	for (int c = COL_STATUS; c < COL_COUNT; c++)
		header->setSectionResizeMode(c, QHeaderView::ResizeToContents);

	emptyNote = plainLabel(QTStr("Stats.NoChannels"));
	emptyNote->setWordWrap(true);
	emptyNote->setEnabled(false);

	auto *layout = new QVBoxLayout(this);
	layout->setContentsMargins(0, 4, 0, 0);
	layout->addWidget(status);
	layout->addLayout(totalBox);
	layout->addWidget(pair);
	layout->addWidget(emptyNote);
	layout->addWidget(table, 1);
	layout->addWidget(new RfoSummaryBox);

	outputClock.start();
	outputTimer.setInterval(OUTPUT_SAMPLE_MS);
	connect(&outputTimer, &QTimer::timeout, this, &RfoStatsView::sampleOutput);
	/* OBS's outputs exist once it finished loading (asking earlier crashes OBS 29) */
	obs_frontend_add_event_callback(onFrontendEvent, this);
	if (frontend_loaded)
		outputTimer.start();

	/* the current picture; the feature sends every later one */
	if (stats_actions.state)
		stats_actions.state(
			[](void *param, enum rfo_ui_stats_link link, const char *reason,
			   const rfo_stats_report *report) {
				try {
					static_cast<RfoStatsView *>(param)->applyStats(
						link, reason ? QString::fromUtf8(reason) : QString(), *report);
				} catch (...) {
					/* nothing may cross into C; a failed update is dropped */
				}
			},
			this);
}

void RfoStatsView::resizeEvent(QResizeEvent *event)
{
	QWidget::resizeEvent(event);
	/* a narrow dock: the channel table without its bitrate column (the boxes above have the bitrates); the
	 * channel names elide */
	table->setColumnHidden(COL_BITRATE, width() < NARROW_TABLE_PX);
}

void RfoStatsView::frontendLoaded()
{
	frontend_loaded = true;
}

RfoStatsView::~RfoStatsView()
{
	obs_frontend_remove_event_callback(onFrontendEvent, this);
}

void RfoStatsView::onFrontendEvent(enum obs_frontend_event event, void *param)
{
	auto *view = static_cast<RfoStatsView *>(param);
	if (event == OBS_FRONTEND_EVENT_FINISHED_LOADING) {
		view->outputTimer.start();
	} else if (event == OBS_FRONTEND_EVENT_EXIT) {
		view->outputTimer.stop();
	}
}

/* OBS's own stream output, on the UI thread: only cheap counters (no locks held for long). */
void RfoStatsView::sampleOutput()
{
	obs_output_t *out = obs_frontend_get_streaming_output();
	const bool active = out && obs_output_active(out);
	if (!active) {
		outState->setText(QTStr("Stats.Output.Idle"));
		outBitrate->setText(dash());
		outDropped->setText(dash());
		lastSampleMs = -1;
		obs_output_release(out);
		return;
	}
	const uint64_t bytes = obs_output_get_total_bytes(out);
	const int dropped = obs_output_get_frames_dropped(out);
	const int total = obs_output_get_total_frames(out);
	obs_output_release(out);

	const qint64 now = outputClock.elapsed();
	outState->setText(QTStr("Stats.Output.Live"));
	if (lastSampleMs >= 0 && now > lastSampleMs && bytes >= lastBytes)
		outBitrate->setText(bitrateText(int64_t((bytes - lastBytes) * 8000 / uint64_t(now - lastSampleMs))));
	else
		outBitrate->setText(dash());
	lastBytes = bytes;
	lastSampleMs = now;
	const double pct = total > 0 ? 100.0 * dropped / total : 0.0;
	outDropped->setText(QTStr("Stats.Output.DroppedValue").arg(dropped).arg(pct, 0, 'f', 1));
}

void RfoStatsView::setIncoming(const rfo_stats_incoming &in)
{
	if (!in.present) {
		inBitrate->setText(QTStr("Stats.Ingest.None"));
		inFps->setText(dash());
		inResolution->setText(dash());
		inCodecs->setText(dash());
		return;
	}
	inBitrate->setText(bitrateText(in.bitrate_total));
	inFps->setText(in.fps < 0 ? dash() : QString::number(in.fps, 'f', in.fps == int64_t(in.fps) ? 0 : 2));
	inResolution->setText(
		in.width < 0 || in.height < 0
			? dash()
			: QStringLiteral("%1\u00d7%2").arg(qlonglong(in.width)).arg(qlonglong(in.height)));
	const QString video = *in.video_codec ? QString::fromUtf8(in.video_codec) : dash();
	const QString audio = *in.audio_codec ? QString::fromUtf8(in.audio_codec) : dash();
	inCodecs->setText(QStringLiteral("%1 / %2").arg(video, audio));
}

static QTableWidgetItem *cell(QTableWidget *t, int row, int col)
{
	QTableWidgetItem *it = t->item(row, col);
	if (!it) {
		it = new QTableWidgetItem;
		if (col >= COL_VIEWERS)
			it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
		t->setItem(row, col, it);
	}
	return it;
}

void RfoStatsView::setChannels(const rfo_stats_report &report)
{
	const int n = int(report.state.num_channels);
	table->setRowCount(n);
	for (int i = 0; i < n; i++) {
		const rfo_stats_channel &c = report.state.channels[i];
		const char *name = report.names ? report.names[i] : nullptr;
		const char *platform = report.platforms ? report.platforms[i] : nullptr;
		QString label =
			name ? QString::fromUtf8(name) : QTStr("Stats.Channel.Unnamed").arg(qlonglong(c.channel_id));
		if (platform)
			label = QTStr("Stats.Channel.WithPlatform").arg(label, QString::fromUtf8(platform));
		else if (c.platform_id > 0)
			label = QTStr("Stats.Channel.WithPlatformId").arg(label).arg(qlonglong(c.platform_id));
		QTableWidgetItem *nameItem = cell(table, i, COL_NAME);
		nameItem->setText(label);
		nameItem->setToolTip(c.title ? rfoPlainTip(QString::fromUtf8(c.title)) : QString());

		/* a destination with an open health alert: the warning sign and the word, next to its status */
		const bool alert = report.alerts && report.alerts[i];
		QTableWidgetItem *st = cell(table, i, COL_STATUS);
		st->setText(alert ? QTStr("Stats.Status.Alert").arg(statusText(c)) : statusText(c));
		st->setIcon(alert ? style()->standardIcon(QStyle::SP_MessageBoxWarning) : statusLight(c.status));
		st->setData(Qt::UserRole, alert);
		QFont f = nameItem->font();
		f.setBold(alert);
		nameItem->setFont(f);

		cell(table, i, COL_VIEWERS)->setText(countText(c.viewers));
		cell(table, i, COL_BITRATE)->setText(bitrateText(c.bitrate));
	}
	emptyNote->setVisible(n == 0);
}

void RfoStatsView::applyStats(enum rfo_ui_stats_link link, const QString &reason, const rfo_stats_report &report)
{
	QString text;
	switch (link) {
	case RFO_UI_STATS_SIGNED_OUT:
		text = QTStr("Stats.Link.SignedOut");
		break;
	case RFO_UI_STATS_CONNECTING:
		text = QTStr("Stats.Link.Connecting");
		break;
	case RFO_UI_STATS_CONNECTED:
		text = QTStr("Stats.Link.Connected");
		break;
	case RFO_UI_STATS_RECONNECTING:
		text = reason.isEmpty() ? QTStr("Stats.Link.Reconnecting")
					: QTStr("Stats.Link.ReconnectingReason").arg(reason);
		break;
	}
	status->setText(text);

	const bool known = rfo_stats_viewers_known(&report.state);
	totalViewers->setText(known ? countText(rfo_stats_total_viewers(&report.state)) : dash());
	setIncoming(report.state.incoming);
	setChannels(report);
}

/* ---- the tab's side of the port (UI thread) ------------------------------------------------------- */

static void update(enum rfo_ui_stats_link link, const char *reason, const struct rfo_stats_report *report)
{
	RFO_ASSERT_UI_THREAD();
	try {
		if (stats_view)
			stats_view->applyStats(link, reason ? QString::fromUtf8(reason) : QString(), *report);
	} catch (...) {
		/* nothing may cross into C; a failed update is dropped */
	}
}

const struct rfo_ui_stats_view *rfo_ui_stats_connect(const struct rfo_ui_stats_actions *actions)
{
	RFO_ASSERT_UI_THREAD();
	static const rfo_ui_stats_view view = {update};
	stats_actions = actions ? *actions : rfo_ui_stats_actions{};
	return &view;
}
