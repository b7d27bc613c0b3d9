#include "rfo-url.h"
#include "rfo-text.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <util/bmem.h>
#include <util/dstr.h>

/* Copy of at most max bytes of s[0..len) with anything but printable ASCII replaced by '?', for
 * error messages (the input may be fuzzed garbage). */
static void printable(char *dst, size_t dst_size, const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < dst_size; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[n] = 0;
}

bool rfo_url_host_is_loopback(const char *host)
{
	if (!host || !*host)
		return false;
	if (strcasecmp(host, "localhost") == 0)
		return true;
	size_t len = strlen(host);
	char buf[64];
	if (host[0] == '[') {
		if (len < 3 || host[len - 1] != ']' || len - 2 >= sizeof(buf))
			return false;
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = 0;
	} else {
		if (len >= sizeof(buf))
			return false;
		memcpy(buf, host, len + 1);
	}
	unsigned char addr[16];
	if (inet_pton(AF_INET, buf, addr) == 1)
		return addr[0] == 127;
	if (inet_pton(AF_INET6, buf, addr) == 1) {
		static const unsigned char one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
		return memcmp(addr, one, 16) == 0;
	}
	return false;
}

struct split {
	const char *scheme;
	size_t scheme_len;
	const char *auth; /* authority (userinfo@host:port) */
	size_t auth_len;
	const char *rest; /* path, query, fragment */
};

static bool split_url(const char *url, struct split *sp)
{
	memset(sp, 0, sizeof(*sp));
	const char *colon = strstr(url, "://");
	if (!colon || colon == url)
		return false;
	for (const char *p = url; p < colon; p++) {
		if (!isalpha((unsigned char)*p) && !(p > url && (isdigit((unsigned char)*p) || strchr("+-.", *p))))
			return false;
	}
	sp->scheme = url;
	sp->scheme_len = (size_t)(colon - url);
	sp->auth = colon + 3;
	sp->auth_len = strcspn(sp->auth, "/?#");
	sp->rest = sp->auth + sp->auth_len;
	return true;
}

/* host (brackets kept for IPv6) and port out of an authority without userinfo. */
static bool split_host_port(const char *auth, size_t len, char *host, size_t host_size, int *port)
{
	const char *end = auth + len;
	const char *host_end;
	*port = 0;
	if (len && auth[0] == '[') {
		const char *rb = memchr(auth, ']', len);
		if (!rb)
			return false;
		host_end = rb + 1;
	} else {
		host_end = memchr(auth, ':', len);
		if (!host_end)
			host_end = end;
	}
	size_t hlen = (size_t)(host_end - auth);
	if (!hlen || hlen >= host_size)
		return false;
	memcpy(host, auth, hlen);
	host[hlen] = 0;
	for (size_t i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)host[i];
		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '%')
			return false;
	}
	if (host_end < end) {
		if (*host_end != ':')
			return false;
		const char *p = host_end + 1;
		if (p == end)
			return true; /* "host:" = default port */
		long v = 0;
		for (; p < end; p++) {
			if (!isdigit((unsigned char)*p))
				return false;
			v = v * 10 + (*p - '0');
			if (v > 65535)
				return false;
		}
		if (v == 0)
			return false;
		*port = (int)v;
	}
	return true;
}

bool rfo_url_check(const char *url, struct rfo_error *err)
{
	char scheme[24], host[300];
	struct split sp;
	if (!url || !*url) {
		rfo_error_set(err, RFO_ERR_INVALID, "No URL was given");
		return false;
	}
	if (!split_url(url, &sp)) {
		rfo_error_set(err, RFO_ERR_INVALID, "Refusing a URL that is not of the form scheme://host/…");
		return false;
	}
	printable(scheme, sizeof(scheme), sp.scheme, sp.scheme_len);
	for (char *p = scheme; *p; p++)
		*p = (char)tolower((unsigned char)*p);

	if (memchr(sp.auth, '@', sp.auth_len)) {
		rfo_error_set(err, RFO_ERR_INVALID,
			      "Refusing a %s:// URL that contains a user name or password; remove the part before '@'",
			      scheme);
		return false;
	}
	int port;
	if (!split_host_port(sp.auth, sp.auth_len, host, sizeof(host), &port)) {
		char shown[80];
		printable(shown, sizeof(shown), sp.auth, sp.auth_len);
		rfo_error_set(err, RFO_ERR_INVALID, "Refusing %s:// URL with an invalid host \"%s\"", scheme, shown);
		return false;
	}
	bool tls = strcmp(scheme, "https") == 0 || strcmp(scheme, "wss") == 0;
	bool plain = strcmp(scheme, "http") == 0 || strcmp(scheme, "ws") == 0;
	if (tls)
		return true;
	if (plain) {
		if (rfo_url_host_is_loopback(host))
			return true;
		rfo_error_set(err, RFO_ERR_INVALID,
			      "Refusing insecure URL %s://%.200s: plain %s:// is only allowed to this computer "
			      "(localhost); use %s:// instead",
			      scheme, host, scheme, scheme[0] == 'h' ? "https" : "wss");
		return false;
	}
	rfo_error_set(err, RFO_ERR_INVALID,
		      "Refusing URL %s://%.200s: the scheme \"%s\" is not supported (use https:// or wss://)", scheme,
		      host, scheme);
	return false;
}

static enum rfo_addr_class class_v4(const unsigned char *a)
{
	static const struct {
		unsigned char net[4];
		int bits;
	} local[] = {
		{{0, 0, 0, 0}, 8},      {{10, 0, 0, 0}, 8},    {{100, 64, 0, 0}, 10},   {{169, 254, 0, 0}, 16},
		{{172, 16, 0, 0}, 12},  {{192, 0, 0, 0}, 24},  {{192, 0, 2, 0}, 24},    {{192, 88, 99, 0}, 24},
		{{192, 168, 0, 0}, 16}, {{198, 18, 0, 0}, 15}, {{198, 51, 100, 0}, 24}, {{203, 0, 113, 0}, 24},
		{{224, 0, 0, 0}, 4},    {{240, 0, 0, 0}, 4},
	};
	if (a[0] == 127)
		return RFO_ADDR_LOOPBACK;
	uint32_t v = ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) | ((uint32_t)a[2] << 8) | a[3];
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		const unsigned char *n = local[i].net;
		uint32_t net = ((uint32_t)n[0] << 24) | ((uint32_t)n[1] << 16) | ((uint32_t)n[2] << 8) | n[3];
		uint32_t mask = 0xFFFFFFFFu << (32 - local[i].bits);
		if ((v & mask) == net)
			return RFO_ADDR_LOCAL;
	}
	return RFO_ADDR_PUBLIC;
}

enum rfo_addr_class rfo_url_addr_class(int family, const void *addr)
{
	const unsigned char *a = addr;
	if (!a)
		return RFO_ADDR_LOCAL;
	if (family == AF_INET)
		return class_v4(a);
	if (family != AF_INET6)
		return RFO_ADDR_LOCAL;

	static const unsigned char zero[12] = {0};
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	static const unsigned char nat64[12] = {0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
	if (memcmp(a, zero, 12) == 0) { /* ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d */
		static const unsigned char one[4] = {0, 0, 0, 1};
		return memcmp(a + 12, one, 4) == 0 ? RFO_ADDR_LOOPBACK : RFO_ADDR_LOCAL;
	}
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return class_v4(a + 12); /* the IPv4 address it stands for */
	if (a[0] == 0x20 && a[1] == 0x02)
		return class_v4(a + 2); /* 6to4: 2002:AABB:CCDD::/48 */
	if ((a[0] & 0xFE) == 0xFC)      /* fc00::/7 unique-local */
		return RFO_ADDR_LOCAL;
	if (a[0] == 0xFE && (a[1] & 0x80) == 0x80) /* fe80::/10 link-local, fec0::/10 site-local */
		return RFO_ADDR_LOCAL;
	if (a[0] == 0xFF) /* multicast */
		return RFO_ADDR_LOCAL;
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0D && a[3] == 0xB8) /* 2001:db8::/32 documentation */
		return RFO_ADDR_LOCAL;
	if (a[0] == 0x01 && a[1] == 0 && memcmp(a + 2, zero, 6) == 0) /* 100::/64 discard */
		return RFO_ADDR_LOCAL;
	return RFO_ADDR_PUBLIC;
}

bool rfo_url_parts_parse(const char *url, struct rfo_url_parts *out)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	struct split sp;
	char host[300];
	int port;
	if (!url || !split_url(url, &sp) || memchr(sp.auth, '@', sp.auth_len) ||
	    !split_host_port(sp.auth, sp.auth_len, host, sizeof(host), &port))
		return false;
	out->scheme = bstrdup_n(sp.scheme, sp.scheme_len);
	for (char *p = out->scheme; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	size_t hlen = strlen(host);
	if (host[0] == '[')
		out->host = bstrdup_n(host + 1, hlen - 2);
	else
		out->host = bstrdup(host);
	out->tls = strcmp(out->scheme, "https") == 0 || strcmp(out->scheme, "wss") == 0;
	if (!port) {
		if (out->tls)
			port = 443;
		else if (strcmp(out->scheme, "http") == 0 || strcmp(out->scheme, "ws") == 0)
			port = 80;
	}
	out->port = port;
	size_t plen = strcspn(sp.rest, "#");
	struct dstr path = {0};
	if (!plen || sp.rest[0] != '/')
		dstr_copy(&path, "/");
	dstr_ncat(&path, sp.rest, plen);
	out->path = path.array;
	return true;
}

void rfo_url_parts_free(struct rfo_url_parts *parts)
{
	if (!parts)
		return;
	bfree(parts->scheme);
	bfree(parts->host);
	bfree(parts->path);
	memset(parts, 0, sizeof(*parts));
}

char *rfo_url_join(const char *base, const char *path)
{
	if (!base)
		return NULL;
	size_t blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	if (!path)
		path = "";
	while (*path == '/')
		path++;
	struct dstr out = {0};
	dstr_ncopy(&out, base, blen);
	if (*path) {
		dstr_cat_ch(&out, '/');
		dstr_cat(&out, path);
	}
	if (!out.array)
		return bstrdup("");
	return out.array;
}

static void encode_into(struct dstr *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			dstr_cat_ch(out, (char)*p);
		} else {
			dstr_cat_ch(out, '%');
			dstr_cat_ch(out, hex[*p >> 4]);
			dstr_cat_ch(out, hex[*p & 15]);
		}
	}
}

char *rfo_url_encode(const char *s)
{
	struct dstr out = {0};
	encode_into(&out, s);
	return out.array ? out.array : bstrdup("");
}

char *rfo_url_decode(const char *s, size_t len, bool plus_is_space)
{
	if (!s)
		return NULL;
	char *out = bmalloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%' && i + 2 < len) {
			int hi = rfo_text_hex_digit(s[i + 1]), lo = rfo_text_hex_digit(s[i + 2]);
			if (hi >= 0 && lo >= 0) {
				c = (char)(hi * 16 + lo);
				i += 2;
			}
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == 0) {
			bfree(out);
			return NULL;
		}
		out[n++] = c;
	}
	out[n] = 0;
	return out;
}

char *rfo_url_with_query(const char *base, const char *key, const char *value)
{
	if (!base || !key)
		return NULL;
	size_t frag = strcspn(base, "#");
	struct dstr out = {0};
	dstr_ncopy(&out, base, frag);
	const char *q = memchr(base, '?', frag);
	if (!q)
		dstr_cat_ch(&out, '?');
	else if (base[frag - 1] != '?' && base[frag - 1] != '&')
		dstr_cat_ch(&out, '&');
	encode_into(&out, key);
	dstr_cat_ch(&out, '=');
	encode_into(&out, value);
	dstr_cat(&out, base + frag);
	return out.array;
}

char *rfo_url_query_get(const char *target, const char *key)
{
	if (!target || !key || !*key)
		return NULL;
	const char *q = strchr(target, '?');
	if (q)
		q++;
	else if (!strchr(target, '/'))
		q = target;
	else
		return NULL;
	size_t qlen = strcspn(q, "#");
	const char *end = q + qlen;
	while (q < end) {
		size_t plen = strcspn(q, "&");
		if (q + plen > end)
			plen = (size_t)(end - q);
		const char *eq = memchr(q, '=', plen);
		size_t klen = eq ? (size_t)(eq - q) : plen;
		char *k = rfo_url_decode(q, klen, true);
		bool match = k && strcmp(k, key) == 0;
		bfree(k);
		if (match) {
			if (!eq)
				return bstrdup("");
			return rfo_url_decode(eq + 1, plen - klen - 1, true);
		}
		q += plen;
		if (q < end)
			q++; /* skip '&' */
	}
	return NULL;
}
