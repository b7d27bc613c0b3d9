#include "rfo-auth-private.h"

#include <fcntl.h>
#include <unistd.h>

#include <util/dstr.h>
#include <util/threading.h>

#include "rfo-token-store.h"
#include "rfo-url.h"

#define LOGSUB "auth"
#define STATE_BYTES 32
#define REJECT_STREAK_RESET_NS (60ULL * 1000000000ULL) /* rejections further apart start over */
#define REJECT_DELAY_MAX_MS 30000

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
	DARRAY(struct rfo_auth_flow *) reap = {0};
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
			reap_flows(auth);
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
		if (!auth->state_dirty && !auth->token_dirty && !auth->reap.num)
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
	bfree(auth->last_error_detail);
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
	struct rfo_auth_flow *flow = param;
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

	struct rfo_auth_flow *flow = bzalloc(sizeof(*flow));
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
	set_error_locked(auth, RFO_AUTH_ERR_NONE, NULL);
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

/* The delay before the refresh for a rejection: none for the first, then 1, 2, 4 … 30 s. */
static uint64_t reject_delay_ns(struct rfo_auth *auth, uint64_t now)
{
	if (auth->last_reject_ns && now - auth->last_reject_ns > REJECT_STREAK_RESET_NS)
		auth->reject_streak = 0;
	uint64_t ms = 0;
	if (auth->reject_streak) {
		uint32_t shift = auth->reject_streak - 1 < 15 ? auth->reject_streak - 1 : 15;
		ms = 1000ULL << shift;
		if (ms > REJECT_DELAY_MAX_MS)
			ms = REJECT_DELAY_MAX_MS;
	}
	auth->reject_streak++;
	auth->last_reject_ns = now;
	return ms * 1000000ULL;
}

void rfo_auth_report_rejected(struct rfo_auth *auth, const char *token_used)
{
	if (!auth || !token_used || !*token_used)
		return;
	pthread_mutex_lock(&auth->mutex);
	const char *current = auth->rec.tokens.access_token;
	if (!session_active_locked(auth) || !current || strcmp(current, token_used) != 0) {
		pthread_mutex_unlock(&auth->mutex);
		rfo_log_sub(LOG_DEBUG, LOGSUB, "a 401 for an earlier token: the caller retries with the current one");
		return;
	}
	if (!auth->current_rejected) {
		auth->current_rejected = true;
		uint64_t now = os_gettime_ns();
		uint64_t delay = reject_delay_ns(auth, now);
		if (auth->refreshing || auth->retry_index) {
			/* a refresh is under way or retrying on its own schedule: it replaces this token */
		} else if (!delay) {
			auth->refresh_requested = true;
		} else if (!auth->next_refresh_ns || now + delay < auth->next_refresh_ns) {
			auth->next_refresh_ns = now + delay;
		}
		rfo_log_sub(LOG_INFO, LOGSUB, "the current access token was refused with 401: refreshing it%s",
			    delay ? " after a pause (the previous one was refused too)" : "");
		pthread_cond_broadcast(&auth->cond);
	}
	pthread_mutex_unlock(&auth->mutex);
}

void rfo_auth_report_rejected_take(struct rfo_auth *auth, char *token_used)
{
	rfo_auth_report_rejected(auth, token_used);
	rfo_oauth_record_wipe_free(token_used);
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
	[RFO_AUTH_ERR_MISMATCH] = {"Auth.Error.Mismatch", "The sign-in answer did not match this request and was "
							  "ignored. Click Sign in to try again."},
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
