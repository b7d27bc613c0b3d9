/* Handing out the access token (now, or waiting for a refresh under way) and the 401 reports that make the
 * auth thread refresh it, with a growing pause when fresh tokens keep being refused. */
#include "rfo-auth-private.h"

#define LOGSUB "auth"
#define REJECT_STREAK_RESET_NS (60ULL * 1000000000ULL) /* rejections further apart start over */
#define REJECT_DELAY_MAX_MS 30000

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
