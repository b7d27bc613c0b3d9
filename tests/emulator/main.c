/* restream-emulator: command line, lws context with three loopback vhosts (API, chat, streaming), event loop. */
#include "emu.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: restream-emulator [--api-port N] [--chat-port N] [--streaming-port N] (0 = any free port)\n"
		"  [--client-id ID] [--client-secret S] [--rtmp-url URL] [--srt-url URL] [--no-srt]\n"
		"  [--token-lifetime SECONDS] [--heartbeat SECONDS] [--demo] [--seed N] [--quiet] [--verbose]\n"
		"  [--redirect-uri URI]... (the app's registered redirect URIs, matched exactly)\n"
		"  [--any-loopback-redirect] (also accept any http loopback redirect URI; --demo implies it)\n"
		"  [--broker-client-id ID --broker-client-secret-file FILE --broker-redirect-uri URI...]\n"
		"      (a second client, whose secret only a token broker knows)\n");
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
	char *end = NULL;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || !*s || *end || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

static bool add_uri(char uris[][256], int *n, const char *uri)
{
	if (!uri || *n >= EMU_MAX_REDIRECTS || strlen(uri) >= 256)
		return false;
	snprintf(uris[(*n)++], 256, "%s", uri);
	return true;
}

/* The broker client's secret, from a file (never on the command line, where ps shows it). */
static bool read_secret(const char *path, char *out, size_t size)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f)
		return false;
	bool ok = fgets(out, (int)size, f) != NULL;
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return ok && out[0];
}

static int parse_args(int argc, char **argv, bool *verbose)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true, takes = true;
		if (strcmp(a, "--api-port") == 0)
			ok = parse_int(v, 0, 65535, &emu.api_port);
		else if (strcmp(a, "--chat-port") == 0)
			ok = parse_int(v, 0, 65535, &emu.chat_port);
		else if (strcmp(a, "--streaming-port") == 0)
			ok = parse_int(v, 0, 65535, &emu.streaming_port);
		else if (strcmp(a, "--token-lifetime") == 0)
			ok = parse_int(v, 1, 100000000, &emu.token_lifetime);
		else if (strcmp(a, "--heartbeat") == 0)
			ok = parse_int(v, 1, 3600, &emu.heartbeat_s);
		else if (strcmp(a, "--client-id") == 0 && v)
			snprintf(emu.client_id, sizeof(emu.client_id), "%s", v);
		else if (strcmp(a, "--client-secret") == 0 && v)
			snprintf(emu.client_secret, sizeof(emu.client_secret), "%s", v);
		else if (strcmp(a, "--rtmp-url") == 0 && v)
			snprintf(emu.rtmp_url, sizeof(emu.rtmp_url), "%s", v);
		else if (strcmp(a, "--srt-url") == 0 && v)
			snprintf(emu.srt_url, sizeof(emu.srt_url), "%s", v);
		else if (strcmp(a, "--redirect-uri") == 0)
			ok = add_uri(emu.redirect_uris, &emu.n_redirect_uris, v);
		else if (strcmp(a, "--broker-redirect-uri") == 0)
			ok = add_uri(emu.broker.redirects, &emu.broker.n_redirects, v);
		else if (strcmp(a, "--broker-client-id") == 0 && v)
			snprintf(emu.broker.id, sizeof(emu.broker.id), "%s", v);
		else if (strcmp(a, "--broker-client-secret-file") == 0)
			ok = read_secret(v, emu.broker.secret, sizeof(emu.broker.secret));
		else if (strcmp(a, "--seed") == 0 && v)
			emu.seed = strtoull(v, NULL, 10);
		else {
			takes = false;
			if (strcmp(a, "--no-srt") == 0)
				emu.no_srt = true;
			else if (strcmp(a, "--demo") == 0)
				emu.demo = true;
			else if (strcmp(a, "--any-loopback-redirect") == 0)
				emu.any_loopback_redirect = true;
			else if (strcmp(a, "--quiet") == 0)
				emu.quiet = true;
			else if (strcmp(a, "--verbose") == 0)
				*verbose = true;
			else
				ok = false;
		}
		if (!ok) {
			fprintf(stderr, "restream-emulator: bad argument %s%s%s\n", a, v && takes ? " " : "",
				v && takes ? v : "");
			usage();
			return -1;
		}
		if (takes)
			i++;
	}
	return 0;
}

static struct lws_vhost *make_vhost(const char *name, int port, const struct lws_protocols *proto)
{
	struct lws_context_creation_info info;
	const struct lws_protocols protos[2] = {*proto, {NULL, NULL, 0, 0, 0, NULL, 0}};
	static struct lws_protocols keep[3][2];
	static int n;
	memcpy(keep[n], protos, sizeof(protos));
	memset(&info, 0, sizeof(info));
	info.vhost_name = name;
	info.port = port;
	info.iface = "127.0.0.1";
	info.protocols = keep[n++];
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	return lws_create_vhost(emu.ctx, &info);
}

int main(int argc, char **argv)
{
	bool verbose = false;
	char h[48];
	emu.token_lifetime = 3600;
	emu.refresh_lifetime = 31536000;
	emu.heartbeat_s = 45;
	emu.live_interval_ms = 10000;
	snprintf(emu.rtmp_url, sizeof(emu.rtmp_url), "rtmp://127.0.0.1:1935/live");
	snprintf(emu.srt_url, sizeof(emu.srt_url), "srt://127.0.0.1:9000");
	emu_rand_hex(h, 24);
	snprintf(emu.client_id, sizeof(emu.client_id), "emu-client-%s", h);
	emu_rand_hex(h, 40);
	snprintf(emu.client_secret, sizeof(emu.client_secret), "emu-secret-%s", h);
	if (parse_args(argc, argv, &verbose))
		return 2;
	if (emu.demo && !emu.n_redirect_uris)
		emu.any_loopback_redirect = true; /* the demo OBS uses whatever redirect port its settings say */
	if (emu.broker.id[0] && !emu.broker.secret[0]) {
		fprintf(stderr, "restream-emulator: --broker-client-id needs --broker-client-secret-file\n");
		return 2;
	}
	emu.grant_code.times = json_array();
	emu.grant_refresh.times = json_array();
	emu.revoke_log = json_array();
	emu.chat_client_texts = json_array();
	emu_state_init();

	lws_set_log_level(verbose ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	emu.ctx = lws_create_context(&info);
	if (!emu.ctx) {
		fprintf(stderr, "restream-emulator: lws_create_context failed\n");
		return 1;
	}
	struct lws_vhost *va = make_vhost("api", emu.api_port, emu_http_protocol());
	struct lws_vhost *vc = make_vhost("chat", emu.chat_port, emu_chat_protocol());
	struct lws_vhost *vs = make_vhost("streaming", emu.streaming_port, emu_streaming_protocol());
	if (!va || !vc || !vs) {
		fprintf(stderr, "restream-emulator: cannot listen (port in use?)\n");
		lws_context_destroy(emu.ctx);
		return 1;
	}
	emu.api_port = lws_get_vhost_listen_port(va);
	emu.chat_port = lws_get_vhost_listen_port(vc);
	emu.streaming_port = lws_get_vhost_listen_port(vs);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	printf("RESTREAM_API_URL=http://127.0.0.1:%d\n", emu.api_port);
	printf("RESTREAM_CHAT_URL=ws://127.0.0.1:%d/ws\n", emu.chat_port);
	printf("RESTREAM_STREAMING_URL=ws://127.0.0.1:%d/ws\n", emu.streaming_port);
	printf("RESTREAM_CLIENT_ID=%s\n", emu.client_id);
	printf("RESTREAM_CLIENT_SECRET=%s\n", emu.client_secret);
	/* the plugin's test-only switch: fetch the emulator's images over plain http from loopback */
	printf("RFO_TEST_LOOPBACK_IMAGES=1\n");
	printf("READY\n");
	fflush(stdout);

	if (emu.demo)
		emu_demo_start();
	while (!stop && lws_service(emu.ctx, 0) >= 0)
		;
	lws_context_destroy(emu.ctx);
	return 0;
}
