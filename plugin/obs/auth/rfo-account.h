#pragma once

#include <obs-data.h>
#include <stdint.h>

#include "rfo-auth.h"

/* Sign-in, sign-out and the account shown in the dock and in GetStatus. Its descriptor (rfo-auth-feature.c) has no
 * lifecycle of its own: the auth session is one of the controller's shared transports. */
struct rfo_feature;
extern const struct rfo_feature rfo_auth_feature;

/* Auth callbacks (auth thread): update the dock and emit AuthChanged. */
void rfo_account_on_state(void *param, enum rfo_auth_state state);
/* Auth token callback (auth thread): a new access token is in effect; refreshes the dock's note (e.g. clears
 * "Restream is not answering" after a refresh that finally succeeded). */
void rfo_account_on_token(void *param);
/* Dock button / Tools: start signing in and open the browser. UI thread. */
void rfo_account_sign_in(void);
void rfo_account_sign_out(void);
/* Shows the current account in the dock. UI thread. */
void rfo_account_refresh_ui(void);

/* Frees what the account keeps for the dock. UI thread, at unload. */
void rfo_account_free(void);

/* Vendor requests (wait_ms: always 0, they never wait for Restream). */
void rfo_account_get_status(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
void rfo_account_begin_sign_in(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
void rfo_account_sign_out_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms);
