/* ws-probe: a small, general WebSocket client for tests.
 *
 *   ws-probe URL [--count N] [--timeout S] [--expect-status CODE] [--send TEXT] [--ping S]
 *
 * Prints every received text frame on its own line (flushed). Also prints "PONG" lines when --ping is
 * used, and "CLOSED <code>" when the server closes the connection.
 * Exit codes: 0 = N frames received (or, without --count, the timeout passed); 1 = timeout before N
 * frames; 2 = usage or connection error; 3 = upgrade refused, after printing "HTTP <status>" (0 instead
 * when the status equals --expect-status); 4 = closed by the server before N frames / the timeout;
 * 5 = connected although --expect-status was given.
 */
#include <libwebsockets.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	struct lws_context *ctx;
	struct lws *wsi;
	int count, got, expect_status, ping_s, rc;
	double timeout_s;
	const char *send_text;
	bool sent, done, ping_due;
	char *frag;
	size_t frag_len;
	lws_sorted_usec_list_t timeout_sul, ping_sul;
} P;

static void finish(int rc)
{
	if (P.done)
		return;
	P.done = true;
	P.rc = rc;
	fflush(stdout);
	lws_cancel_service(P.ctx);
}

static void on_timeout(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	finish(P.count > 0 ? 1 : 0);
}

static void on_ping(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (P.wsi && !P.done) {
		P.ping_due = true;
		lws_callback_on_writable(P.wsi);
		lws_sul_schedule(P.ctx, 0, &P.ping_sul, on_ping, (lws_usec_t)P.ping_s * LWS_US_PER_SEC);
	}
}

static void on_frame(const char *data, size_t len, bool final)
{
	char *nb = realloc(P.frag, P.frag_len + len + 1);
	if (!nb)
		abort();
	P.frag = nb;
	memcpy(P.frag + P.frag_len, data, len);
	P.frag_len += len;
	if (!final)
		return;
	fwrite(P.frag, 1, P.frag_len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	P.frag_len = 0;
	if (P.count > 0 && ++P.got >= P.count)
		finish(0);
}

static int cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		int status = (int)lws_http_client_http_response(wsi);
		P.wsi = NULL;
		if (status > 0) {
			printf("HTTP %d\n", status);
			finish(P.expect_status == status ? 0 : 3);
		} else {
			fprintf(stderr, "ws-probe: connection error: %s\n", in ? (const char *)in : "(unknown)");
			finish(2);
		}
		return 0;
	}
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (P.expect_status) {
			printf("CONNECTED\n");
			finish(5);
			return -1;
		}
		if (P.send_text)
			lws_callback_on_writable(wsi);
		if (P.ping_s > 0)
			lws_sul_schedule(P.ctx, 0, &P.ping_sul, on_ping, (lws_usec_t)P.ping_s * LWS_US_PER_SEC);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (lws_frame_is_binary(wsi))
			return 0;
		on_frame(in, len, lws_is_final_fragment(wsi));
		return P.done ? -1 : 0;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		printf("PONG\n");
		fflush(stdout);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		unsigned char buf[LWS_PRE + 4096];
		if (P.done)
			return -1;
		if (P.send_text && !P.sent) {
			size_t n = strlen(P.send_text);
			if (n > sizeof(buf) - LWS_PRE)
				n = sizeof(buf) - LWS_PRE;
			memcpy(buf + LWS_PRE, P.send_text, n);
			P.sent = true;
			if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT) < (int)n)
				return -1;
			if (P.ping_due)
				lws_callback_on_writable(wsi);
			return 0;
		}
		if (P.ping_due) {
			P.ping_due = false;
			if (lws_write(wsi, buf + LWS_PRE, 0, LWS_WRITE_PING) < 0)
				return -1;
		}
		return 0;
	}
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
		const unsigned char *p = in;
		int code = len >= 2 ? (p[0] << 8) | p[1] : 0;
		printf("CLOSED %d\n", code);
		fflush(stdout);
		finish(4);
		return 0;
	}
	case LWS_CALLBACK_CLIENT_CLOSED:
		P.wsi = NULL;
		if (!P.done) {
			printf("CLOSED 0\n");
			finish(4);
		}
		return 0;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {{"ws-probe", cb, 0, 65536, 0, NULL, 0},
						 {NULL, NULL, 0, 0, 0, NULL, 0}};

static int usage(void)
{
	fprintf(stderr, "usage: ws-probe ws://HOST:PORT/PATH[?QUERY] [--count N] [--timeout S] "
			"[--expect-status CODE] [--send TEXT] [--ping S]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *url = NULL;
	P.timeout_s = 10;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--count") == 0 && v)
			P.count = atoi(argv[++i]);
		else if (strcmp(argv[i], "--timeout") == 0 && v)
			P.timeout_s = atof(argv[++i]);
		else if (strcmp(argv[i], "--expect-status") == 0 && v)
			P.expect_status = atoi(argv[++i]);
		else if (strcmp(argv[i], "--send") == 0 && v)
			P.send_text = argv[++i];
		else if (strcmp(argv[i], "--ping") == 0 && v)
			P.ping_s = atoi(argv[++i]);
		else if (!url && argv[i][0] != '-')
			url = argv[i];
		else
			return usage();
	}
	if (!url || P.timeout_s <= 0)
		return usage();

	char buf[2048];
	const char *proto, *addr, *path;
	int port;
	snprintf(buf, sizeof(buf), "%s", url);
	if (lws_parse_uri(buf, &proto, &addr, &port, &path) || (strcmp(proto, "ws") && strcmp(proto, "wss")))
		return usage();
	char fullpath[2100];
	snprintf(fullpath, sizeof(fullpath), "/%s", path);

	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(LLL_ERR, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	P.ctx = lws_create_context(&info);
	if (!P.ctx)
		return 2;

	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = P.ctx;
	ci.address = addr;
	ci.port = port;
	ci.path = fullpath;
	ci.host = addr;
	ci.origin = addr;
	ci.ssl_connection = strcmp(proto, "wss") == 0 ? LCCSCF_USE_SSL : 0;
	ci.local_protocol_name = "ws-probe";
	ci.pwsi = &P.wsi;
	lws_sul_schedule(P.ctx, 0, &P.timeout_sul, on_timeout, (lws_usec_t)(P.timeout_s * LWS_US_PER_SEC));
	if (!lws_client_connect_via_info(&ci)) {
		if (!P.done) {
			fprintf(stderr, "ws-probe: cannot connect\n");
			P.rc = 2;
			P.done = true;
		}
	}
	while (!P.done && lws_service(P.ctx, 0) >= 0)
		;
	lws_sul_cancel(&P.timeout_sul);
	lws_sul_cancel(&P.ping_sul);
	lws_context_destroy(P.ctx);
	free(P.frag);
	return P.rc;
}
