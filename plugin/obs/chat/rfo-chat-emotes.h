#pragma once
/* Emote images for the chat dock and the overlay sources: fetched on the shared HTTP worker, handed over as bytes.
 *
 * Only URLs that arrived in a chat message's `replaces` are fetched (the UI asks for exactly those),
 * only over https (plain http only for loopback hosts, the project-wide rule enforced by rfo-http), with
 * bounded size (RFO_CHAT_EMOTE_MAX_BYTES), bounded concurrency and a bounded memory of URLs already
 * asked for, so a hostile chat cannot make the plugin fetch without limit. The UI decodes (and checks
 * the pixel size) and shows the emote's text until — or unless — an image arrives. */

#include <stdbool.h>
#include <stddef.h>

#define RFO_CHAT_EMOTE_MAX_BYTES (256 * 1024)
#define RFO_CHAT_EMOTE_MAX_IN_FLIGHT 4
#define RFO_CHAT_EMOTE_MAX_KNOWN 512

void rfo_chat_emotes_init(void);
void rfo_chat_emotes_free(void);

/* UI thread: the dock shows an emote from `url`. Starts a fetch unless the URL was asked for before
 * (or is refused); the result goes to the tab's set_image() on the UI thread. */
void rfo_chat_emotes_want(const char *url);

/* The overlay sources' side. The listener hears, ON THE HTTP WORKER THREAD, of every emote image fetch that ends, for
 * the dock or for it (one fetch serves both): with the body (the callee's: bfree it), or data NULL when it failed
 * (or, for its own, was cancelled). `url` is borrowed for the call. Set it once the overlays can take bytes, NULL
 * when they stop (a call in progress may still finish). */
typedef void (*rfo_chat_emotes_done_fn)(const char *url, char *data, size_t len);
void rfo_chat_emotes_set_listener(rfo_chat_emotes_done_fn listener);

enum rfo_chat_emotes_fetch {
	RFO_CHAT_EMOTES_STARTED, /* in flight (started, or joined): the listener hears of it */
	RFO_CHAT_EMOTES_BUSY,    /* as many fetches as allowed are in flight (or the worker is gone): ask later */
	RFO_CHAT_EMOTES_REFUSED, /* the URL may not be fetched: never ask again */
};

/* Any thread: fetches `url` for the listener under the same rules, size and concurrency bounds (and counters) as the
 * dock's, but without the dock's memory of URLs asked for: the caller keeps its own, so an image it dropped can be
 * had again. A fetch of the same URL in flight is joined, not repeated. */
enum rfo_chat_emotes_fetch rfo_chat_emotes_fetch(const char *url);

/* Test/diagnostic counters. */
struct rfo_chat_emote_stats {
	long requested, loaded, failed, refused;
};
void rfo_chat_emotes_stats(struct rfo_chat_emote_stats *out);
