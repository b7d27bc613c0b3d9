/* rfo-ws against servers started here on 127.0.0.1: a libwebsockets server (messages, fragments,
 * close, automatic pongs) and a raw-socket server (401 at the upgrade, a WebSocket peer that never
 * answers pings, a black hole that listens but never accepts). */
#include "rfo-test.h"

#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libwebsockets.h>
#include <util/base.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#include "rfo-ws.h"
#include "rfo-ws-msg.h"
#include "rfo-test-server.h"

#define SECRET "SECRETTOKEN42"

/* ------------------------------------------------------------------ log capture */

static volatile long secret_leaks;

static void log_handler(int level, const char *format, va_list args, void *param)
{
	char buf[4096];
	(void)param;
	vsnprintf(buf, sizeof(buf), format, args);
	if (strstr(buf, SECRET))
		os_atomic_inc_long(&secret_leaks);
	if (level <= LOG_INFO || strstr(buf, "/lws]"))
		fprintf(stderr, "log %d: %s\n", level, buf);
}

/* ------------------------------------------------------------------ lws server */

struct srv_msg {
	char *data;
	size_t len;
	int frags;
	bool binary;
};

enum srv_mode { SRV_NORMAL, SRV_CLOSE_AT_ONCE, SRV_CLOSE_AFTER_SCRIPT };

static pthread_mutex_t srv_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct srv_msg script[8];
static int script_len;
static volatile long srv_mode;
static volatile long srv_connections;
static uint64_t srv_conn_ns[64];
static volatile bool srv_stop;
static struct lws_context *srv_ctx;
static pthread_t srv_thread;
static int srv_port;
static char srv_last_path[512];
static char srv_last_host[128];
/* server thread only */
static struct lws *srv_wsi;
static int srv_next;
static int srv_frag;

static int srv_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED: {
		long n = os_atomic_inc_long(&srv_connections);
		if (n <= 64)
			srv_conn_ns[n - 1] = os_gettime_ns();
		pthread_mutex_lock(&srv_mutex);
		lws_hdr_copy(wsi, srv_last_path, sizeof(srv_last_path), WSI_TOKEN_GET_URI);
		lws_hdr_copy(wsi, srv_last_host, sizeof(srv_last_host), WSI_TOKEN_HOST);
		char args[256] = "";
		if (lws_hdr_copy(wsi, args, sizeof(args), WSI_TOKEN_HTTP_URI_ARGS) > 0) {
			strcat(srv_last_path, "?");
			strncat(srv_last_path, args, sizeof(srv_last_path) - strlen(srv_last_path) - 1);
		}
		pthread_mutex_unlock(&srv_mutex);
		srv_wsi = wsi;
		srv_next = 0;
		srv_frag = 0;
		lws_callback_on_writable(wsi);
		break;
	}
	case LWS_CALLBACK_SERVER_WRITEABLE: {
		if (wsi != srv_wsi)
			break;
		if (os_atomic_load_long(&srv_mode) == SRV_CLOSE_AT_ONCE) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"bye", 3);
			return -1;
		}
		pthread_mutex_lock(&srv_mutex);
		if (os_atomic_load_long(&srv_mode) == SRV_CLOSE_AFTER_SCRIPT && srv_next >= script_len) {
			pthread_mutex_unlock(&srv_mutex);
			lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"bye", 3);
			return -1;
		}
		if (srv_next < script_len) {
			struct srv_msg *m = &script[srv_next];
			size_t piece = m->len / (size_t)m->frags;
			size_t off = piece * (size_t)srv_frag;
			bool last = srv_frag == m->frags - 1;
			size_t n = last ? m->len - off : piece;
			unsigned char *buf = malloc(LWS_PRE + n + 1);
			memcpy(buf + LWS_PRE, m->data + off, n);
			int flags =
				lws_write_ws_flags(m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT, srv_frag == 0, last);
			int w = lws_write(wsi, buf + LWS_PRE, n, (enum lws_write_protocol)flags);
			free(buf);
			if (w < (int)n) {
				pthread_mutex_unlock(&srv_mutex);
				return -1;
			}
			if (last) {
				srv_next++;
				srv_frag = 0;
			} else {
				srv_frag++;
			}
			if (srv_next < script_len || os_atomic_load_long(&srv_mode) == SRV_CLOSE_AFTER_SCRIPT)
				lws_callback_on_writable(wsi);
		}
		pthread_mutex_unlock(&srv_mutex);
		break;
	}
	case LWS_CALLBACK_CLOSED:
		if (wsi == srv_wsi)
			srv_wsi = NULL;
		break;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (srv_wsi)
			lws_callback_on_writable(srv_wsi);
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols srv_protocols[] = {
	{"test", srv_callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void *srv_main(void *param)
{
	(void)param;
	while (!os_atomic_load_bool(&srv_stop))
		lws_service(srv_ctx, 0);
	return NULL;
}

static void srv_start(void)
{
	struct lws_context_creation_info info = {0};
	info.port = 0;
	info.iface = "127.0.0.1";
	info.protocols = srv_protocols;
	info.gid = -1;
	info.uid = -1;
	info.fd_limit_per_thread = 64;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	srv_ctx = lws_create_context(&info);
	check(srv_ctx != NULL);
	srv_port = lws_get_vhost_listen_port(lws_get_vhost_by_name(srv_ctx, "default"));
	check(srv_port > 0);
	check(pthread_create(&srv_thread, NULL, srv_main, NULL) == 0);
}

static void srv_end(void)
{
	os_atomic_set_bool(&srv_stop, true);
	lws_cancel_service(srv_ctx);
	pthread_join(srv_thread, NULL);
	lws_context_destroy(srv_ctx);
	for (int i = 0; i < script_len; i++)
		free(script[i].data);
}

static void script_add(const char *data, size_t len, int frags, bool binary)
{
	pthread_mutex_lock(&srv_mutex);
	struct srv_msg *m = &script[script_len++];
	m->data = malloc(len + 1);
	memcpy(m->data, data, len);
	m->len = len;
	m->frags = frags;
	m->binary = binary;
	pthread_mutex_unlock(&srv_mutex);
}

static void script_clear(void)
{
	pthread_mutex_lock(&srv_mutex);
	for (int i = 0; i < script_len; i++)
		free(script[i].data);
	script_len = 0;
	pthread_mutex_unlock(&srv_mutex);
}

/* ------------------------------------------------------------------ raw server */

enum raw_mode { RAW_401, RAW_SILENT, RAW_BLACKHOLE };

static int raw_fd = -1;
static int raw_port;
static volatile long raw_mode;
static volatile long raw_connections;
static volatile long raw_pings;
static volatile bool raw_stop;
static pthread_t raw_thread;

static void raw_handshake(int fd, const char *head)
{
	const char *k = astrstri(head, "Sec-WebSocket-Key:");
	char key[128] = "", accept[64] = "", resp[256];
	if (k)
		sscanf(k + 18, " %100s", key);
	strcat(key, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
	unsigned char sha[20];
	lws_SHA1((const unsigned char *)key, strlen(key), sha);
	lws_b64_encode_string((const char *)sha, 20, accept, sizeof(accept));
	int n = snprintf(resp, sizeof(resp),
			 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Accept: %s\r\n\r\n",
			 accept);
	send(fd, resp, (size_t)n, MSG_NOSIGNAL);
}

/* Reads client frames until the peer goes away, counting PINGs (opcode 9) and answering none. */
static void raw_silent(int fd)
{
	unsigned char buf[4096];
	size_t len = 0;
	for (int i = 0; i < 1000 && !os_atomic_load_bool(&raw_stop); i++) { /* <= 20 s */
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 20) <= 0)
			continue;
		ssize_t n = recv(fd, buf + len, sizeof(buf) - len, 0);
		if (n <= 0)
			return;
		len += (size_t)n;
		for (;;) { /* client frames: small, masked */
			if (len < 2)
				break;
			size_t plen = buf[1] & 0x7f, hdr = 2 + 4;
			if (plen >= 126 || len < hdr + plen)
				break;
			if ((buf[0] & 0x0f) == 0x9)
				os_atomic_inc_long(&raw_pings);
			if ((buf[0] & 0x0f) == 0x8)
				return; /* a close frame: hang up */
			memmove(buf, buf + hdr + plen, len - hdr - plen);
			len -= hdr + plen;
		}
	}
}

static void *raw_main(void *param)
{
	(void)param;
	while (!os_atomic_load_bool(&raw_stop)) {
		if (os_atomic_load_long(&raw_mode) == RAW_BLACKHOLE) {
			os_sleep_ms(20);
			continue;
		}
		struct pollfd p = {raw_fd, POLLIN, 0};
		if (poll(&p, 1, 20) <= 0)
			continue;
		int fd = accept(raw_fd, NULL, NULL);
		if (fd < 0)
			continue;
		os_atomic_inc_long(&raw_connections);
		char head[4096];
		if (rfo_test_read_request(fd, head, sizeof(head), &raw_stop)) {
			if (os_atomic_load_long(&raw_mode) == RAW_401) {
				const char *r =
					"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
				send(fd, r, strlen(r), MSG_NOSIGNAL);
				os_sleep_ms(50);
			} else {
				raw_handshake(fd, head);
				raw_silent(fd);
			}
		}
		close(fd);
	}
	return NULL;
}

static void raw_start(void)
{
	raw_fd = rfo_test_listen(8, &raw_port);
	check(pthread_create(&raw_thread, NULL, raw_main, NULL) == 0);
}

static void raw_end(void)
{
	os_atomic_set_bool(&raw_stop, true);
	pthread_join(raw_thread, NULL);
	close(raw_fd);
}

/* ------------------------------------------------------------------ self-signed TLS server */
/* `openssl s_server` with a throw-away self-signed certificate: TLS verification must refuse it. */

static struct rfo_test_tls tls = {.pid = -1};

/* ------------------------------------------------------------------ client observer */

#define MAX_EVENTS 64

struct observer {
	pthread_mutex_t mutex;
	char url[256];
	bool no_url;
	int url_calls;
	int states[MAX_EVENTS];
	int statuses[MAX_EVENTS];
	char reasons[MAX_EVENTS][128];
	uint64_t state_ns[MAX_EVENTS];
	int nstates;
	char *msgs[MAX_EVENTS];
	size_t msg_lens[MAX_EVENTS];
	int nmsgs;
};

static char *obs_get_url(void *param)
{
	struct observer *o = param;
	pthread_mutex_lock(&o->mutex);
	o->url_calls++;
	char *url = o->no_url ? NULL : bstrdup(o->url);
	pthread_mutex_unlock(&o->mutex);
	return url;
}

static void obs_on_state(void *param, enum rfo_ws_state state, int http_status, const char *reason)
{
	struct observer *o = param;
	pthread_mutex_lock(&o->mutex);
	if (o->nstates < MAX_EVENTS) {
		int i = o->nstates++;
		o->states[i] = (int)state;
		o->statuses[i] = http_status;
		snprintf(o->reasons[i], sizeof(o->reasons[i]), "%s", reason ? reason : "");
		o->state_ns[i] = os_gettime_ns();
	}
	pthread_mutex_unlock(&o->mutex);
	if (reason && strstr(reason, SECRET))
		os_atomic_inc_long(&secret_leaks);
}

static void obs_on_message(void *param, const char *text, size_t len)
{
	struct observer *o = param;
	check(text[len] == 0);
	pthread_mutex_lock(&o->mutex);
	if (o->nmsgs < MAX_EVENTS) {
		o->msgs[o->nmsgs] = malloc(len + 1);
		memcpy(o->msgs[o->nmsgs], text, len + 1);
		o->msg_lens[o->nmsgs++] = len;
	}
	pthread_mutex_unlock(&o->mutex);
}

static void observer_init(struct observer *o, int port, const char *path)
{
	memset(o, 0, sizeof(*o));
	pthread_mutex_init(&o->mutex, NULL);
	snprintf(o->url, sizeof(o->url), "ws://127.0.0.1:%d%s", port, path);
}

static void observer_free(struct observer *o)
{
	for (int i = 0; i < o->nmsgs; i++)
		free(o->msgs[i]);
	pthread_mutex_destroy(&o->mutex);
}

static int locked_int(struct observer *o, const int *field)
{
	pthread_mutex_lock(&o->mutex);
	int v = *field;
	pthread_mutex_unlock(&o->mutex);
	return v;
}
#define NMSGS(o) locked_int(&(o), &(o).nmsgs)
#define NSTATES(o) locked_int(&(o), &(o).nstates)
#define URL_CALLS(o) locked_int(&(o), &(o).url_calls)

static int count_states(struct observer *o, int state)
{
	pthread_mutex_lock(&o->mutex);
	int n = 0;
	for (int i = 0; i < o->nstates; i++)
		n += o->states[i] == state;
	pthread_mutex_unlock(&o->mutex);
	return n;
}

static int find_state(struct observer *o, int state, int nth)
{
	pthread_mutex_lock(&o->mutex);
	int found = -1;
	for (int i = 0; i < o->nstates; i++)
		if (o->states[i] == state && nth-- == 0) {
			found = i;
			break;
		}
	pthread_mutex_unlock(&o->mutex);
	return found;
}

/* bounded wait for a condition, polling every 10 ms */
#define wait_for(cond, ms)                                                    \
	do {                                                                  \
		for (int w_ = 0; w_ < (ms) / 10 && !(cond); w_++)             \
			os_sleep_ms(10);                                      \
		if (!(cond))                                                  \
			fail("timed out waiting for " #cond " (" #ms " ms)"); \
	} while (0)

static struct rfo_ws_config base_config(struct observer *o, const char *name)
{
	struct rfo_ws_config c = {0};
	c.name = name;
	c.get_url = obs_get_url;
	c.on_state = obs_on_state;
	c.on_message = obs_on_message;
	c.param = o;
	return c;
}

static double stop_ms(struct rfo_ws *ws, bool destroy)
{
	uint64_t t0 = os_gettime_ns();
	if (destroy)
		rfo_ws_destroy(ws);
	else
		rfo_ws_stop(ws);
	return (double)(os_gettime_ns() - t0) / 1e6;
}

/* ------------------------------------------------------------------ tests */

static void test_assembler(void)
{
	struct rfo_ws_msg m = {0};
	m.max = 10;
	check(rfo_ws_msg_feed(&m, "abc", 3, true, false) == RFO_WS_MSG_MORE);
	check(rfo_ws_msg_feed(&m, "defghij", 7, false, true) == RFO_WS_MSG_READY); /* exactly the limit */
	check(m.len == 10);
	check_str(m.buf, "abcdefghij");
	rfo_ws_msg_reset(&m);
	check(rfo_ws_msg_feed(&m, "", 0, true, true) == RFO_WS_MSG_READY); /* empty message */
	check(m.len == 0 && m.buf && m.buf[0] == 0);
	check(rfo_ws_msg_feed(&m, "abcdef", 6, true, false) == RFO_WS_MSG_MORE);
	check(rfo_ws_msg_feed(&m, "ghijk", 5, false, false) == RFO_WS_MSG_MORE); /* over: dropping */
	check(rfo_ws_msg_feed(&m, "x", 1, false, true) == RFO_WS_MSG_DROPPED);
	/* a new first piece starts over, even after an unfinished message */
	check(rfo_ws_msg_feed(&m, "zz", 2, true, false) == RFO_WS_MSG_MORE);
	check(rfo_ws_msg_feed(&m, "ok", 2, true, true) == RFO_WS_MSG_READY);
	check_str(m.buf, "ok");
	rfo_ws_msg_free(&m);

	/* a big buffer is given back after a big message */
	m.max = 1024 * 1024;
	char *big = calloc(1, 512 * 1024);
	check(rfo_ws_msg_feed(&m, big, 512 * 1024, true, true) == RFO_WS_MSG_READY);
	rfo_ws_msg_reset(&m);
	check(m.buf == NULL && m.cap == 0);
	rfo_ws_msg_free(&m);
	free(big);
}

static void test_messages(void)
{
	struct observer o;
	observer_init(&o, srv_port, "/ws?accessToken=" SECRET);
	size_t big_len = 200 * 1000;
	char *big = malloc(big_len);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)('a' + i % 26);
	script_add("hello", 5, 1, false);
	script_add(big, big_len, 1, false);
	script_add("frag-1|frag-2|frag-3|", 21, 3, false);
	script_add("\x01\x02\x03", 3, 1, true);
	script_add("after", 5, 1, false);

	struct rfo_ws_config c = base_config(&o, "chat");
	struct rfo_ws *ws = rfo_ws_create(&c);
	check(ws != NULL);
	check(rfo_ws_state_get(ws) == RFO_WS_DISCONNECTED);
	long conns = os_atomic_load_long(&srv_connections);
	check(rfo_ws_start(ws));
	check(rfo_ws_start(ws)); /* idempotent */
	wait_for(NMSGS(o) >= 4, 5000);
	check(rfo_ws_state_get(ws) == RFO_WS_CONNECTED);
	check(os_atomic_load_long(&srv_connections) == conns + 1);
	pthread_mutex_lock(&srv_mutex);
	check_str(srv_last_path, "/ws?accessToken=" SECRET);
	pthread_mutex_unlock(&srv_mutex);

	check(NMSGS(o) == 4); /* the binary message is not delivered */
	check_str(o.msgs[0], "hello");
	check(o.msg_lens[1] == big_len && memcmp(o.msgs[1], big, big_len) == 0);
	check_str(o.msgs[2], "frag-1|frag-2|frag-3|");
	check_str(o.msgs[3], "after");
	check(NSTATES(o) == 2 && o.states[0] == RFO_WS_CONNECTING && o.states[1] == RFO_WS_CONNECTED);
	check(URL_CALLS(o) == 1);

	double ms = stop_ms(ws, false);
	printf("stop while connected: %.1f ms\n", ms);
	check(ms < 300.0);
	check(rfo_ws_state_get(ws) == RFO_WS_DISCONNECTED);
	check(NSTATES(o) == 3 && o.states[2] == RFO_WS_DISCONNECTED);
	check_str(o.reasons[2], "stopped");
	rfo_ws_stop(ws); /* idempotent */
	check(NSTATES(o) == 3);

	/* start again after stop: a new connection, the same messages again */
	check(rfo_ws_start(ws));
	wait_for(NMSGS(o) >= 8, 5000);
	check_str(o.msgs[7], "after");
	check(os_atomic_load_long(&srv_connections) == conns + 2);
	rfo_ws_destroy(ws);
	observer_free(&o);

	/* same script with a 150 kB limit: the 200 kB message is dropped, the rest arrives */
	observer_init(&o, srv_port, "/ws");
	c = base_config(&o, "streaming");
	c.max_message_bytes = 150 * 1000;
	struct rfo_ws *ws2 = rfo_ws_create(&c);
	check(rfo_ws_start(ws2));
	wait_for(NMSGS(o) >= 3, 5000);
	os_sleep_ms(100);
	check(NMSGS(o) == 3);
	check_str(o.msgs[0], "hello");
	check_str(o.msgs[1], "frag-1|frag-2|frag-3|");
	check_str(o.msgs[2], "after");
	rfo_ws_destroy(ws2);
	observer_free(&o);
	script_clear();
	free(big);
}

static void test_server_close_backoff(void)
{
	struct observer o;
	observer_init(&o, srv_port, "/ws");
	static const uint32_t backoff[] = {300, 600, 1200};
	struct rfo_ws_config c = base_config(&o, "chat");
	c.backoff_ms = backoff;
	c.backoff_count = 3;
	os_atomic_set_long(&srv_mode, SRV_CLOSE_AT_ONCE);
	long base = os_atomic_load_long(&srv_connections);
	struct rfo_ws *ws = rfo_ws_create(&c);
	check(rfo_ws_start(ws));
	wait_for(os_atomic_load_long(&srv_connections) >= base + 5, 8000);
	rfo_ws_destroy(ws);
	os_atomic_set_long(&srv_mode, SRV_NORMAL);

	/* gaps between connections follow the table (+ up to 20% jitter), the last value repeats */
	const double expect[] = {300, 600, 1200, 1200};
	for (int i = 0; i < 4; i++) {
		double gap = (double)(srv_conn_ns[base + i + 1] - srv_conn_ns[base + i]) / 1e6;
		printf("reconnect gap %d: %.0f ms (table %.0f)\n", i, gap, expect[i]);
		check(gap >= expect[i] - 20 && gap <= expect[i] * 1.2 + 250);
	}
	int d = find_state(&o, RFO_WS_DISCONNECTED, 0);
	check(d >= 0);
	check(strstr(o.reasons[d], "1001") != NULL);
	check(o.statuses[d] == 0);
	check(count_states(&o, RFO_WS_CONNECTED) >= 5);
	observer_free(&o);
}

static void test_401_and_reconnect_now(void)
{
	struct observer o;
	observer_init(&o, raw_port, "/ws?accessToken=" SECRET);
	static const uint32_t backoff[] = {5000};
	struct rfo_ws_config c = base_config(&o, "streaming");
	c.backoff_ms = backoff;
	c.backoff_count = 1;
	os_atomic_set_long(&raw_mode, RAW_401);
	long base = os_atomic_load_long(&raw_connections);
	struct rfo_ws *ws = rfo_ws_create(&c);
	check(rfo_ws_start(ws));
	wait_for(count_states(&o, RFO_WS_DISCONNECTED) >= 1, 5000);
	int d = find_state(&o, RFO_WS_DISCONNECTED, 0);
	check(o.statuses[d] == 401);
	check(strstr(o.reasons[d], "401") != NULL);
	check(rfo_ws_state_get(ws) == RFO_WS_DISCONNECTED);
	check(os_atomic_load_long(&raw_connections) == base + 1);

	/* the owner refreshed the token: reconnect now instead of after the 5 s backoff */
	uint64_t t0 = os_gettime_ns();
	rfo_ws_reconnect(ws);
	wait_for(count_states(&o, RFO_WS_DISCONNECTED) >= 2, 2000);
	double ms = (double)(os_gettime_ns() - t0) / 1e6;
	printf("reconnect after 401 answered after %.0f ms\n", ms);
	check(ms < 1000.0);
	check(os_atomic_load_long(&raw_connections) == base + 2);
	check(o.statuses[find_state(&o, RFO_WS_DISCONNECTED, 1)] == 401);
	check(URL_CALLS(o) == 2);
	rfo_ws_destroy(ws);
	observer_free(&o);
}

static void test_idle_timeout(void)
{
	struct observer o;
	observer_init(&o, srv_port, "/quiet");
	static const uint32_t backoff[] = {200};
	struct rfo_ws_config c = base_config(&o, "chat");
	c.idle_timeout_s = 1;
	c.backoff_ms = backoff;
	c.backoff_count = 1;
	long base = os_atomic_load_long(&srv_connections);
	struct rfo_ws *ws = rfo_ws_create(&c);
	check(rfo_ws_start(ws));
	wait_for(os_atomic_load_long(&srv_connections) >= base + 2, 5000);
	int up = find_state(&o, RFO_WS_CONNECTED, 0);
	int d = find_state(&o, RFO_WS_DISCONNECTED, 0);
	check(up >= 0 && d > up);
	double s = (double)(o.state_ns[d] - o.state_ns[up]) / 1e9;
	printf("idle timeout fired after %.2f s: %s\n", s, o.reasons[d]);
	check(s >= 0.95 && s < 1.6);
	check(strstr(o.reasons[d], "no message") != NULL);
	rfo_ws_destroy(ws);
	observer_free(&o);
}

static void test_pings(void)
{
	/* the lws server answers pings: the connection stays up */
	struct observer o;
	observer_init(&o, srv_port, "/pings");
	struct rfo_ws_config c = base_config(&o, "streaming");
	c.ping_interval_s = 1;
	c.max_missed_pongs = 2;
	long base = os_atomic_load_long(&srv_connections);
	struct rfo_ws *ws = rfo_ws_create(&c);
	check(rfo_ws_start(ws));
	wait_for(rfo_ws_state_get(ws) == RFO_WS_CONNECTED, 3000);
	os_sleep_ms(4500);
	check(rfo_ws_state_get(ws) == RFO_WS_CONNECTED);
	check(os_atomic_load_long(&srv_connections) == base + 1);
	check(count_states(&o, RFO_WS_DISCONNECTED) == 0);
	rfo_ws_destroy(ws);
	observer_free(&o);

	/* a peer that never answers: reconnect after two missed pongs */
	observer_init(&o, raw_port, "/silent");
	static const uint32_t backoff[] = {200};
	c = base_config(&o, "streaming");
	c.ping_interval_s = 1;
	c.max_missed_pongs = 2;
	c.backoff_ms = backoff;
	c.backoff_count = 1;
	os_atomic_set_long(&raw_mode, RAW_SILENT);
	long pings = os_atomic_load_long(&raw_pings);
	ws = rfo_ws_create(&c);
	check(rfo_ws_start(ws));
	wait_for(count_states(&o, RFO_WS_DISCONNECTED) >= 1, 6000);
	int up = find_state(&o, RFO_WS_CONNECTED, 0);
	int d = find_state(&o, RFO_WS_DISCONNECTED, 0);
	check(up >= 0 && d > up);
	double s = (double)(o.state_ns[d] - o.state_ns[up]) / 1e9;
	printf("missed pongs detected after %.2f s (%ld pings seen): %s\n", s, os_atomic_load_long(&raw_pings) - pings,
	       o.reasons[d]);
	check(strstr(o.reasons[d], "ping") != NULL);
	check(s >= 2.9 && s < 3.6);
	check(os_atomic_load_long(&raw_pings) - pings >= 2);
	wait_for(count_states(&o, RFO_WS_CONNECTED) >= 2, 3000); /* and it came back */
	rfo_ws_destroy(ws);
	observer_free(&o);
}

static void test_no_url_policy_reconnect(void)
{
	struct observer o;
	observer_init(&o, srv_port, "/later");
	snprintf(o.url, sizeof(o.url), "ws://localhost:%d/later", srv_port); /* a name: the lookup thread */
	o.no_url = true;
	struct rfo_ws_config c = base_config(&o, "chat");
	long base = os_atomic_load_long(&srv_connections);
	struct rfo_ws *ws = rfo_ws_create(&c);
	rfo_ws_reconnect(ws); /* not started: no-op */
	check(rfo_ws_start(ws));
	wait_for(URL_CALLS(o) == 1, 2000);
	os_sleep_ms(300);
	check(URL_CALLS(o) == 1); /* waits, does not poll */
	check(NSTATES(o) == 0);   /* already disconnected: nothing to report */
	check(os_atomic_load_long(&srv_connections) == base);

	/* signed in: connect now */
	pthread_mutex_lock(&o.mutex);
	o.no_url = false;
	pthread_mutex_unlock(&o.mutex);
	rfo_ws_reconnect(ws);
	wait_for(rfo_ws_state_get(ws) == RFO_WS_CONNECTED, 3000);
	check(os_atomic_load_long(&srv_connections) == base + 1);
	char expect_host[64];
	snprintf(expect_host, sizeof(expect_host), "localhost:%d", srv_port);
	pthread_mutex_lock(&srv_mutex);
	check_str(srv_last_host, expect_host); /* the name, not the address, goes in Host */
	pthread_mutex_unlock(&srv_mutex);

	/* token changed while connected: close and reconnect at once */
	rfo_ws_reconnect(ws);
	wait_for(os_atomic_load_long(&srv_connections) == base + 2, 3000);
	wait_for(rfo_ws_state_get(ws) == RFO_WS_CONNECTED, 3000);
	check(count_states(&o, RFO_WS_DISCONNECTED) == 0); /* connected -> connecting -> connected */
	check(count_states(&o, RFO_WS_CONNECTING) == 2);
	check(NSTATES(o) == 4 && o.states[2] == RFO_WS_CONNECTING);

	/* an insecure non-loopback URL is refused before any network use */
	pthread_mutex_lock(&o.mutex);
	snprintf(o.url, sizeof(o.url), "ws://example.com/ws?accessToken=" SECRET);
	pthread_mutex_unlock(&o.mutex);
	int before = count_states(&o, RFO_WS_DISCONNECTED);
	rfo_ws_reconnect(ws);
	wait_for(count_states(&o, RFO_WS_DISCONNECTED) >= before + 1, 3000);
	os_sleep_ms(200);
	int d = find_state(&o, RFO_WS_DISCONNECTED, before);
	check(strstr(o.reasons[d], "example.com") != NULL);
	check(rfo_ws_state_get(ws) == RFO_WS_DISCONNECTED);
	check(find_state(&o, RFO_WS_CONNECTING, 2) == -1); /* never tried */
	rfo_ws_destroy(ws);
	observer_free(&o);
}

static void test_tls_verification(void)
{
	struct observer o;
	observer_init(&o, 0, "");
	snprintf(o.url, sizeof(o.url), "wss://127.0.0.1:%d/ws?accessToken=" SECRET, tls.port);
	static const uint32_t backoff[] = {5000};
	struct rfo_ws_config c = base_config(&o, "chat");
	c.backoff_ms = backoff;
	c.backoff_count = 1;
	struct rfo_ws *ws = rfo_ws_create(&c);
	check(rfo_ws_start(ws));
	wait_for(count_states(&o, RFO_WS_DISCONNECTED) >= 1, 5000);
	int d = find_state(&o, RFO_WS_DISCONNECTED, 0);
	printf("self-signed wss server: %s\n", o.reasons[d]);
	check(o.statuses[d] == 0);
	check(strstr(o.reasons[d], "certificate") != NULL);
	check(count_states(&o, RFO_WS_CONNECTED) == 0);
	rfo_ws_destroy(ws);
	observer_free(&o);
}

static void test_stop_during_connect(bool destroy)
{
	struct observer o;
	observer_init(&o, raw_port, "/blackhole");
	struct rfo_ws_config c = base_config(&o, "streaming");
	os_atomic_set_long(&raw_mode, RAW_BLACKHOLE);
	os_sleep_ms(50); /* the raw thread stops accepting */
	struct rfo_ws *ws = rfo_ws_create(&c);
	check(rfo_ws_start(ws));
	wait_for(rfo_ws_state_get(ws) == RFO_WS_CONNECTING, 2000);
	os_sleep_ms(400); /* TCP is in the backlog, the upgrade request waits for an answer */
	check(rfo_ws_state_get(ws) == RFO_WS_CONNECTING);
	double ms = stop_ms(ws, destroy);
	printf("%s during a connect attempt: %.1f ms\n", destroy ? "destroy" : "stop", ms);
	check(ms < 300.0);
	if (!destroy) {
		check(rfo_ws_state_get(ws) == RFO_WS_DISCONNECTED);
		rfo_ws_destroy(ws);
	}
	int d = find_state(&o, RFO_WS_DISCONNECTED, 0);
	check(d >= 0);
	check_str(o.reasons[d], "stopped");
	observer_free(&o);
	/* drain the backlog */
	os_atomic_set_long(&raw_mode, RAW_401);
	os_sleep_ms(100);
}

/* ------------------------------------------------------------------ backoff reset, token of a refused attempt */

static char cb_token[64];

static void token_on_state(void *param, enum rfo_ws_state state, int http_status, const char *reason)
{
	if (state == RFO_WS_DISCONNECTED && http_status == 401) {
		char *t = rfo_ws_callback_query_value("accessToken");
		struct observer *o = param;
		pthread_mutex_lock(&o->mutex);
		snprintf(cb_token, sizeof(cb_token), "%s", t ? t : "(null)");
		pthread_mutex_unlock(&o->mutex);
		bfree(t);
	}
	obs_on_state(param, state, http_status, reason);
}

/* Runs a chat-like socket (1-s idle timeout) against the lws server until it has reconnected three
 * times; gaps[] gets the wait (ms) between each DISCONNECTED and the next CONNECTING. */
static void run_reconnects(const char *path, const char *reason, double gaps[3], int *messages)
{
	static const uint32_t backoff[] = {200, 800, 1600};
	struct observer o;
	observer_init(&o, srv_port, path);
	struct rfo_ws_config c = base_config(&o, "chat");
	c.idle_timeout_s = 1;
	c.backoff_ms = backoff;
	c.backoff_count = 3;
	struct rfo_ws *ws = rfo_ws_create(&c);
	check(rfo_ws_start(ws));
	wait_for(count_states(&o, RFO_WS_CONNECTING) >= 4, 15000);
	rfo_ws_destroy(ws);
	for (int i = 0; i < 3; i++) {
		int d = find_state(&o, RFO_WS_DISCONNECTED, i);
		check(d >= 0 && d + 1 < o.nstates && o.states[d + 1] == RFO_WS_CONNECTING);
		check(strstr(o.reasons[d], reason) != NULL);
		gaps[i] = (double)(o.state_ns[d + 1] - o.state_ns[d]) / 1e6;
	}
	check(count_states(&o, RFO_WS_CONNECTED) >= 3);
	*messages = o.nmsgs;
	observer_free(&o);
}

static void test_backoff_resets_when_proven(void)
{
	double gaps[3];
	int messages;
	script_clear();

	/* upgraded, then silent until the idle timeout: an upgrade alone does not reset the position */
	run_reconnects("/quiet", "no message", gaps, &messages);
	const double grow[] = {200, 800, 1600};
	for (int i = 0; i < 3; i++) {
		printf("silent sockets: reconnect gap %d: %.0f ms (table %.0f)\n", i, gaps[i], grow[i]);
		check(gaps[i] >= grow[i] - 20 && gaps[i] <= grow[i] * 1.2 + 250);
	}
	check(messages == 0);

	/* every connection delivers a message (as chat's connection_info), then goes quiet: it proved
	 * useful, so every reconnect waits the first delay again */
	const char hb[] = "{\"action\":\"heartbeat\",\"payload\":{},\"timestamp\":1}";
	script_add(hb, sizeof(hb) - 1, 1, false);
	run_reconnects("/talk", "no message", gaps, &messages);
	for (int i = 0; i < 3; i++) {
		printf("useful sockets: reconnect gap %d: %.0f ms (table 200)\n", i, gaps[i]);
		check(gaps[i] >= 180 && gaps[i] <= 200 * 1.2 + 250);
	}
	check(messages >= 3);

	/* every connection greets, then the server closes it at once (as for a connection limit): a message on a
	 * connection that did not stay up does not reset the position, so the reconnects keep backing off */
	os_atomic_set_long(&srv_mode, SRV_CLOSE_AFTER_SCRIPT);
	run_reconnects("/greet-and-go", "1001", gaps, &messages);
	os_atomic_set_long(&srv_mode, SRV_NORMAL);
	script_clear();
	for (int i = 0; i < 3; i++) {
		printf("greet-and-close sockets: reconnect gap %d: %.0f ms (table %.0f)\n", i, gaps[i], grow[i]);
		check(gaps[i] >= grow[i] - 20 && gaps[i] <= grow[i] * 1.2 + 250);
	}
	check(messages >= 3);

	/* a refused upgrade: the callback can read the token that attempt carried; nobody else can */
	struct observer o;
	observer_init(&o, raw_port, "/ws?accessToken=" SECRET "&v=2");
	struct rfo_ws_config c = base_config(&o, "streaming");
	c.on_state = token_on_state;
	os_atomic_set_long(&raw_mode, RAW_401);
	struct rfo_ws *ws = rfo_ws_create(&c);
	check(rfo_ws_start(ws));
	wait_for(count_states(&o, RFO_WS_DISCONNECTED) >= 1, 5000);
	pthread_mutex_lock(&o.mutex);
	check_str(cb_token, SECRET);
	pthread_mutex_unlock(&o.mutex);
	check(rfo_ws_callback_query_value("accessToken") == NULL);
	rfo_ws_destroy(ws);
	observer_free(&o);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	base_set_log_handler(log_handler, NULL);
	srand(1);

	check(rfo_ws_create(NULL) == NULL);
	rfo_ws_destroy(NULL);
	rfo_ws_stop(NULL);
	check(rfo_ws_state_get(NULL) == RFO_WS_DISCONNECTED);
	check_str(rfo_ws_state_name(RFO_WS_CONNECTED), "connected");

	test_assembler();
	srv_start();
	raw_start();

	test_messages();
	test_server_close_backoff();
	test_401_and_reconnect_now();
	test_idle_timeout();
	test_pings();
	test_no_url_policy_reconnect();
	rfo_test_tls_start(&tls);
	test_tls_verification();
	rfo_test_tls_stop(&tls);
	test_stop_during_connect(false);
	test_stop_during_connect(true);
	test_backoff_resets_when_proven();

	raw_end();
	srv_end();
	check(os_atomic_load_long(&secret_leaks) == 0);
	curl_global_cleanup();
	return rfo_test_end();
}
