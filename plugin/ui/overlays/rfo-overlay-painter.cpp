/* The overlay sources' painter (rfo-ui-overlays.h): plain strings shaped with QTextLayout (bidi, font fallback,
 * colour emoji) and painted with QPainter, each line into a picture of its own (QImage's ARGB32_Premultiplied: the
 * raster engine's own format, whose text blending has a fast path; RGBA8888 goes through 64-bit pixels). Runs on the overlays' worker thread: no
 * widget, no static state written after rfo_ui_overlays_connect but the emote images' locked cache
 * (rfo-overlay-images.cpp). */
#include "rfo-ui-overlays.h"
#include "rfo-chat-emoji.hpp"
#include "rfo-chat-look.h"
#include "rfo-overlay-images.hpp"
#include "rfo-overlay-ink.hpp"
#include "rfo-overlay-outline.hpp"
#include "rfo-ui-thread.hpp"

#include <util/bmem.h>

#include <QFont>
#include <QFontDatabase>
#include <QImage>
#include <QPainter>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QHash>
#include <QTextLayout>
#include <QTextOption>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

/* set once by rfo_ui_overlays_connect on the UI thread, before any paint */
static QString emoji_family;

static QColor argb(uint32_t c)
{
	return QColor((c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF, (c >> 24) & 0xFF);
}

static QColor rgb(uint32_t c)
{
	return QColor((c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF);
}

/* What each painting thread keeps between lines (fonts belong to the thread that uses them, and a line painted every
 * 50 ms would otherwise resolve its font and draw its badge from nothing each time): the last look's font and metrics
 * and the badges drawn in it. */
struct thread_look {
	QByteArray face;
	int size = 0;
	bool bold = false, italic = false;
	QFont font;
	qreal height = 0, nbsp = 0;
	QHash<QString, QImage> badges; /* by mark, colour and size */
};
static thread_local thread_look look;

static const thread_look &frame_look(const rfo_ui_overlay_frame *f)
{
	const QByteArray face = f->font_face && *f->font_face ? QByteArray(f->font_face) : QByteArray("Sans Serif");
	const int size = f->font_size > 4 ? f->font_size : 4;
	if (look.size == size && look.bold == f->bold && look.italic == f->italic && look.face == face)
		return look;
	look = thread_look();
	look.face = face;
	look.size = size;
	look.bold = f->bold;
	look.italic = f->italic;
	look.font = QFont(QString::fromUtf8(face));
	look.font.setPixelSize(size);
	if (f->bold)
		look.font.setBold(true);
	if (f->italic)
		look.font.setItalic(true);
	look.font.setStyleStrategy(QFont::PreferAntialias);
	const QFontMetricsF m(look.font);
	look.height = m.height();
	look.nbsp = m.horizontalAdvance(QChar(0xA0));
	return look;
}

/* An emote drawn as its image: the no-break space at `pos` of the line's text holds its place. */
struct line_emote {
	int pos;
	qreal width, height;
	QImage image;
};

/* One message as text with its format ranges (author, platform name, donation, emoji). */
struct line_text {
	QString text;
	QVector<QTextLayout::FormatRange> formats;
	uint32_t badge = 0; /* platform colour of the badge, when it has one */
	QString badge_letter;
	bool has_badge = false;
	std::vector<line_emote> emotes;
};

static void add_range(line_text &t, int start, int len, const QTextCharFormat &fmt)
{
	if (len <= 0)
		return;
	QTextLayout::FormatRange r;
	r.start = start;
	r.length = len;
	r.format = fmt;
	t.formats.append(r);
}

static void append(line_text &t, const QString &s, const QTextCharFormat *fmt)
{
	const int start = t.text.size();
	t.text += s;
	if (fmt)
		add_range(t, start, s.size(), *fmt);
}

/* The message's text, each emote whose image the cache has replaced by one no-break space spaced out to the image's
 * width at the line's height (so the text around it makes room and wraps as it would around a word); the code word
 * of any other emote stays text. */
static void append_body(line_text &t, const rfo_ui_overlay_frame *f, const rfo_ui_overlay_line *l,
			const QTextCharFormat *fmt)
{
	const char *text = l->text;
	const size_t len = strlen(text);
	size_t at = 0;
	qreal height = 0, space = 0;
	for (size_t i = 0; l->emotes && i < l->emote_count; i++) {
		const rfo_chat_emote &e = l->emotes[i];
		if (e.byte_start < at || e.byte_end <= e.byte_start || e.byte_end > len)
			continue;
		QImage image = rfoOverlayImage(e.url);
		if (image.isNull())
			continue;
		if (height <= 0) {
			height = frame_look(f).height;
			space = frame_look(f).nbsp;
		}
		append(t, QString::fromUtf8(text + at, int(e.byte_start - at)), fmt);
		const qreal width = qMin(height * 4, image.width() * height / image.height());
		QTextCharFormat box = fmt ? *fmt : QTextCharFormat();
		box.setFontLetterSpacingType(QFont::AbsoluteSpacing);
		box.setFontLetterSpacing(width - space);
		t.emotes.push_back(line_emote{int(t.text.size()), width, height, image});
		append(t, QString(QChar(0xA0)), &box);
		at = e.byte_end;
	}
	append(t, QString::fromUtf8(text + at), fmt);
}

static line_text build_line(const rfo_ui_overlay_frame *f, const rfo_ui_overlay_line *l)
{
	line_text t;
	if (l->platform && *l->platform) {
		const QString platform = QString::fromUtf8(l->platform);
		if (f->label == RFO_UI_OVERLAY_LABEL_ICON) {
			t.has_badge = true;
			t.badge = l->platform_color;
			const char *mark = rfo_chat_platform_mark(l->platform);
			t.badge_letter = mark ? QString::fromUtf8(mark) : platform.left(1).toUpper();
		} else if (f->label == RFO_UI_OVERLAY_LABEL_NAME) {
			QTextCharFormat fmt;
			fmt.setForeground(rgb(l->platform_color));
			fmt.setFontWeight(QFont::Bold);
			append(t, platform, &fmt);
			append(t, QStringLiteral(" "), nullptr);
		}
	}
	if (l->time && *l->time) {
		QTextCharFormat fmt;
		QColor c = argb(f->text_color);
		c.setAlphaF(c.alphaF() * 0.7);
		fmt.setForeground(c);
		append(t, QString::fromUtf8(l->time) + QStringLiteral(" "), &fmt);
	}
	if (l->author && *l->author) {
		QTextCharFormat fmt;
		fmt.setFontWeight(QFont::Bold);
		if (f->platform_colors)
			fmt.setForeground(rgb(l->author_color));
		append(t, QString::fromUtf8(l->author), &fmt);
		append(t, QStringLiteral(": "), nullptr);
	}
	if (l->donation && *l->donation) {
		QTextCharFormat fmt;
		fmt.setFontWeight(QFont::Bold);
		fmt.setForeground(QColor(0xFF, 0xC1, 0x07));
		append(t, QString::fromUtf8(l->donation) + QStringLiteral(" "), &fmt);
	}
	QTextCharFormat body;
	if (l->system)
		body.setFontItalic(true);
	append_body(t, f, l, l->system ? &body : nullptr);
	if (!emoji_family.isEmpty()) {
		QTextCharFormat emoji;
#if QT_VERSION >= QT_VERSION_CHECK(6, 1, 0)
		emoji.setFontFamilies({emoji_family});
#else
		emoji.setFontFamily(emoji_family);
#endif
		for (const RfoTextRange &r : rfoEmojiRanges(t.text))
			add_range(t, r.start, r.length, emoji);
	}
	return t;
}

/* A laid-out message. */
struct laid_line {
	line_text t;
	std::unique_ptr<QTextLayout> layout;
	qreal height = 0;
	qreal indent = 0;
	qreal natural = 0;
	float alpha = 1.0f;
	bool highlight = false;
	bool rtl = false; /* laid out right to left: at the right edge, the badge on its right */
};

/* The direction of a string's first strong character: 1 right to left, 0 left to right, -1 none (digits, emoji,
 * punctuation only). */
static int first_strong(const QString &s)
{
	for (uint c : s.toUcs4()) {
		switch (QChar::direction(c)) {
		case QChar::DirL:
			return 0;
		case QChar::DirR:
		case QChar::DirAL:
			return 1;
		default:
			break;
		}
	}
	return -1;
}

/* A line is right to left when its message is (an Arabic or Hebrew message under a Latin name too); a message with
 * no letters takes the direction of the whole line (the author's name). */
static bool line_rtl(const rfo_ui_overlay_line *l, const QString &line)
{
	const int body = first_strong(QString::fromUtf8(l->text));
	return body >= 0 ? body == 1 : first_strong(line) == 1;
}

static std::unique_ptr<QTextLayout> lay(const line_text &t, const QFont &font, qreal width, qreal indent, bool rtl,
					qreal *height, qreal *natural)
{
	auto layout = std::make_unique<QTextLayout>(t.text, font);
	layout->setFormats(t.formats);
	QTextOption opt;
	opt.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
	/* a right-to-left line is set flush right (QTextLayout does not mirror AlignLeft); the indent (the badge's room)
	 * is then on the right */
	opt.setTextDirection(rtl ? Qt::RightToLeft : Qt::LayoutDirectionAuto);
	opt.setAlignment(rtl ? Qt::AlignRight : Qt::AlignLeft);
	layout->setTextOption(opt);
	layout->setCacheEnabled(true);
	qreal y = 0, widest = 0;
	layout->beginLayout();
	for (int i = 0; i < 1000; i++) {
		QTextLine line = layout->createLine();
		if (!line.isValid())
			break;
		line.setLineWidth(width > indent + 8 ? width - indent : 8);
		line.setPosition(QPointF(rtl ? 0 : indent, y));
		y += line.height();
		if (line.naturalTextWidth() > widest)
			widest = line.naturalTextWidth();
	}
	layout->endLayout();
	if (height)
		*height = y;
	if (natural)
		*natural = widest;
	return layout;
}

/* The platform's badge, `size` px: its colour, its mark ("Tw", "YT") in white, or black where white does not read. */
static QImage badge_image(const QString &mark, uint32_t color, qreal size, const QFont &font)
{
	const int side = int(std::ceil(size));
	QImage img(side, side, QImage::Format_ARGB32_Premultiplied);
	img.fill(Qt::transparent);
	QPainter p(&img);
	p.setRenderHint(QPainter::Antialiasing);
	p.setRenderHint(QPainter::TextAntialiasing);
	p.setPen(Qt::NoPen);
	p.setBrush(rgb(color));
	const QRectF r(0, 0, size, size);
	p.drawRoundedRect(r, size * 0.25, size * 0.25);
	QFont small = font;
	small.setBold(true);
	small.setItalic(false);
	int px = qMax(4, int(size * (mark.size() > 1 ? 0.5 : 0.7)));
	small.setPixelSize(px);
	/* two wide letters ("YT") must stay inside the badge */
	while (px > 4 && QFontMetricsF(small).horizontalAdvance(mark) > size * 0.86)
		small.setPixelSize(--px);
	p.setFont(small);
	/* white as the platforms' own marks are, unless it does not read (3:1, large bold text): light greens, yellow */
	const bool dark = rfo_chat_color_contrast(color, 0xFFFFFF) < 3.0;
	p.setPen(dark ? QColor(0x10, 0x10, 0x10) : QColor(Qt::white));
	p.drawText(r, Qt::AlignCenter, mark);
	return img;
}

/* A badge is drawn once per thread, look and platform, then copied (at most 64 kept). */
static void draw_badge(QPainter &p, const laid_line &l, QPointF at, qreal size, const QFont &font)
{
	const QString key = l.t.badge_letter + QLatin1Char('/') + QString::number(l.t.badge, 16);
	auto it = look.badges.constFind(key);
	if (it == look.badges.constEnd()) {
		if (look.badges.size() >= 64)
			look.badges.clear();
		it = look.badges.insert(key, badge_image(l.t.badge_letter, l.t.badge, size, font));
	}
	p.drawImage(QPointF(at.x(), at.y() + size * 0.1), *it);
}

/* The emotes' images over the places their no-break spaces keep (either edge first: right-to-left runs too). */
static void draw_emotes(QPainter &p, const laid_line &l, QPointF at)
{
	if (l.t.emotes.empty())
		return;
	p.save();
	p.setRenderHint(QPainter::SmoothPixmapTransform);
	for (const line_emote &e : l.t.emotes) {
		const QTextLine line = l.layout->lineForTextPosition(e.pos);
		if (!line.isValid())
			continue;
		const qreal a = line.cursorToX(e.pos, QTextLine::Leading);
		const qreal b = line.cursorToX(e.pos, QTextLine::Trailing);
		const qreal x = qMin(a, b) + (qAbs(b - a) - e.width) / 2;
		const qreal y = line.y() + (line.height() - e.height) / 2;
		p.drawImage(QRectF(at.x() + x, at.y() + y, e.width, e.height), e.image);
	}
	p.restore();
}

/* What is under the text: a donation's highlight. */
static void draw_under(QPainter &p, const rfo_ui_overlay_frame *f, const laid_line &l, QPointF at)
{
	const qreal pad = f->padding, gap = RFO_UI_OVERLAY_GAP(f->font_size);
	if (l.highlight)
		p.fillRect(QRectF(pad / 2, at.y() - gap / 2, qreal(f->width) - pad, l.height + gap),
			   QColor(0xFF, 0xC1, 0x07, 70));
}

static void draw_text(QPainter &p, const rfo_ui_overlay_frame *f, const laid_line &l, QPointF at)
{
	p.setPen(argb(f->text_color)); /* the text without a format of its own (the message) takes the pen */
	l.layout->draw(&p, at);
}

/* What is drawn over the text's place: the badge, the emotes' images. */
static void draw_over(QPainter &p, const rfo_ui_overlay_frame *f, const laid_line &l, QPointF at, qreal badge,
		      const QFont &font)
{
	const QPointF badge_at = l.rtl ? at + QPointF(qreal(f->width) - 2 * f->padding - badge, 0) : at;
	if (l.t.has_badge)
		draw_badge(p, l, badge_at, badge, font);
	draw_emotes(p, l, at);
}

/* The hint: the whole box, its text dimmed at the top left. */
static void paint_hint(const rfo_ui_overlay_frame *f, const QFont &font, rfo_ui_overlay_picture *out)
{
	const uint32_t w = f->width, h = f->height;
	out->bgra = static_cast<uint8_t *>(bmalloc(size_t(w) * h * 4));
	QImage img(out->bgra, int(w), int(h), int(w * 4), QImage::Format_ARGB32_Premultiplied);
	img.fill(Qt::transparent);
	QPainter p(&img);
	p.setRenderHint(QPainter::TextAntialiasing);
	QColor c = argb(f->text_color);
	c.setAlphaF(0.6);
	p.setPen(c);
	p.setFont(font);
	const qreal pad = f->padding;
	p.drawText(QRectF(pad, pad, w - 2 * pad, h - 2 * pad), Qt::AlignLeft | Qt::AlignTop,
		   QString::fromUtf8(f->hint));
	out->w = w;
	out->h = h;
	out->height = float(h);
}

/* How far the outline reaches from the text, in px. */
static qreal outline_px(const rfo_ui_overlay_frame *f)
{
	return f->font_size >= 24 ? 2.0 : 1.0;
}

/* The rows a line's picture may have at most: a message's wrapped lines beyond that are never on any screen. */
static const int MAX_PICTURE_ROWS = 8192;

/* What a line covers: its text lines as aligned, its badge and its highlight, widened by the outline, the shadow
 * and glyphs reaching past their advance (italics, emoji); within the box's width. */
static QRect line_bounds(const rfo_ui_overlay_frame *f, const laid_line &l, QPointF at, qreal badge)
{
	const qreal pad = f->padding, w = f->width, gap = RFO_UI_OVERLAY_GAP(f->font_size);
	QRectF r;
	for (int i = 0; i < l.layout->lineCount(); i++)
		r |= l.layout->lineAt(i).naturalTextRect().translated(at);
	if (l.t.has_badge)
		r |= QRectF(l.rtl ? w - pad - badge : at.x(), at.y() + badge * 0.1, badge, badge);
	const qreal o = outline_px(f); /* the outline's reach; the shadow's offset is o + 1 */
	const qreal m = o + 2 + f->font_size / 8.0;
	r.adjust(-m, -m, m, m);
	if (l.highlight)
		r |= QRectF(pad / 2, at.y() - gap / 2, w - pad, l.height + gap);
	const int left = qMax(0, int(std::floor(r.left()))), right = qMin(int(f->width), int(std::ceil(r.right())));
	const int top = int(std::floor(r.top()));
	const int bottom = qMin(int(std::ceil(r.bottom())), top + MAX_PICTURE_ROWS);
	return QRect(QPoint(left, top), QPoint(right - 1, bottom - 1));
}

/* Where each thread paints a line before its ink is cut out, and its text alone when it has an outline or a shadow
 * (a buffer of its own per line would fault in fresh pages at every paint: in a flood, most of the worker's time);
 * kept up to this many pixels. */
static const size_t SCRATCH_KEPT = 1u << 18;
static thread_local std::vector<uint32_t> scratch, scratch_text;

/* A cleared ARGB32_Premultiplied image of r's size over `kept` (or, larger than SCRATCH_KEPT, over `once`). */
static QImage scratch_image(std::vector<uint32_t> &kept, std::vector<uint32_t> &once, const QRect &r)
{
	const size_t pixels = size_t(r.width()) * size_t(r.height());
	std::vector<uint32_t> &b = pixels <= SCRATCH_KEPT ? kept : once;
	if (b.size() < pixels)
		b.resize(pixels);
	std::fill(b.begin(), b.begin() + ptrdiff_t(pixels), 0u);
	return QImage(reinterpret_cast<uchar *>(b.data()), r.width(), r.height(), r.width() * 4,
		      QImage::Format_ARGB32_Premultiplied);
}

static void begin(QPainter &p, QImage &img, const QRect &r)
{
	p.begin(&img);
	p.setRenderHint(QPainter::Antialiasing);
	p.setRenderHint(QPainter::TextAntialiasing);
	p.translate(-r.left(), -r.top());
}

static void paint_line(const rfo_ui_overlay_frame *f, const rfo_ui_overlay_line *line, rfo_ui_overlay_picture *out)
{
	*out = rfo_ui_overlay_picture{};
	if (!f || f->width == 0 || f->height == 0)
		return;
	const QFont font = frame_look(f).font;
	if (f->hint) {
		paint_hint(f, font, out);
		return;
	}
	if (!line)
		return;
	const qreal pad = f->padding;
	const qreal avail = qreal(f->width) - 2 * pad;
	const qreal badge = frame_look(f).height * 0.8;
	const qreal gap = RFO_UI_OVERLAY_GAP(f->font_size);

	laid_line l;
	l.t = build_line(f, line);
	l.indent = l.t.has_badge ? badge + gap : 0;
	l.alpha = line->alpha;
	l.highlight = line->highlight;
	l.rtl = !f->centered && line_rtl(line, l.t.text);
	l.layout = lay(l.t, font, avail, l.indent, l.rtl, &l.height, &l.natural);
	qreal x = pad;
	if (f->centered)
		x = pad + qMax<qreal>(0, (avail - l.indent - l.natural) / 2);
	const QPointF at(x, 0);

	const QRect r = line_bounds(f, l, at, badge);
	out->height = float(l.height);
	if (r.isEmpty())
		return;
	std::vector<uint32_t> once, once_text;
	QImage img = scratch_image(scratch, once, r);
	QPainter p;
	begin(p, img, r);
	draw_under(p, f, l, at);
	if (f->outline || f->shadow) {
		/* the text alone, then its outline and shadow from its ink, under it */
		QImage text = scratch_image(scratch_text, once_text, r);
		QPainter t;
		begin(t, text, r);
		draw_text(t, f, l, at);
		t.end();
		p.end();
		const int o = int(outline_px(f));
		rfoOverlayOutlineText(reinterpret_cast<uint32_t *>(img.bits()),
				      reinterpret_cast<const uint32_t *>(text.constBits()), r.width(), r.height(),
				      f->outline ? o : 0, f->shadow ? o + 1 : 0);
		begin(p, img, r);
	} else {
		draw_text(p, f, l, at);
	}
	draw_over(p, f, l, at, badge, font);
	p.end();
	rfoOverlayCutInk(reinterpret_cast<const uint32_t *>(img.constBits()), uint32_t(r.width()), uint32_t(r.height()),
			 r.left(), r.top(), out);
	if (out->bgra && l.alpha < 1.0f)
		rfoOverlayFade(out->bgra, size_t(out->w) * out->h * 4, l.alpha);
}

static bool threaded_text()
{
#if QT_VERSION < QT_VERSION_CHECK(6, 0, 0)
	QT_WARNING_PUSH
	QT_WARNING_DISABLE_DEPRECATED
	return QFontDatabase::supportsThreadedFontRendering();
	QT_WARNING_POP
#else
	return true; /* Qt 6 renders text into images on any thread */
#endif
}

static bool add_image(const char *url, const void *data, size_t len)
{
	return rfoOverlayImageAdd(url, data, len);
}

static bool has_image(const char *url)
{
	return rfoOverlayImageHas(url);
}

static void drop_images()
{
	rfoOverlayImagesDrop();
}

static rfo_ui_overlays_view view_table = {paint_line, true, add_image, has_image, drop_images};

extern "C" const rfo_ui_overlays_view *rfo_ui_overlays_connect(void)
{
	RFO_ASSERT_UI_THREAD();
	/* fonts need a GUI application (OBS has one; the UI-thread test has only a core application) */
	if (qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
		emoji_family = rfoColorEmojiFamily();
	view_table.threaded = threaded_text();
	return &view_table;
}
