#pragma once

#include <stdbool.h>

/* SRT ingest URLs as Restream sends them ("srt://host:port?streamid=…&passphrase=…"), split for
 * OBS's MPEG-TS output, which takes the server URL, the stream id (service key) and the
 * passphrase (service password) separately. Pure string work, no OBS state. */

/* server_out: the URL without streamid/passphrase (other parameters kept, in order); stream_id_out
 * ("" when absent) and passphrase_out (NULL when absent): percent-decoded values. All bstrdup'd.
 * Returns false (outputs NULL) when url is NULL or not an srt:// URL. */
bool rfo_srt_url_split(const char *url, char **server_out, char **stream_id_out, char **passphrase_out);

/* The single URL OBS's custom service takes in compatibility mode: server (which may already carry a query) plus
 * streamid and passphrase, each percent-encoded except for A-Z a-z 0-9 - . _ ~, so FFmpeg's option parsing
 * (av_find_info_tag, which also turns '+' into a space, then percent-decoding) yields exactly the values: '#', '&',
 * '+', '%', '=', spaces and non-ASCII bytes cannot change the URL's meaning. passphrase NULL or "" = none.
 * bstrdup'd (the caller wipes it: it holds secrets); NULL when server or stream_id is NULL. */
char *rfo_srt_url_join(const char *server, const char *stream_id, const char *passphrase);
