/* The overlay sources' painter (plugin/ui/overlays): called from a thread other than the application's, as the
 * overlays' worker does, it paints each line into a picture of its own, inside the box's width, which the test stacks
 * and composites as OBS would draw them: plain text (markup stays text), a hint, a fading line fainter. Emote images: the cache takes
 * only small raster images; an emote whose image it has is drawn as the image, at the line's height, in its code
 * word's place (the text before it on its left, the text after it on its right, the code word itself not drawn);
 * one it has not stays its code word. Qt offscreen. */
#include "rfo-overlay-model.h"
#include "rfo-ui-overlays.h"

#include <QBuffer>
#include <QGuiApplication>
#include <QImage>

#include <util/bmem.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

/* after every Qt header: its check() macro would break Qt 6's */
#include "rfo-test.h"

static const uint32_t W = 320, H = 120, LINESIZE = W * 4 + 64;

/* What OBS would show: each line painted on a second thread (as the overlays' worker paints), every picture inside
 * the box's width, stacked as the worker stacks them and drawn premultiplied over the W × H pixels of buf (cleared
 * first; the bytes after each row are not touched). */
static void paint_frame(const rfo_ui_overlays_view *view, const rfo_ui_overlay_frame &f,
			const rfo_ui_overlay_line *lines, size_t n, std::vector<uint8_t> &buf, bool newest_top = false)
{
	std::vector<rfo_ui_overlay_picture> pics(f.hint ? 1 : n);
	std::thread worker([&] {
		for (size_t i = 0; i < pics.size(); i++)
			view->paint_line(&f, f.hint ? nullptr : &lines[i], &pics[i]);
	});
	worker.join();
	for (uint32_t y = 0; y < H; y++)
		memset(buf.data() + y * LINESIZE, 0, W * 4);
	std::vector<float> heights;
	std::vector<int32_t> tops(pics.size(), 0);
	for (const rfo_ui_overlay_picture &p : pics)
		heights.push_back(p.height);
	const size_t first = f.hint ? 0
				    : rfo_overlay_stack(heights.data(), n, float(H), float(f.padding),
							RFO_UI_OVERLAY_GAP(f.font_size), newest_top, tops.data());
	for (size_t i = first; i < pics.size(); i++) {
		const rfo_ui_overlay_picture &p = pics[i];
		check(!p.bgra || (p.x >= 0 && p.x + int(p.w) <= int(W)));
		for (uint32_t py = 0; p.bgra && py < p.h; py++) {
			const int y = tops[i] + p.y + int(py);
			if (y < 0 || y >= int(H))
				continue;
			for (uint32_t px = 0; px < p.w; px++) {
				const uint8_t *s = p.bgra + (size_t(py) * p.w + px) * 4;
				uint8_t *d = buf.data() + size_t(y) * LINESIZE + size_t(p.x + int(px)) * 4;
				for (int c = 0; c < 4; c++)
					d[c] = uint8_t(s[c] + d[c] * (255 - s[3]) / 255);
			}
		}
	}
	for (const rfo_ui_overlay_picture &p : pics)
		bfree(p.bgra);
}

/* opaque pixels, and whether any byte of the padding at the end of each row was written */
static size_t opaque_pixels(const std::vector<uint8_t> &buf, bool *padding_touched)
{
	size_t n = 0;
	*padding_touched = false;
	for (uint32_t y = 0; y < H; y++) {
		const uint8_t *row = buf.data() + y * LINESIZE;
		for (uint32_t x = 0; x < W; x++)
			n += row[x * 4 + 3] > 128;
		for (uint32_t x = W * 4; x < LINESIZE; x++)
			*padding_touched |= row[x] != 0xAB;
	}
	return n;
}

/* Where a one-line frame puts its ink: the columns of its first and last pixel at least `opaque`, and how many
 * pixels of the badge's colour lie in the left and in the right half. */
struct ink_place {
	int x0 = -1, x1 = -1;
	size_t badge_left = 0, badge_right = 0;
};

static ink_place find_ink(const rfo_ui_overlays_view *view, const rfo_ui_overlay_frame &f,
			  const rfo_ui_overlay_line &line, uint32_t badge, uint8_t opaque = 128)
{
	std::vector<uint8_t> buf(LINESIZE * H, 0);
	paint_frame(view, f, &line, 1, buf);
	ink_place k;
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			const uint8_t *px = buf.data() + y * LINESIZE + x * 4;
			if (px[3] < opaque)
				continue;
			if (k.x0 < 0 || int(x) < k.x0)
				k.x0 = int(x);
			if (int(x) > k.x1)
				k.x1 = int(x);
			if (px[2] == ((badge >> 16) & 0xFF) && px[1] == ((badge >> 8) & 0xFF) &&
			    px[0] == (badge & 0xFF))
				(x < W / 2 ? k.badge_left : k.badge_right)++;
		}
	return k;
}

/* A right-to-left message (Hebrew, Arabic) sits at the right edge with its badge on its right, also under a Latin
 * name; a left-to-right one at the left edge, also under a Hebrew name. */
static void test_rtl(const rfo_ui_overlays_view *view)
{
	const uint32_t purple = 0x9146FF, pad = 8;
	rfo_ui_overlay_line line = {};
	line.platform = "Twitch";
	line.platform_color = purple;
	line.author = "Zebedee";
	line.author_color = 0x1E90FF;
	line.alpha = 1.0f;
	rfo_ui_overlay_frame f = {};
	f.width = W;
	f.height = H;
	f.font_size = 20;
	f.text_color = 0xFFFFFFFF;
	f.padding = pad;

	const char *rtl_texts[2] = {"\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627"};
	for (const char *text : rtl_texts) {
		line.text = text;
		const ink_place k = find_ink(view, f, line, purple);
		fprintf(stderr, "right to left: ink %d..%d, badge %zu left, %zu right\n", k.x0, k.x1, k.badge_left,
			k.badge_right);
		check(k.x1 >= int(W - pad) - 2 && k.x1 < int(W - pad) + 2);
		check(k.x0 > int(W / 3));
		check(k.badge_right > 50 && k.badge_left == 0);
		/* fading: the same place */
		line.alpha = 0.5f;
		const ink_place faded = find_ink(view, f, line, purple, 40);
		check(faded.x0 > int(W / 3) && faded.x1 >= int(W - pad) - 2);
		line.alpha = 1.0f;
	}

	line.author = "\u05e2\u05de\u05d9\u05ea";
	line.text = "hello";
	const ink_place k = find_ink(view, f, line, purple);
	fprintf(stderr, "left to right: ink %d..%d, badge %zu left, %zu right\n", k.x0, k.x1, k.badge_left,
		k.badge_right);
	check(k.x0 >= int(pad) - 2 && k.x0 < int(pad) + 2);
	check(k.x1 < int(2 * W / 3));
	check(k.badge_left > 50 && k.badge_right == 0);
}

static size_t paint_on_thread(const rfo_ui_overlays_view *view, const rfo_ui_overlay_frame &f,
			      const rfo_ui_overlay_line *lines, size_t n, bool newest_top = false)
{
	std::vector<uint8_t> buf(LINESIZE * H, 0xAB);
	paint_frame(view, f, lines, n, buf, newest_top);
	bool touched = false;
	const size_t opaque = opaque_pixels(buf, &touched);
	check(!touched);
	return opaque;
}

static QByteArray solid_png(int w, int h, uint32_t rgb)
{
	QImage img(w, h, QImage::Format_ARGB32);
	img.fill(QColor((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF));
	QByteArray bytes;
	QBuffer buffer(&bytes);
	buffer.open(QIODevice::WriteOnly);
	img.save(&buffer, "PNG");
	return bytes;
}

/* Where an emote of colour rgb was painted (its bounding box, and how many of its pixels), and how many white (text)
 * pixels lie left of it, inside its columns and right of it. */
struct emote_place {
	size_t pixels = 0;
	int x0 = INT32_MAX, x1 = -1, y0 = INT32_MAX, y1 = -1;
	size_t white_left = 0, white_inside = 0, white_right = 0, white = 0;
};

static emote_place find_emote(const rfo_ui_overlays_view *view, const rfo_ui_overlay_frame &f,
			      const rfo_ui_overlay_line &line, uint32_t rgb)
{
	std::vector<uint8_t> buf(LINESIZE * H, 0xAB);
	paint_frame(view, f, &line, 1, buf);
	emote_place e;
	for (int y = 0; y < int(H); y++)
		for (int x = 0; x < int(W); x++) {
			const uint8_t *px = buf.data() + y * LINESIZE + x * 4;
			if (px[2] == ((rgb >> 16) & 0xFF) && px[1] == ((rgb >> 8) & 0xFF) && px[0] == (rgb & 0xFF) &&
			    px[3] == 0xFF) {
				e.pixels++;
				e.x0 = std::min(e.x0, x);
				e.x1 = std::max(e.x1, x);
				e.y0 = std::min(e.y0, y);
				e.y1 = std::max(e.y1, y);
			}
		}
	for (int y = 0; y < int(H); y++)
		for (int x = 0; x < int(W); x++) {
			const uint8_t *px = buf.data() + y * LINESIZE + x * 4;
			if (px[0] < 200 || px[1] < 200 || px[2] < 200 || px[3] < 200)
				continue;
			e.white++;
			if (e.x1 >= 0)
				(x < e.x0 ? e.white_left : x > e.x1 ? e.white_right : e.white_inside)++;
		}
	return e;
}

static void test_emotes(const rfo_ui_overlays_view *view)
{
	check(view->add_image && view->has_image && view->drop_images);
	const uint32_t EMOTE = 0x13F1A7;
	const QByteArray png = solid_png(28, 28, EMOTE);
	const QByteArray big = solid_png(600, 600, 0xF113A7); /* over 512×512: refused */
	check(!view->add_image("http://127.0.0.1/text.png", "not an image", 12));
	check(!view->add_image("http://127.0.0.1/big.png", big.constData(), size_t(big.size())));
	check(view->add_image("http://127.0.0.1/kappa.png", png.constData(), size_t(png.size())));
	check(view->has_image("http://127.0.0.1/kappa.png"));
	check(!view->has_image("http://127.0.0.1/big.png") && !view->has_image("http://127.0.0.1/text.png"));

	char kappa_url[] = "http://127.0.0.1/kappa.png";
	const rfo_chat_emote emote = {3, 8, kappa_url}; /* "Kappa" in "ab Kappa cd" */
	rfo_ui_overlay_line line = {};
	line.text = "ab Kappa cd";
	line.alpha = 1.0f;
	line.emotes = &emote;
	line.emote_count = 1;
	rfo_ui_overlay_frame f = {};
	f.width = W;
	f.height = H;
	f.font_face = "DejaVu Sans";
	f.font_size = 24;
	f.text_color = 0xFFFFFFFF;
	f.padding = 8;

	const emote_place with = find_emote(view, f, line, EMOTE);
	fprintf(stderr, "emote: %zu pixels in x %d..%d y %d..%d; white pixels left %zu, inside %zu, right %zu\n",
		with.pixels, with.x0, with.x1, with.y0, with.y1, with.white_left, with.white_inside, with.white_right);
	const int h = with.y1 - with.y0 + 1, w = with.x1 - with.x0 + 1;
	check(with.pixels >= size_t(w * h * 9 / 10)); /* one solid block */
	check(h >= 20 && h <= 40);                    /* scaled from 28 px to the line's height (24 px text) */
	check(w >= h - 2 && w <= h + 2);              /* its aspect kept */
	check(with.x0 > 8 && with.white_left > 20);   /* "ab" before it */
	check(with.white_right > 20);                 /* "cd" after it */
	check(with.white_inside == 0);                /* the code word is not drawn */

	/* the same line while the cache lacks the image, or with the switch off (no emotes given): the code word */
	line.emotes = nullptr;
	line.emote_count = 0;
	const emote_place off = find_emote(view, f, line, EMOTE);
	check(off.pixels == 0 && off.white > with.white + 40);
	line.emotes = &emote;
	line.emote_count = 1;
	view->drop_images();
	check(!view->has_image("http://127.0.0.1/kappa.png"));
	const emote_place gone = find_emote(view, f, line, EMOTE);
	check(gone.pixels == 0 && gone.white == off.white);

	/* an emote at the very start of right-to-left text, and a range outside the text, paint without harm */
	check(view->add_image("http://127.0.0.1/kappa.png", png.constData(), size_t(png.size())));
	const rfo_chat_emote rtl[2] = {{0, 5, kappa_url}, {40, 50, kappa_url}};
	line.text = "Kappa \u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd";
	line.emotes = rtl;
	line.emote_count = 2;
	const emote_place r = find_emote(view, f, line, EMOTE);
	check(r.pixels > 300 && r.white_inside == 0 && r.white > 40);
	view->drop_images();
}

/* A picture's parts (what OBS draws) hold every pixel with ink, inside the picture; returns their area. */
static size_t check_parts(const rfo_ui_overlay_picture &p)
{
	size_t area = 0, outside = 0;
	check(p.num_parts <= RFO_UI_OVERLAY_PARTS);
	for (uint32_t i = 0; i < p.num_parts; i++) {
		const rfo_ui_overlay_part &part = p.parts[i];
		check(part.x + part.w <= p.w && part.y + part.h <= p.h);
		area += size_t(part.w) * part.h;
	}
	for (uint32_t y = 0; p.bgra && y < p.h; y++)
		for (uint32_t x = 0; x < p.w; x++) {
			bool in = false;
			for (uint32_t i = 0; i < p.num_parts && !in; i++) {
				const rfo_ui_overlay_part &part = p.parts[i];
				in = x >= part.x && x < uint32_t(part.x + part.w) && y >= part.y &&
				     y < uint32_t(part.y + part.h);
			}
			outside += !in && p.bgra[(size_t(y) * p.w + x) * 4 + 3] != 0;
		}
	check(outside == 0);
	return area;
}

/* Where a picture's white ink and its black ink are: their extremes (x0, y0, x1, y1) and counts. */
struct ink_box {
	int x0 = 1 << 20, y0 = 1 << 20, x1 = -1, y1 = -1;
	size_t n = 0;
	void add(int x, int y)
	{
		x0 = std::min(x0, x);
		y0 = std::min(y0, y);
		x1 = std::max(x1, x);
		y1 = std::max(y1, y);
		n++;
	}
};

static void ink_boxes(const rfo_ui_overlay_picture &p, ink_box *white, ink_box *black)
{
	for (uint32_t y = 0; y < p.h; y++)
		for (uint32_t x = 0; x < p.w; x++) {
			const uint8_t *px = p.bgra + (size_t(y) * p.w + x) * 4; /* B, G, R, A premultiplied */
			if (px[3] < 160)
				continue;
			if (px[0] > 200 && px[1] > 200 && px[2] > 200)
				white->add(int(x), int(y));
			else if (px[0] < 40 && px[1] < 40 && px[2] < 40)
				black->add(int(x), int(y));
		}
}

/* An outline is black ink around the text on every side; a shadow is black ink below and to the right of it only;
 * with neither there is none. */
static void test_outline(const rfo_ui_overlays_view *view)
{
	rfo_ui_overlay_line line = {};
	line.text = "Hello outline";
	line.alpha = 1.0f;
	rfo_ui_overlay_frame f = {};
	f.width = W;
	f.height = H;
	f.font_size = 24;
	f.text_color = 0xFFFFFFFF;
	f.padding = 8;
	ink_box white[3], black[3];
	for (int look = 0; look < 3; look++) {
		f.outline = look == 1;
		f.shadow = look == 2;
		rfo_ui_overlay_picture p = {};
		std::thread([&] { view->paint_line(&f, &line, &p); }).join();
		check(p.bgra != nullptr);
		if (p.bgra)
			ink_boxes(p, &white[look], &black[look]);
		/* one line of two words: at least two parts (the space between them is not drawn), less than the picture */
		const size_t area = check_parts(p);
		fprintf(stderr, "look %d: %u parts, %zu of %u px\n", look, p.num_parts, area, p.w * p.h);
		check(p.num_parts >= 2 && area < size_t(p.w) * p.h);
		bfree(p.bgra);
		fprintf(stderr, "look %d: white %zu px (%d,%d)-(%d,%d), black %zu px (%d,%d)-(%d,%d)\n", look,
			white[look].n, white[look].x0, white[look].y0, white[look].x1, white[look].y1, black[look].n,
			black[look].x0, black[look].y0, black[look].x1, black[look].y1);
		check(white[look].n > 100);
	}
	check(black[0].n == 0);
	/* the outline: as much black as white at least, reaching past the text on all four sides */
	check(black[1].n > white[1].n);
	check(black[1].x0 < white[1].x0 && black[1].y0 < white[1].y0);
	check(black[1].x1 > white[1].x1 && black[1].y1 > white[1].y1);
	/* the shadow: past the text on the right and at the bottom only */
	check(black[2].n > white[2].n / 4);
	check(black[2].x0 > white[2].x0 && black[2].y0 > white[2].y0);
	check(black[2].x1 > white[2].x1 && black[2].y1 > white[2].y1);
}

int main(int argc, char **argv)
{
	QGuiApplication app(argc, argv);
	const rfo_ui_overlays_view *view = rfo_ui_overlays_connect();
	check(view && view->paint_line && view->threaded);
	test_rtl(view);

	rfo_ui_overlay_line lines[2] = {};
	lines[0].platform = "Twitch";
	lines[0].platform_color = 0x9146FF;
	lines[0].author = "Zebedee";
	lines[0].author_color = 0x1E90FF;
	lines[0].text = "<b>bold</b> <img src=x> \u05e9\u05dc\u05d5\u05dd \U0001F600";
	lines[0].alpha = 1.0f;
	lines[1] = lines[0];
	lines[1].platform = "YouTube";
	lines[1].donation = "$5.00";
	lines[1].highlight = true;

	rfo_ui_overlay_frame f = {};
	f.width = W;
	f.height = H;
	f.font_size = 24;
	f.text_color = 0xFFFFFFFF;
	f.outline = true;
	f.padding = 8;

	const size_t full = paint_on_thread(view, f, lines, 2);
	check(full > 500);
	/* the same two lines newest at the top: as much ink */
	const size_t top = paint_on_thread(view, f, lines, 2, true);
	check(top > full * 9 / 10 && top < full * 11 / 10);

	/* a fading line is fainter: fewer opaque pixels */
	lines[0].alpha = lines[1].alpha = 0.3f;
	const size_t faint = paint_on_thread(view, f, lines, 2);
	fprintf(stderr, "opaque pixels: %zu full, %zu faded\n", full, faint);
	check(faint < full / 4);
	lines[0].alpha = lines[1].alpha = 1.0f;

	/* a line's picture is only as large as its ink (and the donation's highlight): far less than the box */
	rfo_ui_overlay_picture one = {};
	std::thread([&] { view->paint_line(&f, &lines[0], &one); }).join();
	fprintf(stderr, "one line: %ux%u at %d,%d, height %.1f\n", one.w, one.h, one.x, one.y, double(one.height));
	check(one.bgra && one.w > 100 && one.w <= W && one.y > -f.font_size && one.y < f.font_size);
	check(one.height > f.font_size * 0.9f && float(one.h) < one.height + f.font_size);
	check_parts(one); /* wrapped over three rows: its parts hold its ink all the same */
	bfree(one.bgra);

	/* nothing to show: fully transparent */
	check(paint_on_thread(view, f, lines, 0) == 0);

	/* the hint alone */
	f.hint = "Restream: chat is not connected";
	const size_t hint = paint_on_thread(view, f, nullptr, 0);
	check(hint > 0 && hint < full);
	f.hint = nullptr;

	test_emotes(view);
	test_outline(view);
	return rfo_test_end();
}
