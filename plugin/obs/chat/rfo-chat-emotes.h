#pragma once
/* Emote images for the chat dock: fetched on the shared HTTP worker, handed to the UI as bytes.
 *
 * Only URLs that arrived in a chat message's `replaces` are fetched (the UI asks for exactly those),
 * only over https (plain http only for loopback hosts, the project-wide rule enforced by rfo-http), with
 * bounded size (RFO_CHAT_EMOTE_MAX_BYTES), bounded concurrency and a bounded memory of URLs already
 * asked for, so a hostile chat cannot make the plugin fetch without limit. The UI decodes (and checks
 * the pixel size) and shows the emote's text until — or unless — an image arrives. */

#include <stdbool.h>

#define RFO_CHAT_EMOTE_MAX_BYTES (256 * 1024)
#define RFO_CHAT_EMOTE_MAX_IN_FLIGHT 4
#define RFO_CHAT_EMOTE_MAX_KNOWN 512

void rfo_chat_emotes_init(void);
void rfo_chat_emotes_free(void);

/* UI thread: the dock shows an emote from `url`. Starts a fetch unless the URL was asked for before
 * (or is refused); the result goes to the tab's set_image() on the UI thread. */
void rfo_chat_emotes_want(const char *url);

/* Test/diagnostic counters. */
struct rfo_chat_emote_stats {
	long requested, loaded, failed, refused;
};
void rfo_chat_emotes_stats(struct rfo_chat_emote_stats *out);
