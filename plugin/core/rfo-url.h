#pragma once
/* URL policy and small URL helpers (sans-I/O, no allocation beyond the returned strings).
 *
 * Policy: https:// and wss:// are accepted for any host;
 * plain http:// and ws:// only for loopback hosts (127.0.0.0/8, ::1, localhost); everything else is
 * refused. Schemes are matched case-insensitively. URLs carrying a user name/password are refused. */

#include <stdbool.h>
#include <stddef.h>

#include "rfo-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* true when `url` may be used. Otherwise false and err = RFO_ERR_INVALID with one sentence naming the
 * scheme and host (never the path or query, which may carry tokens), e.g.
 * "Refusing insecure URL http://example.com: plain http:// is only allowed to this computer; use https://". */
bool rfo_url_check(const char *url, struct rfo_error *err);

/* true for "localhost", any 127.x.y.z dotted quad and "::1"/"[::1]" (case-insensitive). */
bool rfo_url_host_is_loopback(const char *host);

/* Where an address leads, for requests steered by remote data (image URLs): only RFO_ADDR_PUBLIC may be
 * reached from them (RFO_ADDR_LOOPBACK too under the tests' switch). */
enum rfo_addr_class {
	RFO_ADDR_PUBLIC = 0,
	RFO_ADDR_LOOPBACK, /* 127.0.0.0/8, ::1, and IPv4-mapped/NAT64/6to4 forms of 127/8 */
	RFO_ADDR_LOCAL,    /* private (10/8, 172.16/12, 192.168/16), CGNAT (100.64/10), link-local (169.254/16,
			      fe80::/10), unique-local (fc00::/7), site-local, "this network" (0/8, ::), multicast,
			      documentation, benchmarking and reserved ranges, and the mapped forms of all these */
};
/* family AF_INET (addr: 4 bytes, network order) or AF_INET6 (16 bytes); anything else is RFO_ADDR_LOCAL. */
enum rfo_addr_class rfo_url_addr_class(int family, const void *addr);

/* The parts of an absolute URL, each a bstrdup'd copy (free with rfo_url_parts_free). */
struct rfo_url_parts {
	char *scheme; /* lower-cased, e.g. "wss" */
	char *host;   /* without brackets for IPv6, e.g. "::1" */
	int port;     /* explicit port, or the scheme default (80/443 for http(s)/ws(s)), or 0 */
	char *path;   /* path + query (no fragment), at least "/" */
	bool tls;     /* https or wss */
};
bool rfo_url_parts_parse(const char *url, struct rfo_url_parts *out);
void rfo_url_parts_free(struct rfo_url_parts *parts);

/* base + "/" + path with exactly one slash between them. bfree() the result; NULL if base is NULL. */
char *rfo_url_join(const char *base, const char *path);

/* base with "key=value" appended as a query parameter ('?' or '&', before any #fragment), both
 * percent-encoded. bfree() the result; NULL if base or key is NULL (value NULL = empty). */
char *rfo_url_with_query(const char *base, const char *key, const char *value);

/* Decoded value of query parameter `key` in `target` (a full URL, a request target such as
 * "/callback?code=x", or a bare query "a=1&b=2"). '+' decodes to a space. Returns a bstrdup'd string
 * ("" for "key=" or a bare "key"), or NULL when the key is absent or its value decodes to a NUL byte. */
char *rfo_url_query_get(const char *target, const char *key);

/* RFC 3986 percent-encoding: everything except A-Z a-z 0-9 - . _ ~ is encoded. bfree() the result. */
char *rfo_url_encode(const char *s);
/* Percent-decode `len` bytes (plus_is_space: '+' -> ' '). Malformed escapes are kept literally.
 * Returns NULL when the result would contain a NUL byte. bfree() the result. */
char *rfo_url_decode(const char *s, size_t len, bool plus_is_space);

#ifdef __cplusplus
}
#endif
