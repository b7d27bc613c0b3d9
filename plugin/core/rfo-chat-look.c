/* Chat presentation logic: highlight rules, list settings, platform accents, readable colours. */
#include "rfo-chat-look.h"
#include "rfo-text.h"
#include "rfo-url.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <util/bmem.h>
#include <util/dstr.h>

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void copy_lower(char *dst, size_t size, const char *src, size_t len)
{
	len = rfo_text_utf8_prefix(src, len, size - 1);
	for (size_t i = 0; i < len; i++)
		dst[i] = ascii_lower(src[i]);
	dst[len] = '\0';
}

static bool is_sep(char c)
{
	return c == ',' || c == '\n' || c == '\r';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Calls fn for each trimmed, non-empty item of a comma/newline separated list. */
static void each_item(const char *list, void (*fn)(void *param, const char *s, size_t len), void *param)
{
	const char *p = list ? list : "";
	while (*p) {
		const char *start = p;
		while (*p && !is_sep(*p))
			p++;
		const char *end = p;
		while (start < end && is_space(*start))
			start++;
		while (end > start && is_space(end[-1]))
			end--;
		if (end > start)
			fn(param, start, (size_t)(end - start));
		if (*p)
			p++;
	}
}

static void add_word(void *param, const char *s, size_t len)
{
	struct rfo_chat_highlight *h = param;
	if (h->num_words >= RFO_CHAT_MAX_KEYWORDS || !rfo_text_utf8_valid(s, len))
		return;
	char word[RFO_CHAT_MAX_KEYWORD_BYTES];
	copy_lower(word, sizeof(word), s, len);
	if (!*word)
		return;
	for (size_t i = 0; i < h->num_words; i++)
		if (strcmp(h->words[i], word) == 0)
			return;
	memcpy(h->words[h->num_words++], word, sizeof(word));
}

static void add_name(struct rfo_chat_highlight *h, const char *name)
{
	if (!name)
		return;
	while (*name == '@' || is_space(*name))
		name++;
	size_t len = strlen(name);
	while (len && is_space(name[len - 1]))
		len--;
	if (!len || !rfo_text_utf8_valid(name, len))
		return;
	char lower[RFO_CHAT_MAX_KEYWORD_BYTES];
	copy_lower(lower, sizeof(lower), name, len);
	for (size_t i = 0; i < h->num_names; i++)
		if (strcmp(h->names[i], lower) == 0)
			return;
	memcpy(h->names[h->num_names++], lower, sizeof(lower));
}

void rfo_chat_highlight_init(struct rfo_chat_highlight *h, const char *keywords, const char *name1, const char *name2)
{
	memset(h, 0, sizeof(*h));
	each_item(keywords, add_word, h);
	add_name(h, name1);
	add_name(h, name2);
}

/* Case-folded (ASCII) search for needle (already lower-case) in text; calls accept for each hit. */
static bool find_folded(const char *text, const char *needle, bool whole_word)
{
	size_t n = strlen(needle);
	if (!n)
		return false;
	for (const char *p = text; *p; p++) {
		size_t i = 0;
		while (i < n && p[i] && ascii_lower(p[i]) == needle[i])
			i++;
		if (i != n)
			continue;
		if (!whole_word)
			return true;
		/* a name counts as a word when neither side is an ASCII letter, digit or '_' */
		unsigned char before = p > text ? (unsigned char)p[-1] : ' ';
		unsigned char after = (unsigned char)p[n];
		bool word_before = before < 0x80 && (isalnum(before) || before == '_');
		bool word_after = after < 0x80 && (isalnum(after) || after == '_');
		if (!word_before && !word_after)
			return true;
	}
	return false;
}

bool rfo_chat_highlight_match(const struct rfo_chat_highlight *h, const char *text)
{
	if (!h || !text || !*text)
		return false;
	for (size_t i = 0; i < h->num_words; i++)
		if (find_folded(text, h->words[i], false))
			return true;
	for (size_t i = 0; i < h->num_names; i++)
		if (find_folded(text, h->names[i], true))
			return true;
	return false;
}

struct join {
	struct dstr out;
	struct rfo_chat_highlight seen;
};

static void join_word(void *param, const char *s, size_t len)
{
	struct join *j = param;
	size_t before = j->seen.num_words;
	add_word(&j->seen, s, len);
	if (j->seen.num_words == before)
		return;
	if (j->out.len)
		dstr_cat(&j->out, ", ");
	dstr_ncat(&j->out, s, rfo_text_utf8_prefix(s, len, RFO_CHAT_MAX_KEYWORD_BYTES - 1));
}

char *rfo_chat_keywords_normalize(const char *keywords)
{
	struct join j;
	memset(&j, 0, sizeof(j));
	each_item(keywords, join_word, &j);
	if (!j.out.array)
		return bstrdup("");
	return j.out.array;
}

struct find_item {
	const char *item;
	size_t len;
	bool found;
	const char *skip; /* rfo_chat_list_set: item to drop */
	struct dstr out;
};

static void find_cb(void *param, const char *s, size_t len)
{
	struct find_item *f = param;
	if (len == f->len && memcmp(s, f->item, len) == 0)
		f->found = true;
}

bool rfo_chat_list_has(const char *list, const char *item)
{
	if (!item)
		return false;
	struct find_item f = {.item = item, .len = strlen(item)};
	each_item(list, find_cb, &f);
	return f.found;
}

static void keep_cb(void *param, const char *s, size_t len)
{
	struct find_item *f = param;
	if (len == f->len && memcmp(s, f->item, len) == 0)
		return;
	/* skip duplicates already written */
	const char *p = f->out.array;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == len && memcmp(p, s, len) == 0)
			return;
		p = e ? e + 1 : NULL;
	}
	if (f->out.len)
		dstr_cat(&f->out, ",");
	dstr_ncat(&f->out, s, len);
}

char *rfo_chat_list_set(const char *list, const char *item, bool add)
{
	struct find_item f = {.item = item ? item : "", .len = item ? strlen(item) : 0};
	each_item(list, keep_cb, &f);
	if (add && f.len && !strchr(f.item, ',')) {
		if (f.out.len)
			dstr_cat(&f.out, ",");
		dstr_cat(&f.out, f.item);
	}
	return f.out.array ? f.out.array : bstrdup("");
}

bool rfo_chat_image_url_allowed(const char *url, bool loopback_http)
{
	if (!url || !*url || strlen(url) > RFO_CHAT_IMAGE_MAX_URL || !rfo_url_check(url, NULL))
		return false;
	struct rfo_url_parts parts = {0};
	bool ok = rfo_url_parts_parse(url, &parts) && parts.scheme &&
		  (strcmp(parts.scheme, "https") == 0 || (loopback_http && strcmp(parts.scheme, "http") == 0));
	rfo_url_parts_free(&parts);
	return ok;
}

/* Each platform's accent (the bar beside a message, the chip's edge) and its name's text colour on OBS's dark and
 * light themes: the accent where it keeps RFO_CHAT_TEXT_CONTRAST against every list background of that kind
 * (OBS 29's Yami, Acri, Grey, Rachni, Dark and Light; OBS 30+'s Yami variants), else the accent lightened or
 * darkened just enough (same hue). */
struct accent {
	const char *platform;
	uint32_t rgb;
	uint32_t on_dark;
	uint32_t on_light;
};

static const struct accent accents[] = {
	{"Twitch", 0x9146FF, 0xB27EFF, 0x7E3DDE},   {"YouTube", 0xFF0000, 0xFF6363, 0xCC0000},
	{"Facebook", 0x1877F2, 0x5299F5, 0x1462C6}, {"DLive", 0xFFD300, 0xFFD300, 0x786300},
	{"Discord", 0x5865F2, 0x858FF6, 0x4C57D0},  {"LinkedIn", 0x0A66C2, 0x609CD7, 0x0A64BE},
	{"Trovo", 0x19D66B, 0x19D66B, 0x0E743A},    {"Kick", 0x53FC18, 0x53FC18, 0x26740B},
	{"X", 0x8899A6, 0x899AA7, 0x5B676F},        {"Rumble", 0x85C742, 0x85C742, 0x4A6F25},
	{"Restream", 0xFF6B3D, 0xFF6B3D, 0xA84728},
};

static const struct accent neutral = {NULL, 0x8A8A8A, 0x989898, 0x656565};

static const struct accent *find_accent(const char *platform)
{
	for (size_t i = 0; platform && i < sizeof(accents) / sizeof(accents[0]); i++)
		if (strcmp(accents[i].platform, platform) == 0)
			return &accents[i];
	return &neutral;
}

uint32_t rfo_chat_platform_accent(const char *platform)
{
	return find_accent(platform)->rgb;
}

size_t rfo_chat_accent_count(void)
{
	return sizeof(accents) / sizeof(accents[0]);
}

const char *rfo_chat_accent_platform(size_t i)
{
	return i < rfo_chat_accent_count() ? accents[i].platform : NULL;
}

static double luminance(uint32_t rgb);

uint32_t rfo_chat_platform_text_color(const char *platform, uint32_t background)
{
	const struct accent *a = find_accent(platform);
	const uint32_t pick = luminance(background & 0xFFFFFF) < 0.18 ? a->on_dark : a->on_light;
	/* a theme other than OBS's own may still need more: the same hue, moved further */
	return rfo_chat_color_readable(pick, background & 0xFFFFFF, RFO_CHAT_TEXT_CONTRAST);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool rfo_chat_color_parse(const char *s, uint32_t *rgb)
{
	if (!s || s[0] != '#')
		return false;
	size_t n = strlen(s + 1);
	if (n != 6 && n != 3)
		return false;
	uint32_t v = 0;
	for (size_t i = 1; i <= n; i++) {
		int d = hexval(s[i]);
		if (d < 0)
			return false;
		v = (v << (n == 3 ? 8 : 4)) | (uint32_t)(n == 3 ? d * 17 : d);
	}
	*rgb = v;
	return true;
}

static double channel_lin(uint32_t c8)
{
	/* WCAG 2's relative luminance: the sRGB transfer curve */
	double c = c8 / 255.0;
	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(uint32_t rgb)
{
	return 0.2126 * channel_lin((rgb >> 16) & 0xFF) + 0.7152 * channel_lin((rgb >> 8) & 0xFF) +
	       0.0722 * channel_lin(rgb & 0xFF);
}

double rfo_chat_color_contrast(uint32_t a, uint32_t b)
{
	double la = luminance(a), lb = luminance(b);
	if (la < lb) {
		double t = la;
		la = lb;
		lb = t;
	}
	return (la + 0.05) / (lb + 0.05);
}

/* Mixes rgb toward white (t > 0) or black (t < 0) by |t| (0..1). */
static uint32_t mix(uint32_t rgb, double t)
{
	uint32_t out = 0;
	for (int shift = 16; shift >= 0; shift -= 8) {
		double c = (rgb >> shift) & 0xFF;
		c = t >= 0 ? c + (255.0 - c) * t : c * (1.0 + t);
		out |= (uint32_t)((c < 0 ? 0 : c > 255 ? 255 : c) + 0.5) << shift;
	}
	return out;
}

uint32_t rfo_chat_color_readable(uint32_t rgb, uint32_t background, double min_ratio)
{
	rgb &= 0xFFFFFF;
	if (rfo_chat_color_contrast(rgb, background) >= min_ratio)
		return rgb;
	double dir = luminance(background) < 0.18 ? 1.0 : -1.0;
	for (int step = 1; step <= 100; step++) {
		uint32_t c = mix(rgb, dir * step * 0.01);
		if (rfo_chat_color_contrast(c, background) >= min_ratio)
			return c;
	}
	return dir > 0 ? 0xFFFFFF : 0x000000;
}
