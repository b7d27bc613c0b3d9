/* The overlay sources' pure logic. See rfo-overlay-model.h. */
#include "rfo-overlay-model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <util/bmem.h>
#include <util/dstr.h>

/* The names rfo_chat_message.platform uses (rfo-chat-names.c); "Restream" is the streamer's own replies. */
static const char *const platforms[] = {"Twitch", "YouTube", "Facebook", "Kick",   "X",       "LinkedIn",
					"Trovo",  "DLive",   "Discord",  "Rumble", "Restream"};
#define PLATFORM_COUNT (sizeof(platforms) / sizeof(platforms[0]))

size_t rfo_overlay_platform_count(void)
{
	return PLATFORM_COUNT;
}

const char *rfo_overlay_platform(size_t i)
{
	return i < PLATFORM_COUNT ? platforms[i] : NULL;
}

uint32_t rfo_overlay_filter_all(void)
{
	return (1u << PLATFORM_COUNT) - 1u;
}

static int platform_index(const char *name, size_t len)
{
	for (size_t i = 0; i < PLATFORM_COUNT; i++)
		if (strlen(platforms[i]) == len && strncasecmp(platforms[i], name, len) == 0)
			return (int)i;
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool rfo_overlay_filter_parse(const char *csv, uint32_t *mask, char **bad)
{
	*mask = 0;
	if (bad)
		*bad = NULL;
	const char *p = csv ? csv : "";
	while (*p) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		const char *a = p, *b = end;
		while (a < b && is_space(*a))
			a++;
		while (b > a && is_space(b[-1]))
			b--;
		if (b > a) {
			int i = platform_index(a, (size_t)(b - a));
			if (i < 0) {
				if (bad)
					*bad = bstrdup_n(a, (size_t)(b - a));
				*mask = 0;
				return false;
			}
			*mask |= 1u << (unsigned)i;
		}
		p = *end ? end + 1 : end;
	}
	return true;
}

char *rfo_overlay_filter_format(uint32_t mask)
{
	struct dstr s = {0};
	mask &= rfo_overlay_filter_all();
	if (mask != rfo_overlay_filter_all()) {
		for (size_t i = 0; i < PLATFORM_COUNT; i++) {
			if (!(mask & (1u << i)))
				continue;
			if (s.len)
				dstr_cat_ch(&s, ',');
			dstr_cat(&s, platforms[i]);
		}
	}
	return s.array ? s.array : bstrdup("");
}

int rfo_overlay_platform_index(const char *name)
{
	if (!name)
		return -1;
	const char *paren = strstr(name, " (");
	size_t len = paren ? (size_t)(paren - name) : strlen(name); /* "X (Twitter)" */
	return platform_index(name, len);
}

bool rfo_overlay_filter_match(uint32_t mask, const char *platform)
{
	mask &= rfo_overlay_filter_all();
	if (mask == 0 || mask == rfo_overlay_filter_all())
		return true;
	int i = rfo_overlay_platform_index(platform);
	return i >= 0 && (mask & (1u << (unsigned)i));
}

/* Alpha of a line of age `age` in its fade (quantised to steps so that a fade repaints once per step), and when,
 * from now, it next changes. */
static float line_alpha(uint64_t age, const struct rfo_overlay_select_opts *o, uint64_t *next)
{
	if (!o->lifetime_ms) {
		*next = UINT64_MAX;
		return 1.0f;
	}
	const uint64_t life = o->lifetime_ms;
	const uint64_t fade = o->fade_ms < life ? o->fade_ms : life;
	const uint64_t fade_start = life - fade;
	if (age < fade_start) {
		*next = fade_start - age;
		return 1.0f;
	}
	const uint64_t step = o->fade_step_ms ? o->fade_step_ms : 50;
	const uint64_t into = age - fade_start;
	const uint64_t step_end = (into / step + 1) * step;
	*next = (fade_start + step_end < life ? fade_start + step_end : life) - age;
	if (*next == 0)
		*next = 1;
	/* the alpha at the start of this step */
	const uint64_t quant = (into / step) * step;
	float a = 1.0f - (float)quant / (float)(fade ? fade : 1);
	return a < 0.0f ? 0.0f : a;
}

size_t rfo_overlay_select(const struct rfo_chat_message *const *messages, const uint64_t *ages_ms, size_t count,
			  const struct rfo_overlay_select_opts *opts, struct rfo_overlay_pick *out,
			  uint64_t *next_change_ms)
{
	uint32_t max = opts->max_lines;
	if (max < 1)
		max = 1;
	if (max > RFO_OVERLAY_MAX_LINES)
		max = RFO_OVERLAY_MAX_LINES;
	uint64_t soonest = UINT64_MAX;
	size_t n = 0;
	/* newest first, then reversed */
	for (size_t k = count; k-- > 0 && n < max;) {
		const struct rfo_chat_message *m = messages[k];
		if (!m || !(opts->kinds & RFO_OVERLAY_KIND_BIT(m->kind)))
			continue;
		if (!rfo_overlay_filter_match(opts->platforms, m->platform))
			continue;
		if (opts->lifetime_ms && ages_ms[k] >= opts->lifetime_ms)
			continue;
		uint64_t next = UINT64_MAX;
		float a = line_alpha(ages_ms[k], opts, &next);
		if (a <= 0.0f)
			continue;
		if (next < soonest)
			soonest = next;
		out[n].index = k;
		out[n].alpha = a;
		n++;
	}
	for (size_t i = 0; i < n / 2; i++) {
		struct rfo_overlay_pick t = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = t;
	}
	if (next_change_ms)
		*next_change_ms = soonest;
	return n;
}

size_t rfo_overlay_stack(const float *heights, size_t count, float box_height, float padding, float gap,
			 bool newest_top, int32_t *tops)
{
	float y = newest_top ? padding : box_height - padding;
	size_t oldest = count;
	for (size_t k = 0; k < count; k++) {
		const size_t i = count - 1 - k;
		const float top = newest_top ? y : y - heights[i];
		if (k && (top < padding - 0.5f || top + heights[i] > box_height - padding + 0.5f))
			break;
		tops[i] = (int32_t)lroundf(top);
		oldest = i;
		y = newest_top ? y + heights[i] + gap : y - heights[i] - gap;
	}
	return oldest;
}

static void cat_grouped(struct dstr *s, int64_t v, char sep)
{
	char digits[32];
	snprintf(digits, sizeof(digits), "%lld", (long long)v);
	size_t len = strlen(digits);
	for (size_t i = 0; i < len; i++) {
		dstr_cat_ch(s, digits[i]);
		size_t left = len - 1 - i;
		if (sep && left && left % 3 == 0)
			dstr_cat_ch(s, sep);
	}
}

char *rfo_overlay_format_viewers(const char *format, int64_t total, char sep)
{
	struct dstr s = {0};
	for (const char *p = format ? format : ""; *p;) {
		if (p[0] == '{' && p[1] == '{') {
			dstr_cat_ch(&s, '{');
			p += 2;
		} else if (p[0] == '}' && p[1] == '}') {
			dstr_cat_ch(&s, '}');
			p += 2;
		} else if (strncmp(p, "{total}", 7) == 0) {
			if (total < 0)
				dstr_cat(&s, "\xE2\x80\x93");
			else
				cat_grouped(&s, total, sep);
			p += 7;
		} else {
			dstr_cat_ch(&s, *p++);
		}
	}
	return s.array ? s.array : bstrdup("");
}
