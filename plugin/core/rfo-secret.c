#include "rfo-secret.h"

#include <string.h>
#include <strings.h>

#include <util/bmem.h>
#include <util/dstr.h>

static const char *const sensitive[] = {
	"accessToken",  "access_token", "token",         "passphrase",   "streamid",
	"key",          "code",         "refresh_token", "refreshToken", "client_secret",
	"clientSecret", "streamKey",    "stream_key",    "password",     "secret",
};

/* Parameter names may arrive percent-encoded only in odd cases; compare the raw name. */
bool rfo_secret_param_is_sensitive(const char *name, size_t len)
{
	if (!name)
		return false;
	for (size_t i = 0; i < sizeof(sensitive) / sizeof(sensitive[0]); i++) {
		if (strlen(sensitive[i]) == len && strncasecmp(sensitive[i], name, len) == 0)
			return true;
	}
	return false;
}

/* Append the parameters of a query or fragment (s[0..len)), masking sensitive values. */
static void redact_params(struct dstr *out, const char *s, size_t len, bool mask_all_srt)
{
	const char *end = s + len;
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		size_t plen = amp ? (size_t)(amp - s) : (size_t)(end - s);
		const char *eq = memchr(s, '=', plen);
		if (eq) {
			size_t klen = (size_t)(eq - s);
			bool hide = rfo_secret_param_is_sensitive(s, klen);
			if (!hide && mask_all_srt)
				hide = (klen == 8 && strncasecmp(s, "streamid", 8) == 0) ||
				       (klen == 10 && strncasecmp(s, "passphrase", 10) == 0);
			dstr_ncat(out, s, klen + 1);
			if (hide)
				dstr_cat(out, "***");
			else
				dstr_ncat(out, eq + 1, plen - klen - 1);
		} else {
			dstr_ncat(out, s, plen);
		}
		s += plen;
		if (s < end) {
			dstr_cat_ch(out, '&');
			s++;
		}
	}
}

static char *redact(const char *url, bool srt)
{
	if (!url)
		return NULL;
	struct dstr out = {0};
	const char *p = url;

	/* userinfo: scheme://user:password@host -> scheme://user:***@host */
	const char *sep = strstr(p, "://");
	if (sep && (size_t)(sep - p) < 32 && !memchr(p, '?', (size_t)(sep - p))) {
		const char *auth = sep + 3;
		size_t alen = strcspn(auth, "/?#");
		const char *at = NULL;
		for (const char *q = auth; q < auth + alen; q++)
			if (*q == '@')
				at = q;
		if (at) {
			const char *colon = memchr(auth, ':', (size_t)(at - auth));
			if (colon) {
				dstr_ncat(&out, p, (size_t)(colon + 1 - p));
				dstr_cat(&out, "***");
				p = at;
			}
		}
	}

	size_t head = strcspn(p, "?#");
	dstr_ncat(&out, p, head);
	p += head;
	if (*p == '?') {
		dstr_cat_ch(&out, '?');
		p++;
		size_t qlen = strcspn(p, "#");
		redact_params(&out, p, qlen, srt);
		p += qlen;
	}
	if (*p == '#') {
		dstr_cat_ch(&out, '#');
		p++;
		redact_params(&out, p, strlen(p), srt);
	}
	return out.array ? out.array : bstrdup("");
}

char *rfo_url_redact(const char *url)
{
	return redact(url, false);
}

char *rfo_srt_url_mask(const char *url)
{
	return redact(url, true);
}

#define DOT "\xe2\x80\xa2" /* U+2022 BULLET */

char *rfo_key_mask(const char *key)
{
	if (!key)
		return NULL;
	size_t len = strlen(key);
	if (!len)
		return bstrdup("");
	size_t budget = len / 4; /* never show more than 25% */
	size_t suffix = budget < 4 ? budget : 4;
	for (size_t i = len - suffix; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c < 0x21 || c > 0x7e) {
			suffix = 0;
			break;
		}
	}
	size_t prefix = 0;
	const char *us = memchr(key, '_', len < 5 ? len : 5);
	if (us) {
		prefix = (size_t)(us - key) + 1;
		for (size_t i = 0; i < prefix; i++) {
			unsigned char c = (unsigned char)key[i];
			if (c < 0x21 || c > 0x7e)
				prefix = 0;
		}
		if (prefix + suffix > budget)
			prefix = 0;
	}
	struct dstr out = {0};
	dstr_ncat(&out, key, prefix);
	dstr_cat(&out, DOT DOT DOT DOT);
	dstr_ncat(&out, key + len - suffix, suffix);
	return out.array;
}

void rfo_secret_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;
	while (v && n--)
		*v++ = 0;
}

void rfo_secret_wipe_free(char *s)
{
	if (!s)
		return;
	rfo_secret_wipe(s, strlen(s));
	bfree(s);
}
