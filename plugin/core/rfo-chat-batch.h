#pragma once
/* Hand-over of new chat messages and state changes from the chat socket thread to the UI thread in
 * batches: the producer adds under a mutex, and only the FIRST addition since the last drain asks the
 * caller to schedule one UI task (so at most one task is queued however fast messages arrive). The task
 * takes everything at once. Bounded: beyond max_messages pending, the oldest are dropped (counted). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-chat.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RFO_CHAT_BATCH_MAX_REPLIES 64

/* What changed besides messages (bit flags). */
enum rfo_chat_batch_flag {
	RFO_CHAT_BATCH_CONNECTIONS = 1 << 0, /* the connection map changed */
	RFO_CHAT_BATCH_LINK = 1 << 1,        /* the socket state changed */
	RFO_CHAT_BATCH_CLEAR = 1 << 2,       /* history was cleared (sign-out): drop what is shown */
	RFO_CHAT_BATCH_USER = 1 << 3,        /* the signed-in user changed */
};

struct rfo_chat_batch;

struct rfo_chat_batch *rfo_chat_batch_create(size_t max_messages); /* 0 = 500 */
void rfo_chat_batch_destroy(struct rfo_chat_batch *batch);         /* releases pending messages; NULL ok */
void rfo_chat_batch_set_max(struct rfo_chat_batch *batch, size_t max_messages);

/* Each returns true when the caller must schedule a drain now (nothing was pending before). */
bool rfo_chat_batch_add(struct rfo_chat_batch *batch, struct rfo_chat_message *msg_take); /* NULL: no-op, false */
bool rfo_chat_batch_flag(struct rfo_chat_batch *batch, uint32_t flags);
bool rfo_chat_batch_reply(struct rfo_chat_batch *batch, const char *reply_uuid); /* a reply's state changed */

/* Everything pending, taken at once (the next addition schedules again). */
struct rfo_chat_batch_items {
	struct rfo_chat_message **messages; /* oldest first, count entries, one reference each */
	size_t count;
	size_t dropped; /* messages dropped since the last drain because too many were pending */
	uint32_t flags;
	char **replies; /* reply uuids whose state changed (bstrdup'd), num_replies entries */
	size_t num_replies;
};
void rfo_chat_batch_take(struct rfo_chat_batch *batch, struct rfo_chat_batch_items *out);
void rfo_chat_batch_items_free(struct rfo_chat_batch_items *items); /* releases and frees members */

#ifdef __cplusplus
}
#endif
