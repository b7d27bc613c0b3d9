/* The auth session's steps on its thread: code exchange, profile, refresh, restore, revoke. */
#include "rfo-auth-private.h"

#include <errno.h>

#include <util/dstr.h>
#include <util/threading.h>

#include "rfo-rest.h"
#include "rfo-token-store.h"

#define MAX_RETRY_AFTER_S 1000000000LL

#define LOGSUB "auth"

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
	long status;
	char *body;
	size_t len;
	int64_t retry_after; /* Retry-After in seconds, -1 if absent */
	struct rfo_error err;
};

static void sync_free(struct sync_req *s)
{
	if (s->body) {
		rfo_oauth_record_wipe_free(s->body); /* token replies carry secrets */
		s->body = NULL;
	}
}

/* One call, shared by the auth thread and the HTTP worker's done(): whichever lets go last frees it, so the auth
 * thread may stop waiting (abandon) before the answer comes. */
enum { CALL_WAITING, CALL_ANSWERED, CALL_ABANDONED };
struct sync_call {
	volatile long refs;
	volatile long state;   /* CALL_*: the first of done() and the abandoning waiter decides */
	struct rfo_auth *auth; /* outlives the call: rfo_auth_destroy stops the HTTP worker before freeing */
	os_event_t *done;
	struct sync_req res;
};

static void call_release(struct sync_call *c)
{
	if (os_atomic_dec_long(&c->refs) == 0) {
		sync_free(&c->res);
		os_event_destroy(c->done);
		bfree(c);
	}
}

/* An abandoned token reply still issued a pair: it is revoked, never kept. */
static void revoke_late_pair(struct sync_call *c)
{
	struct rfo_tokens tokens = {0};
	if (c->res.err.code || c->res.status < 200 || c->res.status >= 300 || !c->res.body ||
	    !rfo_oauth_parse_tokens(c->res.body, c->res.len, wall_ms() / 1000, &tokens, NULL))
		return;
	pthread_mutex_lock(&c->auth->mutex);
	enqueue_revoke_locked(c->auth, tokens.refresh_token ? tokens.refresh_token : tokens.access_token);
	pthread_cond_broadcast(&c->auth->cond);
	pthread_mutex_unlock(&c->auth->mutex);
	rfo_tokens_free(&tokens);
}

static void sync_done(void *param, struct rfo_http_response *resp)
{
	struct sync_call *c = param;
	c->res.status = resp->status;
	c->res.body = resp->body;
	c->res.len = resp->len;
	c->res.retry_after = resp->retry_after;
	resp->body = NULL;
	c->res.err = resp->error;
	if (!os_atomic_compare_swap_long(&c->state, CALL_WAITING, CALL_ANSWERED))
		revoke_late_pair(c);
	os_event_signal(c->done);
	call_release(c);
}

static bool abandoning(struct rfo_auth *auth)
{
	pthread_mutex_lock(&auth->mutex);
	bool a = abandoning_locked(auth);
	pthread_mutex_unlock(&auth->mutex);
	return a;
}

static void http_call(struct rfo_auth *auth, struct rfo_http_request *req, struct sync_req *out)
{
	memset(out, 0, sizeof(*out));
	req->timeout_ms = (int)auth->http_timeout_ms;
	struct sync_call *c = bzalloc(sizeof(*c));
	c->refs = 2;
	c->auth = auth;
	os_event_init(&c->done, OS_EVENT_TYPE_MANUAL);
	if (!rfo_http_submit(auth->http, req, sync_done, c)) {
		rfo_error_set(&out->err, RFO_ERR_CANCELLED, "Shutting down.");
		os_atomic_dec_long(&c->refs);
		call_release(c);
		return;
	}
	/* done() always comes (rfo_http_stop cancels); a sign-out does not wait for it */
	while (os_event_timedwait(c->done, 50) == ETIMEDOUT) {
		if (abandoning(auth) && os_atomic_compare_swap_long(&c->state, CALL_WAITING, CALL_ABANDONED)) {
			rfo_error_set(&out->err, RFO_ERR_CANCELLED, "Abandoned for a sign-out.");
			call_release(c);
			return;
		}
	}
	*out = c->res;
	c->res.body = NULL;
	call_release(c);
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

void rfo_auth_step_refresh(struct rfo_auth *auth)
{
	pthread_mutex_lock(&auth->mutex);
	uint64_t gen = auth->session_gen;
	char *refresh = dup_nonempty(auth->rec.tokens.refresh_token);
	pthread_mutex_unlock(&auth->mutex);

	if (!refresh) {
		pthread_mutex_lock(&auth->mutex);
		if (gen == auth->session_gen) {
			clear_tokens_locked(auth, true);
			set_error_locked(auth, RFO_AUTH_ERR_REVOKED, NULL);
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
	int64_t retry_after = r.retry_after;
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
			auth->current_rejected = false; /* a new token: its own rejection counts again */
			if (!saved)
				set_error_locked(auth, RFO_AUTH_ERR_STORAGE, serr.message);
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
			set_error_locked(auth, RFO_AUTH_ERR_REVOKED, NULL);
			set_session_state_locked(auth, RFO_AUTH_RECONNECT_NEEDED);
		} else {
			auth->stats.refresh_failures++;
			auth->state_dirty = true; /* the dock and GetStatus say Restream is not answering */
			uint64_t delay = backoff_ns(auth);
			/* a 429/503 with Retry-After: never sooner than the server asked, however long; the clamp
			 * (about 30 years) only keeps the product in range */
			uint64_t asked_ns =
				(uint64_t)(retry_after < MAX_RETRY_AFTER_S ? retry_after : MAX_RETRY_AFTER_S) *
				1000000000ULL;
			if (retry_after > 0 && asked_ns > delay)
				delay = asked_ns;
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

	/* cancelled or signed out while we were exchanging: the new pair is dropped and revoked, and never stored */
	pthread_mutex_lock(&auth->mutex);
	bool stale = fgen != auth->flow_gen;
	if (stale)
		enqueue_revoke_locked(auth, rec.tokens.refresh_token);
	pthread_mutex_unlock(&auth->mutex);
	if (stale)
		goto cleanup;

	struct rfo_error serr = {0};
	bool saved = persist(auth, &rec, &serr); /* before the token is used anywhere */

	pthread_mutex_lock(&auth->mutex);
	if (fgen != auth->flow_gen) {
		/* cancelled while it was being stored: put the store back as the session is */
		enqueue_revoke_locked(auth, rec.tokens.refresh_token);
		char *current = session_active_locked(auth) ? rfo_oauth_record_to_json(&auth->rec) : NULL;
		if (!current)
			auth->job_clear_store = true;
		pthread_cond_broadcast(&auth->cond);
		pthread_mutex_unlock(&auth->mutex);
		if (current && !rfo_token_store_save(auth->store, current, NULL))
			rfo_log_sub(LOG_WARNING, LOGSUB, "could not restore the stored sign-in after a cancelled one");
		rfo_oauth_record_wipe_free(current);
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
	auth->current_rejected = false;
	auth->reject_streak = 0;
	set_error_locked(auth, saved ? RFO_AUTH_ERR_NONE : RFO_AUTH_ERR_STORAGE, serr.message);
	schedule_refresh_locked(auth);
	set_state_locked(auth, RFO_AUTH_SIGNED_IN);
	auth->token_dirty = true;
	pthread_mutex_unlock(&auth->mutex);
	rfo_log_sub(LOG_INFO, LOGSUB, "signed in as %s", profile.username ? profile.username : "(unknown)");
	goto cleanup;

fail:
	rfo_log_sub(LOG_WARNING, LOGSUB, "sign-in failed: %s", err.message);
	pthread_mutex_lock(&auth->mutex);
	enqueue_revoke_locked(auth, tokens.refresh_token); /* issued but unusable (e.g. no profile) */
	if (fgen != auth->flow_gen) {
		pthread_mutex_unlock(&auth->mutex);
		goto cleanup;
	}
	set_error_locked(auth, RFO_AUTH_ERR_FINISH, err.message);
	set_state_locked(auth, prev);
	pthread_mutex_unlock(&auth->mutex);
cleanup:
	rfo_tokens_free(&tokens);
	rfo_profile_free(&profile);
	rfo_token_record_free(&rec);
}

void rfo_auth_step_restore(struct rfo_auth *auth)
{
	char *json = NULL;
	struct rfo_error err = {0};
	struct rfo_token_record rec = {0};
	pthread_mutex_lock(&auth->mutex);
	uint64_t gen = auth->session_gen;
	pthread_mutex_unlock(&auth->mutex);

	if (!rfo_token_store_load(auth->store, &json, &err)) {
		rfo_auth_step_load_pending(auth, NULL);
		pthread_mutex_lock(&auth->mutex);
		set_error_locked(auth, RFO_AUTH_ERR_STORAGE, err.message);
		pthread_mutex_unlock(&auth->mutex);
		return;
	}
	if (!json) {
		rfo_auth_step_load_pending(auth, NULL);
		rfo_log_sub(LOG_INFO, LOGSUB, "no stored sign-in");
		return;
	}
	bool ok = rfo_oauth_record_from_json(json, strlen(json), &rec, &err);
	rfo_oauth_record_wipe_free(json);
	if (rfo_auth_step_load_pending(auth, ok ? &rec : NULL) && ok) {
		/* signed out before, but the record could not be removed then (OBS quit, a keyring that hung) */
		rfo_log_sub(LOG_INFO, LOGSUB, "the stored sign-in was signed out before; removing it");
		rfo_token_record_free(&rec);
		pthread_mutex_lock(&auth->mutex);
		auth->job_clear_store = true;
		pthread_cond_broadcast(&auth->cond);
		pthread_mutex_unlock(&auth->mutex);
		return;
	}

	pthread_mutex_lock(&auth->mutex);
	if (!ok) {
		rfo_log_sub(LOG_WARNING, LOGSUB, "stored sign-in unreadable: %s", err.message);
		set_error_locked(auth, RFO_AUTH_ERR_REVOKED, NULL);
		set_session_state_locked(auth, RFO_AUTH_RECONNECT_NEEDED);
	} else if (gen == auth->session_gen && auth->state != RFO_AUTH_SIGNED_IN && !auth->rec.tokens.access_token) {
		rfo_token_record_free(&auth->rec);
		auth->rec = rec;
		memset(&rec, 0, sizeof(rec));
		auth->session_gen++;
		auth->current_rejected = false;
		auth->reject_streak = 0;
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

void rfo_auth_step_revoke(struct rfo_auth *auth, char *token)
{
	char *body = rfo_oauth_revoke_body(token, "refresh_token");
	struct sync_req r;
	token_post(auth, auth->revoke_url, body, &r);
	if (r.err.code == RFO_ERR_NONE && r.status >= 200 && r.status < 300) {
		rfo_log_sub(LOG_INFO, LOGSUB, "sign-in revoked at Restream");
		pthread_mutex_lock(&auth->mutex);
		for (size_t i = 0; i < auth->revoke_pending.num; i++) {
			if (strcmp(auth->revoke_pending.array[i], token) == 0) {
				rfo_oauth_record_wipe_free(auth->revoke_pending.array[i]);
				da_erase(auth->revoke_pending, i);
				auth->pending_dirty = true;
				break;
			}
		}
		pthread_mutex_unlock(&auth->mutex);
		rfo_auth_step_save_pending(auth);
	} else if (r.err.code != RFO_ERR_CANCELLED) {
		rfo_log_sub(
			LOG_WARNING, LOGSUB,
			"revoke failed (HTTP %ld); the local sign-in is removed, the revoke is sent again at the next "
			"start",
			r.status);
	}
	sync_free(&r);
	rfo_oauth_record_wipe_free(body);
	rfo_oauth_record_wipe_free(token);
}

void rfo_auth_step_result(struct rfo_auth *auth, uint64_t fgen, enum rfo_listener_outcome outcome, const char *code,
			  const char *error, const char *redirect_uri, enum rfo_auth_state prev)
{
	if (outcome == RFO_LISTENER_CODE) {
		finish_sign_in(auth, fgen, code, redirect_uri, prev);
		return;
	}
	enum rfo_auth_error kind;
	switch (outcome) {
	case RFO_LISTENER_DENIED:
		kind = RFO_AUTH_ERR_DENIED;
		break;
	case RFO_LISTENER_ERROR:
		kind = RFO_AUTH_ERR_REFUSED;
		break;
	default: /* RFO_LISTENER_TIMEOUT: a callback without our state never ends the attempt */
		kind = RFO_AUTH_ERR_TIMEOUT;
		break;
	}
	pthread_mutex_lock(&auth->mutex);
	if (fgen == auth->flow_gen) {
		set_error_locked(auth, kind, kind == RFO_AUTH_ERR_REFUSED ? error : NULL);
		set_state_locked(auth, prev);
	}
	pthread_mutex_unlock(&auth->mutex);
}
