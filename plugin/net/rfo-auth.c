#define _GNU_SOURCE /* pthread_timedjoin_np */
/* The auth session's lifecycle and read side: the auth thread's loop (which runs the steps in rfo-auth-steps.c),
 * create/destroy, restore and sign-out, the state/user/error getters and the error sentences. The browser
 * sign-in is in rfo-auth-sign-in.c, handing out the access token and 401 reports in rfo-auth-token.c. */
#include "rfo-auth-private.h"

#include <util/dstr.h>
#include <util/threading.h>

#include "rfo-token-store.h"
#include "rfo-url.h"

#define LOGSUB "auth"
#define KEYRING_GRACE_MS 300

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

void rfo_auth_reap_flows(struct rfo_auth *auth)
{
	pthread_mutex_lock(&auth->reap_mutex);
	pthread_mutex_lock(&auth->mutex);
	DARRAY(struct rfo_auth_flow *) reap = {0};
	da_move(reap, auth->reap);
	pthread_mutex_unlock(&auth->mutex);
	for (size_t i = 0; i < reap.num; i++) {
		rfo_listener_destroy(reap.array[i]->listener);
		bfree(reap.array[i]);
	}
	da_free(reap);
	pthread_mutex_unlock(&auth->reap_mutex);
}

static void clear_store(struct rfo_auth *auth)
{
	struct rfo_error err = {0};
	if (!rfo_token_store_clear(auth->store, &err))
		rfo_log_sub(LOG_WARNING, LOGSUB, "could not remove the stored sign-in: %s", err.message);
}

static void *auth_thread(void *data)
{
	struct rfo_auth *auth = data;
	os_set_thread_name("rfo-auth");
	for (;;) {
		notify(auth);
		rfo_auth_reap_flows(auth);

		/* a sign-out's local part comes first, even when stopping: OBS may quit right after it */
		rfo_auth_step_save_pending(auth);
		pthread_mutex_lock(&auth->mutex);
		if (auth->job_clear_store) {
			auth->job_clear_store = false;
			pthread_mutex_unlock(&auth->mutex);
			clear_store(auth);
			continue;
		}
		if (auth->stop) {
			pthread_mutex_unlock(&auth->mutex);
			break;
		}
		if (auth->revoke_tokens.num) {
			char *token = auth->revoke_tokens.array[0];
			da_erase(auth->revoke_tokens, 0);
			pthread_mutex_unlock(&auth->mutex);
			rfo_auth_step_revoke(auth, token);
			continue;
		}
		if (auth->job_restore) {
			auth->job_restore = false;
			pthread_mutex_unlock(&auth->mutex);
			rfo_auth_step_restore(auth);
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
			rfo_auth_reap_flows(auth);
			rfo_auth_step_result(auth, fgen, outcome, code, error, redirect_uri, prev);
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
			rfo_auth_step_refresh(auth);
			pthread_mutex_lock(&auth->mutex);
			auth->refreshing = false;
			pthread_cond_broadcast(&auth->cond); /* token waiters */
			pthread_mutex_unlock(&auth->mutex);
			continue;
		}
		if (!auth->state_dirty && !auth->token_dirty && !auth->reap.num && !auth->pending_dirty)
			timed_wait_locked(auth, session_active_locked(auth) ? auth->next_refresh_ns : 0);
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
	pthread_mutex_init(&auth->reap_mutex, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&auth->cond, &ca);
	pthread_condattr_destroy(&ca);

	auth->api_url = bstrdup(cfg->api_url);
	auth->profile_url = rfo_url_join(cfg->api_url, "v2/user/profile");
	auth->client_id = bstrdup(cfg->client_id);
	if (cfg->broker_url && *cfg->broker_url) {
		/* the broker adds the client credentials itself: no secret is kept here */
		auth->broker = true;
		auth->token_url = rfo_url_join(cfg->broker_url, "token");
		auth->revoke_url = rfo_url_join(cfg->broker_url, "revoke");
		auth->broker_redirect = rfo_url_join(cfg->broker_url, "redirect");
	} else {
		auth->broker = cfg->token_url && *cfg->token_url;
		auth->token_url = url_or_default(cfg->token_url, cfg->api_url, "oauth/token");
		auth->revoke_url = url_or_default(cfg->revoke_url, cfg->api_url, "oauth/revoke");
		auth->client_secret = dup_nonempty(cfg->client_secret);
	}
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

	const char *urls[] = {auth->api_url, auth->token_url, auth->revoke_url, auth->broker_redirect};
	for (size_t i = 0; i < 4; i++) {
		if (i == 3 && !auth->broker_redirect)
			break;
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
	if (auth->thread_started) {
		/* the thread may be in a keyring call that hangs (a locked collection prompting): give it a moment,
		 * then make the keyring give up, so that OBS still quits at once */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += KEYRING_GRACE_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		if (pthread_timedjoin_np(auth->thread, NULL, &until) != 0) {
			rfo_log_sub(LOG_WARNING, LOGSUB, "the keyring did not answer; giving up on it to quit");
			rfo_token_store_cancel(auth->store);
			pthread_join(auth->thread, NULL);
		}
	}
	rfo_auth_reap_flows(auth);
	rfo_http_destroy(auth->http);
	/* what the thread could not do any more: the revokes still to send are kept for the next start */
	if (auth->thread_started)
		rfo_auth_step_save_pending(auth);

	for (size_t i = 0; i < auth->revoke_tokens.num; i++)
		rfo_oauth_record_wipe_free(auth->revoke_tokens.array[i]);
	da_free(auth->revoke_tokens);
	for (size_t i = 0; i < auth->revoke_pending.num; i++)
		rfo_oauth_record_wipe_free(auth->revoke_pending.array[i]);
	da_free(auth->revoke_pending);
	da_free(auth->reap);
	rfo_token_record_free(&auth->rec);
	rfo_oauth_record_wipe_free(auth->result_code);
	bfree(auth->result_error);
	rfo_oauth_record_wipe_free(auth->flow_state);
	bfree(auth->flow_redirect_uri);
	bfree(auth->last_error);
	bfree(auth->last_error_detail);
	char *strs[] = {auth->api_url,         auth->token_url,  auth->revoke_url,   auth->profile_url,
			auth->broker_redirect, auth->client_id,  auth->page_title,   auth->page_success,
			auth->page_denied,     auth->page_error, auth->page_rejected};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		bfree(strs[i]);
	rfo_oauth_record_wipe_free(auth->client_secret);
	pthread_cond_destroy(&auth->cond);
	pthread_mutex_destroy(&auth->mutex);
	pthread_mutex_destroy(&auth->reap_mutex);
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
	set_error_locked(auth, RFO_AUTH_ERR_NONE, NULL);
	set_state_locked(auth, RFO_AUTH_SIGNED_OUT);
	auth->state_dirty = true;
	pthread_cond_broadcast(&auth->cond);
	pthread_mutex_unlock(&auth->mutex);
	rfo_log_sub(LOG_INFO, LOGSUB, "signing out");
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

enum rfo_auth_error rfo_auth_last_error_code(struct rfo_auth *auth, char **detail_out)
{
	if (detail_out)
		*detail_out = NULL;
	if (!auth)
		return RFO_AUTH_ERR_NONE;
	pthread_mutex_lock(&auth->mutex);
	enum rfo_auth_error code = auth->last_error_code;
	if (detail_out)
		*detail_out = dup_nonempty(auth->last_error_detail);
	pthread_mutex_unlock(&auth->mutex);
	return code;
}

/* Keys and English sentences; locale/en-US.ini holds the same sentences (test_auth compares). */
static const struct {
	const char *key, *english;
} error_texts[RFO_AUTH_ERR_COUNT] = {
	[RFO_AUTH_ERR_REVOKED] = {"Auth.Error.Revoked", "Restream signed this plugin out (the sign-in was revoked "
							"or expired). Click Reconnect to sign in again."},
	[RFO_AUTH_ERR_FINISH] = {"Auth.Error.Finish",
				 "Could not finish signing in to Restream: %1 Click Sign in to try again."},
	[RFO_AUTH_ERR_DENIED] = {"Auth.Error.Denied",
				 "Sign-in was cancelled in the browser. Click Sign in to try again."},
	[RFO_AUTH_ERR_REFUSED] = {"Auth.Error.Refused",
				  "Restream refused the sign-in (%1). Click Sign in to try again."},
	[RFO_AUTH_ERR_TIMEOUT] = {"Auth.Error.Timeout", "Sign-in timed out: the browser did not come back within 5 "
							"minutes. Click Sign in to try again."},
	[RFO_AUTH_ERR_STORAGE] = {"Auth.Error.Storage", "Problem with the stored Restream sign-in: %1"},
};

const char *rfo_auth_error_key(enum rfo_auth_error code)
{
	return code > RFO_AUTH_ERR_NONE && code < RFO_AUTH_ERR_COUNT ? error_texts[code].key : NULL;
}

const char *rfo_auth_error_english(enum rfo_auth_error code)
{
	return code > RFO_AUTH_ERR_NONE && code < RFO_AUTH_ERR_COUNT ? error_texts[code].english : NULL;
}

char *rfo_auth_error_format(const char *sentence, const char *detail)
{
	if (!sentence)
		return NULL;
	struct dstr out = {0};
	const char *at = strstr(sentence, "%1");
	if (at) {
		dstr_ncopy(&out, sentence, (size_t)(at - sentence));
		dstr_cat(&out, detail ? detail : "");
		dstr_cat(&out, at + 2);
	} else {
		dstr_copy(&out, sentence);
	}
	return out.array;
}

void rfo_auth_get_stats(struct rfo_auth *auth, struct rfo_auth_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if (!auth)
		return;
	pthread_mutex_lock(&auth->mutex);
	*stats = auth->stats;
	uint64_t now = os_gettime_ns();
	stats->next_refresh_in_s = !auth->next_refresh_ns ? -1
				   : auth->next_refresh_ns > now
					   ? (int64_t)((auth->next_refresh_ns - now) / 1000000000ULL)
					   : 0;
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
