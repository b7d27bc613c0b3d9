#pragma once

#include "rfo-ui-channels.h"

#include <QMap>
#include <QtAlgorithms>
#include <QSet>
#include <QString>
#include <QVector>
#include <QWidget>

class QButtonGroup;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QToolButton;
class QVBoxLayout;
class RfoElidedLabel;

/* The dock's "Channels" tab: every Restream destination (platform badge or icon, name, on/off
 * switch, link, per-channel result line), one title/description editor for all enabled channels
 * or a chosen subset, and a refresh button. Remote text is shown as plain text only. */
class RfoChannelsView : public QWidget {
	Q_OBJECT

public:
	explicit RfoChannelsView(QWidget *parent = nullptr);
	/* Rows' widgets belong to the view's layout; the Row records themselves are the view's. */
	~RfoChannelsView() override { qDeleteAll(rows); }
	/* Asks the feature for its state and shows it. */
	void pull();

protected:
	void showEvent(QShowEvent *event) override;

private:
	struct Row {
		QWidget *widget = nullptr;
		QLabel *badge = nullptr;
		RfoElidedLabel *name = nullptr;
		RfoElidedLabel *platform = nullptr;
		RfoElidedLabel *title = nullptr;
		QLabel *result = nullptr;
		QCheckBox *include = nullptr;
		QCheckBox *enabled = nullptr;
		QToolButton *link = nullptr;
		QString url;
		QByteArray icon;
	};

	void setState(const rfo_ui_channels_state &state);
	Row *buildRow(qint64 id);
	void updateRow(Row *row, const rfo_ui_channel &ch);
	void updateTargets();
	void apply();

	QLabel *status = nullptr;
	QPushButton *refreshButton = nullptr;
	QWidget *rowsBox = nullptr;
	QVBoxLayout *rowsLayout = nullptr;
	QLineEdit *titleEdit = nullptr;
	QPlainTextEdit *descriptionEdit = nullptr;
	QRadioButton *allButton = nullptr;
	QRadioButton *chosenButton = nullptr;
	QPushButton *applyButton = nullptr;
	QToolButton *editorToggle = nullptr;
	QLabel *notice = nullptr;
	QMap<qint64, Row *> rows;
	QVector<qint64> order;
	QSet<qint64> chosen;
	bool signedIn = false;
	bool applying = false;
};
