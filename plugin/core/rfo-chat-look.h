#pragma once
/* How a chat message is presented, as pure logic the Qt view calls: keyword/mention highlighting,
 * readable author colours on the current theme, platform accents and the viewer's settings text
 * formats. No state, no I/O, no allocation except where the result says so (bfree it). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RFO_CHAT_MAX_KEYWORDS 32
#define RFO_CHAT_MAX_KEYWORD_BYTES 64

/* Highlight rules: keywords (anywhere in the text) and the streamer's names (as a whole word, with
 * or without a leading '@'). Matching folds ASCII letters only; other characters must match exactly. */
struct rfo_chat_highlight {
	char words[RFO_CHAT_MAX_KEYWORDS][RFO_CHAT_MAX_KEYWORD_BYTES]; /* ASCII-lower-cased keywords */
	size_t num_words;
	char names[2][RFO_CHAT_MAX_KEYWORD_BYTES]; /* streamer's display name / username, lower-cased */
	size_t num_names;
};

/* Fills h from a list of keywords separated by commas or new lines (each trimmed; empty ones and
 * duplicates skipped; at most RFO_CHAT_MAX_KEYWORDS, longer ones cut on a code-point boundary) and up
 * to two names (NULL or "" skipped). keywords may be NULL. */
void rfo_chat_highlight_init(struct rfo_chat_highlight *h, const char *keywords, const char *name1, const char *name2);
/* True when text (NUL-terminated UTF-8) contains a keyword or mentions a name. */
bool rfo_chat_highlight_match(const struct rfo_chat_highlight *h, const char *text);
/* The keyword list in canonical form ("a, b, c"), as rfo_chat_highlight_init understood it. bfree it. */
char *rfo_chat_keywords_normalize(const char *keywords);

/* True when the comma-separated list `list` contains `item` (exact, after trimming spaces). */
bool rfo_chat_list_has(const char *list, const char *item);
/* Returns a NEW list (bfree it) with item added (add = true) or removed, comma-separated, no duplicates. */
char *rfo_chat_list_set(const char *list, const char *item, bool add);

#define RFO_CHAT_IMAGE_MAX_URL 512

/* Whether an emote/sticker/icon image URL from remote data may be fetched: https for any host name, plain http
 * only when loopback_http (the tests' switch, rfo_http_loopback_images_allowed) and only to a loopback host; no
 * user info, at most RFO_CHAT_IMAGE_MAX_URL bytes. The address a host name resolves to is checked by the fetch
 * itself (rfo_http_request.public_only). */
bool rfo_chat_image_url_allowed(const char *url, bool loopback_http);

/* Accent colour (0xRRGGBB) of a platform name as in rfo_chat_message.platform; a neutral grey for
 * unknown platforms. */
uint32_t rfo_chat_platform_accent(const char *platform);

/* Contrast a platform's name keeps against the list's background (WCAG AA for text). */
#define RFO_CHAT_TEXT_CONTRAST 4.5
/* The colour (0xRRGGBB) to write a platform's name in on `background` (the list's, 0xRRGGBB): at least
 * RFO_CHAT_TEXT_CONTRAST against it, the accent's hue; chosen per theme kind (dark or light background). */
uint32_t rfo_chat_platform_text_color(const char *platform, uint32_t background);
/* The platforms that have their own accent: how many, and the name of the i-th (NULL past the end). */
size_t rfo_chat_accent_count(void);
const char *rfo_chat_accent_platform(size_t i);

/* Parses "#RRGGBB" or "#RGB" (case-insensitive) into *rgb; false for anything else. */
bool rfo_chat_color_parse(const char *s, uint32_t *rgb);
/* Returns colour `rgb` adjusted (same hue, lightness moved) until its contrast ratio against
 * `background` (WCAG relative luminance) is at least min_ratio (e.g. 3.0); unchanged if it already is. */
uint32_t rfo_chat_color_readable(uint32_t rgb, uint32_t background, double min_ratio);
/* WCAG 2 contrast ratio of two colours (1.0 .. 21.0), from their relative luminance. */
double rfo_chat_color_contrast(uint32_t a, uint32_t b);

#ifdef __cplusplus
}
#endif
