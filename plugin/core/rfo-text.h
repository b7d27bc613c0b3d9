#pragma once
/* Text hygiene for remote strings (chat messages, author names, titles).
 *
 * Everything here is pure and thread-safe (no state). Results are allocated with bmalloc; free
 * them with bfree(). Designed to run on every chat message: one pass, no per-character allocation. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "…" (U+2026), appended to text cut by rfo_text_sanitize. */
#define RFO_TEXT_ELLIPSIS "\xE2\x80\xA6"

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
 * Embedded NUL bytes count as valid UTF-8 here. s may be NULL when len is 0. */
bool rfo_text_utf8_valid(const char *s, size_t len);

/* Returns a NEW NUL-terminated string (bfree it), never NULL, that is:
 *  - valid UTF-8: every ill-formed sequence becomes U+FFFD (one per maximal invalid subpart);
 *  - free of control characters: CR, LF, TAB, VT, FF, NEL (U+0085), U+2028 and U+2029 become one
 *    space each; every other C0 (incl. NUL), DEL and C1 character is removed;
 *  - free of bidirectional embeddings/overrides/isolates (U+202A..U+202E, U+2066..U+2069), which
 *    could reorder the text around it. LRM/RLM/ALM (U+200E, U+200F, U+061C) are kept: they only
 *    affect neighbouring weak characters. ZWJ/ZWNJ (U+200D/U+200C) and variation selectors are
 *    kept (emoji sequences);
 *  - at most max_bytes bytes long (not counting the NUL) when max_bytes > 0: a longer result is cut on
 *    a code-point boundary and RFO_TEXT_ELLIPSIS appended, the ellipsis included in max_bytes
 *    (if max_bytes < 4 the text is cut without an ellipsis). max_bytes == 0 means no limit.
 * Nothing else is changed: markup such as "<b>" stays verbatim (escaping is the display's job).
 * s may be NULL (treated as empty). */
char *rfo_text_sanitize(const char *s, size_t len, size_t max_bytes);

/* Same as rfo_text_sanitize, except that line breaks survive: LF, CR and CR LF each become one LF (for
 * multi-line text such as descriptions, which is never written into a log line). */
char *rfo_text_sanitize_lines(const char *s, size_t len, size_t max_bytes);

/* Same as rfo_text_sanitize(s, strlen(s), max_bytes); s may be NULL. */
char *rfo_text_sanitize_str(const char *s, size_t max_bytes);

/* Returns a NEW copy of s[0..len) (bfree it, never NULL, NUL-terminated, *out_len set if out_len is not
 * NULL) in which only ill-formed UTF-8 sequences are replaced by U+FFFD; every other byte is kept. Used
 * to rescue a JSON frame whose strings carry invalid UTF-8 (jansson refuses such input). */
char *rfo_text_utf8_repair(const char *s, size_t len, size_t *out_len);

/* Length of the longest prefix of the VALID UTF-8 string s[0..len) that fits in max_bytes bytes and
 * ends on a code-point boundary (returns len when len <= max_bytes). */
size_t rfo_text_utf8_prefix(const char *s, size_t len, size_t max_bytes);

/* FNV-1a (64-bit) of the NUL-terminated string s, never 0 (so 0 can mean "none"). Not a keyed or
 * cryptographic hash: it only tells strings apart (message ids, image URLs, which token was used). */
uint64_t rfo_text_hash(const char *s);

/* The value of one hexadecimal digit (0-9, a-f, A-F), or -1. */
int rfo_text_hex_digit(char c);

#ifdef __cplusplus
}
#endif
