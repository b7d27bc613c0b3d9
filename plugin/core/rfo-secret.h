#pragma once
/* Redaction helpers: run anything that may carry a credential through these before it is logged,
 * shown, or returned over obs-websocket. All return a bstrdup'd string (caller bfree()s), or NULL
 * when the input is NULL. */

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Copy of `url` whose sensitive query (and fragment) values are replaced by "***": accessToken,
 * access_token, token, passphrase, streamid, key, code, refresh_token, refreshToken, client_secret,
 * clientSecret, streamKey, stream_key, password, secret (names matched case-insensitively). A
 * password in "user:password@host" is replaced too. Other parameters are kept as they are. */
char *rfo_url_redact(const char *url);

/* An SRT URL for display: "srt://live.restream.io:2010?streamid=***&passphrase=***". Same rules as
 * rfo_url_redact (streamid and passphrase are always masked). */
char *rfo_srt_url_mask(const char *url);

/* A stream key for display, e.g. "re_••••1234": an optional short prefix up to the first '_' and
 * the last (at most 4) characters, never showing more than 25% of the key; short keys become
 * "••••" only. "" for an empty key. */
char *rfo_key_mask(const char *key);

/* Overwrites the NUL-terminated s with zeros (a store the compiler may not drop) and bfree()s it. NULL is fine.
 * For every secret-bearing buffer the plugin owns: tokens, keys, passphrases, request bodies, URLs carrying them. */
void rfo_secret_wipe_free(char *s);
/* The same for n bytes at p (not freed). */
void rfo_secret_wipe(void *p, size_t n);

/* true when `name` is one of the sensitive parameter names above (case-insensitive). */
bool rfo_secret_param_is_sensitive(const char *name, size_t len);

#ifdef __cplusplus
}
#endif
