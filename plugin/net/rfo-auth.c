#include "rfo-auth.h"

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#include "rfo-http.h"
#include "rfo-log.h"
#include "rfo-oauth.h"
#include "rfo-rest.h"
#include "rfo-token-store.h"
#include "rfo-url.h"

#define LOGSUB "auth"
#define STATE_BYTES 32
#define UNAUTHORIZED_DEBOUNCE_NS (10ULL * 1000000000ULL)
#define DEFAULT_LIFETIME_S 3600

static const char *const RECONNECT_MSG =
	"Restream signed this plugin out (the sign-in was revoked or expired). Click Reconnect to sign in again.";

/* one sign-in attempt: the listener's callback param */
struct flow {
	struct rfo_auth *auth;
	uint64_t gen;
	struct rfo_listener *listener;
};

struct rfo_auth {
	/* immutable after create */
	char *api_url, *token_url, *revoke_url, *profile_url, *client_id, *client_secret;
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

	/* everything below under mutex */
	pthread_mutex_t mutex;
	pthread_cond_t cond; /* wakes the auth thread and token waiters (CLOCK_MONOTONIC) */
	bool stop;
	enum rfo_auth_state state;
	bool state_dirty, token_dirty;
	struct rfo_token_record rec; /* tokens + user; empty when signed out */
	uint64_t session_gen;        /* bumped on sign-in/sign-out: stale refresh results are dropped */
	char *last_error;
	struct rfo_auth_stats stats;

	bool job_restore;
	bool job_clear_store;
	DARRAY(char *) revoke_tokens;

	uint64_t flow_gen;
	struct flow *flow; /* current sign-in */
	char *flow_state, *flow_redirect_uri;
	enum rfo_auth_state state_before_sign_in;
	bool have_result;
	uint64_t result_gen;
	enum rfo_listener_outcome result_outcome;
	char *result_code, *result_error;
	DARRAY(struct flow *) reap;

	bool refreshing, refresh_requested;
	uint64_t next_refresh_ns; /* monotonic; 0 = none scheduled */
	size_t retry_index;
	uint64_t last_refresh_ok_ns;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_nonempty(const char *s)
{
	return s && *s ? bstrdup(s) : NULL;
}

static void set_state_locked(struct rfo_auth *auth, enum rfo_auth_state state)
{
	if (auth->state != state) {
		rfo_log_sub(LOG_INFO, LOGSUB, "%s -> %s", rfo_auth_state_name(auth->state), rfo_auth_state_name(state));
		auth->state = state;
		auth->state_dirty = true;
	}
}

static void set_error_locked(struct rfo_auth *auth, const char *msg)
{
	bfree(auth->last_error);
	auth->last_error = dup_nonempty(msg);
	auth->state_dirty = true; /* the status line shows it */
}

/* Signed in, possibly while signing in again (the old session stays usable until replaced). */
static bool session_active_locked(struct rfo_auth *auth)
{
	return auth->state == RFO_AUTH_SIGNED_IN ||
	       (auth->state == RFO_AUTH_SIGNING_IN && auth->state_before_sign_in == RFO_AUTH_SIGNED_IN);
}

/* The session's state, which a pending sign-in returns to if it fails. */
static void set_session_state_locked(struct rfo_auth *auth, enum rfo_auth_state state)
{
	if (auth->state == RFO_AUTH_SIGNING_IN)
		auth->state_before_sign_in = state;
	else
		set_state_locked(auth, state);
}

static bool token_valid_locked(struct rfo_auth *auth)
{
	const struct rfo_tokens *t = &auth->rec.tokens;
	return session_active_locked(auth) && t->access_token &&
	       (t->expires_at == 0 || wall_ms() < t->expires_at * 1000);
}

static void clear_tokens_locked(struct rfo_auth *auth, bool keep_user)
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
	auth->stats.expires_at = 0;
}

static void schedule_refresh_locked(struct rfo_auth *auth)
{
	int64_t exp = auth->rec.tokens.expires_at;
	int64_t now = wall_ms();
	int64_t delay_ms;
	if (!exp) {
		delay_ms = (DEFAULT_LIFETIME_S - 60) * 1000LL;
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

/* 5 s, 10 s, 30 s, 60 s, then 60 s (scaled by retry_base_ms / 5000) */
static uint64_t backoff_ns(struct rfo_auth *auth)
{
	static const uint32_t steps[] = {1, 2, 6, 12};
	size_t i = auth->retry_index < 4 ? auth->retry_index : 3;
	auth->retry_index++;
	return (uint64_t)steps[i] * auth->retry_base_ms * 1000000ULL;
}

/* ---- synchronous HTTP on the auth thread over rfo-http's worker ---------------------------- */

struct sync_req {
	os_event_t *done;
	long status;
	char *body;
	size_t len;
	struct rfo_error err;
};

static void sync_done(void *param, struct rfo_http_response *resp)
{
	struct sync_req *s = param;
	s->status = resp->status;
	s->body = resp->body;
	s->len = resp->len;
	resp->body = NULL;
	s->err = resp->error;
	os_event_signal(s->done);
}

static void http_call(struct rfo_auth *auth, struct rfo_http_request *req, struct sync_req *out)
{
	memset(out, 0, sizeof(*out));
	req->timeout_ms = (int)auth->http_timeout_ms;
	os_event_init(&out->done, OS_EVENT_TYPE_MANUAL);
	if (rfo_http_submit(auth->http, req, sync_done, out))
		os_event_wait(out->done); /* done() always comes; rfo_http_stop cancels */
	else
		rfo_error_set(&out->err, RFO_ERR_CANCELLED, "Shutting down.");
	os_event_destroy(out->done);
}

static void sync_free(struct sync_req *s)
{
	if (s->body) {
		rfo_oauth_record_wipe_free(s->body); /* token replies carry secrets */
		s->body = NULL;
	}
}

/* POST a form to the token endpoint (or revoke), with HTTP Basic client auth unless a broker. */
static void token_post(struct rfo_auth *auth, const char *url, const char *body, struct sync_req *out)
{
	struct rfo_http_request req = {
		.method = RFO_HTTP_POST,
		.url = url,
		.content_type = "application/x-www-form-urlencoded",
		.body = body,
	};
	char *basic = NULL;
	struct dstr header = {0};
	if (!auth->broker && auth->client_secret &&
	    (basic = rfo_oauth_basic_auth(auth->client_id, auth->client_secret))) {
		dstr_printf(&header, "Authorization: %s", basic);
		rfo_oauth_record_wipe_free(basic);
	}
	const char *headers[] = {header.array, NULL};
	if (header.array)
		req.headers = headers;
	http_call(auth, &req, out);
	if (header.array) {
		memset(header.array, 0, header.len);
		dstr_free(&header);
	}
}

static const char *form_client_id(struct rfo_auth *auth)
{
	/* with HTTP Basic the id travels in the header; a broker (or a secret-less client) gets it in the form */
	return (!auth->broker && auth->client_secret) ? NULL : auth->client_id;
}

/* ---- steps on the auth thread (called without the mutex) ------------------------------------ */

static bool persist(struct rfo_auth *auth, const struct rfo_token_record *rec, struct rfo_error *err)
{
	if (!auth->store)
		return true;
	char *json = rfo_oauth_record_to_json(rec);
	bool ok = json && rfo_token_store_save(auth->store, json, err);
	rfo_oauth_record_wipe_free(json);
	return ok;
}

static void enqueue_revoke_locked(struct rfo_auth *auth, const char *token)
{
	if (token)
		da_push_back(auth->revoke_tokens, &(char *){bstrdup(token)});
}

static void do_refresh(struct rfo_auth *auth)
{
	pthread_mutex_lock(&auth->mutex);
	uint64_t gen = auth->session_gen;
	char *refresh = dup_nonempty(auth->rec.tokens.refresh_token);
	pthread_mutex_unlock(&auth->mutex);

	if (!refresh) {
		pthread_mutex_lock(&auth->mutex);
		if (gen == auth->session_gen) {
			clear_tokens_locked(auth, true);
			set_error_locked(auth, RECONNECT_MSG);
			set_session_state_locked(auth, RFO_AUTH_RECONNECT_NEEDED);
		}
		pthread_mutex_unlock(&auth->mutex);
		return;
	}

	char *body = rfo_oauth_refresh_body(refresh, form_client_id(auth), NULL);
	struct sync_req r;
	token_post(auth, auth->token_url, body, &r);
	rfo_oauth_record_wipe_free(body);
	rfo_oauth_record_wipe_free(refresh);

	struct rfo_tokens tokens = {0};
	struct rfo_error perr = {0};
	bool ok = r.err.code == RFO_ERR_NONE && r.status >= 200 && r.status < 300 &&
		  rfo_oauth_parse_tokens(r.body, r.len, wall_ms() / 1000, &tokens, &perr);
	struct rfo_oauth_error oerr = {0};
	bool fatal = false;
	if (!ok && r.err.code == RFO_ERR_NONE && (r.status < 200 || r.status >= 300)) {
		rfo_oauth_parse_error(r.body, r.len, r.status, &oerr);
		fatal = rfo_oauth_is_fatal(r.status, &oerr);
	}
	bool cancelled = r.err.code == RFO_ERR_CANCELLED;
	sync_free(&r);
	if (cancelled) {
		rfo_tokens_free(&tokens);
		return;
	}

	if (ok) {
		/* persist the rotated pair before anyone uses it */
		pthread_mutex_lock(&auth->mutex);
		struct rfo_token_record rec = {.tokens = tokens, .user_id = auth->rec.user_id};
		if (!rec.tokens.refresh_token)
			rec.tokens.refresh_token = dup_nonempty(auth->rec.tokens.refresh_token);
		rec.username = dup_nonempty(auth->rec.username);
		rec.display_name = dup_nonempty(auth->rec.display_name);
		bool stale = gen != auth->session_gen;
		pthread_mutex_unlock(&auth->mutex);

		struct rfo_error serr = {0};
		bool saved = stale || persist(auth, &rec, &serr);

		pthread_mutex_lock(&auth->mutex);
		if (stale || gen != auth->session_gen) {
			/* signed out meanwhile: throw the new pair away and revoke it */
			enqueue_revoke_locked(auth, rec.tokens.refresh_token);
			rfo_token_record_free(&rec);
		} else {
			rfo_token_record_free(&auth->rec);
			auth->rec = rec;
			auth->retry_index = 0;
			auth->stats.refreshes++;
			auth->last_refresh_ok_ns = os_gettime_ns();
			if (!saved)
				set_error_locked(auth, serr.message);
			schedule_refresh_locked(auth);
			set_session_state_locked(auth, RFO_AUTH_SIGNED_IN);
			auth->token_dirty = true;
			rfo_log_sub(LOG_INFO, LOGSUB, "access token refreshed");
		}
		pthread_mutex_unlock(&auth->mutex);
		return;
	}

	pthread_mutex_lock(&auth->mutex);
	if (gen == auth->session_gen) {
		if (fatal) {
			rfo_log_sub(LOG_WARNING, LOGSUB, "refresh refused (HTTP %ld, %s): reconnect needed", r.status,
				    oerr.code[0] ? oerr.code : "no error code");
			clear_tokens_locked(auth, true);
			set_error_locked(auth, RECONNECT_MSG);
			set_session_state_locked(auth, RFO_AUTH_RECONNECT_NEEDED);
		} else {
			auth->stats.refresh_failures++;
			uint64_t delay = backoff_ns(auth);
			auth->next_refresh_ns = os_gettime_ns() + delay;
			rfo_log_sub(LOG_WARNING, LOGSUB, "refresh failed (%s); retrying in %.1f s",
				    r.err.code ? r.err.message : (perr.code ? "unreadable reply" : "server error"),
				    (double)delay / 1e9);
		}
	}
	pthread_mutex_unlock(&auth->mutex);
}

static bool fetch_profile(struct rfo_auth *auth, const char *access, struct rfo_profile *out, struct rfo_error *err)
{
	struct rfo_http_request req = {.method = RFO_HTTP_GET, .url = auth->profile_url, .bearer_token = access};
	struct sync_req r;
	http_call(auth, &req, &r);
	bool ok = false;
	if (r.err.code)
		rfo_error_set(err, r.err.code, "%s", r.err.message);
	else if (r.status < 200 || r.status >= 300)
		rfo_error_set(err, (int)r.status, "Restream answered HTTP %ld when reading your profile.", r.status);
	else
		ok = rfo_rest_parse_profile(r.body, r.len, out, err);
	sync_free(&r);
	return ok;
}

/* The browser came back with a code whose state matched. */
static void finish_sign_in(struct rfo_auth *auth, uint64_t fgen, const char *code, const char *redirect_uri,
			   enum rfo_auth_state prev)
{
	struct rfo_error err = {0};
	struct rfo_tokens tokens = {0};
	struct rfo_profile profile = {0};
	struct rfo_token_record rec = {0};
	struct sync_req r;

	char *body = rfo_oauth_code_body(code, redirect_uri, form_client_id(auth), NULL);
	token_post(auth, auth->token_url, body, &r);
	rfo_oauth_record_wipe_free(body);
	if (r.err.code) {
		rfo_error_set(&err, r.err.code, "%s", r.err.message);
	} else if (r.status < 200 || r.status >= 300) {
		struct rfo_oauth_error oerr;
		rfo_oauth_parse_error(r.body, r.len, r.status, &oerr);
		rfo_error_set(&err, (int)r.status, "%s", oerr.message);
	} else {
		rfo_oauth_parse_tokens(r.body, r.len, wall_ms() / 1000, &tokens, &err);
	}
	sync_free(&r);
	if (err.code == RFO_ERR_CANCELLED)
		goto cleanup;
	if (err.code)
		goto fail;
	if (!fetch_profile(auth, tokens.access_token, &profile, &err))
		goto fail;

	rec.tokens = tokens;
	memset(&tokens, 0, sizeof(tokens));
	rec.user_id = profile.id;
	rec.username = dup_nonempty(profile.username);
	rec.display_name = dup_nonempty(profile.display_name);

	struct rfo_error serr = {0};
	bool saved = persist(auth, &rec, &serr); /* before the token is used anywhere */

	pthread_mutex_lock(&auth->mutex);
	if (fgen != auth->flow_gen) {
		/* cancelled or signed out while we were exchanging: drop and revoke the new pair */
		enqueue_revoke_locked(auth, rec.tokens.refresh_token);
		pthread_mutex_unlock(&auth->mutex);
		goto cleanup;
	}
	if (auth->rec.tokens.refresh_token) /* replacing a session: retire its pair */
		enqueue_revoke_locked(auth, auth->rec.tokens.refresh_token);
	rfo_token_record_free(&auth->rec);
	auth->rec = rec;
	memset(&rec, 0, sizeof(rec));
	auth->session_gen++;
	auth->retry_index = 0;
	auth->refresh_requested = false;
	auth->last_refresh_ok_ns = os_gettime_ns(); /* a brand-new token: a 401 now is not about expiry */
	set_error_locked(auth, saved ? NULL : serr.message);
	schedule_refresh_locked(auth);
	set_state_locked(auth, RFO_AUTH_SIGNED_IN);
	auth->token_dirty = true;
	pthread_mutex_unlock(&auth->mutex);
	rfo_log_sub(LOG_INFO, LOGSUB, "signed in as %s", profile.username ? profile.username : "(unknown)");
	goto cleanup;

fail:
	rfo_log_sub(LOG_WARNING, LOGSUB, "sign-in failed: %s", err.message);
	pthread_mutex_lock(&auth->mutex);
	if (fgen != auth->flow_gen) {
		pthread_mutex_unlock(&auth->mutex);
		goto cleanup;
	}
	struct dstr msg = {0};
	dstr_printf(&msg, "Could not finish signing in to Restream: %s Click Sign in to try again.", err.message);
	set_error_locked(auth, msg.array);
	dstr_free(&msg);
	set_state_locked(auth, prev);
	pthread_mutex_unlock(&auth->mutex);
cleanup:
	rfo_tokens_free(&tokens);
	rfo_profile_free(&profile);
	rfo_token_record_free(&rec);
}

static void do_restore(struct rfo_auth *auth)
{
	char *json = NULL;
	struct rfo_error err = {0};
	struct rfo_token_record rec = {0};
	pthread_mutex_lock(&auth->mutex);
	uint64_t gen = auth->session_gen;
	pthread_mutex_unlock(&auth->mutex);

	if (!rfo_token_store_load(auth->store, &json, &err)) {
		pthread_mutex_lock(&auth->mutex);
		set_error_locked(auth, err.message);
		pthread_mutex_unlock(&auth->mutex);
		return;
	}
	if (!json) {
		rfo_log_sub(LOG_INFO, LOGSUB, "no stored sign-in");
		return;
	}
	bool ok = rfo_oauth_record_from_json(json, strlen(json), &rec, &err);
	rfo_oauth_record_wipe_free(json);

	pthread_mutex_lock(&auth->mutex);
	if (!ok) {
		rfo_log_sub(LOG_WARNING, LOGSUB, "stored sign-in unreadable: %s", err.message);
		set_error_locked(auth, RECONNECT_MSG);
		set_session_state_locked(auth, RFO_AUTH_RECONNECT_NEEDED);
	} else if (gen == auth->session_gen && auth->state != RFO_AUTH_SIGNED_IN && !auth->rec.tokens.access_token) {
		rfo_token_record_free(&auth->rec);
		auth->rec = rec;
		memset(&rec, 0, sizeof(rec));
		auth->session_gen++;
		schedule_refresh_locked(auth); /* due now when expired */
		set_session_state_locked(auth, RFO_AUTH_SIGNED_IN);
		if (token_valid_locked(auth))
			auth->token_dirty = true;
		rfo_log_sub(LOG_INFO, LOGSUB, "restored the stored sign-in (%s)",
			    rfo_token_store_backend_name(auth->store));
	}
	pthread_mutex_unlock(&auth->mutex);
	rfo_token_record_free(&rec);
}

static void do_revoke(struct rfo_auth *auth, char *token)
{
	char *body = rfo_oauth_revoke_body(token, "refresh_token");
	struct sync_req r;
	token_post(auth, auth->revoke_url, body, &r);
	if (r.err.code == RFO_ERR_NONE && r.status >= 200 && r.status < 300)
		rfo_log_sub(LOG_INFO, LOGSUB, "sign-in revoked at Restream");
	else if (r.err.code != RFO_ERR_CANCELLED)
		rfo_log_sub(LOG_WARNING, LOGSUB, "revoke failed (HTTP %ld); the local sign-in is removed anyway",
			    r.status);
	sync_free(&r);
	rfo_oauth_record_wipe_free(body);
	rfo_oauth_record_wipe_free(token);
}

static void handle_result(struct rfo_auth *auth, uint64_t fgen, enum rfo_listener_outcome outcome, char *code,
			  char *error, char *redirect_uri, enum rfo_auth_state prev)
{
	if (outcome == RFO_LISTENER_CODE) {
		finish_sign_in(auth, fgen, code, redirect_uri, prev);
		return;
	}
	const char *msg = NULL;
	struct dstr buf = {0};
	switch (outcome) {
	case RFO_LISTENER_DENIED:
		msg = "Sign-in was cancelled in the browser. Click Sign in to try again.";
		break;
	case RFO_LISTENER_ERROR:
		dstr_printf(&buf, "Restream refused the sign-in (%s). Click Sign in to try again.", error ? error : "");
		msg = buf.array;
		break;
	case RFO_LISTENER_TIMEOUT:
		msg = "Sign-in timed out: the browser did not come back within 5 minutes. Click Sign in to try again.";
		break;
	default:
		msg = "The sign-in answer did not match this request and was ignored. Click Sign in to try again.";
		break;
	}
	pthread_mutex_lock(&auth->mutex);
	if (fgen == auth->flow_gen) {
		set_error_locked(auth, msg);
		set_state_locked(auth, prev);
	}
	pthread_mutex_unlock(&auth->mutex);
	dstr_free(&buf);
}

/* ---- the auth thread ------------------------------------------------------------------------ */

static void notify(struct rfo_auth *auth)
{
	pthread_mutex_lock(&auth->mutex);
	bool st = auth->state_dirty, tok = auth->token_dirty && session_active_locked(auth);
	enum rfo_auth_state state = auth->state;
	auth->state_dirty = auth->token_dirty = false;
	pthread_mutex_unlock(&auth->mutex);
	if (st && auth->on_state)
		auth->on_state(auth->param, state);
	if (tok && auth->on_token)
		auth->on_token(auth->param);
}

static void reap_flows(struct rfo_auth *auth)
{
	pthread_mutex_lock(&auth->mutex);
	DARRAY(struct flow *) reap = {0};
	da_move(reap, auth->reap);
	pthread_mutex_unlock(&auth->mutex);
	for (size_t i = 0; i < reap.num; i++) {
		rfo_listener_destroy(reap.array[i]->listener);
		bfree(reap.array[i]);
	}
	da_free(reap);
}

static void timed_wait_locked(struct rfo_auth *auth, uint64_t until_ns)
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

static void *auth_thread(void *data)
{
	struct rfo_auth *auth = data;
	os_set_thread_name("rfo-auth");
	for (;;) {
		notify(auth);
		reap_flows(auth);

		pthread_mutex_lock(&auth->mutex);
		if (auth->stop) {
			pthread_mutex_unlock(&auth->mutex);
			break;
		}
		if (auth->job_clear_store) {
			auth->job_clear_store = false;
			pthread_mutex_unlock(&auth->mutex);
			struct rfo_error err = {0};
			if (!rfo_token_store_clear(auth->store, &err))
				rfo_log_sub(LOG_WARNING, LOGSUB, "could not remove the stored sign-in: %s",
					    err.message);
			continue;
		}
		if (auth->revoke_tokens.num) {
			char *token = auth->revoke_tokens.array[0];
			da_erase(auth->revoke_tokens, 0);
			pthread_mutex_unlock(&auth->mutex);
			do_revoke(auth, token);
			continue;
		}
		if (auth->job_restore) {
			auth->job_restore = false;
			pthread_mutex_unlock(&auth->mutex);
			do_restore(auth);
			continue;
		}
		if (auth->have_result) {
			auth->have_result = false;
			uint64_t fgen = auth->result_gen;
			enum rfo_listener_outcome outcome = auth->result_outcome;
			char *code = auth->result_code, *error = auth->result_error;
			char *redirect_uri = bstrdup(auth->flow_redirect_uri ? auth->flow_redirect_uri : "");
			enum rfo_auth_state prev = auth->state_before_sign_in;
			auth->result_code = auth->result_error = NULL;
			if (fgen == auth->flow_gen && auth->flow) {
				da_push_back(auth->reap, &auth->flow);
				auth->flow = NULL;
			}
			pthread_mutex_unlock(&auth->mutex);
			reap_flows(auth);
			handle_result(auth, fgen, outcome, code, error, redirect_uri, prev);
			rfo_oauth_record_wipe_free(code);
			bfree(error);
			bfree(redirect_uri);
			continue;
		}
		bool due = session_active_locked(auth) &&
			   (auth->refresh_requested ||
			    (auth->next_refresh_ns && os_gettime_ns() >= auth->next_refresh_ns));
		if (due) {
			auth->refreshing = true;
			auth->refresh_requested = false;
			auth->next_refresh_ns = 0;
			pthread_mutex_unlock(&auth->mutex);
			do_refresh(auth);
			pthread_mutex_lock(&auth->mutex);
			auth->refreshing = false;
			pthread_cond_broadcast(&auth->cond); /* token waiters */
			pthread_mutex_unlock(&auth->mutex);
			continue;
		}
		if (!auth->state_dirty && !auth->token_dirty && !auth->reap.num)
			timed_wait_locked(auth, auth->next_refresh_ns);
		pthread_mutex_unlock(&auth->mutex);
	}
	return NULL;
}

/* ---- public API ------------------------------------------------------------------------------ */

static char *url_or_default(const char *url, const char *api, const char *path)
{
	return url && *url ? bstrdup(url) : rfo_url_join(api, path);
}

struct rfo_auth *rfo_auth_create(const struct rfo_auth_config *cfg, struct rfo_error *err)
{
	if (!cfg || !cfg->api_url || !*cfg->api_url || !cfg->client_id || !*cfg->client_id) {
		rfo_error_set(err, RFO_ERR_INVALID, "Restream sign-in needs an API URL and a client id.");
		return NULL;
	}
	struct rfo_auth *auth = bzalloc(sizeof(*auth));
	pthread_mutex_init(&auth->mutex, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&auth->cond, &ca);
	pthread_condattr_destroy(&ca);

	auth->api_url = bstrdup(cfg->api_url);
	auth->broker = cfg->token_url && *cfg->token_url;
	auth->token_url = url_or_default(cfg->token_url, cfg->api_url, "oauth/token");
	auth->revoke_url = url_or_default(cfg->revoke_url, cfg->api_url, "oauth/revoke");
	auth->profile_url = rfo_url_join(cfg->api_url, "v2/user/profile");
	auth->client_id = bstrdup(cfg->client_id);
	auth->client_secret = dup_nonempty(cfg->client_secret);
	auth->redirect_port = cfg->redirect_port;
	auth->store = cfg->store;
	auth->page_title = dup_nonempty(cfg->pages.title);
	auth->page_success = dup_nonempty(cfg->pages.success);
	auth->page_denied = dup_nonempty(cfg->pages.denied);
	auth->page_error = dup_nonempty(cfg->pages.error);
	auth->page_rejected = dup_nonempty(cfg->pages.rejected);
	auth->on_state = cfg->on_state;
	auth->on_token = cfg->on_token;
	auth->param = cfg->param;
	auth->margin_s = cfg->refresh_margin_s ? cfg->refresh_margin_s : 60;
	auth->retry_base_ms = cfg->retry_base_ms ? cfg->retry_base_ms : 5000;
	auth->http_timeout_ms = cfg->http_timeout_ms ? cfg->http_timeout_ms : 15000;
	auth->sign_in_timeout_ms = cfg->sign_in_timeout_ms;

	const char *urls[] = {auth->api_url, auth->token_url, auth->revoke_url};
	for (size_t i = 0; i < 3; i++) {
		if (!urls[i] || !rfo_url_check(urls[i], err)) {
			rfo_log_sub(LOG_WARNING, LOGSUB, "refused endpoint: %s", err ? err->message : "bad URL");
			goto fail;
		}
	}
	auth->http = rfo_http_create("rfo-auth-http");
	if (!auth->http || pthread_create(&auth->thread, NULL, auth_thread, auth) != 0) {
		rfo_error_set(err, RFO_ERR_STATE, "Could not start the Restream sign-in thread.");
		goto fail;
	}
	auth->thread_started = true;
	return auth;

fail:
	rfo_auth_destroy(auth);
	return NULL;
}

void rfo_auth_destroy(struct rfo_auth *auth)
{
	if (!auth)
		return;
	pthread_mutex_lock(&auth->mutex);
	auth->stop = true;
	auth->flow_gen++;
	if (auth->flow)
		da_push_back(auth->reap, &auth->flow);
	auth->flow = NULL;
	pthread_cond_broadcast(&auth->cond);
	pthread_mutex_unlock(&auth->mutex);

	rfo_http_stop(auth->http); /* cancels a request in flight: the thread wakes at once */
	if (auth->thread_started)
		pthread_join(auth->thread, NULL);
	reap_flows(auth);
	rfo_http_destroy(auth->http);

	for (size_t i = 0; i < auth->revoke_tokens.num; i++)
		rfo_oauth_record_wipe_free(auth->revoke_tokens.array[i]);
	da_free(auth->revoke_tokens);
	da_free(auth->reap);
	rfo_token_record_free(&auth->rec);
	rfo_oauth_record_wipe_free(auth->result_code);
	bfree(auth->result_error);
	rfo_oauth_record_wipe_free(auth->flow_state);
	bfree(auth->flow_redirect_uri);
	bfree(auth->last_error);
	char *strs[] = {auth->api_url,    auth->token_url,    auth->revoke_url,   auth->profile_url,
			auth->client_id,  auth->page_title,   auth->page_success, auth->page_denied,
			auth->page_error, auth->page_rejected};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		bfree(strs[i]);
	rfo_oauth_record_wipe_free(auth->client_secret);
	pthread_cond_destroy(&auth->cond);
	pthread_mutex_destroy(&auth->mutex);
	bfree(auth);
}

void rfo_auth_restore(struct rfo_auth *auth)
{
	if (!auth)
		return;
	pthread_mutex_lock(&auth->mutex);
	auth->job_restore = true;
	pthread_cond_broadcast(&auth->cond);
	pthread_mutex_unlock(&auth->mutex);
}

static void on_listener(void *param, const struct rfo_listener_result *res)
{
	struct flow *flow = param;
	struct rfo_auth *auth = flow->auth;
	pthread_mutex_lock(&auth->mutex);
	if (flow->gen == auth->flow_gen && !auth->stop) {
		rfo_oauth_record_wipe_free(auth->result_code);
		bfree(auth->result_error);
		auth->have_result = true;
		auth->result_gen = flow->gen;
		auth->result_outcome = res->outcome;
		auth->result_code = dup_nonempty(res->code);
		auth->result_error = dup_nonempty(res->error);
		pthread_cond_broadcast(&auth->cond);
	}
	pthread_mutex_unlock(&auth->mutex);
}

static bool random_state(char **out, struct rfo_error *err)
{
	uint8_t bytes[STATE_BYTES];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	while (fd >= 0 && got < sizeof(bytes)) {
		ssize_t n = read(fd, bytes + got, sizeof(bytes) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	if (got != sizeof(bytes)) {
		rfo_error_set(err, RFO_ERR_STATE, "Could not read random bytes for the sign-in.");
		return false;
	}
	*out = rfo_oauth_state_from_bytes(bytes, sizeof(bytes));
	memset(bytes, 0, sizeof(bytes));
	return *out != NULL;
}

bool rfo_auth_begin_sign_in(struct rfo_auth *auth, char **authorize_url_out, struct rfo_error *err)
{
	*authorize_url_out = NULL;
	if (!auth) {
		rfo_error_set(err, RFO_ERR_INVALID, "Restream sign-in is not available.");
		return false;
	}
	char *state = NULL;
	if (!random_state(&state, err))
		return false;

	struct flow *flow = bzalloc(sizeof(*flow));
	flow->auth = auth;
	pthread_mutex_lock(&auth->mutex);
	flow->gen = ++auth->flow_gen; /* from here on, the previous flow's callbacks are ignored */
	if (auth->flow)
		da_push_back(auth->reap, &auth->flow);
	auth->flow = NULL;
	pthread_cond_broadcast(&auth->cond);
	pthread_mutex_unlock(&auth->mutex);

	struct rfo_listener_config lc = {
		.port = auth->redirect_port,
		.expected_state = state,
		.timeout_ms = auth->sign_in_timeout_ms,
		.pages = {auth->page_title, auth->page_success, auth->page_denied, auth->page_error,
			  auth->page_rejected},
		.cb = on_listener,
		.param = flow,
	};
	flow->listener = rfo_listener_create(&lc, err);
	if (!flow->listener) {
		bfree(flow);
		rfo_oauth_record_wipe_free(state);
		return false;
	}
	struct dstr redirect = {0};
	dstr_printf(&redirect, "http://localhost:%u/callback", rfo_listener_port(flow->listener));
	char *url = rfo_oauth_authorize_url(auth->api_url, auth->client_id, redirect.array, state);

	pthread_mutex_lock(&auth->mutex);
	if (flow->gen != auth->flow_gen || auth->stop || !url) {
		da_push_back(auth->reap, &flow); /* another begin/cancel won the race */
		pthread_mutex_unlock(&auth->mutex);
		rfo_error_set(err, RFO_ERR_STATE, "Another sign-in was started.");
		dstr_free(&redirect);
		rfo_oauth_record_wipe_free(state);
		bfree(url);
		return false;
	}
	auth->flow = flow;
	rfo_oauth_record_wipe_free(auth->flow_state);
	auth->flow_state = state;
	bfree(auth->flow_redirect_uri);
	auth->flow_redirect_uri = redirect.array;
	if (auth->state != RFO_AUTH_SIGNING_IN) {
		auth->state_before_sign_in = auth->state;
		set_state_locked(auth, RFO_AUTH_SIGNING_IN);
	}
	pthread_cond_broadcast(&auth->cond);
	pthread_mutex_unlock(&auth->mutex);
	rfo_log_sub(LOG_INFO, LOGSUB, "waiting for the browser on http://localhost:%u/callback",
		    rfo_listener_port(flow->listener));
	*authorize_url_out = url;
	return true;
}

void rfo_auth_cancel_sign_in(struct rfo_auth *auth)
{
	if (!auth)
		return;
	pthread_mutex_lock(&auth->mutex);
	if (auth->state == RFO_AUTH_SIGNING_IN) {
		auth->flow_gen++;
		if (auth->flow)
			da_push_back(auth->reap, &auth->flow);
		auth->flow = NULL;
		set_state_locked(auth, auth->state_before_sign_in);
		pthread_cond_broadcast(&auth->cond);
	}
	pthread_mutex_unlock(&auth->mutex);
}

void rfo_auth_sign_out(struct rfo_auth *auth)
{
	if (!auth)
		return;
	pthread_mutex_lock(&auth->mutex);
	auth->flow_gen++;
	if (auth->flow)
		da_push_back(auth->reap, &auth->flow);
	auth->flow = NULL;
	enqueue_revoke_locked(auth, auth->rec.tokens.refresh_token ? auth->rec.tokens.refresh_token
								   : auth->rec.tokens.access_token);
	clear_tokens_locked(auth, false);
	auth->session_gen++;
	auth->job_clear_store = true;
	auth->job_restore = false;
	set_error_locked(auth, NULL);
	set_state_locked(auth, RFO_AUTH_SIGNED_OUT);
	auth->state_dirty = true;
	pthread_cond_broadcast(&auth->cond);
	pthread_mutex_unlock(&auth->mutex);
	rfo_log_sub(LOG_INFO, LOGSUB, "signing out");
}

bool rfo_auth_get_token(struct rfo_auth *auth, char **token_out)
{
	*token_out = NULL;
	if (!auth)
		return false;
	pthread_mutex_lock(&auth->mutex);
	if (token_valid_locked(auth)) {
		*token_out = bstrdup(auth->rec.tokens.access_token);
	} else if (session_active_locked(auth) && !auth->refreshing && !auth->retry_index) {
		auth->refresh_requested = true; /* expired: refresh now */
		pthread_cond_broadcast(&auth->cond);
	}
	pthread_mutex_unlock(&auth->mutex);
	return *token_out != NULL;
}

bool rfo_auth_wait_token(struct rfo_auth *auth, uint32_t timeout_ms, char **token_out)
{
	*token_out = NULL;
	if (!auth)
		return false;
	uint64_t until = os_gettime_ns() + (uint64_t)timeout_ms * 1000000ULL;
	pthread_mutex_lock(&auth->mutex);
	for (;;) {
		if (token_valid_locked(auth) && !auth->refreshing) {
			*token_out = bstrdup(auth->rec.tokens.access_token);
			break;
		}
		if (auth->stop || !session_active_locked(auth) || os_gettime_ns() >= until)
			break;
		if (!auth->refreshing && !auth->retry_index && !token_valid_locked(auth)) {
			auth->refresh_requested = true;
			pthread_cond_broadcast(&auth->cond);
		}
		timed_wait_locked(auth, until);
	}
	pthread_mutex_unlock(&auth->mutex);
	return *token_out != NULL;
}

void rfo_auth_report_unauthorized(struct rfo_auth *auth)
{
	if (!auth)
		return;
	pthread_mutex_lock(&auth->mutex);
	uint64_t now = os_gettime_ns();
	if (session_active_locked(auth) && !auth->refreshing && !auth->refresh_requested && !auth->retry_index &&
	    (!auth->last_refresh_ok_ns || now - auth->last_refresh_ok_ns > UNAUTHORIZED_DEBOUNCE_NS)) {
		rfo_log_sub(LOG_INFO, LOGSUB, "a request was refused with 401: refreshing the token");
		auth->refresh_requested = true;
		pthread_cond_broadcast(&auth->cond);
	}
	pthread_mutex_unlock(&auth->mutex);
}

enum rfo_auth_state rfo_auth_get_state(struct rfo_auth *auth)
{
	if (!auth)
		return RFO_AUTH_SIGNED_OUT;
	pthread_mutex_lock(&auth->mutex);
	enum rfo_auth_state s = auth->state;
	pthread_mutex_unlock(&auth->mutex);
	return s;
}

void rfo_auth_user_free(struct rfo_auth_user *user)
{
	if (!user)
		return;
	bfree(user->username);
	bfree(user->display_name);
	memset(user, 0, sizeof(*user));
}

bool rfo_auth_get_user(struct rfo_auth *auth, struct rfo_auth_user *user)
{
	memset(user, 0, sizeof(*user));
	if (!auth)
		return false;
	pthread_mutex_lock(&auth->mutex);
	bool known = auth->state != RFO_AUTH_SIGNED_OUT && (auth->rec.user_id || auth->rec.username);
	if (auth->state == RFO_AUTH_SIGNING_IN && auth->state_before_sign_in == RFO_AUTH_SIGNED_OUT)
		known = false;
	if (known) {
		user->id = auth->rec.user_id;
		user->username = dup_nonempty(auth->rec.username);
		user->display_name = dup_nonempty(auth->rec.display_name ? auth->rec.display_name : auth->rec.username);
	}
	pthread_mutex_unlock(&auth->mutex);
	return known;
}

char *rfo_auth_last_error(struct rfo_auth *auth)
{
	if (!auth)
		return NULL;
	pthread_mutex_lock(&auth->mutex);
	char *e = dup_nonempty(auth->last_error);
	pthread_mutex_unlock(&auth->mutex);
	return e;
}

void rfo_auth_get_stats(struct rfo_auth *auth, struct rfo_auth_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if (!auth)
		return;
	pthread_mutex_lock(&auth->mutex);
	*stats = auth->stats;
	pthread_mutex_unlock(&auth->mutex);
}

const char *rfo_auth_state_name(enum rfo_auth_state state)
{
	switch (state) {
	case RFO_AUTH_SIGNED_OUT:
		return "signed_out";
	case RFO_AUTH_SIGNING_IN:
		return "signing_in";
	case RFO_AUTH_SIGNED_IN:
		return "signed_in";
	case RFO_AUTH_RECONNECT_NEEDED:
		return "reconnect_needed";
	}
	return "unknown";
}
