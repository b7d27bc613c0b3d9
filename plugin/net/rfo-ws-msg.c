#include "rfo-ws-msg.h"

#include <string.h>

#include <util/bmem.h>

#define SHRINK_ABOVE (256 * 1024) /* give a big buffer back after a big message */

void rfo_ws_msg_reset(struct rfo_ws_msg *m)
{
	m->len = 0;
	m->dropping = false;
	if (m->cap > SHRINK_ABOVE) {
		bfree(m->buf);
		m->buf = NULL;
		m->cap = 0;
	}
}

void rfo_ws_msg_free(struct rfo_ws_msg *m)
{
	bfree(m->buf);
	m->buf = NULL;
	m->cap = 0;
	m->len = 0;
	m->dropping = false;
}

enum rfo_ws_msg_result rfo_ws_msg_feed(struct rfo_ws_msg *m, const char *in, size_t len, bool first, bool final)
{
	if (first) {
		m->len = 0;
		m->dropping = false;
	}
	if (!m->dropping && m->len + len > m->max)
		m->dropping = true;
	if (!m->dropping) {
		if (m->len + len + 1 > m->cap) {
			size_t cap = m->cap ? m->cap : 4096;
			while (cap < m->len + len + 1)
				cap *= 2;
			m->buf = brealloc(m->buf, cap);
			m->cap = cap;
		}
		if (len)
			memcpy(m->buf + m->len, in, len);
		m->len += len;
		m->buf[m->len] = 0;
	}
	if (!final)
		return RFO_WS_MSG_MORE;
	return m->dropping ? RFO_WS_MSG_DROPPED : RFO_WS_MSG_READY;
}
