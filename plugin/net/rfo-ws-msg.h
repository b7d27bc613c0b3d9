#pragma once
/* Internal to rfo-ws: reassembles a WebSocket message from the pieces lws delivers (fragments, and
 * large frames split across reads), with a size limit. Sans-I/O. */

#include <stdbool.h>
#include <stddef.h>

struct rfo_ws_msg {
	char *buf;
	size_t len;
	size_t cap;
	size_t max;    /* bigger messages are dropped */
	bool dropping; /* the message being received is over the limit */
};

enum rfo_ws_msg_result {
	RFO_WS_MSG_MORE,    /* wait for more pieces */
	RFO_WS_MSG_READY,   /* buf/len hold a whole message, NUL-terminated */
	RFO_WS_MSG_DROPPED, /* the message ended and was over the limit */
};

/* One piece: `first` on the first piece of a message, `final` on its last. After READY or DROPPED
 * the next piece starts a new message. */
enum rfo_ws_msg_result rfo_ws_msg_feed(struct rfo_ws_msg *m, const char *in, size_t len, bool first, bool final);

/* Forgets a partial message (e.g. the connection changed). */
void rfo_ws_msg_reset(struct rfo_ws_msg *m);
void rfo_ws_msg_free(struct rfo_ws_msg *m);
