/* Revokes that must survive OBS: the revoke-pending file of the token store. Written before a signed-out record is
 * removed, so a revoke that could not be sent (Restream unreachable, OBS quit first) is sent at the next start, and
 * a record whose removal failed (a keyring that hung) is recognised and dropped instead of signing the user back
 * in. */
#include "rfo-auth-private.h"

#include "rfo-token-store.h"

#define LOGSUB "auth"

void rfo_auth_step_save_pending(struct rfo_auth *auth)
{
	pthread_mutex_lock(&auth->mutex);
	if (!auth->pending_dirty) {
		pthread_mutex_unlock(&auth->mutex);
		return;
	}
	auth->pending_dirty = false;
	char *json = rfo_oauth_revokes_to_json(auth->revoke_pending.array, auth->revoke_pending.num);
	pthread_mutex_unlock(&auth->mutex);

	struct rfo_error err = {0};
	if (!rfo_token_store_save_pending(auth->store, json, &err))
		rfo_log_sub(LOG_WARNING, LOGSUB, "could not keep the revokes still to send: %s", err.message);
	rfo_oauth_record_wipe_free(json);
}

static void queue_loaded(void *param, const char *token)
{
	struct rfo_auth *auth = param;
	for (size_t i = 0; i < auth->revoke_pending.num; i++)
		if (strcmp(auth->revoke_pending.array[i], token) == 0)
			return;
	da_push_back(auth->revoke_tokens, &(char *){bstrdup(token)});
	da_push_back(auth->revoke_pending, &(char *){bstrdup(token)});
}

static bool pending_has_locked(struct rfo_auth *auth, const char *token)
{
	for (size_t i = 0; token && *token && i < auth->revoke_pending.num; i++)
		if (strcmp(auth->revoke_pending.array[i], token) == 0)
			return true;
	return false;
}

bool rfo_auth_step_load_pending(struct rfo_auth *auth, const struct rfo_token_record *rec)
{
	char *json = NULL;
	struct rfo_error err = {0};
	if (!rfo_token_store_load_pending(auth->store, &json, &err))
		rfo_log_sub(LOG_WARNING, LOGSUB, "could not read the revokes still to send: %s", err.message);
	pthread_mutex_lock(&auth->mutex);
	size_t before = auth->revoke_pending.num;
	if (json && !rfo_oauth_revokes_from_json(json, strlen(json), queue_loaded, auth))
		rfo_log_sub(LOG_WARNING, LOGSUB, "the file of revokes still to send is unreadable; ignored");
	size_t loaded = auth->revoke_pending.num - before;
	bool signed_out = rec && (pending_has_locked(auth, rec->tokens.refresh_token) ||
				  pending_has_locked(auth, rec->tokens.access_token));
	if (loaded)
		pthread_cond_broadcast(&auth->cond);
	pthread_mutex_unlock(&auth->mutex);
	rfo_oauth_record_wipe_free(json);
	if (loaded)
		rfo_log_sub(LOG_INFO, LOGSUB, "%zu revoke(s) from an earlier sign-out still to send", loaded);
	return signed_out;
}
