#include "rfo-golive-view.hpp"
#include "rfo-geometry-probe.hpp"
#include "rfo-elide.hpp"
#include "rfo-ui-text.hpp"
#include "rfo-ui-thread.hpp"
#include "rfo-log.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QGroupBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QTimer>
#include <QVBoxLayout>

static rfo_ui_golive_actions golive_actions;
static bool have_actions;
static QPointer<RfoGoLiveView> golive_view;

static QLabel *plainLabel(const QString &text = QString())
{
	auto *l = new QLabel(text);
	l->setTextFormat(Qt::PlainText);
	l->setWordWrap(true);
	return l;
}

RfoGoLiveView::RfoGoLiveView(QWidget *parent) : QWidget(parent)
{
	setObjectName("RestreamGoLiveView");
	golive_view = this;
	/* The content scrolls rather than forcing the dock (and OBS's window) to grow. */
	auto *outer = new QVBoxLayout(this);
	outer->setContentsMargins(0, 0, 0, 0);
	auto *scroll = new QScrollArea;
	scroll->setWidgetResizable(true);
	scroll->setFrameShape(QFrame::NoFrame);
	scroll->setFocusPolicy(Qt::NoFocus); /* Tab goes to the controls; the area follows the focused one */
	auto *content = new QWidget;
	scroll->setWidget(content);
	outer->addWidget(scroll);
	auto *layout = new QVBoxLayout(content);

	status = plainLabel();
	status->setObjectName("RestreamGoLiveStatus");
	QFont bold = status->font();
	bold.setBold(true);
	status->setFont(bold);
	/* an address: one line, elided, the whole of it in the tooltip */
	serverLabel = new RfoElidedLabel;
	serverLabel->setObjectName("RestreamGoLiveServer");

	/* Someone changed Settings → Stream: one click puts Restream back. */
	changedBox = new QWidget;
	auto *changedLayout = new QVBoxLayout(changedBox);
	changedLayout->setContentsMargins(0, 0, 0, 0);
	auto *changedText = plainLabel(QTStr("GoLive.Changed"));
	auto *fix = new QPushButton(QTStr("GoLive.Fix"));
	fix->setAccessibleName(QTStr("GoLive.Fix"));
	connect(fix, &QPushButton::clicked, this, [this]() { apply(); });
	changedLayout->addWidget(changedText);
	changedLayout->addWidget(fix);
	rfoElideButton(fix);
	changedBox->setVisible(false);

	builtinWarning = plainLabel(QTStr("GoLive.BuiltinWarning"));
	builtinWarning->setVisible(false);

	rtmpButton = new QRadioButton("RTMP");
	srtButton = new QRadioButton("SRT");
	auto *group = new QButtonGroup(this);
	group->addButton(rtmpButton);
	group->addButton(srtButton);
	rtmpButton->setChecked(true);
	rtmpButton->setAccessibleName(QTStr("GoLive.Protocol.Rtmp"));
	srtButton->setAccessibleName(QTStr("GoLive.Protocol.Srt"));
	srtReason = plainLabel(QTStr("GoLive.SrtUnavailable"));
	srtReason->setVisible(false);
	auto *protoRow = new QHBoxLayout;
	protoRow->addWidget(rtmpButton);
	protoRow->addWidget(srtButton);
	protoRow->addStretch(1);

	ingestCombo = new RfoElidedCombo;
	ingestCombo->setObjectName("RestreamGoLiveIngest");
	eventCombo = new RfoElidedCombo;
	eventCombo->setObjectName("RestreamGoLiveEvent");
	ingestCombo->setAccessibleName(QTStr("GoLive.Ingest"));
	eventCombo->setAccessibleName(QTStr("GoLive.Event"));
	/* long server names and event titles never widen the dock: the box elides, its tooltip has the whole text */
	for (QComboBox *combo : {ingestCombo, eventCombo}) {
		combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
		combo->setMinimumContentsLength(8);
		combo->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
		connect(combo, QOverload<int>::of(&QComboBox::currentIndexChanged), combo,
			[combo](int) { combo->setToolTip(rfoPlainTip(combo->currentText())); });
	}

	keyEdit = new QLineEdit;
	keyEdit->setReadOnly(true);
	keyEdit->setObjectName("RestreamGoLiveKey");
	keyEdit->setAccessibleName(QTStr("GoLive.Key"));
	revealButton = new QPushButton(QTStr("GoLive.Reveal"));
	revealButton->setAccessibleName(QTStr("GoLive.Reveal"));
	connect(revealButton, &QPushButton::clicked, this, [this]() {
		if (keyShown) {
			hideKey();
			return;
		}
		if (!have_actions || !golive_actions.reveal_key)
			return;
		char *key = golive_actions.reveal_key(currentEventId().toUtf8().constData());
		keyEdit->setText(QString::fromUtf8(key ? key : ""));
		if (golive_actions.free_key)
			golive_actions.free_key(key);
		keyShown = true;
		revealButton->setText(QTStr("GoLive.Hide"));
		revealButton->setAccessibleName(QTStr("GoLive.Hide"));
	});
	auto *keyRow = new QHBoxLayout;
	keyRow->addWidget(keyEdit, 1);
	keyRow->addWidget(revealButton);

	auto *form = new QFormLayout;
	/* a field that does not fit beside its label goes below it */
	form->setRowWrapPolicy(QFormLayout::WrapLongRows);
	form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
	form->addRow(QTStr("GoLive.Protocol"), protoRow);
	form->addRow(QString(), srtReason);
	form->addRow(QTStr("GoLive.Ingest"), ingestCombo);
	form->addRow(QTStr("GoLive.Event"), eventCombo);
	form->addRow(QTStr("GoLive.Key"), keyRow);

	applyButton = new QPushButton(QTStr("GoLive.Apply"));
	applyButton->setObjectName("RestreamGoLiveApply");
	applyButton->setAccessibleName(QTStr("GoLive.Apply"));
	rfoElideButton(applyButton);
	connect(applyButton, &QPushButton::clicked, this, [this]() { apply(); });

	/* Puts back the stream settings OBS had before the last "Set up" (shown while a copy of them is kept). */
	restoreButton = new QPushButton(QTStr("GoLive.Restore"));
	restoreButton->setObjectName("RestreamGoLiveRestore");
	restoreButton->setAccessibleName(QTStr("GoLive.Restore"));
	restoreButton->setVisible(false);
	rfoElideButton(restoreButton);
	connect(restoreButton, &QPushButton::clicked, this, []() {
		if (have_actions && golive_actions.restore)
			golive_actions.restore();
	});

	/* a sentence: it wraps beside its box (a check box's own text cannot wrap); a click on it toggles the box */
	compatCheck = new QCheckBox;
	compatCheck->setObjectName("RestreamGoLiveCompat");
	compatCheck->setToolTip(QTStr("GoLive.Compat.Help"));
	compatCheck->setAccessibleName(QTStr("GoLive.Compat"));
	compatCheck->setAccessibleDescription(QTStr("GoLive.Compat.Help"));
	auto *compatText = new RfoClickLabel(compatCheck, QTStr("GoLive.Compat"));
	compatText->setToolTip(QTStr("GoLive.Compat.Help"));
	auto *compatRow = new QHBoxLayout;
	compatRow->addWidget(compatCheck, 0, Qt::AlignTop);
	compatRow->addWidget(compatText, 1);
	connect(compatCheck, &QCheckBox::toggled, this, [](bool on) {
		if (have_actions && golive_actions.set_compat)
			golive_actions.set_compat(on);
	});

	result = plainLabel();
	result->setVisible(false);
	error = plainLabel();
	error->setVisible(false);

	auto *refresh = new QPushButton(QTStr("GoLive.Refresh"));
	refresh->setAccessibleName(QTStr("GoLive.Refresh"));
	rfoElideButton(refresh);
	connect(refresh, &QPushButton::clicked, this, []() {
		if (have_actions && golive_actions.refresh)
			golive_actions.refresh();
	});

	layout->addWidget(status);
	layout->addWidget(serverLabel);
	layout->addWidget(changedBox);
	layout->addWidget(builtinWarning);
	layout->addLayout(form);
	layout->addWidget(applyButton);
	layout->addWidget(result);
	layout->addWidget(error);
	layout->addLayout(compatRow);
	layout->addWidget(refresh);
	layout->addWidget(restoreButton);
	layout->addWidget(buildNewEvent());
	layout->addStretch(1);
	rfoGeometryProbeStart(scroll, createButton, {newTitle, newDescription, createButton});

	auto touched = [this]() {
		userTouched = true;
	};
	connect(rtmpButton, &QRadioButton::clicked, this, touched);
	connect(srtButton, &QRadioButton::clicked, this, touched);
	connect(ingestCombo, QOverload<int>::of(&QComboBox::activated), this, touched);
	connect(eventCombo, QOverload<int>::of(&QComboBox::activated), this, [this](int) {
		userTouched = true;
		hideKey();
	});

	pollTimer = new QTimer(this);
	connect(pollTimer, &QTimer::timeout, this, []() {
		if (have_actions && golive_actions.poll)
			golive_actions.poll();
	});
	pollTimer->start(2000);

	pull();
}

/* Asks the feature for its state; called when the tab is built and whenever the feature says it changed. */
void RfoGoLiveView::pull()
{
	if (!have_actions || !golive_actions.state)
		return;
	golive_actions.state(
		[](void *param, const rfo_ui_golive_state *st) {
			try {
				static_cast<RfoGoLiveView *>(param)->setState(*st);
			} catch (...) {
				/* nothing may cross into C; a failed update is dropped */
			}
		},
		this);
}

QString RfoGoLiveView::currentEventId() const
{
	return eventCombo->currentData().toString();
}

void RfoGoLiveView::hideKey()
{
	keyShown = false;
	keyEdit->setText(maskedKey);
	revealButton->setText(QTStr("GoLive.Reveal"));
	revealButton->setAccessibleName(QTStr("GoLive.Reveal"));
}

void RfoGoLiveView::apply()
{
	if (!have_actions || !golive_actions.apply)
		return;
	QByteArray eventId = currentEventId().toUtf8();
	rfo_ui_golive_choice choice = {srtButton->isChecked() ? "srt" : "rtmp", ingestCombo->currentData().toLongLong(),
				       eventId.constData()};
	applyButton->setEnabled(false);
	result->setText(QTStr("GoLive.Applying"));
	result->setVisible(true);
	golive_actions.apply(&choice);
}

/* A small form that creates a Restream event (title, description, now or a scheduled time); the new event is then
 * chosen in the event picker. */
QWidget *RfoGoLiveView::buildNewEvent()
{
	auto *box = new QGroupBox(QTStr("GoLive.NewEvent"));
	box->setObjectName("RestreamGoLiveNewEvent");
	auto *form = new QFormLayout(box);
	form->setRowWrapPolicy(QFormLayout::WrapAllRows); /* labels above the fields: fits a narrow dock */
	newTitle = new QLineEdit;
	newTitle->setObjectName("RestreamGoLiveNewTitle");
	newDescription = new QLineEdit;
	newDescription->setObjectName("RestreamGoLiveNewDescription");
	newNow = new QCheckBox(QTStr("GoLive.NewEvent.Now"));
	newNow->setChecked(true);
	newWhen = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(3600));
	newWhen->setCalendarPopup(true);
	newWhen->setEnabled(false);
	connect(newNow, &QCheckBox::toggled, newWhen, [this](bool now) { newWhen->setEnabled(!now); });
	/* one above the other, the date box as narrow as the dock: the form fits a 280 px dock */
	newWhen->setMinimumWidth(0);
	newWhen->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
	auto *whenRow = new QVBoxLayout;
	whenRow->addWidget(newNow);
	whenRow->addWidget(newWhen);
	createButton = new QPushButton(QTStr("GoLive.NewEvent.Create"));
	createButton->setObjectName("RestreamGoLiveCreateEvent");
	newTitle->setAccessibleName(QTStr("GoLive.NewEvent.Title"));
	newDescription->setAccessibleName(QTStr("GoLive.NewEvent.Description"));
	newNow->setAccessibleName(QTStr("GoLive.NewEvent.Now"));
	newWhen->setAccessibleName(QTStr("GoLive.NewEvent.When"));
	createButton->setAccessibleName(QTStr("GoLive.NewEvent.Create"));
	connect(createButton, &QPushButton::clicked, this, [this]() { createEvent(); });
	connect(newTitle, &QLineEdit::returnPressed, this, [this]() { createEvent(); });
	createResult = plainLabel();
	createResult->setObjectName("RestreamGoLiveCreateResult");
	createResult->setVisible(false);
	form->addRow(QTStr("GoLive.NewEvent.Title"), newTitle);
	form->addRow(QTStr("GoLive.NewEvent.Description"), newDescription);
	form->addRow(QTStr("GoLive.NewEvent.When"), whenRow);
	form->addRow(createButton);
	form->addRow(createResult);
	return box;
}

void RfoGoLiveView::createEvent()
{
	if (!have_actions || !golive_actions.create_event || !createButton->isEnabled())
		return;
	QByteArray title = newTitle->text().trimmed().toUtf8();
	QByteArray description = newDescription->text().trimmed().toUtf8();
	int64_t when = newNow->isChecked() ? 0 : (int64_t)newWhen->dateTime().toSecsSinceEpoch();
	createButton->setEnabled(false);
	createResult->setText(QTStr("GoLive.NewEvent.Creating"));
	createResult->setVisible(true);
	golive_actions.create_event(title.constData(), description.constData(), when);
}

void RfoGoLiveView::setResult(bool ok, const QString &message)
{
	applyButton->setEnabled(true);
	result->setText(message);
	result->setVisible(!message.isEmpty());
	if (ok)
		userTouched = false;
}

static QString eventText(const rfo_ui_golive_event &e)
{
	QString text = QString::fromUtf8(e.title ? e.title : "");
	if (e.status && strcmp(e.status, "in-progress") == 0)
		text += " — " + QTStr("GoLive.Event.Live");
	else if (e.scheduled_for > 0)
		text += " — " +
			QLocale().toString(QDateTime::fromSecsSinceEpoch(e.scheduled_for), QLocale::ShortFormat);
	return text;
}

void RfoGoLiveView::setState(const rfo_ui_golive_state &st)
{
	if (!st.signed_in)
		status->setText(QTStr("GoLive.NotSignedIn"));
	else
		status->setText(QTStr(st.service_active ? "GoLive.Active" : "GoLive.Inactive"));
	serverLabel->setFullText(QString::fromUtf8(st.server_text ? st.server_text : ""));
	serverLabel->setVisible(st.server_text && *st.server_text);
	changedBox->setVisible(st.signed_in && st.was_set_up && !st.service_active);
	builtinWarning->setVisible(st.builtin_restream);

	srtButton->setEnabled(st.srt_available);
	srtReason->setVisible(st.signed_in && !st.srt_available);
	if (!st.srt_available && srtButton->isChecked())
		rtmpButton->setChecked(true);

	bool created = st.event_result_count != shownCreated;
	if (created) {
		shownCreated = st.event_result_count;
		createButton->setEnabled(true);
		createResult->setText(QString::fromUtf8(st.event_result_message ? st.event_result_message : ""));
		createResult->setVisible(true);
		/* the sentence is Restream's or ours, never a secret; tests read it here */
		rfo_log(LOG_INFO, "golive tab: create event: %s%s%s", st.event_result_ok ? "created" : "refused",
			st.event_result_ok ? "" : ": ", st.event_result_ok ? "" : st.event_result_message);
		if (st.event_result_ok) {
			newTitle->clear();
			newDescription->clear();
		}
	}
	QString chosenEvent = userTouched ? currentEventId() : QString::fromUtf8(st.event_id ? st.event_id : "");
	if (created && st.event_result_ok && st.created_event_id && *st.created_event_id) {
		chosenEvent = QString::fromUtf8(st.created_event_id); /* the new event is picked for go-live */
		userTouched = true;
	}
	qlonglong chosenIngest = userTouched ? ingestCombo->currentData().toLongLong() : (qlonglong)st.ingest_id;
	if (!userTouched) {
		bool srt = st.protocol && strcmp(st.protocol, "srt") == 0 && st.srt_available;
		(srt ? srtButton : rtmpButton)->setChecked(true);
	}

	QString ownName;
	for (size_t i = 0; i < st.server_count; i++)
		if (st.servers[i].id == st.user_ingest_id)
			ownName = QString::fromUtf8(st.servers[i].name);
	ingestCombo->clear();
	ingestCombo->addItem(ownName.isEmpty() ? QTStr("GoLive.Ingest.Default")
					       : QTStr("GoLive.Ingest.DefaultNamed").arg(ownName),
			     QVariant((qlonglong)0));
	for (size_t i = 0; i < st.server_count; i++)
		ingestCombo->addItem(QString::fromUtf8(st.servers[i].name), QVariant((qlonglong)st.servers[i].id));
	int ingestIndex = ingestCombo->findData(QVariant(chosenIngest));
	ingestCombo->setCurrentIndex(ingestIndex < 0 ? 0 : ingestIndex);

	eventCombo->clear();
	eventCombo->addItem(QTStr("GoLive.Event.None"), QString());
	for (size_t i = 0; i < st.event_count; i++)
		eventCombo->addItem(eventText(st.events[i]), QString::fromUtf8(st.events[i].id));
	int eventIndex = eventCombo->findData(chosenEvent);
	eventCombo->setCurrentIndex(eventIndex < 0 ? 0 : eventIndex);
	if (created && st.event_result_ok && eventIndex > 0)
		rfo_log(LOG_INFO, "golive tab: event picked: %s", chosenEvent.toUtf8().constData());

	maskedKey = QString::fromUtf8(st.key_masked ? st.key_masked : "");
	if (!keyShown)
		keyEdit->setText(maskedKey);

	compatCheck->blockSignals(true);
	compatCheck->setChecked(st.compat);
	compatCheck->blockSignals(false);

	error->setText(QString::fromUtf8(st.error ? st.error : ""));
	error->setVisible(st.error && *st.error);
	applyButton->setEnabled(st.signed_in);
	restoreButton->setVisible(st.can_restore);

	if (st.result_count != shownResults) {
		shownResults = st.result_count;
		setResult(st.result_ok, QString::fromUtf8(st.result_message ? st.result_message : ""));
	}
}

/* ---- the tab's side of the port (UI thread) ---- */

static void changed(void)
{
	RFO_ASSERT_UI_THREAD();
	if (golive_view)
		golive_view->pull();
}

const struct rfo_ui_golive_view *rfo_ui_golive_connect(const struct rfo_ui_golive_actions *actions)
{
	RFO_ASSERT_UI_THREAD();
	static const rfo_ui_golive_view view = {changed};
	have_actions = actions != nullptr;
	golive_actions = actions ? *actions : rfo_ui_golive_actions{};
	return &view;
}
