#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "rfo-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One-shot HTTP listener for the OAuth redirect (http://127.0.0.1:<port>/callback: the URI names the literal
 * address the listener binds, never `localhost`, which a browser may resolve to [::1] first).
 *
 * Binds 127.0.0.1 only (port 0 = ephemeral), owns one thread (plain BSD sockets + poll), serves
 * exactly GET /callback, answers every other path (e.g. /favicon.ico) with 404 without ending the
 * flow, bounds each request to 8 KiB (431 and the connection is closed) and to 5 s, and gives up
 * after the timeout (default 5 minutes). Up to 32 connections are served at once; when all are taken
 * the oldest is closed, so idle or half-sent connections cannot keep the browser's out.
 *
 * Only a /callback that ends the sign-in is final: a code or an error with the expected `state`, or
 * Restream's denial (the bare redirect URI, no parameters). It is answered with a small HTML page built
 * from the caller's text (escaped), reported through the callback, and the socket is closed. A
 * /callback with a missing or wrong `state` (or malformed) is answered 400 and ignored: the listener
 * keeps waiting for the real redirect, and its code is never exposed (no token request may follow).
 * `state` is compared in constant time. */

enum rfo_listener_outcome {
	RFO_LISTENER_CODE,     /* code present and state matched: exchange `code` */
	RFO_LISTENER_DENIED,   /* the user denied (redirect without parameters) */
	RFO_LISTENER_ERROR,    /* the redirect carried error= (see error, error_description) */
	RFO_LISTENER_REJECTED, /* never reported any more (such callbacks are answered 400 and ignored) */
	RFO_LISTENER_TIMEOUT,  /* nothing arrived within the timeout */
};

/* Passed to the callback; all strings are borrowed for the duration of the call (may be NULL). */
struct rfo_listener_result {
	enum rfo_listener_outcome outcome;
	const char *code;              /* RFO_LISTENER_CODE only (a secret: never log it) */
	const char *scope;             /* granted scopes as sent (comma-separated), if any */
	const char *error;             /* RFO_LISTENER_ERROR: the error= value */
	const char *error_description; /* RFO_LISTENER_ERROR: error_description=, if any */
};

/* Runs on the listener thread, exactly once per listener (unless destroyed first). It must not
 * call rfo_listener_destroy on its own listener. */
typedef void (*rfo_listener_cb)(void *param, const struct rfo_listener_result *result);

/* Page texts (plain UTF-8 sentences, HTML-escaped by the listener; the obs layer passes
 * obs_module_text values). NULL fields get built-in English defaults. Copied at create. */
struct rfo_listener_pages {
	const char *title;    /* page <title> and heading, e.g. "Restream for OBS" */
	const char *success;  /* "Signed in. You can close this tab and return to OBS." */
	const char *denied;   /* "Sign-in was cancelled. You can close this tab." */
	const char *error;    /* "Restream reported an error: " (the error code is appended) */
	const char *rejected; /* "This sign-in link is not valid any more. Start again from OBS." */
};

struct rfo_listener_config {
	uint16_t port;              /* 0 = ephemeral */
	const char *expected_state; /* required; copied */
	/* broker mode: the state the browser brings back is "<bound port>.<expected_state>" (the broker reads the
	 * port from it); rfo_listener_state gives the whole value */
	bool state_with_port;
	uint32_t timeout_ms; /* 0 = 5 minutes */
	struct rfo_listener_pages pages;
	rfo_listener_cb cb;
	void *param;
};

/* Binds and starts the thread; returns NULL with `err` set if the port cannot be bound.
 * Does not block (safe on the UI thread). */
struct rfo_listener *rfo_listener_create(const struct rfo_listener_config *cfg, struct rfo_error *err);
/* The state value the callback must carry (borrowed, valid until destroy; a secret: never log it). */
const char *rfo_listener_state(const struct rfo_listener *listener);
/* The bound port (host byte order). */
uint16_t rfo_listener_port(const struct rfo_listener *listener);
/* True once the flow has ended (callback delivered or timeout). */
bool rfo_listener_finished(const struct rfo_listener *listener);
/* Stops and joins the thread (within ~100 ms); no callback runs after it returns. Accepts NULL.
 * Never call it from the listener's own callback. */
void rfo_listener_destroy(struct rfo_listener *listener);

#ifdef __cplusplus
}
#endif
