/* The browser sign-in: a fresh OAuth state, a one-shot redirect listener per attempt (its answer is handed to
 * the auth thread, rfo-auth.c), the authorize URL, and cancelling a sign-in in progress. */
#include "rfo-auth-private.h"

#include <fcntl.h>
#include <unistd.h>

#include <util/dstr.h>

#define LOGSUB "auth"
#define STATE_BYTES 32

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
	/* the previous attempt's listener lets go of the fixed port before this one binds it (its thread ends at
	 * once: a pipe write and a join) */
	rfo_auth_reap_flows(auth);

	struct rfo_listener_config lc = {
		.port = auth->broker ? 0 : auth->redirect_port,
		.expected_state = state,
		.state_with_port = auth->broker_redirect != NULL,
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
	/* the literal address the listener binds: a browser may resolve `localhost` to [::1] first */
	struct dstr redirect = {0};
	if (auth->broker_redirect) {
		dstr_copy(&redirect, auth->broker_redirect);
		rfo_oauth_record_wipe_free(state);
		state = bstrdup(rfo_listener_state(flow->listener));
	} else {
		dstr_printf(&redirect, "http://127.0.0.1:%u/callback", rfo_listener_port(flow->listener));
	}
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
	rfo_log_sub(LOG_INFO, LOGSUB, "waiting for the browser on http://127.0.0.1:%u/callback%s",
		    rfo_listener_port(flow->listener), auth->broker_redirect ? " (through the token broker)" : "");
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
