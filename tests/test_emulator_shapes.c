/* The emulator's payloads parse with the plugin's own parsers: OAuth token
 * replies of both grants and their errors, every REST body, every chat preset frame and every
 * streaming preset frame, as the emulator actually sends them. Usage: test_emulator_shapes <emulator>. */
#include "rfo-test.h"

#include "rfo-chat.h"
#include "rfo-oauth.h"
#include "rfo-rest.h"
#include "rfo-stats.h"
#include "rfo-url.h"

#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <util/dstr.h>

#define REDIRECT "http://127.0.0.1:9/callback"

static char api[512], client_id[512], client_secret[512];
static pid_t emulator;

/* Also runs when a check fails (fail() exits), so no emulator outlives the test. */
static void stop_emulator(void)
{
	if (emulator > 0) {
		kill(emulator, SIGTERM);
		waitpid(emulator, NULL, 0);
		emulator = 0;
	}
}

static void start_emulator(const char *path)
{
	int fds[2];
	check(pipe(fds) == 0);
	emulator = fork();
	check(emulator >= 0);
	if (emulator == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execl(path, path, "--quiet", "--redirect-uri", REDIRECT, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	atexit(stop_emulator);
	FILE *out = fdopen(fds[0], "r");
	char line[512];
	while (fgets(line, sizeof(line), out) && strncmp(line, "READY", 5) != 0) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "RESTREAM_API_URL=", 17))
			snprintf(api, sizeof(api), "%s", line + 17);
		else if (!strncmp(line, "RESTREAM_CLIENT_ID=", 19))
			snprintf(client_id, sizeof(client_id), "%s", line + 19);
		else if (!strncmp(line, "RESTREAM_CLIENT_SECRET=", 23))
			snprintf(client_secret, sizeof(client_secret), "%s", line + 23);
	}
	fclose(out);
	check(*api && *client_id && *client_secret);
}

static size_t on_body(char *data, size_t size, size_t n, void *param)
{
	dstr_ncat(param, data, size * n);
	return size * n;
}

/* One request; the body lands in *out (reset first). Returns the HTTP status. */
static long http(const char *method, const char *path, const char *bearer, const char *basic, const char *body,
		 struct dstr *out, char **location)
{
	struct dstr url = {0}, auth = {0};
	dstr_printf(&url, "%s%s", api, path);
	dstr_free(out);
	dstr_copy(out, "");
	CURL *c = curl_easy_init();
	struct curl_slist *headers = NULL;
	if (bearer) {
		dstr_printf(&auth, "Authorization: Bearer %s", bearer);
		headers = curl_slist_append(headers, auth.array);
	} else if (basic) {
		dstr_printf(&auth, "Authorization: %s", basic);
		headers = curl_slist_append(headers, auth.array);
	}
	curl_easy_setopt(c, CURLOPT_URL, url.array);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (location) {
		char *loc = NULL;
		curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
		*location = loc ? bstrdup(loc) : NULL;
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	dstr_free(&url);
	dstr_free(&auth);
	return status;
}

static void check_tokens(const struct dstr *body, struct rfo_tokens *t)
{
	struct rfo_error err = {0};
	if (!rfo_oauth_parse_tokens(body->array, body->len, (int64_t)time(NULL), t, &err))
		fail(err.message);
	check(t->access_token && strlen(t->access_token) >= 16);
	check(t->refresh_token && strlen(t->refresh_token) >= 16);
	check(t->expires_at > (int64_t)time(NULL));
	check(t->scope && *t->scope);
}

/* Sign in as the plugin would (code grant with HTTP Basic), rotate once, and check the errors. */
static char *oauth_shapes(void)
{
	struct dstr body = {0}, path = {0};
	char *location = NULL;
	dstr_printf(&path, "/login?response_type=code&client_id=%s&redirect_uri=%s&state=s0123456789abcdef", client_id,
		    REDIRECT);
	check(http("GET", path.array, NULL, NULL, NULL, &body, &location) == 302);
	check(location);
	char *code = rfo_url_query_get(location, "code");
	char *state = rfo_url_query_get(location, "state");
	check(code && *code);
	check_str(state, "s0123456789abcdef");

	char *basic = rfo_oauth_basic_auth(client_id, client_secret);
	char *form = rfo_oauth_code_body(code, REDIRECT, NULL, NULL);
	check(http("POST", "/oauth/token", NULL, basic, form, &body, NULL) == 200);
	struct rfo_tokens first = {0}, second = {0};
	check_tokens(&body, &first);
	bfree(form);

	/* the code is single-use */
	form = rfo_oauth_code_body(code, REDIRECT, NULL, NULL);
	long status = http("POST", "/oauth/token", NULL, basic, form, &body, NULL);
	struct rfo_oauth_error oerr = {0};
	check(status >= 400 && status < 500);
	check(rfo_oauth_parse_error(body.array, body.len, status, &oerr));
	check(rfo_oauth_is_fatal(status, &oerr));
	bfree(form);

	/* refresh rotates the pair; the old refresh token is then invalid_grant */
	form = rfo_oauth_refresh_body(first.refresh_token, NULL, NULL);
	check(http("POST", "/oauth/token", NULL, basic, form, &body, NULL) == 200);
	check_tokens(&body, &second);
	check(strcmp(first.access_token, second.access_token) != 0);
	check(strcmp(first.refresh_token, second.refresh_token) != 0);
	status = http("POST", "/oauth/token", NULL, basic, form, &body, NULL);
	check(status == 400);
	check(rfo_oauth_parse_error(body.array, body.len, status, &oerr));
	check_str(oerr.code, "invalid_grant");
	bfree(form);

	char *access = bstrdup(second.access_token);
	rfo_tokens_free(&first);
	rfo_tokens_free(&second);
	bfree(basic);
	bfree(code);
	bfree(state);
	bfree(location);
	dstr_free(&body);
	dstr_free(&path);
	return access;
}

static void get_ok(const char *path, const char *token, struct dstr *body)
{
	long status = http("GET", path, token, NULL, NULL, body, NULL);
	if (status != 200) {
		fprintf(stderr, "GET %s -> %ld\n", path, status);
		fail("REST route did not answer 200");
	}
}

static void rest_shapes(const char *token)
{
	struct dstr body = {0}, path = {0};
	struct rfo_error err = {0};

	struct rfo_profile profile = {0};
	get_ok("/v2/user/profile", token, &body);
	check(rfo_rest_parse_profile(body.array, body.len, &profile, &err));
	check(profile.id > 0 && *profile.username && *profile.display_name);
	rfo_profile_free(&profile);

	struct rfo_platform_list platforms = {0};
	get_ok("/v2/platform/all", NULL, &body);
	check(rfo_rest_parse_platforms(body.array, body.len, &platforms, &err));
	check(platforms.count > 5);
	check_str(rfo_platform_list_find(&platforms, 1)->name, "Twitch");
	check(strncmp(rfo_platform_list_find(&platforms, 1)->image_png, api, strlen(api)) == 0);

	struct rfo_server_list servers = {0};
	int64_t ingest = 0;
	get_ok("/v2/server/all", NULL, &body);
	check(rfo_rest_parse_servers(body.array, body.len, &servers, &err));
	check(servers.count >= 2 && servers.items[0].has_location);
	get_ok("/v2/user/ingest", token, &body);
	check(rfo_rest_parse_ingest(body.array, body.len, &ingest, &err));
	check(rfo_server_list_find(&servers, ingest) != NULL);
	rfo_server_list_free(&servers);

	struct rfo_stream_key key = {0};
	get_ok("/v2/user/streamKey", token, &body);
	check(rfo_rest_parse_stream_key(body.array, body.len, &key, &err));
	check(strncmp(key.stream_key, "re_", 3) == 0 && key.srt_url && strncmp(key.srt_url, "srt://", 6) == 0);
	rfo_stream_key_free(&key);

	struct rfo_channel_list channels = {0};
	get_ok("/v2/user/channel/all", token, &body);
	check(rfo_rest_parse_channels(body.array, body.len, &channels, &err));
	check(channels.count >= 5);
	bool unknown_platform = false, html_name = false;
	for (size_t i = 0; i < channels.count; i++) {
		const struct rfo_channel *c = &channels.items[i];
		unknown_platform |= rfo_platform_list_find(&platforms, c->platform_id) == NULL;
		html_name |= strchr(c->display_name, '<') != NULL;

		struct rfo_channel single = {0};
		struct rfo_channel_meta meta = {0};
		dstr_printf(&path, "/v2/user/channel/%lld", (long long)c->id);
		get_ok(path.array, token, &body);
		check(rfo_rest_parse_channel(body.array, body.len, &single, &err));
		check(single.id == c->id && single.enabled == c->enabled && single.platform_id == c->platform_id);
		dstr_printf(&path, "/v2/user/channel-meta/%lld", (long long)c->id);
		get_ok(path.array, token, &body);
		check(rfo_rest_parse_channel_meta(body.array, body.len, &meta, &err));
		check(*meta.title);
		rfo_channel_free(&single);
		rfo_channel_meta_free(&meta);
	}
	check(unknown_platform && html_name);
	rfo_channel_list_free(&channels);
	rfo_platform_list_free(&platforms);

	struct rfo_event_list upcoming = {0}, in_progress = {0}, history = {0};
	get_ok("/v2/user/events/upcoming", token, &body);
	check(rfo_rest_parse_events(body.array, body.len, NULL, &upcoming, &err));
	get_ok("/v2/user/events/in-progress", token, &body);
	check(rfo_rest_parse_events(body.array, body.len, NULL, &in_progress, &err));
	get_ok("/v2/user/events/history?page=1&limit=2", token, &body);
	check(rfo_rest_parse_events(body.array, body.len, NULL, &history, &err));
	check(upcoming.count > 0 && history.count > 0 && history.pages_total >= 1 && history.limit == 2);
	check(upcoming.items[0].status_kind == RFO_EVENT_UPCOMING);

	struct rfo_event event = {0};
	struct rfo_stream_key event_key = {0};
	struct rfo_srt_key srt = {0};
	dstr_printf(&path, "/v2/user/events/%s", upcoming.items[0].id);
	get_ok(path.array, token, &body);
	check(rfo_rest_parse_event(body.array, body.len, &event, &err));
	check_str(event.id, upcoming.items[0].id);
	dstr_printf(&path, "/v2/user/events/%s/streamKey", upcoming.items[0].id);
	get_ok(path.array, token, &body);
	check(rfo_rest_parse_stream_key(body.array, body.len, &event_key, &err));
	dstr_printf(&path, "/v2/user/events/%s/srt/streamKey", upcoming.items[0].id);
	get_ok(path.array, token, &body);
	check(rfo_rest_parse_srt_key(body.array, body.len, &srt, &err));
	check(srt.stream_id && srt.passphrase && srt.url);
	rfo_event_free(&event);
	rfo_stream_key_free(&event_key);
	rfo_srt_key_free(&srt);
	rfo_event_list_free(&upcoming);
	rfo_event_list_free(&in_progress);
	rfo_event_list_free(&history);

	/* the documented error envelope, turned into a sentence */
	long status = http("GET", "/v2/user/profile", "not-a-token", NULL, NULL, &body, NULL);
	check(status == 401);
	check(rfo_rest_parse_error(body.array, body.len, status, &err));
	check(strstr(err.message, "Invalid token") != NULL);
	dstr_free(&body);
	dstr_free(&path);
}

/* Pushes each preset through the control API, which answers with the frame it sent. */
static json_t *push(const char *kind, const char *preset, struct dstr *frame)
{
	struct dstr body = {0}, path = {0}, req = {0};
	dstr_printf(&path, "/_emu/%s/push", kind);
	dstr_printf(&req, "{\"preset\":\"%s\"}", preset);
	check(http("POST", path.array, NULL, NULL, req.array, &body, NULL) == 200);
	json_t *resp = json_loads(body.array, 0, NULL);
	check(resp && json_is_object(json_object_get(resp, "frame")));
	char *text = json_dumps(json_object_get(resp, "frame"), JSON_COMPACT);
	dstr_copy(frame, text);
	free(text);
	dstr_free(&body);
	dstr_free(&path);
	dstr_free(&req);
	return resp;
}

static json_t *presets(const char *kind)
{
	struct dstr body = {0}, path = {0};
	dstr_printf(&path, "/_emu/%s/presets", kind);
	check(http("GET", path.array, NULL, NULL, NULL, &body, NULL) == 200);
	json_t *list = json_loads(body.array, 0, NULL);
	check(json_is_array(list) && json_array_size(list) > 3);
	dstr_free(&body);
	dstr_free(&path);
	return list;
}

static void chat_shapes(void)
{
	json_t *list = presets("chat");
	size_t i, messages = 0;
	json_t *v;
	json_array_foreach (list, i, v) {
		const char *preset = json_string_value(v);
		struct dstr frame = {0};
		json_t *resp = push("chat", preset, &frame);
		struct rfo_chat_frame f = {0};
		struct rfo_error err = {0};
		if (!rfo_chat_parse(frame.array, frame.len, &f, &err))
			fail(err.message);
		json_t *sent = json_object_get(resp, "frame");
		check_str(rfo_chat_action_name(f.action), json_string_value(json_object_get(sent, "action")));
		if (f.action == RFO_CHAT_EVENT) {
			const struct rfo_chat_message *m = f.message;
			if (!m)
				fail(preset);
			check(*m->platform && *m->author && (*m->text || m->donation));
			if (!strcmp(preset, "unknown_text"))
				check(strncmp(m->platform, "Platform ", 9) == 0);
			if (!strcmp(preset, "youtube_superchat"))
				check(m->kind == RFO_CHAT_KIND_DONATION && m->donation);
			if (!strcmp(preset, "twitch_text"))
				check(m->num_emotes > 0 && m->author_color);
			messages++;
		}
		rfo_chat_frame_free(&f);
		json_decref(resp);
		dstr_free(&frame);
	}
	check(messages >= 15);
	json_decref(list);
}

static void stream_shapes(void)
{
	static const struct {
		const char *preset;
		enum rfo_stats_action action;
	} expect[] = {
		{"update_incoming", RFO_STATS_UPDATE_INCOMING}, {"delete_incoming", RFO_STATS_DELETE_INCOMING},
		{"update_outgoing", RFO_STATS_UPDATE_OUTGOING}, {"delete_outgoing", RFO_STATS_DELETE_OUTGOING},
		{"update_statuses", RFO_STATS_UPDATE_STATUSES}, {"unknown_action", RFO_STATS_UNKNOWN},
	};
	json_t *list = presets("stream");
	check(json_array_size(list) == sizeof(expect) / sizeof(expect[0]));
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		struct dstr frame = {0};
		json_t *resp = push("stream", expect[i].preset, &frame);
		struct rfo_stats_frame f = {0};
		struct rfo_error err = {0};
		if (!rfo_stats_parse(frame.array, frame.len, &f, &err))
			fail(err.message);
		if (f.action != expect[i].action)
			fail(expect[i].preset);
		if (f.action == RFO_STATS_UPDATE_INCOMING)
			check(f.incoming.width > 0 && f.incoming.fps > 0);
		if (f.action >= RFO_STATS_UPDATE_OUTGOING)
			check(f.channel.channel_id > 0);
		rfo_stats_frame_free(&f);
		json_decref(resp);
		dstr_free(&frame);
	}
	json_decref(list);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		fail("usage: test_emulator_shapes <restream-emulator>");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	start_emulator(argv[1]);

	char *token = oauth_shapes();
	rest_shapes(token);
	chat_shapes();
	stream_shapes();
	bfree(token);

	stop_emulator();
	curl_global_cleanup();
	printf("emulator payloads parse with the plugin's parsers\n");
	return rfo_test_end();
}
