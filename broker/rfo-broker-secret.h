/* restream-token-broker: the client secret file and the HTTP Basic credentials made from it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Reads the secret from path (one line; a trailing newline is dropped) and returns a malloc'd
 * "Authorization: Basic base64(urlencode(client_id):urlencode(secret))" header line (RFC 6749 §2.3.1), or NULL
 * with a sentence in err. Refuses a file that its group or others may read or write, that is not a regular file,
 * that is empty or larger than 4 KiB. Every copy of the secret it made is wiped before it returns; the caller
 * wipes the result (rfo_broker_wipe) before freeing it. */
char *rfo_broker_secret_auth_header(const char *path, const char *client_id, char *err, size_t errlen);
