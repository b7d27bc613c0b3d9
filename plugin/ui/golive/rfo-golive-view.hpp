#pragma once

#include "rfo-ui-golive.h"

#include <QString>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class RfoElidedLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QTimer;

/* The dock's "Go live" tab: one button makes OBS stream to Restream (RTMP or SRT, an ingest, an
 * optional event); shows the masked key, and warns when OBS no longer streams to Restream or when
 * OBS's own Restream account would overwrite the key. */
class RfoGoLiveView : public QWidget {
	Q_OBJECT

public:
	explicit RfoGoLiveView(QWidget *parent = nullptr);
	/* Asks the feature for its state and shows it. */
	void pull();

private:
	void setState(const rfo_ui_golive_state &state);
	void setResult(bool ok, const QString &message);
	void apply();
	void hideKey();
	QString currentEventId() const;
	QWidget *buildNewEvent();
	void createEvent();

	QLabel *status = nullptr;
	RfoElidedLabel *serverLabel = nullptr;
	QWidget *changedBox = nullptr;
	QLabel *builtinWarning = nullptr;
	QRadioButton *rtmpButton = nullptr;
	QRadioButton *srtButton = nullptr;
	QLabel *srtReason = nullptr;
	QComboBox *ingestCombo = nullptr;
	QComboBox *eventCombo = nullptr;
	QLineEdit *keyEdit = nullptr;
	QPushButton *revealButton = nullptr;
	QPushButton *applyButton = nullptr;
	QPushButton *restoreButton = nullptr;
	QCheckBox *compatCheck = nullptr;
	QLabel *result = nullptr;
	QLabel *error = nullptr;
	QTimer *pollTimer = nullptr;
	/* "New event" */
	QLineEdit *newTitle = nullptr;
	QLineEdit *newDescription = nullptr;
	QCheckBox *newNow = nullptr;
	QDateTimeEdit *newWhen = nullptr;
	QPushButton *createButton = nullptr;
	QLabel *createResult = nullptr;
	unsigned shownCreated = 0; /* event_result_count of the last outcome shown */
	bool keyShown = false;
	bool userTouched = false;
	unsigned shownResults = 0; /* result_count of the last outcome shown */
	QString maskedKey;
};
