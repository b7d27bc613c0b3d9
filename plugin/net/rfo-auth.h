#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-error.h"
#include "rfo-listener.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The session's sign-in and token lifecycle. Owns one thread ("rfo-auth") that does every
 * network and disk step: code exchange, profile fetch, persisting, refresh, revoke, restore.
 * Every public function is thread-safe and none of them blocks on network or disk except
 * rfo_auth_wait_token (meant for worker threads) and rfo_auth_destroy (joins within ~200 ms,
 * also mid-request).
 *
 * Token rules (docs/restream-api.md §1.4, §1.6, §6.3):
 *  - refreshes are single-flight: never two at once; callers waiting get notified;
 *  - a rotated pair is persisted (token store) BEFORE it is handed out;
 *  - refresh ~60 s before expiry, and once when a holder reports a 401 for the current token;
 *  - invalid_grant / any 4xx from the token endpoint -> RFO_AUTH_RECONNECT_NEEDED with an
 *    actionable last_error; 5xx / network failures -> retry with backoff (5, 10, 30, 60 s…)
 *    and stay signed in. */

enum rfo_auth_state {
	RFO_AUTH_SIGNED_OUT,
	RFO_AUTH_SIGNING_IN,
	RFO_AUTH_SIGNED_IN,
	RFO_AUTH_RECONNECT_NEEDED,
};

struct rfo_auth_user {
	int64_t id;
	char *username;     /* bstrdup'd, may be NULL */
	char *display_name; /* bstrdup'd; falls back to username */
};
void rfo_auth_user_free(struct rfo_auth_user *user);

/* Both callbacks run on the auth thread (hand over to the UI with rfo_dispatch). They may call
 * any rfo_auth_* getter but not rfo_auth_destroy. */
typedef void (*rfo_auth_state_cb)(void *param, enum rfo_auth_state state);
/* A new access token is in effect (sign-in or refresh): reconnect sockets with
 * rfo_auth_get_token. Not called on sign-out (the state callback covers that). */
typedef void (*rfo_auth_token_cb)(void *param);

struct rfo_auth_config {
	const char *api_url;       /* required, e.g. "https://api.restream.io" (no trailing slash needed) */
	const char *token_url;     /* NULL/"" = <api_url>/oauth/token (HTTP Basic client auth);
	                            * non-empty = a token broker (RESTREAM_TOKEN_URL): the client
	                            * secret is never sent to it, only client_id in the form */
	const char *revoke_url;    /* NULL/"" = <api_url>/oauth/revoke */
	const char *client_id;     /* required */
	const char *client_secret; /* may be NULL/"" with a broker; never copied in broker mode */
	/* Broker mode: the token broker's base URL. The authorize URL's redirect_uri is <broker>/redirect, the
	 * state is "<listener port>.<random>" (the broker sends the browser on to http://127.0.0.1:<port>/callback),
	 * tokens and refreshes go to <broker>/token, revokes to <broker>/revoke, and no client secret is held. */
	const char *broker_url;
	uint16_t redirect_port;        /* own app: the fixed port of http://127.0.0.1:<port>/callback; 0 = ephemeral */
	struct rfo_token_store *store; /* borrowed, must outlive the auth; NULL = keep in memory only */
	struct rfo_listener_pages pages; /* redirect page texts (copied) */
	rfo_auth_state_cb on_state;
	rfo_auth_token_cb on_token;
	void *param;

	/* Tuning, 0 = defaults (tests shorten them). */
	uint32_t refresh_margin_s;   /* refresh this long before expiry (60; capped at half the lifetime) */
	uint32_t retry_base_ms;      /* first backoff step (5000); steps scale 1,2,6,12,… x base/5 s */
	uint32_t http_timeout_ms;    /* per request (15000) */
	uint32_t sign_in_timeout_ms; /* redirect wait (5 minutes) */
};

/* Copies cfg, starts the thread. NULL (err set) if api_url/client_id are missing or a URL is
 * refused by rfo_url_check (plain http only for loopback). Does not touch the network. */
struct rfo_auth *rfo_auth_create(const struct rfo_auth_config *cfg, struct rfo_error *err);
/* Stops and joins (within ~200 ms even mid-request; a keyring call that hangs is cancelled after 300 ms); stops a
 * running listener; keeps the revokes not sent yet in the store's revoke-pending file. NULL ok. */
void rfo_auth_destroy(struct rfo_auth *auth);

/* Startup: load the stored pair on the auth thread (returns at once); if found -> signed_in
 * (refreshing first if it is expired), else stays signed_out. */
void rfo_auth_restore(struct rfo_auth *auth);

/* Starts the loopback listener and returns the authorize URL to open in the browser
 * (`<api>/login?response_type=code&client_id=…&redirect_uri=http://127.0.0.1:<port>/callback&state=…`, or
 * redirect_uri=<broker>/redirect and state=<port>.<random> in broker mode;
 * caller bfrees; it carries no secret). State becomes signing_in; the redirect is handled on the
 * auth thread (validate state, exchange the code, fetch /v2/user/profile, persist, signed_in).
 * A second call restarts the flow with a fresh state. Fast (binds a socket); UI-thread safe. */
bool rfo_auth_begin_sign_in(struct rfo_auth *auth, char **authorize_url_out, struct rfo_error *err);
/* Abandons a pending sign-in (back to the state before it). */
void rfo_auth_cancel_sign_in(struct rfo_auth *auth);
/* State -> signed_out at once. The auth thread then does the local part before anything else, even when it is
 * stopping: it abandons a network wait in progress (a refresh or code exchange that hangs), writes the token to the
 * store's revoke-pending file, and removes the stored record; then it POSTs the revoke
 * (token=<refresh>&token_type_hint=refresh_token). A revoke not sent by quit time is sent by the next restore. */
void rfo_auth_sign_out(struct rfo_auth *auth);

/* Copy of the current access token (caller bfrees; a secret: never log it). false when not
 * signed in or the token has expired and a refresh is under way (wait for on_token). */
bool rfo_auth_get_token(struct rfo_auth *auth, char **token_out);
/* Worker threads only: like get_token but waits up to timeout_ms for a refresh in flight. */
bool rfo_auth_wait_token(struct rfo_auth *auth, uint32_t timeout_ms, char **token_out);
/* A request or socket made with access token `token_used` was refused with HTTP 401. Exact, no
 * time window: when token_used is the CURRENT access token, the token is refreshed (single-flight;
 * one refresh per rejected token; if the refresh is refused as revoked -> reconnect_needed). When
 * it is an older token the report is stale and ignored: retry with rfo_auth_get_token's token.
 * A freshly refreshed token that is rejected again is refreshed after 1, 2, 4 … 30 s instead of at
 * once (a server rejecting every token must not spin the token endpoint); rejections more than
 * 60 s apart start over at once. token_used is borrowed for the call; NULL/"" is ignored. */
void rfo_auth_report_rejected(struct rfo_auth *auth, const char *token_used);
/* The same, taking token_used (wiped and bfreed; NULL ok). */
void rfo_auth_report_rejected_take(struct rfo_auth *auth, char *token_used);

enum rfo_auth_state rfo_auth_get_state(struct rfo_auth *auth);
/* false if no user is known (signed out); else fills *user (free with rfo_auth_user_free). */
bool rfo_auth_get_user(struct rfo_auth *auth, struct rfo_auth_user *user);
/* The last error as an English sentence a person can act on (caller bfrees), or NULL. Cleared on
 * successful sign-in. For the user's language use rfo_auth_last_error_code (below). */
char *rfo_auth_last_error(struct rfo_auth *auth);

/* The same error as a code, for the obs layer to show in the user's language (net does not use
 * obs_module_text): look up rfo_auth_error_key(code) with obs_module_text and fill in the detail
 * with rfo_auth_error_format. */
enum rfo_auth_error {
	RFO_AUTH_ERR_NONE = 0,
	RFO_AUTH_ERR_REVOKED, /* the session ended at Restream (revoked/expired): Reconnect */
	RFO_AUTH_ERR_FINISH,  /* code exchange or profile failed; detail: why (English) */
	RFO_AUTH_ERR_DENIED,  /* the user cancelled in the browser */
	RFO_AUTH_ERR_REFUSED, /* the redirect carried an error; detail: Restream's error code */
	RFO_AUTH_ERR_TIMEOUT, /* the browser did not come back within 5 minutes */
	RFO_AUTH_ERR_STORAGE, /* the token store failed; detail: its message (English) */
	RFO_AUTH_ERR_COUNT,
};
/* The last error's code (RFO_AUTH_ERR_NONE when none); *detail_out (may be NULL) gets its
 * variable part or NULL (caller bfrees). */
enum rfo_auth_error rfo_auth_last_error_code(struct rfo_auth *auth, char **detail_out);
/* The locale key of the code's sentence in locale/en-US.ini (e.g. "Auth.Error.Denied"), where "%1"
 * stands for the detail; NULL for NONE/unknown. */
const char *rfo_auth_error_key(enum rfo_auth_error code);
/* The built-in English sentence for the code (the same text as en-US.ini); NULL for NONE. */
const char *rfo_auth_error_english(enum rfo_auth_error code);
/* `sentence` with its first "%1" replaced by detail ("" for NULL); caller bfrees. NULL -> NULL. */
char *rfo_auth_error_format(const char *sentence, const char *detail);

/* Test/diagnostic counters (never secrets). */
struct rfo_auth_stats {
	uint32_t refreshes;        /* successful refreshes */
	uint32_t refresh_failures; /* transient failures */
	int64_t expires_at;        /* unix seconds of the current access token, 0 if none */
	int64_t next_refresh_in_s; /* seconds until the next scheduled refresh, -1 if none */
};
void rfo_auth_get_stats(struct rfo_auth *auth, struct rfo_auth_stats *stats);

const char *rfo_auth_state_name(enum rfo_auth_state state); /* "signed_out", … */

#ifdef __cplusplus
}
#endif
