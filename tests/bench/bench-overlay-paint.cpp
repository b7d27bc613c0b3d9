/* bench-overlay-paint [--quick] [--rounds N]: what the "Restream Chat" source's painter costs per chat line on a
 * thread of its own, as the overlays' worker runs it (plugin/ui/overlays: shaping, layout and painting into the line's
 * picture), in the thread's CPU time, without OBS. Two looks: the benchmark's (bench-overlays.sh: 720 px wide, DejaVu
 * Sans 32 px, platform badges and coloured names, no outline) with its line ("KappaKing: flood message #N"), and the
 * source's defaults (outline on) with a mix of real chat lines (Latin, an emoji, Cyrillic, CJK, Arabic, a long
 * message that wraps, a donation). Warm: each round paints every line of a set back to back, the median µs per line
 * over the rounds; cold: the benchmark's line once every 100 ms, as a lone message is painted (the caches lose the
 * text stack's code and data in between). Prints "BENCH" lines for run-all.sh. Qt offscreen unless QT_QPA_PLATFORM
 * says otherwise. */
#include "rfo-chat-look.h"
#include "rfo-ui-overlays.h"

#include <QGuiApplication>

#include <util/bmem.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <time.h>
#include <unistd.h>
#include <vector>

static double thread_cpu_us()
{
	timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
}

struct chat_line {
	std::string platform, author, text, donation;
};

/* The median µs per line of `rounds` rounds, each painting every line of `lines` once on this thread, gap_ms apart
 * (the sleep not counted). */
static double per_line_us(const rfo_ui_overlays_view *view, const rfo_ui_overlay_frame &frame,
			  const std::vector<chat_line> &lines, int rounds, size_t *pixels, unsigned gap_ms = 0)
{
	std::vector<double> us;
	*pixels = 0;
	for (int r = 0; r < rounds; r++) {
		const double t0 = thread_cpu_us();
		for (const chat_line &c : lines) {
			rfo_ui_overlay_line l{};
			l.platform = c.platform.c_str();
			l.platform_color = rfo_chat_platform_accent(l.platform);
			l.author = c.author.c_str();
			l.author_color = l.platform_color;
			l.text = c.text.c_str();
			l.donation = c.donation.empty() ? nullptr : c.donation.c_str();
			l.highlight = l.donation != nullptr;
			l.alpha = 1.0f;
			rfo_ui_overlay_picture pic;
			view->paint_line(&frame, &l, &pic);
			*pixels += size_t(pic.w) * pic.h;
			bfree(pic.bgra);
			if (gap_ms)
				usleep(gap_ms * 1000);
		}
		us.push_back((thread_cpu_us() - t0) /
			     double(lines.size())); /* a sleep takes no CPU time of the thread */
	}
	*pixels /= size_t(rounds) * lines.size();
	std::sort(us.begin(), us.end());
	return us[us.size() / 2];
}

int main(int argc, char **argv)
{
	int rounds = 9, per_round = 400;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			rounds = 3;
			per_round = 200;
		} else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = std::max(1, atoi(argv[++i]));
		} else {
			fprintf(stderr, "usage: bench-overlay-paint [--quick] [--rounds N]\n");
			return 2;
		}
	}
	if (qgetenv("QT_QPA_PLATFORM").isEmpty())
		qputenv("QT_QPA_PLATFORM", "offscreen");
	QGuiApplication app(argc, argv);
	const rfo_ui_overlays_view *view = rfo_ui_overlays_connect();

	rfo_ui_overlay_frame bench{};
	bench.width = 720;
	bench.height = 600;
	bench.font_face = "DejaVu Sans";
	bench.font_size = 32;
	bench.text_color = 0xFFFFFFFF;
	bench.padding = 12;
	bench.platform_colors = true;
	bench.label = RFO_UI_OVERLAY_LABEL_ICON;
	rfo_ui_overlay_frame defaults = bench;
	defaults.width = 600;
	defaults.height = 800;
	defaults.font_face = "Sans Serif";
	defaults.outline = true;

	std::vector<chat_line> flood, mixed;
	for (int i = 0; i < per_round; i++)
		flood.push_back({"Twitch", "KappaKing", "flood message #" + std::to_string(1000 + i), ""});
	const chat_line kinds[] = {
		{"Twitch", "KappaKing", "that was a clean clutch, GG", ""},
		{"YouTube", "Мария", "Привет из Москвы! 🎉", ""},
		{"Twitch", "streamfan_42", "lol 😂😂 no way", ""},
		{"Kick", "小明", "你好，今天玩什么游戏？", ""},
		{"YouTube", "أحمد", "مرحبا بالجميع", ""},
		{"Facebook", "Jordan Lee",
		 "first time catching the stream live, the new overlay looks great and the audio is much better than "
		 "last week",
		 ""},
		{"YouTube", "Sam", "keep it up!", "$5.00"},
	};
	for (int i = 0; i < per_round; i++) {
		chat_line c = kinds[i % (sizeof(kinds) / sizeof(kinds[0]))];
		c.text += " " + std::to_string(i); /* each line new, as chat is */
		mixed.push_back(c);
	}

	/* cold: a line every 100 ms, as the worker paints a lone message: between two the thread sleeps and the text
	 * stack's code and data leave the caches */
	const int cold_lines = rounds * 10;
	const std::vector<chat_line> cold(flood.begin(), flood.begin() + cold_lines);
	double flood_us = 0, mixed_us = 0, cold_us = 0;
	size_t flood_px = 0, mixed_px = 0, cold_px = 0;
	std::thread worker([&] {
		size_t px;
		per_line_us(view, bench, flood, 1, &px); /* warm-up: fonts, glyph caches, the scratch buffer */
		per_line_us(view, defaults, mixed, 1, &px);
		flood_us = per_line_us(view, bench, flood, rounds, &flood_px);
		mixed_us = per_line_us(view, defaults, mixed, rounds, &mixed_px);
		cold_us = per_line_us(view, bench, cold, 1, &cold_px, 100);
	});
	worker.join();
	printf("overlay painter, per line (thread CPU time; warm: median of %d rounds of %d lines back to back):\n",
	       rounds, per_round);
	printf("  benchmark look, \"KappaKing: flood message #N\", warm: %8.1f us  (picture %zu px)\n", flood_us,
	       flood_px);
	printf("  the same, one line every 100 ms (%d lines):     %8.1f us\n", cold_lines, cold_us);
	printf("  default look (outline), mixed scripts, warm:    %8.1f us  (picture %zu px)\n", mixed_us, mixed_px);
	printf("BENCH overlay_paint_bench_line_us %.1f us\n", flood_us);
	printf("BENCH overlay_paint_bench_line_cold_us %.1f us\n", cold_us);
	printf("BENCH overlay_paint_mixed_line_us %.1f us\n", mixed_us);
	return 0;
}
