#include "rfo-elide.hpp"
#include "rfo-ui-text.hpp"

#include <QAbstractButton>
#include <QEvent>
#include <QMouseEvent>
#include <QFontMetrics>
#include <QStyle>
#include <QStyleOptionButton>
#include <QStyleOptionComboBox>
#include <QStylePainter>

#define MIN_CHARS 4 /* what an elided line keeps at least: a few letters and the "…" */

RfoElidedLabel::RfoElidedLabel(QWidget *parent) : QLabel(parent)
{
	setTextFormat(Qt::PlainText);
	setWordWrap(false);
	setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
}

void RfoElidedLabel::setFullText(const QString &text, bool alwaysTip)
{
	full = text;
	tipAlways = alwaysTip;
	updateGeometry();
	refit();
}

void RfoElidedLabel::setTip(const QString &text)
{
	tip = text;
	refit();
}

QSize RfoElidedLabel::sizeHint() const
{
	/* what QLabel (frame, style sheet padding included) wants for the text shown, grown by the part left out */
	const QFontMetrics fm(font());
	const QSize shown = QLabel::sizeHint();
	return QSize(shown.width() + qMax(0, fm.horizontalAdvance(full) - fm.horizontalAdvance(text())),
		     shown.height());
}

QSize RfoElidedLabel::minimumSizeHint() const
{
	const QFontMetrics fm(font());
	return QSize(qMin(sizeHint().width(), fm.averageCharWidth() * MIN_CHARS), QLabel::minimumSizeHint().height());
}

void RfoElidedLabel::resizeEvent(QResizeEvent *event)
{
	QLabel::resizeEvent(event);
	refit();
}

void RfoElidedLabel::changeEvent(QEvent *event)
{
	QLabel::changeEvent(event);
	if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
		refit();
}

void RfoElidedLabel::refit()
{
	const QFontMetrics fm(font());
	const int room = contentsRect().width() - 2 * margin();
	/* a single-line rendering: a new line in remote text would otherwise make a second line */
	QString line = full;
	line.replace(QLatin1Char('\n'), QLatin1Char(' '));
	const QString shown = fm.elidedText(line, Qt::ElideRight, qMax(0, room));
	if (shown != text())
		QLabel::setText(shown);
	QString shownTip = tip;
	if (shown != full || tipAlways)
		shownTip = tip.isEmpty() ? full : full + QLatin1Char('\n') + tip;
	setToolTip(rfoPlainTip(shownTip));
}

namespace {

/* Keeps a button's label elided to its width; the full label stays in a property. */
class ButtonElider : public QObject {
public:
	explicit ButtonElider(QAbstractButton *b) : QObject(b) {}
	bool eventFilter(QObject *obj, QEvent *event) override
	{
		if (event->type() == QEvent::Resize || event->type() == QEvent::FontChange)
			fit(static_cast<QAbstractButton *>(obj));
		return false;
	}
	static void fit(QAbstractButton *b)
	{
		const QString full = b->property("rfoFullText").toString();
		const QFontMetrics fm(b->font());
		/* the room the style leaves for the label: the button's width less what it adds around an empty one */
		const int chrome = b->sizeHint().width() - fm.horizontalAdvance(b->text());
		const QString shown = fm.elidedText(full, Qt::ElideRight, qMax(0, b->width() - chrome));
		if (shown != b->text())
			b->setText(shown);
		const bool ownTip = b->property("rfoOwnTip").toBool();
		if (!ownTip)
			b->setToolTip(shown != full ? rfoPlainTip(full) : QString());
	}
};

} // namespace

void rfoElideButton(QAbstractButton *button)
{
	if (!button)
		return;
	const bool first = !button->property("rfoFullText").isValid();
	if (first) {
		button->setProperty("rfoOwnTip", !button->toolTip().isEmpty());
		button->installEventFilter(new ButtonElider(button));
	}
	button->setProperty("rfoFullText", button->text());
	const QFontMetrics fm(button->font());
	const int chrome = button->sizeHint().width() - fm.horizontalAdvance(button->text());
	button->setMinimumWidth(qMin(button->sizeHint().width(), chrome + fm.averageCharWidth() * MIN_CHARS));
	ButtonElider::fit(button);
}

RfoClickLabel::RfoClickLabel(QAbstractButton *buddy, const QString &text, QWidget *parent)
	: QLabel(text, parent), box(buddy)
{
	setTextFormat(Qt::PlainText);
	setWordWrap(true);
	setBuddy(buddy);
}

void RfoClickLabel::mouseReleaseEvent(QMouseEvent *event)
{
	QLabel::mouseReleaseEvent(event);
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
	const QPoint at = event->position().toPoint();
#else
	const QPoint at = event->pos();
#endif
	if (box && box->isEnabled() && rect().contains(at))
		box->click();
}

void RfoElidedCombo::paintEvent(QPaintEvent *)
{
	QStylePainter painter(this);
	painter.setPen(palette().color(QPalette::Text));
	QStyleOptionComboBox opt;
	initStyleOption(&opt);
	painter.drawComplexControl(QStyle::CC_ComboBox, opt);
	const QRect text = style()->subControlRect(QStyle::CC_ComboBox, &opt, QStyle::SC_ComboBoxEditField, this);
	opt.currentText = fontMetrics().elidedText(opt.currentText, Qt::ElideRight, text.width());
	painter.drawControl(QStyle::CE_ComboBoxLabel, opt);
}
