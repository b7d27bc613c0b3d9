/* Fuzz target: WebSocket message reassembly (plugin/net/rfo-ws-msg.c), the decoder between libwebsockets and the
 * chat/stats parsers. The input is split into pieces at the positions its first bytes name, with fragment
 * flags from the input, against a small size limit; every READY message must be NUL-terminated and within it. */
#include "fuzz-common.h"
#include "rfo-ws-msg.h"

RFO_FUZZ_INIT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	long before = bnum_allocs();
	struct rfo_ws_msg m = {0};
	m.max = 64 + data[0];
	size_t nsplit = data[1] % 8;
	const uint8_t *p = data + 2;
	size_t left = size - 2;
	if (nsplit > left)
		nsplit = left;
	uint8_t splits[8];
	memcpy(splits, p, nsplit);
	p += nsplit;
	left -= nsplit;

	bool first = true;
	for (size_t i = 0; i <= nsplit; i++) {
		size_t piece = i < nsplit ? (size_t)splits[i] : left;
		if (piece > left)
			piece = left;
		bool final = i == nsplit || (splits[i] & 1);
		enum rfo_ws_msg_result r = rfo_ws_msg_feed(&m, (const char *)p, piece, first, final);
		if (r == RFO_WS_MSG_READY) {
			RFO_FUZZ_ASSERT(m.len <= m.max && m.buf && m.buf[m.len] == 0);
		}
		if (!final)
			RFO_FUZZ_ASSERT(r == RFO_WS_MSG_MORE);
		first = final;
		p += piece;
		left -= piece;
		if (i == 3)
			rfo_ws_msg_reset(&m);
	}
	rfo_ws_msg_free(&m);
	rfo_fuzz_check_allocs(before, "ws_msg");
	return 0;
}
