#pragma once
/* Bounded, de-duplicating chat history plus the connection and reply maps of docs/restream-api.md §4.3, §4.7.
 *
 * Thread-safe: every function locks the store's own pthread mutex (util/threading.h), so one network
 * thread can push while the UI and obs-websocket threads read. Callbacks run with the lock held: keep
 * them short and never call back into the same store from them. Messages are shared by reference
 * (see rfo-chat.h); readers that keep a message after the callback returns take their own reference. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-chat.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RFO_CHAT_STORE_DEFAULT_CAPACITY 500
#define RFO_CHAT_STORE_MAX_CAPACITY 100000
#define RFO_CHAT_STORE_MAX_REPLIES 64
#define RFO_CHAT_STORE_MAX_PLATFORMS 32

struct rfo_chat_store;

/* capacity 0 = RFO_CHAT_STORE_DEFAULT_CAPACITY; clamped to RFO_CHAT_STORE_MAX_CAPACITY. */
struct rfo_chat_store *rfo_chat_store_create(size_t capacity);
void rfo_chat_store_destroy(struct rfo_chat_store *store); /* NULL ok */
/* Changes the capacity; when shrinking, the oldest messages are dropped. */
void rfo_chat_store_set_capacity(struct rfo_chat_store *store, size_t capacity);
size_t rfo_chat_store_capacity(struct rfo_chat_store *store);
/* Drops all messages, connections and replies (sequence numbers keep counting). */
void rfo_chat_store_clear(struct rfo_chat_store *store);

/* Takes ownership of one reference to msg (so a caller that still needs msg afterwards must
 * rfo_chat_message_addref() it first). The id is remembered (bounded to about 4 × capacity recent ids)
 * so a re-sent event is ignored. Returns the sequence number given to the message (strictly
 * increasing, from 1), or 0 when it was a duplicate or msg was NULL (the reference is released). */
uint64_t rfo_chat_store_push(struct rfo_chat_store *store, struct rfo_chat_message *msg);

/* Viewers' messages stored since the store was created (duplicates and the streamer's own replies not counted;
 * clearing does not reset them), per platform name (rfo_chat_message.platform); the first
 * RFO_CHAT_STORE_MAX_PLATFORMS platforms are counted. cb runs with the lock held. Returns the number of calls. */
typedef void (*rfo_chat_platform_count_cb)(void *param, const char *platform, uint64_t count);
size_t rfo_chat_store_platform_counts(struct rfo_chat_store *store, rfo_chat_platform_count_cb cb, void *param);

/* Number of messages held now, and the sequence number of the newest (0 when none ever stored). */
size_t rfo_chat_store_count(struct rfo_chat_store *store);
uint64_t rfo_chat_store_last_seq(struct rfo_chat_store *store);

/* Calls cb for up to `limit` most recent messages with seq > after_seq, OLDEST FIRST, with the lock
 * held; msg is borrowed for the duration of the call. limit 0 = all. Returns the number of calls. */
typedef void (*rfo_chat_message_cb)(void *param, const struct rfo_chat_message *msg);
size_t rfo_chat_store_get_recent(struct rfo_chat_store *store, size_t limit, uint64_t after_seq, rfo_chat_message_cb cb,
				 void *param);
/* Same selection, returned as a NEW bmalloc'd array of *count NEW references (oldest first), NULL when
 * empty. Free with rfo_chat_messages_release(). */
struct rfo_chat_message **rfo_chat_store_copy_recent(struct rfo_chat_store *store, size_t limit, uint64_t after_seq,
						     size_t *count);
void rfo_chat_messages_release(struct rfo_chat_message **msgs, size_t count);

/* --- connections (§4.3) --- */
/* Inserts or overwrites the entry for conn->identifier (ignored when it has none). Returns true. */
bool rfo_chat_store_set_connection(struct rfo_chat_store *store, const struct rfo_chat_connection *conn);
/* Removes the entry whose stored connectionUuid equals uuid (a close for a connection that was already
 * replaced removes nothing). Returns true when an entry was removed. */
bool rfo_chat_store_close_connection(struct rfo_chat_store *store, const char *uuid);
/* Deep copies of all connections, sorted by identifier; *count entries; NULL when none.
 * Free with rfo_chat_connections_free(). */
struct rfo_chat_connection *rfo_chat_store_copy_connections(struct rfo_chat_store *store, size_t *count);
void rfo_chat_connections_free(struct rfo_chat_connection *conns, size_t count);

/* --- replies (§4.7), keyed by replyUuid, the RFO_CHAT_STORE_MAX_REPLIES most recent kept --- */
enum rfo_chat_reply_status {
	RFO_CHAT_REPLY_UNKNOWN = 0,
	RFO_CHAT_REPLY_STATUS_CREATED,
	RFO_CHAT_REPLY_STATUS_ACCEPTED,
	RFO_CHAT_REPLY_STATUS_CONFIRMED, /* may arrive before ACCEPTED; never downgraded to ACCEPTED */
	RFO_CHAT_REPLY_STATUS_FAILED,
};
struct rfo_chat_reply_state {
	char reply_uuid[64]; /* truncated copy of replyUuid */
	enum rfo_chat_reply_status status;
	char reason[64]; /* failure reason code or "" */
};
/* Copies the state of one reply; false when unknown. */
bool rfo_chat_store_get_reply(struct rfo_chat_store *store, const char *reply_uuid, struct rfo_chat_reply_state *out);

/* Applies one parsed frame:
 *  - EVENT: pushes frame->message (stealing it: frame->message becomes NULL);
 *  - CONNECTION_INFO / CONNECTION_CLOSED: updates the connection map;
 *  - REPLY_CREATED: records the reply and pushes a kind REPLY message (id "reply|<replyUuid>");
 *  - REPLY_ACCEPTED/CONFIRMED/FAILED: updates the reply state;
 *  - others: nothing.
 * Returns the sequence number of a stored message, else 0. */
uint64_t rfo_chat_store_apply(struct rfo_chat_store *store, struct rfo_chat_frame *frame);

#ifdef __cplusplus
}
#endif
