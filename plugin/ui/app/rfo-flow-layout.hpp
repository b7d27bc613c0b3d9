#pragma once

#include <QLayout>
#include <QList>

/* Lays its widgets out left to right and starts a new line where the next one does not fit (chips, tags), so a
 * narrow dock gets more lines instead of a horizontal scrollbar. Its height follows its width. The widgets' order
 * follows the layout direction (right to left in Arabic and Hebrew). */
class RfoFlowLayout : public QLayout {
public:
	explicit RfoFlowLayout(QWidget *parent = nullptr, int spacing = 4);
	~RfoFlowLayout() override;

	void addItem(QLayoutItem *item) override;
	int count() const override;
	QLayoutItem *itemAt(int index) const override;
	QLayoutItem *takeAt(int index) override;
	Qt::Orientations expandingDirections() const override;
	bool hasHeightForWidth() const override;
	int heightForWidth(int width) const override;
	QSize minimumSize() const override;
	QSize sizeHint() const override;
	void setGeometry(const QRect &rect) override;

private:
	int arrange(const QRect &rect, bool apply) const;
	QList<QLayoutItem *> items;
	int gap;
};
