#pragma once

#include <stdbool.h>

#include "rfo-error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Persists the sign-in record (an opaque string: the JSON from rfo-oauth's serializer).
 *
 * Backends:
 *  - "keyring": the Secret Service through libsecret (schema "io.restream.obs-plugin", attribute
 *    "account"), used when a Secret Service is running with an unlocked default collection.
 *  - "file": `<config_dir>/tokens.json`, directory 0700 (created), file 0600, replaced atomically
 *    (O_CREAT|O_EXCL 0600 temp file in the same directory, fsync, rename, fsync dir). clear also removes
 *    temp files a crash left behind (".tokens.json.<pid>.…").
 *
 * The environment variable RFO_TOKEN_STORE=file|keyring overrides the preference (tests).
 * Every call may touch the disk or D-Bus: call load/save/clear from a worker thread (rfo-auth's),
 * never from the UI thread. create and backend_name never block. Calls are serialized internally. */

enum rfo_token_store_pref {
	RFO_TOKEN_STORE_AUTO,    /* keyring if usable (checked on first use), else file */
	RFO_TOKEN_STORE_KEYRING, /* keyring only (errors if none) */
	RFO_TOKEN_STORE_FILE,    /* file only */
};

/* `config_dir`: the module's config folder (obs_module_config_path("")), copied; never inside
 * an OBS profile. Returns NULL only if config_dir is NULL/empty and the file backend is needed. */
struct rfo_token_store *rfo_token_store_create(const char *config_dir, enum rfo_token_store_pref pref);
void rfo_token_store_destroy(struct rfo_token_store *store);

/* true + *record_out = bstrdup'd record (caller bfree) when one is stored; true + NULL when
 * nothing is stored; false + err on a read/D-Bus failure. In AUTO mode with the keyring, a record
 * left in the file is migrated (moved into the keyring and the file removed). */
bool rfo_token_store_load(struct rfo_token_store *store, char **record_out, struct rfo_error *err);
/* Replaces the stored record atomically. Secret: never logged. */
bool rfo_token_store_save(struct rfo_token_store *store, const char *record, struct rfo_error *err);
/* Removes the record from every backend (file and keyring). true if nothing remains. */
bool rfo_token_store_clear(struct rfo_token_store *store, struct rfo_error *err);

/* Revokes that could not be sent yet (sign-out while offline, or OBS quit first): an opaque string (the JSON of
 * rfo_oauth_revokes_to_json) in `<config_dir>/revoke-pending.json`, always a file, 0600 in the 0700 folder,
 * replaced atomically like the record. It holds refresh tokens: a secret, never logged. load: true + NULL when
 * none; save with NULL/"" removes the file. */
bool rfo_token_store_load_pending(struct rfo_token_store *store, char **pending_out, struct rfo_error *err);
bool rfo_token_store_save_pending(struct rfo_token_store *store, const char *pending, struct rfo_error *err);
/* Makes a keyring call in flight (a locked collection that prompts, a Secret Service that hangs) and every later
 * one fail at once, so quitting never waits for the keyring. Any thread; the file backend is not affected. */
void rfo_token_store_cancel(struct rfo_token_store *store);
/* `<config_dir>/revoke-pending.json` (borrowed); for tests and diagnostics. */
const char *rfo_token_store_pending_path(const struct rfo_token_store *store);

/* "keyring" or "file": the backend in use (in AUTO mode before the first load/save: the
 * preferred one, "keyring" if compiled in and not overridden). Static string. */
const char *rfo_token_store_backend_name(const struct rfo_token_store *store);
/* `<config_dir>/tokens.json` (borrowed, valid until destroy); for tests and diagnostics. */
const char *rfo_token_store_file_path(const struct rfo_token_store *store);

#ifdef __cplusplus
}
#endif
