#pragma once
/* Internals shared by rfo-auth.c (lifecycle, thread loop, getters), rfo-auth-sign-in.c (the browser sign-in),
 * rfo-auth-token.c (handing out the token, 401 reports) and rfo-auth-steps.c (the network and disk steps run on
 * the auth thread). Not for use outside plugin/net/rfo-auth*.c. A `_locked` helper expects the caller to hold
 * auth->mutex. */

#include <pthread.h>
#include <string.h>
#include <time.h>

#include <util/bmem.h>
#include <util/darray.h>
#include <util/platform.h>

#include "rfo-auth.h"
#include "rfo-http.h"
#include "rfo-log.h"
#include "rfo-oauth.h"

#define RFO_AUTH_DEFAULT_LIFETIME_S 3600

/* one sign-in attempt: the listener's callback param */
struct rfo_auth_flow {
	struct rfo_auth *auth;
	uint64_t gen;
	struct rfo_listener *listener;
};

struct rfo_auth {
	/* immutable after create */
	char *api_url, *token_url, *revoke_url, *profile_url, *client_id, *client_secret;
	char *broker_redirect; /* broker mode: <broker>/redirect; NULL otherwise */
	bool broker;
	uint16_t redirect_port;
	struct rfo_token_store *store;
	char *page_title, *page_success, *page_denied, *page_error, *page_rejected;
	rfo_auth_state_cb on_state;
	rfo_auth_token_cb on_token;
	void *param;
	uint32_t margin_s, retry_base_ms, http_timeout_ms, sign_in_timeout_ms;
	struct rfo_http *http;
	pthread_t thread;
	bool thread_started;

	/* Guards everything below (session state, tokens, the sign-in flow, jobs, the refresh schedule). A leaf lock:
	 * HTTP, the token store and the callbacks run without it. */
	pthread_mutex_t mutex;
	pthread_cond_t cond; /* wakes the auth thread and token waiters (CLOCK_MONOTONIC) */
	/* Held while finished flows are reaped (rfo_auth_reap_flows), whichever thread reaps: a new sign-in binds the
	 * fixed redirect port only once the previous attempt's listener has let go of it, also when the auth thread took
	 * that listener off the list first. Taken before `mutex`, never under it. */
	pthread_mutex_t reap_mutex;
	bool stop;
	enum rfo_auth_state state;
	bool state_dirty, token_dirty;
	struct rfo_token_record rec; /* tokens + user; empty when signed out */
	uint64_t session_gen;        /* bumped on sign-in/sign-out: stale refresh results are dropped */
	char *last_error;            /* English, from code + detail */
	enum rfo_auth_error last_error_code;
	char *last_error_detail;
	struct rfo_auth_stats stats;

	bool job_restore;
	/* sign-out: the stored record goes first, before anything else the thread does (even when stopping); a
	 * network wait in progress is abandoned for it (see abandoning_locked) */
	bool job_clear_store;
	DARRAY(char *) revoke_tokens; /* to send in this run */
	/* every token not yet revoked at Restream, mirrored in the token store's revoke-pending file (written
	 * before the record is cleared, rewritten when a revoke went through, sent again at the next start) */
	DARRAY(char *) revoke_pending;
	bool pending_dirty;

	uint64_t flow_gen;
	struct rfo_auth_flow *flow; /* current sign-in */
	char *flow_state, *flow_redirect_uri;
	enum rfo_auth_state state_before_sign_in;
	bool have_result;
	uint64_t result_gen;
	enum rfo_listener_outcome result_outcome;
	char *result_code, *result_error;
	DARRAY(struct rfo_auth_flow *) reap;

	bool refreshing, refresh_requested;
	uint64_t next_refresh_ns; /* monotonic; 0 = none scheduled */
	size_t retry_index;
	/* rfo_auth_report_rejected: the current access token was reported (its refresh is due or under
	 * way; cleared when a new token is installed); rejections in a row and when the last was */
	bool current_rejected;
	uint32_t reject_streak;
	uint64_t last_reject_ns;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static inline int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline char *dup_nonempty(const char *s)
{
	return s && *s ? bstrdup(s) : NULL;
}

static inline void set_state_locked(struct rfo_auth *auth, enum rfo_auth_state state)
{
	if (auth->state != state) {
		rfo_log_sub(LOG_INFO, "auth", "%s -> %s", rfo_auth_state_name(auth->state), rfo_auth_state_name(state));
		auth->state = state;
		auth->state_dirty = true;
	}
}

/* code RFO_AUTH_ERR_NONE clears the error; detail is the variable part ("%1"), may be NULL. */
static inline void set_error_locked(struct rfo_auth *auth, enum rfo_auth_error code, const char *detail)
{
	bfree(auth->last_error);
	bfree(auth->last_error_detail);
	auth->last_error_code = code;
	auth->last_error_detail = code ? dup_nonempty(detail) : NULL;
	auth->last_error = rfo_auth_error_format(rfo_auth_error_english(code), detail);
	auth->state_dirty = true; /* the status line shows it */
}

/* Signed in, possibly while signing in again (the old session stays usable until replaced). */
static inline bool session_active_locked(struct rfo_auth *auth)
{
	return auth->state == RFO_AUTH_SIGNED_IN ||
	       (auth->state == RFO_AUTH_SIGNING_IN && auth->state_before_sign_in == RFO_AUTH_SIGNED_IN);
}

/* The session's state, which a pending sign-in returns to if it fails. */
static inline void set_session_state_locked(struct rfo_auth *auth, enum rfo_auth_state state)
{
	if (auth->state == RFO_AUTH_SIGNING_IN)
		auth->state_before_sign_in = state;
	else
		set_state_locked(auth, state);
}

static inline bool token_valid_locked(struct rfo_auth *auth)
{
	const struct rfo_tokens *t = &auth->rec.tokens;
	return session_active_locked(auth) && t->access_token &&
	       (t->expires_at == 0 || wall_ms() < t->expires_at * 1000);
}

static inline void clear_tokens_locked(struct rfo_auth *auth, bool keep_user)
{
	int64_t id = auth->rec.user_id;
	char *u = keep_user ? auth->rec.username : NULL, *d = keep_user ? auth->rec.display_name : NULL;
	if (keep_user)
		auth->rec.username = auth->rec.display_name = NULL;
	rfo_token_record_free(&auth->rec);
	memset(&auth->rec, 0, sizeof(auth->rec));
	if (keep_user) {
		auth->rec.user_id = id;
		auth->rec.username = u;
		auth->rec.display_name = d;
	}
	auth->next_refresh_ns = 0;
	auth->refresh_requested = false;
	auth->retry_index = 0;
	auth->current_rejected = false;
	auth->reject_streak = 0;
	auth->stats.expires_at = 0;
}

static inline void schedule_refresh_locked(struct rfo_auth *auth)
{
	int64_t exp = auth->rec.tokens.expires_at;
	int64_t now = wall_ms();
	int64_t delay_ms;
	if (!exp) {
		delay_ms = (RFO_AUTH_DEFAULT_LIFETIME_S - 60) * 1000LL;
	} else {
		int64_t life_ms = exp * 1000 - now;
		int64_t margin_ms = (int64_t)auth->margin_s * 1000;
		if (margin_ms > life_ms / 2)
			margin_ms = life_ms / 2;
		delay_ms = life_ms - margin_ms;
	}
	if (delay_ms < 0)
		delay_ms = 0;
	auth->next_refresh_ns = os_gettime_ns() + (uint64_t)delay_ms * 1000000ULL;
	auth->stats.expires_at = exp;
}

/* Waits on auth->cond (the caller holds auth->mutex) until woken or until `until_ns` (monotonic; 0 = no limit). */
static inline void timed_wait_locked(struct rfo_auth *auth, uint64_t until_ns)
{
	if (!until_ns) {
		pthread_cond_wait(&auth->cond, &auth->mutex);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = os_gettime_ns();
	uint64_t delta = until_ns > now ? until_ns - now : 0;
	uint64_t ns = (uint64_t)ts.tv_nsec + delta % 1000000000ULL;
	ts.tv_sec += (time_t)(delta / 1000000000ULL + ns / 1000000000ULL);
	ts.tv_nsec = (long)(ns % 1000000000ULL);
	pthread_cond_timedwait(&auth->cond, &auth->mutex, &ts);
}

static inline void enqueue_revoke_locked(struct rfo_auth *auth, const char *token)
{
	if (token && *token) {
		da_push_back(auth->revoke_tokens, &(char *){bstrdup(token)});
		da_push_back(auth->revoke_pending, &(char *){bstrdup(token)});
		auth->pending_dirty = true;
	}
}

/* A network wait of the auth thread gives up for a sign-out: its stored record must go at once. (A stop cancels the
 * request itself.) */
static inline bool abandoning_locked(struct rfo_auth *auth)
{
	return auth->job_clear_store;
}

/* Destroys the listeners of ended flows (any thread, without the mutex): a fixed port is free again after it. */
void rfo_auth_reap_flows(struct rfo_auth *auth);

/* Steps on the auth thread, called without the mutex. */
/* Writes the revoke-pending file when it changed (a no-op otherwise). */
void rfo_auth_step_save_pending(struct rfo_auth *auth);
/* Loads the revoke-pending file into the queue (start); true when `rec` holds a token waiting to be revoked (a
 * signed-out session whose record could not be removed: it must not come back). */
bool rfo_auth_step_load_pending(struct rfo_auth *auth, const struct rfo_token_record *rec);
void rfo_auth_step_refresh(struct rfo_auth *auth);
void rfo_auth_step_restore(struct rfo_auth *auth);
/* Takes `token` (wiped and freed). */
void rfo_auth_step_revoke(struct rfo_auth *auth, char *token);
/* The listener's answer for flow `fgen`; `prev` is the state to return to on failure. */
void rfo_auth_step_result(struct rfo_auth *auth, uint64_t fgen, enum rfo_listener_outcome outcome, const char *code,
			  const char *error, const char *redirect_uri, enum rfo_auth_state prev);
