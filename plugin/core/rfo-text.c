#include "rfo-text.h"

#include <string.h>
#include <util/bmem.h>

/* Decodes one code point at s[0..len) (len >= 1). Returns the number of bytes consumed (>= 1) and
 * sets *cp, or sets *cp = -1 for an ill-formed sequence: then the return value is the length of the
 * maximal subpart to replace with one U+FFFD (Unicode "substitution of maximal subparts"). */
static size_t decode(const unsigned char *s, size_t len, int32_t *cp)
{
	unsigned char b = s[0];
	if (b < 0x80) {
		*cp = b;
		return 1;
	}

	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;
	int32_t v;
	if (b >= 0xC2 && b <= 0xDF) {
		need = 1;
		v = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 2;
		v = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 3;
		v = b & 0x07;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	} else {
		*cp = -1;
		return 1;
	}

	size_t i = 1;
	for (; i <= need; i++) {
		if (i >= len) {
			*cp = -1;
			return i;
		}
		unsigned char c = s[i];
		if (i == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) {
			*cp = -1;
			return i;
		}
		v = (v << 6) | (c & 0x3F);
	}
	*cp = v;
	return i;
}

bool rfo_text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		int32_t cp;
		size_t n = decode(p + i, len - i, &cp);
		if (cp < 0)
			return false;
		i += n;
	}
	return true;
}

/* What to do with a code point: 0 drop, 1 keep, 2 replace by a space. */
static inline int classify(int32_t cp)
{
	if (cp < 0x20)
		return (cp >= 0x09 && cp <= 0x0D) ? 2 : 0;
	if (cp < 0x7F)
		return 1;
	if (cp <= 0x9F)
		return cp == 0x85 ? 2 : 0; /* DEL and C1 */
	if (cp < 0x2028)
		return 1;
	if (cp <= 0x2029)
		return 2; /* line/paragraph separators */
	if (cp <= 0x202E)
		return 0; /* LRE RLE PDF LRO RLO */
	if (cp >= 0x2066 && cp <= 0x2069)
		return 0; /* LRI RLI FSI PDI */
	return 1;
}

static inline size_t put_cp(unsigned char *o, int32_t cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t rfo_text_utf8_prefix(const char *s, size_t len, size_t max_bytes)
{
	if (len <= max_bytes)
		return len;
	size_t n = max_bytes;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static char *sanitize(const char *s, size_t len, size_t max_bytes, bool keep_lines)
{
	if (!s)
		len = 0;
	/* Output never exceeds 3 bytes per input byte (U+FFFD for a lone byte); with a limit, it never
	 * exceeds max_bytes + 4 before the final cut. */
	size_t cap = len * 3;
	if (max_bytes && cap > max_bytes + 4)
		cap = max_bytes + 4;
	unsigned char *out = bmalloc(cap + 1);
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, i = 0;
	bool truncated = false;

	while (i < len) {
		unsigned char b = p[i];
		/* fast path: printable ASCII */
		if (b >= 0x20 && b < 0x7F) {
			if (max_bytes && o + 1 > max_bytes) {
				truncated = true;
				break;
			}
			out[o++] = b;
			i++;
			continue;
		}
		int32_t cp;
		size_t n = decode(p + i, len - i, &cp);
		i += n;
		if (cp < 0)
			cp = 0xFFFD;
		if (keep_lines && (cp == '\n' || cp == '\r')) {
			if (cp == '\r' && i < len && p[i] == '\n')
				i++; /* CR LF is one line break */
			if (max_bytes && o + 1 > max_bytes) {
				truncated = true;
				break;
			}
			out[o++] = '\n';
			continue;
		}
		switch (classify(cp)) {
		case 0:
			continue;
		case 2:
			cp = ' ';
			break;
		default:
			break;
		}
		size_t w = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		if (max_bytes && o + w > max_bytes) {
			truncated = true;
			break;
		}
		o += put_cp(out + o, cp);
	}

	if (truncated && max_bytes >= 4) {
		size_t keep = rfo_text_utf8_prefix((const char *)out, o, max_bytes - 3);
		memcpy(out + keep, RFO_TEXT_ELLIPSIS, 3);
		o = keep + 3;
	}
	out[o] = 0;
	return (char *)out;
}

char *rfo_text_sanitize(const char *s, size_t len, size_t max_bytes)
{
	return sanitize(s, len, max_bytes, false);
}

char *rfo_text_sanitize_lines(const char *s, size_t len, size_t max_bytes)
{
	return sanitize(s, len, max_bytes, true);
}

char *rfo_text_sanitize_str(const char *s, size_t max_bytes)
{
	return rfo_text_sanitize(s, s ? strlen(s) : 0, max_bytes);
}

char *rfo_text_utf8_repair(const char *s, size_t len, size_t *out_len)
{
	if (!s)
		len = 0;
	unsigned char *out = bmalloc(len * 3 + 1);
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, i = 0;
	while (i < len) {
		if (p[i] < 0x80) {
			out[o++] = p[i++];
			continue;
		}
		int32_t cp;
		size_t n = decode(p + i, len - i, &cp);
		if (cp < 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
		} else {
			memcpy(out + o, p + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = 0;
	if (out_len)
		*out_len = o;
	return (char *)out;
}

uint64_t rfo_text_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h ? h : 1;
}

int rfo_text_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
