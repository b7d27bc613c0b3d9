#pragma once

/* Between rfo-golive-apply.c (what OBS streams to and the plugin's go-live settings; its state is static there) and
 * rfo-golive-requests.c (the vendor requests). Not a public interface. */

#include "rfo-error.h"

#include <obs.h>

#include <stdbool.h>
#include <stdint.h>

/* Makes the choice OBS's streaming service and saves it. UI thread. compat_override: -1 keeps the current mode,
 * 0/1 sets it. On success *masked_out is the server for display (bfree). */
bool rfo_golive_apply_now(const char *protocol, int64_t ingest_id, const char *event_id, int compat_override,
			  char **masked_out, struct rfo_error *err);

/* Puts back the streaming service OBS had before the last apply (kept by rfo_golive_apply_now) and forgets the copy.
 * UI thread. On success *type_out is its type id and *server_out its server with any secret masked (bfree both). */
bool rfo_golive_restore_now(char **type_out, char **server_out, struct rfo_error *err);

/* rfo-golive-previous.c, UI thread: the copy of the previous service in the current profile's folder (0600). */
bool rfo_golive_previous_keep(obs_service_t *service);
bool rfo_golive_previous_exists(void);
/* A new service made from the copy (release it), NULL when there is none or OBS refuses it; *type_out: bfree. */
obs_service_t *rfo_golive_previous_create(char **type_out);
void rfo_golive_previous_forget(void);

/* Whether applies go through OBS's own custom service. Any thread. */
bool rfo_golive_compat(void);

/* What OBS streams to, as of the last check on the UI thread, and the plugin's go-live settings: one consistent
 * copy. Any thread. */
struct rfo_golive_setup {
	bool ours;             /* OBS's service is ours */
	bool active;           /* ours, or OBS's custom service with the server we set */
	bool compat;           /* applies go through OBS's custom service */
	bool builtin_restream; /* OBS's own Restream integration is connected */
	bool set_up;           /* an apply succeeded once */
	char protocol[8];      /* "rtmp"/"srt"; empty before the first check */
	int64_t ingest_id;
	char *event_id; /* the caller's: bfree */
};
void rfo_golive_setup_get(struct rfo_golive_setup *out);
