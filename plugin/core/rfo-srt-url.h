#pragma once

#include <stdbool.h>

/* SRT ingest URLs as Restream sends them ("srt://host:port?streamid=…&passphrase=…"), split for
 * OBS's MPEG-TS output, which takes the server URL, the stream id (service key) and the
 * passphrase (service password) separately. Pure string work, no OBS state. */

/* server_out: the URL without streamid/passphrase (other parameters kept, in order); stream_id_out
 * ("" when absent) and passphrase_out (NULL when absent): percent-decoded values. All bstrdup'd.
 * Returns false (outputs NULL) when url is NULL or not an srt:// URL. */
bool rfo_srt_url_split(const char *url, char **server_out, char **stream_id_out, char **passphrase_out);
