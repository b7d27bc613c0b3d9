/* Splitting Restream's SRT URL into server, stream id and passphrase. */
#include "rfo-srt-url.h"
#include "rfo-text.h"

#include <string.h>
#include <strings.h>
#include <util/bmem.h>
#include <util/dstr.h>

/* %XX decoding of one query value ('+' stays '+': SRT passphrases may contain it). */
static char *decode(const char *s, size_t len)
{
	struct dstr out = {0};
	dstr_reserve(&out, len + 1);
	for (size_t i = 0; i < len; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < len && (h = rfo_text_hex_digit(s[i + 1])) >= 0 &&
		    (l = rfo_text_hex_digit(s[i + 2])) >= 0) {
			dstr_cat_ch(&out, (char)(h * 16 + l));
			i += 2;
		} else {
			dstr_cat_ch(&out, s[i]);
		}
	}
	if (!out.len) { /* dstr_reserve alone leaves the buffer unterminated */
		dstr_free(&out);
		return bstrdup("");
	}
	return out.array;
}

bool rfo_srt_url_split(const char *url, char **server_out, char **stream_id_out, char **passphrase_out)
{
	*server_out = *stream_id_out = *passphrase_out = NULL;
	if (!url || strncasecmp(url, "srt://", 6) != 0)
		return false;

	const char *q = strchr(url, '?');
	struct dstr server = {0}, rest = {0};
	dstr_ncopy(&server, url, q ? (size_t)(q - url) : strlen(url));
	for (const char *p = q ? q + 1 : NULL; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t n = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		size_t klen = eq ? (size_t)(eq - p) : n;
		const char *v = eq ? eq + 1 : p + n;
		size_t vlen = (size_t)(p + n - v);
		if (klen == 8 && strncasecmp(p, "streamid", 8) == 0) {
			bfree(*stream_id_out);
			*stream_id_out = decode(v, vlen);
		} else if (klen == 10 && strncasecmp(p, "passphrase", 10) == 0) {
			bfree(*passphrase_out);
			*passphrase_out = decode(v, vlen);
		} else if (n) {
			if (rest.len)
				dstr_cat_ch(&rest, '&');
			dstr_ncat(&rest, p, n);
		}
		p = amp ? amp + 1 : NULL;
	}
	if (rest.len) {
		dstr_cat_ch(&server, '?');
		dstr_cat_dstr(&server, &rest);
	}
	dstr_free(&rest);
	*server_out = server.array;
	if (!*stream_id_out)
		*stream_id_out = bstrdup("");
	return true;
}

static void cat_encoded(struct dstr *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			dstr_cat_ch(out, (char)c);
		} else {
			char enc[4] = {'%', hex[c >> 4], hex[c & 15], 0};
			dstr_cat(out, enc);
		}
	}
}

char *rfo_srt_url_join(const char *server, const char *stream_id, const char *passphrase)
{
	if (!server || !stream_id)
		return NULL;
	struct dstr url = {0};
	dstr_copy(&url, server);
	dstr_cat(&url, strchr(server, '?') ? "&streamid=" : "?streamid=");
	cat_encoded(&url, stream_id);
	if (passphrase && *passphrase) {
		dstr_cat(&url, "&passphrase=");
		cat_encoded(&url, passphrase);
	}
	return url.array;
}
