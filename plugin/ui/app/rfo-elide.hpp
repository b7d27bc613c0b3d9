#pragma once

#include <QComboBox>
#include <QLabel>
#include <QString>

class QAbstractButton;

/* A line that must stay on one line (a name, a title, an address): it never widens the dock; when it does not fit
 * it ends in "…" at a character boundary and its full text is its plain-text tooltip (remote text included:
 * rfoPlainTip). Sentences meant to be read wrap instead (QLabel::setWordWrap). */
class RfoElidedLabel : public QLabel {
public:
	explicit RfoElidedLabel(QWidget *parent = nullptr);
	/* `alwaysTip`: the tooltip also when the text fits (e.g. a title that may be cut by Restream's own limit). */
	void setFullText(const QString &text, bool alwaysTip = false);
	/* A tooltip of its own (plain text), shown after the full text when that is elided. */
	void setTip(const QString &text);
	QString fullText() const { return full; }
	bool elided() const { return text() != full; }
	QSize sizeHint() const override;
	QSize minimumSizeHint() const override;

protected:
	void resizeEvent(QResizeEvent *event) override;
	void changeEvent(QEvent *event) override;

private:
	void refit();
	QString full, tip;
	bool tipAlways = false;
};

/* A push or tool button whose label must stay on one line: it may be narrower than its text, which is then elided
 * with the full text as its tooltip (unless the button has a tooltip of its own). Call after setting the text; call
 * again after changing it. */
void rfoElideButton(QAbstractButton *button);

/* A sentence beside a check box (whose own text cannot wrap): it wraps, and a click on it toggles the box. */
class RfoClickLabel : public QLabel {
public:
	RfoClickLabel(QAbstractButton *buddy, const QString &text, QWidget *parent = nullptr);

protected:
	void mouseReleaseEvent(QMouseEvent *event) override;

private:
	QAbstractButton *box;
};

/* A combo box whose current text ends in "…" when the box is narrower than it (QComboBox itself cuts it). */
class RfoElidedCombo : public QComboBox {
public:
	explicit RfoElidedCombo(QWidget *parent = nullptr) : QComboBox(parent) {}

protected:
	void paintEvent(QPaintEvent *event) override;
};
