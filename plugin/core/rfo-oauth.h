#pragma once
/* OAuth 2.0 pieces for Restream (docs/restream-api.md §1), sans-I/O: parse token replies and redirects,
 * build URLs and form bodies, (de)serialize the persisted token record. Time is always passed in
 * (`now`, Unix seconds); nothing here reads a clock, a socket or a file. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- (a) token endpoint success reply ---- */
struct rfo_tokens {
	char *access_token;         /* never NULL after a successful parse */
	char *refresh_token;        /* NULL when the reply carried none */
	char *scope;                /* space-separated; NULL when absent */
	int64_t expires_at;         /* Unix s; 0 = unknown */
	int64_t refresh_expires_at; /* Unix s; 0 = unknown */
};

/* Parses {"access_token"|"accessToken", "refresh_token"|"refreshToken", "scope" | "scopeJson":[…],
 * "expires_in"|"accessTokenExpiresIn", "expires"|"accessTokenExpiresEpoch"|"accessTokenExpiresAt",
 * "refreshTokenExpiresIn"|"refresh_token_expires_in", "refreshTokenExpiresEpoch"|"refreshTokenExpiresAt"}.
 * expires_at = now + expires_in when a lifetime is given (immune to clock skew), else the absolute
 * epoch (milliseconds are recognised and converted). `out` is overwritten (not freed) first; on
 * failure it is left empty and err = RFO_ERR_PARSE. Free with rfo_tokens_free. */
bool rfo_oauth_parse_tokens(const char *json, size_t len, int64_t now, struct rfo_tokens *out, struct rfo_error *err);
/* Wipes and bfree()s the members, leaves *t zeroed. Accepts NULL. */
void rfo_tokens_free(struct rfo_tokens *t);

/* ---- (b) token endpoint error reply ---- */
struct rfo_oauth_error {
	char code[64];     /* "invalid_grant", envelope "name", or "" when unknown */
	char message[256]; /* a sentence a person can act on; never empty after rfo_oauth_parse_error */
	long status;       /* statusCode/status/code from an envelope, else the http_status passed in */
};
/* Accepts {"error":"invalid_grant","error_description":"…"} and the REST envelope
 * {"error":{"statusCode"|"status"|"code":…,"message":…,"name":…}}, or anything else (empty body,
 * HTML, garbage). Always fills *out; returns true when the body was one of the two known shapes. */
bool rfo_oauth_parse_error(const char *json, size_t len, long http_status, struct rfo_oauth_error *out);
/* true = sign the user out (re-login needed): any 4xx except 408/429, or an error code such as
 * invalid_grant/invalid_client whatever the status. false = transient (0 = network failure, 408,
 * 429, 5xx): keep the tokens and retry later. `error` may be NULL. */
bool rfo_oauth_is_fatal(long http_status, const struct rfo_oauth_error *error);

/* ---- (c) authorize URL, (d) form bodies ---- */
/* "<api_base>/login?response_type=code&client_id=…&redirect_uri=…&state=…" (percent-encoded).
 * bfree() the result; NULL if any argument is NULL or empty. */
char *rfo_oauth_authorize_url(const char *api_base, const char *client_id, const char *redirect_uri, const char *state);
/* application/x-www-form-urlencoded bodies; client_id/client_secret NULL or "" = omitted (HTTP Basic
 * or a token broker supplies them). bfree() the result; NULL when code/redirect/refresh is missing. */
char *rfo_oauth_code_body(const char *code, const char *redirect_uri, const char *client_id, const char *client_secret);
char *rfo_oauth_refresh_body(const char *refresh_token, const char *client_id, const char *client_secret);
/* "token=…[&token_type_hint=…]" for /oauth/revoke; hint may be NULL. */
char *rfo_oauth_revoke_body(const char *token, const char *hint);
/* "Basic base64(urlenc(id):urlenc(secret))" for an Authorization header. bfree(); NULL if missing. */
char *rfo_oauth_basic_auth(const char *client_id, const char *client_secret);

/* ---- (e) the redirect received by the loopback listener ---- */
enum rfo_oauth_redirect_kind {
	RFO_REDIRECT_MALFORMED = 0, /* not our path, not GET, garbage, or unknown parameters only */
	RFO_REDIRECT_CODE,          /* code present (state may still be NULL: compare it!) */
	RFO_REDIRECT_DENIED,        /* no parameters at all, or error=access_denied */
	RFO_REDIRECT_ERROR,         /* any other error=… */
};
struct rfo_oauth_redirect {
	enum rfo_oauth_redirect_kind kind;
	char *code, *state, *scope, *error, *error_description; /* decoded, bstrdup'd, NULL when absent */
};
/* `request` is a request line ("GET /callback?code=… HTTP/1.1", optionally followed by headers),
 * a bare target ("/callback?code=…", "?error=access_denied") or an absolute URL. When expected_path
 * is non-NULL the target's path must equal it (else MALFORMED). Always fills *out (zeroed first);
 * returns true unless the kind is MALFORMED. Free with rfo_oauth_redirect_free. */
bool rfo_oauth_parse_redirect(const char *request, size_t len, const char *expected_path,
			      struct rfo_oauth_redirect *out);
void rfo_oauth_redirect_free(struct rfo_oauth_redirect *r);

/* ---- (f) state ---- */
/* Constant-time (for a given expected length) comparison; false if either is NULL or empty. */
bool rfo_oauth_state_equal(const char *expected, const char *received);
/* Hex-encodes `n` caller-supplied random bytes into a state string (bfree()). NULL if n == 0. */
char *rfo_oauth_state_from_bytes(const uint8_t *random_bytes, size_t n);

/* ---- (g) persisted token record ---- */
struct rfo_token_record {
	struct rfo_tokens tokens;
	int64_t user_id; /* 0 = unknown */
	char *username, *display_name;
};
/* {"version":1,"access_token","refresh_token","scope","expires_at","refresh_expires_at",
 *  "user":{"id","username","displayName"}} (NULL members omitted). Contains secrets: never log it.
 * bfree() the result (rfo_oauth_record_wipe_free wipes it first). NULL if rec has no token at all. */
char *rfo_oauth_record_to_json(const struct rfo_token_record *rec);
/* Needs an access or refresh token; tolerant of missing/extra fields and both spellings.
 * Free with rfo_token_record_free. err = RFO_ERR_PARSE on failure (message names the token store). */
bool rfo_oauth_record_from_json(const char *json, size_t len, struct rfo_token_record *out, struct rfo_error *err);
void rfo_token_record_free(struct rfo_token_record *rec);
/* Zero a secret-carrying string and bfree() it. Accepts NULL. */
void rfo_oauth_record_wipe_free(char *s);

/* ---- (h) revokes still to send (persisted until Restream took them) ---- */
/* {"version":1,"revoke":["<token>",…]} (secrets: never log it); NULL when n == 0. bfree() (wipe first). */
char *rfo_oauth_revokes_to_json(char *const *tokens, size_t n);
/* Calls cb with each non-empty token (borrowed for the call); false on unreadable JSON. */
typedef void (*rfo_oauth_token_cb)(void *param, const char *token);
bool rfo_oauth_revokes_from_json(const char *json, size_t len, rfo_oauth_token_cb cb, void *param);

#ifdef __cplusplus
}
#endif
