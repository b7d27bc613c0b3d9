/* The Chat tab's toolbar menus: the platform filter and the viewer's settings (timestamps, mentions, keywords,
 * font size, history). Each change is applied at once and handed to the feature (RfoChatView::settingsChanged). */
#include "rfo-chat-view.hpp"
#include "rfo-chat-look.h"
#include "rfo-ui-text.hpp"

#include <algorithm>

#include <QAction>
#include <QFontInfo>
#include <QInputDialog>
#include <QListView>
#include <QMenu>
#include <QToolButton>

#include <util/bmem.h>

void RfoChatView::fillFilterMenu()
{
	QMenu *menu = filterButton->menu();
	menu->clear();
	QStringList platforms = model->platforms();
	for (const QString &p : QString::fromUtf8(settings.hidden_platforms).split(',', Qt::SkipEmptyParts))
		if (!platforms.contains(p.trimmed()))
			platforms.append(p.trimmed());
	if (platforms.isEmpty()) {
		menu->addAction(QTStr("Chat.Filter.None"))->setEnabled(false);
		return;
	}
	for (const QString &p : platforms) {
		QAction *a = menu->addAction(p);
		a->setCheckable(true);
		QByteArray name = p.toUtf8();
		a->setChecked(!rfo_chat_list_has(settings.hidden_platforms, name.constData()));
		connect(a, &QAction::toggled, this, [this, name](bool shown) {
			char *list_ = rfo_chat_list_set(settings.hidden_platforms, name.constData(), !shown);
			snprintf(settings.hidden_platforms, sizeof(settings.hidden_platforms), "%s", list_);
			bfree(list_);
			applySettings(settings);
			settingsChanged();
		});
	}
	menu->addSeparator();
	connect(menu->addAction(QTStr("Chat.Filter.ShowAll")), &QAction::triggered, this, [this]() {
		settings.hidden_platforms[0] = '\0';
		applySettings(settings);
		settingsChanged();
	});
}

void RfoChatView::fillSettingsMenu()
{
	QMenu *menu = settingsButton->menu();
	menu->clear();
	QAction *ts = menu->addAction(QTStr("Chat.Options.Timestamps"));
	ts->setCheckable(true);
	ts->setChecked(settings.show_timestamps);
	connect(ts, &QAction::toggled, this, [this](bool on) {
		settings.show_timestamps = on;
		applySettings(settings);
		settingsChanged();
	});
	QAction *mentions = menu->addAction(QTStr("Chat.Options.Mentions"));
	mentions->setCheckable(true);
	mentions->setChecked(settings.highlight_mentions);
	connect(mentions, &QAction::toggled, this, [this](bool on) {
		settings.highlight_mentions = on;
		applySettings(settings);
		settingsChanged();
	});
	connect(menu->addAction(QTStr("Chat.Options.Keywords")), &QAction::triggered, this, [this]() {
		bool ok = false;
		QString text = QInputDialog::getText(this, QTStr("Chat.Options.Keywords.Title"),
						     QTStr("Chat.Options.Keywords.Prompt"), QLineEdit::Normal,
						     QString::fromUtf8(settings.keywords), &ok);
		if (!ok)
			return;
		QByteArray raw = text.toUtf8();
		char *norm = rfo_chat_keywords_normalize(raw.constData());
		snprintf(settings.keywords, sizeof(settings.keywords), "%s", norm);
		bfree(norm);
		applySettings(settings);
		settingsChanged();
	});
	menu->addSeparator();
	auto fontStep = [this](int delta) {
		int size = settings.font_size > 0 ? settings.font_size : QFontInfo(list->font()).pointSize();
		settings.font_size = delta ? std::clamp(size + delta, RFO_CHAT_FONT_MIN, RFO_CHAT_FONT_MAX) : 0;
		applySettings(settings);
		settingsChanged();
	};
	connect(menu->addAction(QTStr("Chat.Options.Larger")), &QAction::triggered, this,
		[fontStep]() { fontStep(1); });
	connect(menu->addAction(QTStr("Chat.Options.Smaller")), &QAction::triggered, this,
		[fontStep]() { fontStep(-1); });
	connect(menu->addAction(QTStr("Chat.Options.DefaultSize")), &QAction::triggered, this,
		[fontStep]() { fontStep(0); });
	menu->addSeparator();
	connect(menu->addAction(QTStr("Chat.Options.History")), &QAction::triggered, this, [this]() {
		bool ok = false;
		int n = QInputDialog::getInt(this, QTStr("Chat.Options.History.Title"),
					     QTStr("Chat.Options.History.Prompt"), settings.history,
					     RFO_CHAT_HISTORY_MIN, RFO_CHAT_HISTORY_MAX, 50, &ok);
		if (!ok)
			return;
		settings.history = n;
		applySettings(settings);
		settingsChanged();
	});
	connect(menu->addAction(QTStr("Chat.Options.Clear")), &QAction::triggered, this, [this]() { clearMessages(); });
}
