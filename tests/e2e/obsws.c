/* obsws: a small obs-websocket v5 (rpcVersion 1) client for the end-to-end tests and benchmarks.
 *
 *   obsws wait-ready [--timeout S]                 connect + Identify + GetVersion, retrying until OBS answers
 *   obsws call RequestType ['{json}']              print {"requestStatus":…,"responseData":…}
 *   obsws vendor Vendor RequestType ['{json}']     CallVendorRequest; print the vendor's responseData
 *   obsws events [--count N] [--type T] [--vendor-event E] [--ready-file F] [--full]
 *                                                  print each event's eventData (--full: the whole event
 *                                                  {eventType,eventIntent,eventData}), one compact JSON a line;
 *                                                  --ready-file is created once subscribed; --count 0: until
 *                                                  --timeout, then exit 0
 *   obsws rtt [--vendor V] --request R [--count N] [--interval-ms M] [--data '{json}']
 *                                                  (without --vendor: a plain obs-websocket request)
 *                                                  print "rtt_ms min=… p50=… p99=… max=…"
 * Common options: --port P (or env OBSWS_PORT, default 4455), --host H (default 127.0.0.1),
 * --timeout S (overall deadline, default 10; events: default 10).
 *
 * One libwebsockets context, one thread, every wait bounded by the overall deadline. Exit status:
 * 0 success, 1 failure (error on stderr), 2 usage error. The tool talks to loopback OBS only and
 * does not implement password authentication (the tests run OBS with AuthRequired=false). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OP_HELLO 0
#define OP_IDENTIFY 1
#define OP_IDENTIFIED 2
#define OP_EVENT 5
#define OP_REQUEST 6
#define OP_REQUEST_RESPONSE 7

#define SUBS_ALL 0x7FF     /* EventSubscription::All (bits 0..10, no high-volume events) */
#define SUBS_VENDORS 0x200 /* EventSubscription::Vendors (1 << 9) */
#define RX_MAX (16 * 1024 * 1024)
#define TX_QUEUE 8
#define RETRY_US (25 * 1000)

enum mode { MODE_WAIT_READY, MODE_CALL, MODE_VENDOR, MODE_EVENTS, MODE_RTT };

struct obsws {
	enum mode mode;
	const char *host;
	int port;
	double timeout_s;

	/* the request (call, vendor, rtt) */
	const char *vendor;
	const char *request_type;
	json_t *request_data; /* owned, NULL when none */
	char request_id[32];
	unsigned long next_id;
	double sent_at_ms;

	/* events */
	int count;
	int received;
	const char *event_type;
	const char *vendor_event;
	const char *ready_file;
	bool full;

	/* rtt */
	int interval_ms;
	double *rtts;
	int done_requests;

	/* connection */
	struct lws_context *ctx;
	struct lws *wsi;
	char *rx;
	size_t rx_len;
	size_t rx_cap;
	char *tx[TX_QUEUE];
	int tx_n;
	bool done;
	int exit_code;
	char last_error[256];
	lws_sorted_usec_list_t sul_deadline;
	lws_sorted_usec_list_t sul_retry;
	lws_sorted_usec_list_t sul_next;
};

static struct obsws g;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void finish(int code)
{
	if (g.done)
		return;
	g.done = true;
	g.exit_code = code;
	lws_cancel_service(g.ctx);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	if (g.done)
		return;
	fprintf(stderr, "obsws: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	finish(1);
}

static void print_json(FILE *f, const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	fprintf(f, "%s\n", s ? s : "null");
	fflush(f);
	free(s);
}

/* Queue one message (takes ownership of msg) and ask lws for a writable callback. */
static void send_json(json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!s || g.tx_n == TX_QUEUE || !g.wsi) {
		free(s);
		fail("cannot queue a message");
		return;
	}
	g.tx[g.tx_n++] = s;
	lws_callback_on_writable(g.wsi);
}

static void send_request(void)
{
	json_t *data;
	const char *type = g.request_type;

	snprintf(g.request_id, sizeof(g.request_id), "obsws-%lu", ++g.next_id);
	if (g.mode == MODE_WAIT_READY) {
		type = "GetVersion";
		data = NULL;
	} else if (g.vendor) {
		type = "CallVendorRequest";
		data = json_pack("{s:s, s:s}", "vendorName", g.vendor, "requestType", g.request_type);
		/* obs-websocket 5.1 refuses an empty inner requestData (403): omit it instead. */
		if (g.request_data && json_object_size(g.request_data) > 0)
			json_object_set(data, "requestData", g.request_data);
	} else {
		data = g.request_data ? json_incref(g.request_data) : NULL;
	}
	json_t *d = json_pack("{s:s, s:s}", "requestType", type, "requestId", g.request_id);
	if (data)
		json_object_set_new(d, "requestData", data);
	g.sent_at_ms = now_ms();
	send_json(json_pack("{s:i, s:o}", "op", OP_REQUEST, "d", d));
}

static void on_next_request(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (!g.done)
		send_request();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double percentile(const double *v, int n, double p)
{
	int rank = (int)ceil(p * n);
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

static void print_rtt(void)
{
	int n = g.done_requests;
	qsort(g.rtts, (size_t)n, sizeof(double), cmp_double);
	printf("rtt_ms min=%.2f p50=%.2f p99=%.2f max=%.2f count=%d\n", g.rtts[0], percentile(g.rtts, n, 0.50),
	       percentile(g.rtts, n, 0.99), g.rtts[n - 1], n);
	fflush(stdout);
}

static void handle_response(json_t *d)
{
	json_t *status = json_object_get(d, "requestStatus");
	json_t *response = json_object_get(d, "responseData");
	bool ok = json_is_true(json_object_get(status, "result"));

	const char *id = json_string_value(json_object_get(d, "requestId"));

	if (!id || strcmp(id, g.request_id) != 0)
		return;

	switch (g.mode) {
	case MODE_WAIT_READY:
		finish(ok ? 0 : 1);
		break;
	case MODE_CALL: {
		json_t *out = json_pack("{s:O?, s:O?}", "requestStatus", status, "responseData", response);
		print_json(stdout, out);
		json_decref(out);
		finish(ok ? 0 : 1);
		break;
	}
	case MODE_VENDOR:
		if (!ok) {
			fprintf(stderr, "obsws: CallVendorRequest %s/%s failed: ", g.vendor, g.request_type);
			print_json(stderr, status);
			finish(1);
			break;
		}
		print_json(stdout, json_object_get(response, "responseData"));
		finish(0);
		break;
	case MODE_RTT:
		if (!ok) {
			fprintf(stderr, "obsws: rtt request %d failed: ", g.done_requests + 1);
			print_json(stderr, status);
			finish(1);
			break;
		}
		g.rtts[g.done_requests++] = now_ms() - g.sent_at_ms;
		if (g.done_requests == g.count) {
			print_rtt();
			finish(0);
		} else if (g.interval_ms > 0) {
			lws_sul_schedule(g.ctx, 0, &g.sul_next, on_next_request, (lws_usec_t)g.interval_ms * 1000);
		} else {
			send_request();
		}
		break;
	case MODE_EVENTS:
		break;
	}
}

static void handle_event(json_t *d)
{
	const char *type = json_string_value(json_object_get(d, "eventType"));
	json_t *data = json_object_get(d, "eventData");

	if (g.mode != MODE_EVENTS || !type)
		return;
	if (g.event_type && strcmp(type, g.event_type) != 0)
		return;
	if (g.vendor_event) {
		const char *inner = json_string_value(json_object_get(data, "eventType"));
		if (strcmp(type, "VendorEvent") != 0 || !inner || strcmp(inner, g.vendor_event) != 0)
			return;
	}
	print_json(stdout, g.full ? d : data);
	if (++g.received == g.count)
		finish(0);
}

static void on_identified(void)
{
	if (g.mode == MODE_EVENTS) {
		if (g.ready_file) {
			FILE *f = fopen(g.ready_file, "w");
			if (!f) {
				fail("cannot write %s: %s", g.ready_file, strerror(errno));
				return;
			}
			fclose(f);
		}
		return;
	}
	send_request();
}

static void handle_message(const char *text, size_t len)
{
	json_error_t err;
	json_t *msg = json_loadb(text, len, 0, &err);
	json_t *d = json_object_get(msg, "d");
	json_int_t op = json_integer_value(json_object_get(msg, "op"));

	if (!msg || !json_is_object(d)) {
		fail("unparsable message from OBS: %s", msg ? "no \"d\" object" : err.text);
		json_decref(msg);
		return;
	}
	switch (op) {
	case OP_HELLO:
		if (json_object_get(d, "authentication")) {
			fail("OBS requires a password; obsws supports only AuthRequired=false");
			break;
		}
		send_json(json_pack("{s:i, s:{s:i, s:i}}", "op", OP_IDENTIFY, "d", "rpcVersion", 1,
				    "eventSubscriptions", g.mode == MODE_EVENTS ? SUBS_ALL : 0));
		break;
	case OP_IDENTIFIED:
		on_identified();
		break;
	case OP_EVENT:
		handle_event(d);
		break;
	case OP_REQUEST_RESPONSE:
		handle_response(d);
		break;
	default:
		break;
	}
	json_decref(msg);
}

static void connect_now(void);

static void on_retry(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (!g.done)
		connect_now();
}

static void on_disconnect(const char *why)
{
	g.wsi = NULL;
	while (g.tx_n > 0)
		free(g.tx[--g.tx_n]);
	g.rx_len = 0;
	if (g.done)
		return;
	snprintf(g.last_error, sizeof(g.last_error), "%s", why);
	if (g.mode == MODE_WAIT_READY)
		lws_sul_schedule(g.ctx, 0, &g.sul_retry, on_retry, RETRY_US);
	else
		fail("%s:%d: %s", g.host, g.port, why);
}

static bool rx_append(const void *in, size_t len)
{
	if (g.rx_len + len + 1 > g.rx_cap) {
		size_t cap = g.rx_cap ? g.rx_cap : 4096;
		while (cap < g.rx_len + len + 1)
			cap *= 2;
		if (cap > RX_MAX)
			return false;
		char *p = realloc(g.rx, cap);
		if (!p)
			return false;
		g.rx = p;
		g.rx_cap = cap;
	}
	memcpy(g.rx + g.rx_len, in, len);
	g.rx_len += len;
	return true;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		char why[200];
		snprintf(why, sizeof(why), "connection failed: %.*s", in ? (int)len : 7,
			 in ? (const char *)in : "unknown");
		on_disconnect(why);
		return 0;
	}
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!rx_append(in, len)) {
			fail("message from OBS too large");
			return -1;
		}
		if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
			handle_message(g.rx, g.rx_len);
			g.rx_len = 0;
		}
		return g.done ? -1 : 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		if (g.done)
			return -1;
		if (g.tx_n == 0)
			return 0;
		char *s = g.tx[0];
		size_t n = strlen(s);
		unsigned char *buf = malloc(LWS_PRE + n);
		if (!buf) {
			fail("out of memory");
			return -1;
		}
		memcpy(buf + LWS_PRE, s, n);
		int wrote = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT);
		free(buf);
		free(s);
		memmove(g.tx, g.tx + 1, sizeof(g.tx[0]) * (size_t)--g.tx_n);
		if (wrote < (int)n) {
			fail("write to OBS failed");
			return -1;
		}
		if (g.tx_n > 0)
			lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *p = in;
			fprintf(stderr, "obsws: OBS closed the connection: code %d %.*s\n", p[0] << 8 | p[1],
				(int)len - 2, (const char *)in + 2);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		on_disconnect("connection closed by OBS");
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{"obswebsocket.json", callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void connect_now(void)
{
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = g.ctx;
	ci.address = g.host;
	ci.port = g.port;
	ci.path = "/";
	ci.host = g.host;
	ci.origin = g.host;
	ci.protocol = "obswebsocket.json";
	ci.pwsi = &g.wsi;
	if (!lws_client_connect_via_info(&ci) && !g.done && !g.wsi)
		on_disconnect("connection failed");
}

static void on_deadline(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (g.mode == MODE_EVENTS && g.count == 0) {
		finish(0);
		return;
	}
	switch (g.mode) {
	case MODE_WAIT_READY:
		fail("OBS did not answer within %.1f s (last error: %s)", g.timeout_s,
		     g.last_error[0] ? g.last_error : "none");
		break;
	case MODE_EVENTS:
		fail("timeout after %.1f s: %d of %d events", g.timeout_s, g.received, g.count);
		break;
	case MODE_RTT:
		fail("timeout after %.1f s: %d of %d requests answered", g.timeout_s, g.done_requests, g.count);
		break;
	default:
		fail("timeout after %.1f s waiting for %s", g.timeout_s, g.request_type);
		break;
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: obsws [--port P] [--host H] [--timeout S] COMMAND ...\n"
		   "  wait-ready                          wait until OBS answers GetVersion\n"
		   "  call RequestType ['{json}']         print {requestStatus, responseData}\n"
		   "  vendor Vendor RequestType ['{json}'] print the vendor's responseData\n"
		   "  events [--count N] [--type T] [--vendor-event E] [--ready-file F] [--full]\n"
		   "  rtt [--vendor V] --request R [--count N] [--interval-ms M] [--data '{json}']\n"
		   "port: --port or $OBSWS_PORT (default 4455)\n");
}

static json_t *parse_object(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);
	if (!json_is_object(j)) {
		fprintf(stderr, "obsws: request data must be a JSON object: %s\n", j ? text : err.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},
		{"host", required_argument, NULL, 'H'},
		{"timeout", required_argument, NULL, 't'},
		{"count", required_argument, NULL, 'n'},
		{"type", required_argument, NULL, 'T'},
		{"vendor-event", required_argument, NULL, 'E'},
		{"ready-file", required_argument, NULL, 'r'},
		{"vendor", required_argument, NULL, 'V'},
		{"request", required_argument, NULL, 'R'},
		{"interval-ms", required_argument, NULL, 'i'},
		{"data", required_argument, NULL, 'd'},
		{"full", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *env_port = getenv("OBSWS_PORT");
	const char *data = NULL;
	int c;

	g.host = "127.0.0.1";
	g.port = env_port && *env_port ? atoi(env_port) : 4455;
	g.timeout_s = 10.0;
	g.count = -1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			g.port = atoi(optarg);
			break;
		case 'H':
			g.host = optarg;
			break;
		case 't':
			g.timeout_s = atof(optarg);
			break;
		case 'n':
			g.count = atoi(optarg);
			break;
		case 'T':
			g.event_type = optarg;
			break;
		case 'E':
			g.vendor_event = optarg;
			break;
		case 'r':
			g.ready_file = optarg;
			break;
		case 'V':
			g.vendor = optarg;
			break;
		case 'R':
			g.request_type = optarg;
			break;
		case 'i':
			g.interval_ms = atoi(optarg);
			break;
		case 'd':
			data = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return 2;
		}
	}
	char **pos = argv + optind;
	int npos = argc - optind;
	if (npos < 1 || g.port <= 0 || g.port > 65535 || g.timeout_s <= 0)
		return 2;

	const char *cmd = pos[0];
	if (strcmp(cmd, "wait-ready") == 0 && npos == 1) {
		g.mode = MODE_WAIT_READY;
	} else if (strcmp(cmd, "call") == 0 && (npos == 2 || npos == 3)) {
		g.mode = MODE_CALL;
		g.request_type = pos[1];
		data = npos == 3 ? pos[2] : NULL;
	} else if (strcmp(cmd, "vendor") == 0 && (npos == 3 || npos == 4)) {
		g.mode = MODE_VENDOR;
		g.vendor = pos[1];
		g.request_type = pos[2];
		data = npos == 4 ? pos[3] : NULL;
	} else if (strcmp(cmd, "events") == 0 && npos == 1) {
		g.mode = MODE_EVENTS;
		g.count = g.count < 0 ? 0 : g.count;
	} else if (strcmp(cmd, "rtt") == 0 && npos == 1 && g.request_type) {
		g.mode = MODE_RTT;
		g.count = g.count < 0 ? 20 : g.count;
		if (g.count < 1 || g.interval_ms < 0)
			return 2;
	} else {
		return 2;
	}
	if (data && !(g.request_data = parse_object(data)))
		return 2;
	return 0;
}

int main(int argc, char **argv)
{
	struct lws_context_creation_info info;

	if (parse_args(argc, argv) != 0) {
		usage(stderr);
		return 2;
	}
	if (g.mode == MODE_RTT && !(g.rtts = calloc((size_t)g.count, sizeof(double)))) {
		fprintf(stderr, "obsws: out of memory\n");
		return 1;
	}

	lws_set_log_level(0, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.fd_limit_per_thread = 4;
	info.gid = -1;
	info.uid = -1;
	g.ctx = lws_create_context(&info);
	if (!g.ctx) {
		fprintf(stderr, "obsws: cannot create the libwebsockets context\n");
		return 1;
	}
	lws_sul_schedule(g.ctx, 0, &g.sul_deadline, on_deadline, (lws_usec_t)(g.timeout_s * 1e6));
	connect_now();
	while (!g.done && lws_service(g.ctx, 0) >= 0)
		;
	lws_sul_cancel(&g.sul_deadline);
	lws_sul_cancel(&g.sul_retry);
	lws_sul_cancel(&g.sul_next);
	lws_context_destroy(g.ctx);

	while (g.tx_n > 0)
		free(g.tx[--g.tx_n]);
	free(g.rx);
	free(g.rtts);
	json_decref(g.request_data);
	return g.exit_code;
}
