#include "rfo-channels-view.hpp"
#include "rfo-elide.hpp"
#include "rfo-flow-layout.hpp"
#include "rfo-ui-image.hpp"
#include "rfo-ui-text.hpp"
#include "rfo-ui-thread.hpp"
#include "rfo-log.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDesktopServices>
#include <QFontMetrics>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

static rfo_ui_channels_actions channels_actions;
static bool have_actions;
static QPointer<RfoChannelsView> channels_view;

static QLabel *plainLabel(const QString &text = QString())
{
	auto *l = new QLabel(text);
	l->setTextFormat(Qt::PlainText);
	l->setWordWrap(true);
	return l;
}

/* A line that never widens the dock: elided, the full text in the tooltip (also for any long text, which Restream
 * may have cut itself). */
static void setLine(RfoElidedLabel *l, const QString &text)
{
	l->setFullText(text, text.size() > 30);
}

static QString fromUtf8(const char *s)
{
	return QString::fromUtf8(s ? s : "");
}

RfoChannelsView::RfoChannelsView(QWidget *parent) : QWidget(parent)
{
	setObjectName("RestreamChannelsView");
	channels_view = this;
	auto *layout = new QVBoxLayout(this);

	status = plainLabel();
	status->setObjectName("RestreamChannelsStatus");
	refreshButton = new QPushButton(QTStr("Channels.Refresh"));
	refreshButton->setObjectName("RestreamChannelsRefresh");
	refreshButton->setAccessibleName(QTStr("Channels.Refresh"));
	connect(refreshButton, &QPushButton::clicked, this, []() {
		if (have_actions && channels_actions.refresh)
			channels_actions.refresh();
	});
	auto *top = new QHBoxLayout;
	top->addWidget(status, 1);
	top->addWidget(refreshButton);

	rowsBox = new QWidget;
	rowsLayout = new QVBoxLayout(rowsBox);
	rowsLayout->setContentsMargins(0, 0, 0, 0);
	rowsLayout->addStretch(1);
	auto *scroll = new QScrollArea;
	scroll->setObjectName("RestreamChannelsList");
	scroll->setWidgetResizable(true);
	scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
	scroll->setFrameShape(QFrame::NoFrame);
	scroll->setFocusPolicy(Qt::NoFocus); /* Tab goes to the rows' controls; the area follows the focused one */
	scroll->setWidget(rowsBox);

	/* One title for every enabled channel, or for the chosen ones (folded away until asked for, so
	 * the list gets the room). */
	editorToggle = new QToolButton;
	editorToggle->setObjectName("RestreamChannelsTitleToggle");
	editorToggle->setText(QTStr("Channels.Title.Open"));
	editorToggle->setAccessibleName(QTStr("Channels.Title.Open"));
	editorToggle->setCheckable(true);
	editorToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
	editorToggle->setArrowType(Qt::RightArrow);
	editorToggle->setAutoRaise(true);
	editorToggle->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
	rfoElideButton(editorToggle);
	auto *editor = new QFrame;
	editor->setFrameShape(QFrame::StyledPanel);
	editor->setVisible(false);
	connect(editorToggle, &QToolButton::toggled, this, [this, editor](bool open) {
		editor->setVisible(open);
		editorToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
	});
	auto *form = new QVBoxLayout(editor);
	titleEdit = new QLineEdit;
	titleEdit->setObjectName("RestreamChannelsTitle");
	titleEdit->setPlaceholderText(QTStr("Channels.Title.Placeholder"));
	titleEdit->setAccessibleName(QTStr("Channels.Title"));
	descriptionEdit = new QPlainTextEdit;
	descriptionEdit->setObjectName("RestreamChannelsDescription");
	descriptionEdit->setPlaceholderText(QTStr("Channels.Description.Placeholder"));
	descriptionEdit->setAccessibleName(QTStr("Channels.Description"));
	descriptionEdit->setTabChangesFocus(true); /* Tab leaves the field; the description is one paragraph */
	descriptionEdit->setMaximumHeight(64);
	allButton = new QRadioButton(QTStr("Channels.Target.All"));
	chosenButton = new QRadioButton(QTStr("Channels.Target.Chosen"));
	auto *group = new QButtonGroup(this);
	group->addButton(allButton);
	group->addButton(chosenButton);
	allButton->setChecked(true);
	allButton->setAccessibleName(QTStr("Channels.Target.All"));
	chosenButton->setAccessibleName(QTStr("Channels.Target.Chosen"));
	connect(chosenButton, &QRadioButton::toggled, this, [this]() { updateTargets(); });
	auto *targetRow = new QWidget; /* the two choices side by side, or one above the other when narrow */
	auto *targetFlow = new RfoFlowLayout(targetRow, 8);
	targetFlow->addWidget(allButton);
	targetFlow->addWidget(chosenButton);
	applyButton = new QPushButton(QTStr("Channels.Apply"));
	applyButton->setObjectName("RestreamChannelsApply");
	applyButton->setAccessibleName(QTStr("Channels.Apply"));
	connect(applyButton, &QPushButton::clicked, this, [this]() { apply(); });
	notice = plainLabel();
	notice->setObjectName("RestreamChannelsNotice");
	notice->setVisible(false);
	form->addWidget(new QLabel(QTStr("Channels.Title")));
	form->addWidget(titleEdit);
	form->addWidget(new QLabel(QTStr("Channels.Description")));
	form->addWidget(descriptionEdit);
	form->addWidget(targetRow);
	form->addWidget(applyButton);

	layout->addLayout(top);
	layout->addWidget(scroll, 1);
	layout->addWidget(notice); /* outside the folded editor: also says why a switch was refused */
	layout->addWidget(editorToggle);
	layout->addWidget(editor);
	updateTargets();

	pull();
}

/* Asks the feature for its state; called when the tab is built and whenever the feature says it changed. */
void RfoChannelsView::pull()
{
	if (!have_actions || !channels_actions.state)
		return;
	channels_actions.state(
		[](void *param, const rfo_ui_channels_state *state) {
			try {
				static_cast<RfoChannelsView *>(param)->setState(*state);
			} catch (...) {
				/* nothing may cross into C (the feature holds its lock): a failed update is dropped */
			}
		},
		this);
}

RfoChannelsView::Row *RfoChannelsView::buildRow(qint64 id)
{
	auto *row = new Row;
	row->widget = new QFrame;
	row->widget->setObjectName(QString("RestreamChannel_%1").arg(id));
	auto *grid = new QGridLayout(row->widget);
	grid->setContentsMargins(2, 2, 2, 2);

	row->badge = new QLabel;
	row->badge->setTextFormat(Qt::PlainText);
	row->badge->setAlignment(Qt::AlignCenter);
	row->badge->setFixedSize(28, 28);
	row->badge->setFrameShape(QFrame::StyledPanel);
	QFont bold = row->badge->font();
	bold.setBold(true);
	row->badge->setFont(bold);

	row->name = new RfoElidedLabel;
	row->name->setFont(bold);
	row->platform = new RfoElidedLabel;
	row->platform->setEnabled(false); /* the theme's secondary text */
	row->title = new RfoElidedLabel;
	row->title->setEnabled(false);
	row->result = plainLabel();
	row->result->setVisible(false);

	row->include = new QCheckBox(QTStr("Channels.Include"));
	connect(row->include, &QCheckBox::toggled, this, [this, id](bool on) {
		if (on)
			chosen.insert(id);
		else
			chosen.remove(id);
	});
	row->enabled = new QCheckBox(QTStr("Channels.On"));
	row->enabled->setObjectName(QString("RestreamChannelSwitch_%1").arg(id));
	connect(row->enabled, &QCheckBox::clicked, this, [this, id, row](bool on) {
		row->enabled->setEnabled(false); /* locked until Restream answers */
		if (have_actions && channels_actions.set_enabled)
			channels_actions.set_enabled(id, on);
	});
	row->link = new QToolButton;
	row->link->setText(QTStr("Channels.Open"));
	row->link->setToolTip(QTStr("Channels.Open.Tooltip"));
	connect(row->link, &QToolButton::clicked, this, [row]() {
		QUrl url(row->url, QUrl::StrictMode);
		if (url.isValid() && (url.scheme() == "https" || url.scheme() == "http"))
			QDesktopServices::openUrl(url);
	});

	auto *texts = new QVBoxLayout;
	texts->setSpacing(0);
	texts->addWidget(row->name);
	texts->addWidget(row->platform);
	texts->addWidget(row->title);
	texts->addWidget(row->result);
	grid->addWidget(row->badge, 0, 0, Qt::AlignTop);
	grid->addLayout(texts, 0, 1);
	grid->addWidget(row->include, 0, 2, Qt::AlignTop);
	grid->addWidget(row->enabled, 0, 3, Qt::AlignTop);
	grid->addWidget(row->link, 0, 4, Qt::AlignTop);
	grid->setColumnStretch(1, 1);
	return row;
}

void RfoChannelsView::updateRow(Row *row, const rfo_ui_channel &ch)
{
	const QString platform = fromUtf8(ch.platform_name);
	QByteArray icon = ch.icon && ch.icon_size ? QByteArray((const char *)ch.icon, (int)ch.icon_size) : QByteArray();
	if (icon != row->icon || (icon.isEmpty() && row->badge->text().isEmpty())) {
		row->icon = icon;
		const QImage image = icon.isEmpty() ? QImage() : rfoDecodeRemoteImage(icon, 1024);
		if (!image.isNull()) {
			row->badge->setText(QString());
			row->badge->setPixmap(QPixmap::fromImage(
				image.scaled(24, 24, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
		} else {
			row->badge->setPixmap(QPixmap());
			const QString badge = fromUtf8(ch.badge);
			QFont f = row->badge->font();
			f.setPointSizeF(QLabel().font().pointSizeF() * (badge.size() > 2 ? 0.7 : 1.0));
			/* smaller still until it fits the badge ("#1234" in a large font) */
			const int room = row->badge->contentsRect().width() - 2;
			while (f.pointSizeF() > 5 && QFontMetrics(f).horizontalAdvance(badge) > room)
				f.setPointSizeF(f.pointSizeF() - 0.5);
			/* OBS's themes set label fonts in their style sheet, which wins over setFont() */
			row->badge->setStyleSheet(
				QStringLiteral("font-size: %1pt; font-weight: bold;").arg(f.pointSizeF()));
			row->badge->setText(badge);
		}
	}
	row->badge->setToolTip(rfoPlainTip(platform));
	setLine(row->name, fromUtf8(ch.display_name));
	/* a screen reader says which channel each control is for (every row has the same three) */
	row->include->setAccessibleName(QTStr("Channels.Row.Include").arg(fromUtf8(ch.display_name)));
	row->enabled->setAccessibleName(QTStr("Channels.Row.On").arg(fromUtf8(ch.display_name)));
	row->link->setAccessibleName(QTStr("Channels.Row.Open").arg(fromUtf8(ch.display_name)));
	row->platform->setFullText(
		ch.platform_known ? platform : QTStr("Channels.UnknownPlatform").arg(QString::number(ch.platform_id)));
	setLine(row->title, ch.title ? QTStr("Channels.CurrentTitle").arg(fromUtf8(ch.title)) : QString());
	row->title->setVisible(ch.title != nullptr && *ch.title);
	QString result = fromUtf8(ch.result_text);
	if (ch.pending)
		result = QTStr("Channels.Switching");
	else if (ch.result == RFO_UI_CHANNEL_RESULT_ERROR)
		result = QTStr("Channels.Result.Error").arg(result);
	row->result->setText(result);
	row->result->setVisible(!result.isEmpty());
	QFont f = row->result->font();
	f.setBold(ch.result == RFO_UI_CHANNEL_RESULT_ERROR && !ch.pending);
	row->result->setFont(f);
	row->enabled->setChecked(ch.enabled);
	row->enabled->setEnabled(!ch.pending);
	row->url = fromUtf8(ch.url);
	row->link->setEnabled(!row->url.isEmpty());
}

void RfoChannelsView::setState(const rfo_ui_channels_state &state)
{
	signedIn = state.signed_in;
	applying = state.applying;
	QVector<qint64> ids;
	for (size_t i = 0; i < state.count; i++)
		ids.push_back((qint64)state.channels[i].id);
	if (ids != order) {
		for (Row *row : rows) {
			delete row->widget;
			delete row;
		}
		rows.clear();
		for (qint64 id : ids) {
			Row *row = buildRow(id);
			row->include->setChecked(chosen.contains(id));
			rows.insert(id, row);
			rowsLayout->insertWidget(rowsLayout->count() - 1, row->widget);
		}
		order = ids;
		/* rows added later would come last in Tab's order: put them between Refresh and the title editor */
		QWidget *prev = refreshButton;
		for (qint64 id : order) {
			Row *row = rows.value(id);
			for (QWidget *w : {(QWidget *)row->include, (QWidget *)row->enabled, (QWidget *)row->link}) {
				QWidget::setTabOrder(prev, w);
				prev = w;
			}
		}
		QWidget::setTabOrder(prev, editorToggle);
	}
	for (size_t i = 0; i < state.count; i++)
		updateRow(rows.value((qint64)state.channels[i].id), state.channels[i]);

	QString text;
	if (!state.signed_in)
		text = QTStr("Channels.SignedOut");
	else if (state.error)
		text = QTStr("Channels.Error.Refresh").arg(fromUtf8(state.error));
	else if (state.loading && !state.count)
		text = QTStr("Channels.Loading");
	else if (!state.count)
		text = QTStr("Channels.Empty");
	else
		text = QTStr("Channels.Count").arg(state.count);
	status->setText(text);
	refreshButton->setEnabled(state.signed_in && !state.loading);
	notice->setText(state.applying ? QTStr("Channels.Applying") : fromUtf8(state.notice));
	notice->setVisible(!notice->text().isEmpty());
	updateTargets();
}

void RfoChannelsView::updateTargets()
{
	const bool subset = chosenButton->isChecked();
	for (Row *row : rows)
		row->include->setVisible(subset);
	applyButton->setEnabled(signedIn && !applying && !order.isEmpty());
}

void RfoChannelsView::apply()
{
	const QString title = titleEdit->text().trimmed();
	if (title.isEmpty()) {
		notice->setText(QTStr("Channels.Error.NoTitle"));
		notice->setVisible(true);
		return;
	}
	QVector<int64_t> ids;
	if (chosenButton->isChecked()) {
		for (qint64 id : order)
			if (chosen.contains(id))
				ids.push_back((int64_t)id);
		if (ids.isEmpty()) {
			notice->setText(QTStr("Channels.NoneChosen"));
			notice->setVisible(true);
			return;
		}
	}
	const QByteArray t = title.toUtf8();
	const QString desc = descriptionEdit->toPlainText();
	const QByteArray d = desc.toUtf8();
	if (have_actions && channels_actions.apply_title)
		channels_actions.apply_title(t.constData(), desc.isEmpty() ? nullptr : d.constData(),
					     chosenButton->isChecked() ? ids.constData() : nullptr, (size_t)ids.size());
}

void RfoChannelsView::showEvent(QShowEvent *event)
{
	QWidget::showEvent(event);
	if (signedIn && have_actions && channels_actions.refresh_if_stale)
		channels_actions.refresh_if_stale();
}

/* ---- the tab's side of the port (UI thread) ---- */

static void changed(void)
{
	RFO_ASSERT_UI_THREAD();
	if (channels_view)
		channels_view->pull();
}

const struct rfo_ui_channels_view *rfo_ui_channels_connect(const struct rfo_ui_channels_actions *actions)
{
	RFO_ASSERT_UI_THREAD();
	static const rfo_ui_channels_view view = {changed};
	have_actions = actions != nullptr;
	channels_actions = actions ? *actions : rfo_ui_channels_actions{};
	return &view;
}
