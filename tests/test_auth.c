/* rfo-auth against the project's Restream emulator (tests/emulator): sign-in through /login and the
 * loopback listener, code exchange, single-flight refresh with 3-s tokens, 503 retries,
 * invalid_grant, revoke on sign-out, restore, shutdown mid-request; and a token broker (a small
 * forwarder in this file that adds the client secret, as OBS's auth.obsproject.com does). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/text-lookup.h>

#include "rfo-auth.h"
#include "rfo-oauth.h"
#include "rfo-test.h"
#include "rfo-token-store.h"
#include "rfo-url.h"

#ifndef RFO_EMULATOR_PATH
#define RFO_EMULATOR_PATH "restream-emulator"
#endif

static char api_url[512];
static char client_id[512], client_secret[512];
static char store_dir[128];
static pid_t emu_pid;

/* ---- the emulator process and its /_emu/ control API ------------------------------------------ */

static void emulator_start(const char *path, int token_lifetime)
{
	int out[2];
	check(pipe(out) == 0);
	char life[16];
	snprintf(life, sizeof(life), "%d", token_lifetime);
	emu_pid = fork();
	check(emu_pid >= 0);
	if (emu_pid == 0) {
		dup2(out[1], 1);
		if (!getenv("RFO_TEST_VERBOSE")) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 2);
		}
		close(out[0]);
		close(out[1]);
		/* the listener takes an ephemeral port here: the emulator accepts any loopback redirect URI */
		execl(path, path, "--api-port", "0", "--chat-port", "0", "--streaming-port", "0", "--token-lifetime",
		      life, "--any-loopback-redirect", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	FILE *f = fdopen(out[0], "r");
	char line[512];
	bool ready = false;
	while (!ready && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (strncmp(line, "RESTREAM_API_URL=", 17) == 0)
			snprintf(api_url, sizeof(api_url), "%s", line + 17);
		else if (strncmp(line, "RESTREAM_CLIENT_ID=", 19) == 0)
			snprintf(client_id, sizeof(client_id), "%s", line + 19);
		else if (strncmp(line, "RESTREAM_CLIENT_SECRET=", 23) == 0)
			snprintf(client_secret, sizeof(client_secret), "%s", line + 23);
		ready = strcmp(line, "READY") == 0;
	}
	fclose(f);
	if (!ready) {
		fprintf(stderr, "the emulator (%s) did not start\n", path);
		fail("emulator");
	}
	check(api_url[0] && client_id[0] && client_secret[0]);
}

static void emulator_stop(void)
{
	kill(emu_pid, SIGTERM);
	int status;
	waitpid(emu_pid, &status, 0);
}

static size_t collect(char *ptr, size_t size, size_t n, void *userdata)
{
	dstr_ncat(userdata, ptr, size * n);
	return size * n;
}

/* A plain libcurl request (test side). Returns the status; *body (dstr) gets the response. */
static long http(const char *method, const char *url, const char *body, const char *content_type, struct dstr *out,
		 char *location, size_t location_size)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct dstr sink = {0};
	if (!out)
		out = &sink;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		struct dstr ct = {0};
		dstr_printf(&ct, "Content-Type: %s", content_type ? content_type : "application/json");
		h = curl_slist_append(h, ct.array);
		dstr_free(&ct);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	}
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (location) {
		char *loc = NULL;
		curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
		snprintf(location, location_size, "%s", loc ? loc : "");
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	dstr_free(&sink);
	return status;
}

static void emu_post(const char *route, const char *json)
{
	struct dstr url = {0};
	dstr_printf(&url, "%s/_emu/%s", api_url, route);
	check(http("POST", url.array, json, NULL, NULL, NULL, 0) == 200);
	dstr_free(&url);
}

/* GET /_emu/<route> as JSON (json_decref it). */
static json_t *emu_get(const char *route)
{
	struct dstr url = {0}, body = {0};
	dstr_printf(&url, "%s/_emu/%s", api_url, route);
	check(http("GET", url.array, NULL, NULL, &body, NULL, 0) == 200);
	json_t *j = json_loads(body.array, 0, NULL);
	check(j != NULL);
	dstr_free(&url);
	dstr_free(&body);
	return j;
}

/* tokenCalls.<grant>.<field> from /_emu/received */
static int emu_grant_stat(const char *grant, const char *field)
{
	json_t *r = emu_get("received");
	json_t *v = json_object_get(json_object_get(json_object_get(r, "tokenCalls"), grant), field);
	check(json_is_integer(v));
	int n = (int)json_integer_value(v);
	json_decref(r);
	return n;
}

static int emu_revokes(char *last_token, size_t size, char *last_hint, size_t hsize)
{
	json_t *r = emu_get("received");
	json_t *rv = json_object_get(r, "revokes");
	int n = (int)json_integer_value(json_object_get(rv, "count"));
	json_t *log = json_object_get(rv, "log");
	json_t *last = json_array_size(log) ? json_array_get(log, json_array_size(log) - 1) : NULL;
	if (last_token)
		snprintf(last_token, size, "%s", last ? json_string_value(json_object_get(last, "token")) : "");
	if (last_hint)
		snprintf(last_hint, hsize, "%s", last ? json_string_value(json_object_get(last, "hint")) : "");
	json_decref(r);
	return n;
}

/* The emulator's live (not rotated, not revoked) pair: field "refreshToken" or "accessToken". */
static void emu_current(const char *field, char *out, size_t size)
{
	json_t *t = emu_get("tokens");
	const char *v = json_string_value(json_object_get(json_object_get(t, "current"), field));
	snprintf(out, size, "%s", v ? v : "");
	json_decref(t);
}

/* ---- a token broker: forwards /token to the emulator, adding the client secret --------------------- */

struct broker {
	int fd;
	uint16_t port;
	pthread_t thread;
	atomic_bool stop;
	atomic_int requests, violations;
};

static void *broker_thread(void *p)
{
	struct broker *b = p;
	while (!atomic_load(&b->stop)) {
		struct pollfd pfd = {.fd = b->fd, .events = POLLIN};
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		int fd = accept(b->fd, NULL, NULL);
		if (fd < 0)
			continue;
		char buf[8192];
		size_t len = 0;
		char *body = NULL;
		for (;;) {
			ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
			if (n <= 0)
				break;
			len += (size_t)n;
			buf[len] = 0;
			char *end = strstr(buf, "\r\n\r\n");
			const char *cl = end ? strcasestr(buf, "\r\nContent-Length:") : NULL;
			size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0;
			if (end && len - (size_t)(end + 4 - buf) >= want) {
				end[2] = 0;
				body = end + 4;
				break;
			}
		}
		atomic_fetch_add(&b->requests, 1);
		char *id = body ? rfo_url_query_get(body, "client_id") : NULL;
		char *secret = body ? rfo_url_query_get(body, "client_secret") : NULL;
		if (!body || strcasestr(buf, "\r\nAuthorization:") || secret || !id || strcmp(id, client_id) != 0)
			atomic_fetch_add(&b->violations, 1);
		struct dstr fwd = {0}, resp = {0}, url = {0};
		dstr_printf(&fwd, "%s&client_secret=%s", body ? body : "", client_secret);
		dstr_printf(&url, "%s/oauth/token", api_url);
		long status = http("POST", url.array, fwd.array, "application/x-www-form-urlencoded", &resp, NULL, 0);
		struct dstr head = {0};
		dstr_printf(&head,
			    "HTTP/1.1 %ld X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			    "Connection: close\r\n\r\n",
			    status, resp.len);
		if (send(fd, head.array, head.len, MSG_NOSIGNAL) >= 0 && resp.len)
			send(fd, resp.array, resp.len, MSG_NOSIGNAL);
		close(fd);
		dstr_free(&head);
		dstr_free(&fwd);
		dstr_free(&resp);
		dstr_free(&url);
		bfree(id);
		bfree(secret);
	}
	return NULL;
}

static void broker_start(struct broker *b)
{
	memset(b, 0, sizeof(*b));
	b->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	check(bind(b->fd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(b->fd, 16) == 0);
	check(getsockname(b->fd, (struct sockaddr *)&a, &alen) == 0);
	b->port = ntohs(a.sin_port);
	pthread_create(&b->thread, NULL, broker_thread, b);
}

static void broker_stop(struct broker *b)
{
	atomic_store(&b->stop, true);
	pthread_join(b->thread, NULL);
	close(b->fd);
}

/* ---- the auth session under test ------------------------------------------------------------------ */

struct obs {
	atomic_int state_calls, token_calls;
	atomic_int last_state;
};

static void on_state(void *param, enum rfo_auth_state state)
{
	struct obs *o = param;
	atomic_fetch_add(&o->state_calls, 1);
	atomic_store(&o->last_state, (int)state);
}

static void on_token(void *param)
{
	struct obs *o = param;
	atomic_fetch_add(&o->token_calls, 1);
}

static struct rfo_auth *make_auth(struct rfo_token_store *store, struct obs *o, const char *token_url)
{
	struct rfo_auth_config cfg = {
		.api_url = api_url,
		.token_url = token_url,
		.client_id = client_id,
		.client_secret = token_url ? NULL : client_secret,
		.store = store,
		.pages = {.success = "Angemeldet. Du kannst diesen Tab schliessen."},
		.on_state = on_state,
		.on_token = on_token,
		.param = o,
		.retry_base_ms = 200,
		.http_timeout_ms = 3000,
	};
	struct rfo_error err = {0};
	struct rfo_auth *a = rfo_auth_create(&cfg, &err);
	check(a != NULL);
	return a;
}

static bool wait_state(struct rfo_auth *a, enum rfo_auth_state want, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (rfo_auth_get_state(a) == want)
			return true;
		os_sleep_ms(10);
	}
	return rfo_auth_get_state(a) == want;
}

/* Plays the browser: opens the authorize URL at the emulator, follows its redirect to the loopback
 * listener (optionally with a forged state). Returns the listener's HTTP status; *page gets its body. */
static long browser(const char *authorize_url, const char *forged_state, struct dstr *page)
{
	char location[1024];
	long st = http("GET", authorize_url, NULL, NULL, NULL, location, sizeof(location));
	check(st == 302);
	if (strstr(location, "/redirect?")) /* through a token broker, which sends the browser on */
		check(http("GET", location, NULL, NULL, NULL, location, sizeof(location)) == 302);
	check(strncmp(location, "http://127.0.0.1:", 17) == 0);
	check(strstr(location, "/callback") != NULL);
	struct dstr target = {0};
	if (forged_state) {
		char *state = rfo_url_query_get(location, "state");
		check(state != NULL);
		char *at = strstr(location, state);
		check(at != NULL);
		dstr_ncopy(&target, location, (size_t)(at - location));
		dstr_cat(&target, forged_state);
		dstr_cat(&target, at + strlen(state));
		bfree(state);
	} else {
		dstr_copy(&target, location);
	}
	long status = http("GET", target.array, NULL, NULL, page, NULL, 0);
	dstr_free(&target);
	return status;
}

static void check_token_is(struct rfo_auth *a, const char *want)
{
	char *t = NULL;
	check(rfo_auth_get_token(a, &t));
	check_str(t, want);
	bfree(t);
}

/* The stored record's refresh token (NULL when nothing is stored). */
static char *stored_refresh(struct rfo_token_store *store)
{
	char *json = NULL;
	check(rfo_token_store_load(store, &json, NULL));
	if (!json)
		return NULL;
	struct rfo_token_record rec;
	check(rfo_oauth_record_from_json(json, strlen(json), &rec, NULL));
	char *r = rec.tokens.refresh_token ? bstrdup(rec.tokens.refresh_token) : NULL;
	rfo_token_record_free(&rec);
	bfree(json);
	return r;
}

static void sign_in(struct rfo_auth *a)
{
	char *url = NULL;
	struct rfo_error err = {0};
	check(rfo_auth_begin_sign_in(a, &url, &err));
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNING_IN);
	check(browser(url, NULL, NULL) == 200);
	bfree(url);
	check(wait_state(a, RFO_AUTH_SIGNED_IN, 5000));
}

struct hammer {
	struct rfo_auth *auth;
	atomic_bool stop;
	atomic_int got;
};

static void *hammer_thread(void *p)
{
	struct hammer *h = p;
	while (!atomic_load(&h->stop)) {
		char *t = NULL;
		if (rfo_auth_wait_token(h->auth, 500, &t))
			atomic_fetch_add(&h->got, 1);
		rfo_auth_report_rejected(h->auth, t); /* every token is "refused": refreshes stay paced */
		bfree(t);
		os_sleep_ms(5);
	}
	return NULL;
}

static void test_full_lifecycle(void)
{
	struct rfo_token_store *store = rfo_token_store_create(store_dir, RFO_TOKEN_STORE_FILE);
	struct obs o = {0};
	struct rfo_auth *a = make_auth(store, &o, NULL);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_OUT);
	char *t = NULL;
	check(!rfo_auth_get_token(a, &t) && t == NULL);

	/* authorize URL */
	char *url = NULL;
	struct rfo_error err = {0};
	check(rfo_auth_begin_sign_in(a, &url, &err));
	struct dstr prefix = {0};
	dstr_printf(&prefix, "%s/login?response_type=code&client_id=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A",
		    api_url, client_id);
	check(strncmp(url, prefix.array, prefix.len) == 0);
	dstr_free(&prefix);
	char *state = rfo_url_query_get(url, "state");
	check(state && strlen(state) >= 32); /* >= 128 bits, hex */
	check(strspn(state, "0123456789abcdef") == strlen(state));
	check(strstr(url, client_secret) == NULL);

	/* the redirect comes back with a forged state: rejected page, no token request, and the sign-in keeps
	 * waiting for the real redirect */
	struct dstr page = {0};
	check(browser(url, "deadbeefdeadbeefdeadbeefdeadbeef", &page) == 400);
	dstr_free(&page);
	os_sleep_ms(200);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNING_IN);
	char *e = rfo_auth_last_error(a);
	check(e == NULL);
	char *detail = NULL;
	check(rfo_auth_last_error_code(a, &detail) == RFO_AUTH_ERR_NONE && detail == NULL);
	check(emu_grant_stat("authorization_code", "count") == 0);
	bfree(state);
	bfree(url);

	/* the profile cannot be read: the sign-in fails cleanly and the issued pair is revoked */
	emu_post("faults", "{\"route\":\"/v2/user/profile\",\"status\":500,\"count\":1}");
	int rv0 = emu_revokes(NULL, 0, NULL, 0);
	check(rfo_auth_begin_sign_in(a, &url, &err));
	check(browser(url, NULL, NULL) == 200);
	bfree(url);
	check(wait_state(a, RFO_AUTH_SIGNED_OUT, 5000));
	e = rfo_auth_last_error(a);
	check(e && strstr(e, "Could not finish signing in"));
	bfree(e);
	check(rfo_auth_last_error_code(a, &detail) == RFO_AUTH_ERR_FINISH);
	check(detail && *detail && strstr(detail, "%1") == NULL); /* why, e.g. the profile's HTTP 500 */
	bfree(detail);
	for (int i = 0; i < 300 && emu_revokes(NULL, 0, NULL, 0) == rv0; i++)
		os_sleep_ms(10);
	check(emu_revokes(NULL, 0, NULL, 0) == rv0 + 1);
	check(emu_grant_stat("authorization_code", "count") == 1);
	check(access(rfo_token_store_file_path(store), F_OK) != 0); /* nothing persisted */

	/* the real sign-in: code exchange (HTTP Basic), profile, persisted pair, localized page */
	check(rfo_auth_begin_sign_in(a, &url, &err));
	check(browser(url, NULL, &page) == 200);
	check(strstr(page.array, "Angemeldet. Du kannst diesen Tab schliessen.") != NULL);
	dstr_free(&page);
	bfree(url);
	check(wait_state(a, RFO_AUTH_SIGNED_IN, 5000));
	check(emu_grant_stat("authorization_code", "count") == 2);
	check(emu_grant_stat("authorization_code", "errors") == 0);
	char live[128];
	emu_current("accessToken", live, sizeof(live));
	check_token_is(a, live);
	struct rfo_auth_user user;
	check(rfo_auth_get_user(a, &user));
	check(user.id != 0 && user.username && user.display_name);
	rfo_auth_user_free(&user);
	emu_current("refreshToken", live, sizeof(live));
	char *rt = stored_refresh(store);
	check_str(rt, live);
	bfree(rt);
	check(rfo_auth_last_error(a) == NULL);
	check(rfo_auth_last_error_code(a, &detail) == RFO_AUTH_ERR_NONE && detail == NULL);
	for (int i = 0; i < 100 && atomic_load(&o.token_calls) < 1; i++)
		os_sleep_ms(10);
	check(atomic_load(&o.token_calls) >= 1);
	check(atomic_load(&o.last_state) == RFO_AUTH_SIGNED_IN);

	/* 3-s tokens: refreshed ~1.5 s before expiry, several times, while 4 threads keep asking for
	 * tokens and reporting 401s; the token endpoint (answering after 100 ms) never sees two
	 * refreshes at once and never a rotated-away refresh token */
	emu_post("oauth/delay", "{\"ms\":100}");
	struct hammer h = {.auth = a};
	pthread_t ht[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&ht[i], NULL, hammer_thread, &h);
	os_sleep_ms(6000);
	atomic_store(&h.stop, true);
	for (int i = 0; i < 4; i++)
		pthread_join(ht[i], NULL);
	emu_post("oauth/delay", "{\"ms\":0}");
	struct rfo_auth_stats st;
	rfo_auth_get_stats(a, &st);
	int refreshes = emu_grant_stat("refresh_token", "count");
	printf("refreshes in 6 s: %d (client %u), max concurrent: %d, tokens handed out: %d\n", refreshes, st.refreshes,
	       emu_grant_stat("refresh_token", "maxConcurrent"), atomic_load(&h.got));
	check(refreshes >= 3 && refreshes <= 12); /* timer-driven, not one per 401 report */
	check(st.refreshes == (uint32_t)refreshes);
	check(emu_grant_stat("refresh_token", "maxConcurrent") == 1);
	check(emu_grant_stat("refresh_token", "overlaps") == 0);
	check(emu_grant_stat("refresh_token", "reusedRefreshToken") == 0);
	check(emu_grant_stat("refresh_token", "errors") == 0);
	check(atomic_load(&h.got) > 50);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_IN);
	check(atomic_load(&o.token_calls) >= 1 + refreshes);
	/* the store always holds the live pair */
	emu_current("refreshToken", live, sizeof(live));
	rt = stored_refresh(store);
	check_str(rt, live);
	bfree(rt);

	/* 503s: stays signed in, retries with backoff, recovers */
	emu_post("faults", "{\"route\":\"/oauth/token\",\"method\":\"POST\",\"status\":503,\"count\":3}");
	uint32_t before = st.refreshes;
	for (int i = 0; i < 600; i++) {
		rfo_auth_get_stats(a, &st);
		check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_IN);
		if (st.refresh_failures >= 3 && st.refreshes > before)
			break;
		os_sleep_ms(10);
	}
	check(st.refresh_failures == 3);
	check(st.refreshes > before);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_IN);
	emu_current("accessToken", live, sizeof(live));
	check(rfo_auth_wait_token(a, 2000, &t));
	check_str(t, live);
	bfree(t);

	/* invalid_grant (revoked at Restream): reconnect_needed with the calm sentence */
	emu_post("tokens/revoke", "{}");
	check(wait_state(a, RFO_AUTH_RECONNECT_NEEDED, 4000));
	e = rfo_auth_last_error(a);
	check_str(e, "Restream signed this plugin out (the sign-in was revoked or expired). Click Reconnect to "
		     "sign in again.");
	bfree(e);
	check(rfo_auth_last_error_code(a, NULL) == RFO_AUTH_ERR_REVOKED);
	check(!rfo_auth_get_token(a, &t));
	check(rfo_auth_get_user(a, &user)); /* still shows who to reconnect */
	rfo_auth_user_free(&user);

	/* reconnect, then sign out: revoke with the refresh token, store cleared */
	sign_in(a);
	emu_current("refreshToken", live, sizeof(live));
	int revokes_before = emu_revokes(NULL, 0, NULL, 0);
	rfo_auth_sign_out(a);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_OUT); /* at once */
	check(!rfo_auth_get_token(a, &t));
	char revoked[128], hint[64];
	int revokes = revokes_before;
	for (int i = 0; i < 300 && revokes == revokes_before; i++) {
		os_sleep_ms(10);
		revokes = emu_revokes(revoked, sizeof(revoked), hint, sizeof(hint));
	}
	check(revokes == revokes_before + 1);
	check_str(revoked, live);
	check_str(hint, "refresh_token");
	emu_current("refreshToken", live, sizeof(live));
	check(live[0] == 0); /* nothing valid remains at Restream */
	for (int i = 0; i < 100 && access(rfo_token_store_file_path(store), F_OK) == 0; i++)
		os_sleep_ms(10);
	rt = stored_refresh(store);
	check(rt == NULL);
	check(access(rfo_token_store_file_path(store), F_OK) != 0);
	check(!rfo_auth_get_user(a, &user));

	rfo_auth_destroy(a);
	rfo_token_store_destroy(store);
}

static void test_restore_and_shutdown(void)
{
	struct rfo_token_store *store = rfo_token_store_create(store_dir, RFO_TOKEN_STORE_FILE);
	struct obs o = {0};
	struct rfo_auth *a = make_auth(store, &o, NULL);
	sign_in(a);
	rfo_auth_destroy(a);
	os_sleep_ms(3100); /* the stored access token expires */

	/* next start: restore returns at once, the auth thread loads and refreshes */
	int refreshes = emu_grant_stat("refresh_token", "count");
	struct obs o2 = {0};
	a = make_auth(store, &o2, NULL);
	uint64_t t0 = os_gettime_ns();
	rfo_auth_restore(a);
	check(os_gettime_ns() - t0 < 20000000ULL);
	check(wait_state(a, RFO_AUTH_SIGNED_IN, 3000));
	char *t = NULL;
	check(rfo_auth_wait_token(a, 3000, &t));
	char live[128];
	emu_current("accessToken", live, sizeof(live));
	check_str(t, live);
	bfree(t);
	check(emu_grant_stat("refresh_token", "count") == refreshes + 1);
	struct rfo_auth_user user;
	check(rfo_auth_get_user(a, &user)); /* from the stored record */
	check(user.username != NULL);
	rfo_auth_user_free(&user);

	/* destroy while a refresh hangs at the server: joins within 200 ms */
	emu_post("oauth/delay", "{\"ms\":5000}");
	for (int i = 0; i < 300 && emu_grant_stat("refresh_token", "inFlight") == 0; i++)
		os_sleep_ms(10);
	check(emu_grant_stat("refresh_token", "inFlight") == 1); /* the scheduled refresh is in flight */
	t0 = os_gettime_ns();
	rfo_auth_destroy(a);
	uint64_t ms = (os_gettime_ns() - t0) / 1000000ULL;
	printf("destroy mid-request took %llu ms\n", (unsigned long long)ms);
	check(ms < 200);
	emu_post("oauth/delay", "{\"ms\":0}");
	rfo_token_store_destroy(store);
}

static void test_broker_deny_cancel(void)
{
	struct broker b;
	broker_start(&b);
	char token_url[96];
	snprintf(token_url, sizeof(token_url), "http://127.0.0.1:%u/token", b.port);
	struct obs o = {0};
	struct rfo_auth *a = make_auth(NULL, &o, token_url);

	/* cancel: the listener goes away, state returns */
	char *url = NULL;
	check(rfo_auth_begin_sign_in(a, &url, NULL));
	rfo_auth_cancel_sign_in(a);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_OUT);
	os_sleep_ms(100);
	check(browser(url, NULL, NULL) == 0); /* connection refused */
	bfree(url);

	/* a second begin replaces the first flow; sign-in through the broker */
	char *url1 = NULL, *url2 = NULL;
	check(rfo_auth_begin_sign_in(a, &url1, NULL));
	check(rfo_auth_begin_sign_in(a, &url2, NULL));
	check(strcmp(url1, url2) != 0);
	check(browser(url2, NULL, NULL) == 200);
	check(wait_state(a, RFO_AUTH_SIGNED_IN, 5000));
	char live[128];
	emu_current("accessToken", live, sizeof(live));
	check_token_is(a, live);
	check(atomic_load(&b.requests) == 1);
	check(atomic_load(&b.violations) == 0); /* no secret, no Basic; client_id in the form */
	bfree(url1);
	bfree(url2);

	/* the refresh goes through the broker too */
	struct rfo_auth_stats st;
	for (int i = 0; i < 400; i++) {
		rfo_auth_get_stats(a, &st);
		if (st.refreshes >= 1)
			break;
		os_sleep_ms(10);
	}
	check(st.refreshes >= 1);
	check(atomic_load(&b.requests) >= 2);
	check(atomic_load(&b.violations) == 0);

	/* the user denies in the browser while signed in: back to signed_in, session intact */
	emu_post("oauth/deny", "{\"enabled\":true}");
	check(rfo_auth_begin_sign_in(a, &url, NULL));
	struct dstr page = {0};
	check(browser(url, NULL, &page) == 200);
	check(strstr(page.array, "cancelled") != NULL);
	dstr_free(&page);
	check(wait_state(a, RFO_AUTH_SIGNED_IN, 3000));
	char *e = rfo_auth_last_error(a);
	check(e && strstr(e, "cancelled"));
	bfree(e);
	check(rfo_auth_last_error_code(a, NULL) == RFO_AUTH_ERR_DENIED);
	char *t = NULL;
	check(rfo_auth_wait_token(a, 2000, &t));
	bfree(t);
	bfree(url);
	emu_post("oauth/deny", "{\"enabled\":false}");

	rfo_auth_destroy(a);
	broker_stop(&b);
}

static int grant_in_flight(const char *grant)
{
	return emu_grant_stat(grant, "inFlight");
}

static bool wait_in_flight(const char *grant, int ms)
{
	for (int i = 0; i < ms / 10 && grant_in_flight(grant) == 0; i++)
		os_sleep_ms(10);
	return grant_in_flight(grant) > 0;
}

/* A sign-in cancelled while its code exchange is under way: the cancelled pair is never stored (the store keeps the
 * session the user still has) and it is revoked. */
static void test_cancel_during_exchange(void)
{
	struct rfo_token_store *store = rfo_token_store_create(store_dir, RFO_TOKEN_STORE_FILE);
	check(rfo_token_store_clear(store, NULL));
	struct obs o = {0};
	struct rfo_auth *a = make_auth(store, &o, NULL);
	sign_in(a);
	char *before = stored_refresh(store);
	check(before != NULL);
	char live_access[128];
	emu_current("accessToken", live_access, sizeof(live_access));

	emu_post("oauth/delay", "{\"ms\":1500}");
	int rv0 = emu_revokes(NULL, 0, NULL, 0);
	char *url = NULL;
	check(rfo_auth_begin_sign_in(a, &url, NULL));
	check(browser(url, NULL, NULL) == 200);
	bfree(url);
	check(wait_in_flight("authorization_code", 2000));
	rfo_auth_cancel_sign_in(a);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_IN);
	for (int i = 0; i < 300 && grant_in_flight("authorization_code"); i++)
		os_sleep_ms(10);
	os_sleep_ms(300);
	char *after = stored_refresh(store);
	check_str(after, before); /* the cancelled pair did not overwrite the session */
	bfree(after);
	check_token_is(a, live_access);
	for (int i = 0; i < 300 && emu_revokes(NULL, 0, NULL, 0) == rv0; i++)
		os_sleep_ms(10);
	check(emu_revokes(NULL, 0, NULL, 0) == rv0 + 1); /* the cancelled pair is revoked */

	/* the same while signed out: nothing is stored */
	rfo_auth_sign_out(a);
	for (int i = 0; i < 100 && access(rfo_token_store_file_path(store), F_OK) == 0; i++)
		os_sleep_ms(10);
	check(rfo_auth_begin_sign_in(a, &url, NULL));
	check(browser(url, NULL, NULL) == 200);
	bfree(url);
	check(wait_in_flight("authorization_code", 2000));
	rfo_auth_cancel_sign_in(a);
	for (int i = 0; i < 300 && grant_in_flight("authorization_code"); i++)
		os_sleep_ms(10);
	os_sleep_ms(300);
	check(stored_refresh(store) == NULL);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_OUT);
	emu_post("oauth/delay", "{\"ms\":0}");
	rfo_auth_destroy(a);
	rfo_token_store_destroy(store);
	bfree(before);
}

/* Sign out while a refresh waits on the network, then quit at once: the stored record is gone at once, the revoke
 * that could not be sent is kept (0600) and sent at the next start, which stays signed out. */
static void test_sign_out_then_quit(void)
{
	struct rfo_token_store *store = rfo_token_store_create(store_dir, RFO_TOKEN_STORE_FILE);
	check(rfo_token_store_clear(store, NULL));
	struct obs o = {0};
	struct rfo_auth *a = make_auth(store, &o, NULL);
	sign_in(a);
	char refresh[128], access_tok[128];
	emu_current("refreshToken", refresh, sizeof(refresh));
	emu_current("accessToken", access_tok, sizeof(access_tok));

	emu_post("oauth/delay", "{\"ms\":2500}");
	emu_post("faults", "{\"route\":\"/oauth/revoke\",\"status\":503,\"count\":-1}");
	rfo_auth_report_rejected(a, access_tok); /* a refresh, now hanging at the server */
	check(wait_in_flight("refresh_token", 2000));
	uint64_t t0 = os_gettime_ns();
	rfo_auth_sign_out(a);
	for (int i = 0; i < 100 && access(rfo_token_store_file_path(store), F_OK) == 0; i++)
		os_sleep_ms(5);
	uint64_t ms = (os_gettime_ns() - t0) / 1000000ULL;
	printf("stored sign-in removed %llu ms after SignOut (a refresh hanging)\n", (unsigned long long)ms);
	check(access(rfo_token_store_file_path(store), F_OK) != 0);
	check(ms < 400);
	t0 = os_gettime_ns();
	rfo_auth_destroy(a);
	printf("destroy right after took %llu ms\n", (unsigned long long)((os_gettime_ns() - t0) / 1000000ULL));

	const char *pending = rfo_token_store_pending_path(store);
	struct stat st;
	check(stat(pending, &st) == 0 && (st.st_mode & 0777) == 0600);
	char *json = NULL;
	check(rfo_token_store_load_pending(store, &json, NULL) && json && strstr(json, refresh));
	bfree(json);

	/* next start, Restream reachable: the revoke goes out, the file goes, nobody is signed in */
	emu_post("oauth/delay", "{\"ms\":0}");
	struct dstr url = {0};
	dstr_printf(&url, "%s/_emu/faults", api_url);
	check(http("DELETE", url.array, NULL, NULL, NULL, NULL, 0) == 200);
	dstr_free(&url);
	int rv0 = emu_revokes(NULL, 0, NULL, 0);
	struct obs o2 = {0};
	a = make_auth(store, &o2, NULL);
	rfo_auth_restore(a);
	char last[128] = "";
	for (int i = 0; i < 300 && access(pending, F_OK) == 0; i++)
		os_sleep_ms(10);
	check(access(pending, F_OK) != 0);
	check(emu_revokes(last, sizeof(last), NULL, 0) >= rv0 + 1);
	check_str(last, refresh);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_OUT);
	rfo_auth_destroy(a);

	/* a record whose removal failed (a keyring that hung at quit) is not restored when its token waits to be
	 * revoked */
	a = make_auth(store, &o, NULL);
	sign_in(a);
	rfo_auth_destroy(a);
	char *rt = stored_refresh(store);
	check(rt != NULL);
	char *list = rfo_oauth_revokes_to_json(&rt, 1);
	check(rfo_token_store_save_pending(store, list, NULL));
	rfo_oauth_record_wipe_free(list);
	a = make_auth(store, &o2, NULL);
	rfo_auth_restore(a);
	for (int i = 0; i < 300 && access(pending, F_OK) == 0; i++)
		os_sleep_ms(10);
	check(access(pending, F_OK) != 0);
	check(stored_refresh(store) == NULL);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_OUT);
	rfo_auth_destroy(a);
	bfree(rt);
	rfo_token_store_destroy(store);
}

/* Sign-in restarted again and again on a fixed redirect port (own app): every attempt binds the port, also when the
 * auth thread, woken by the restart, is the one closing the previous attempt's listener. */
static void test_fixed_port_restarts(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	check(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	check(getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
	close(fd);
	struct obs o = {0};
	struct rfo_auth_config cfg = {.api_url = api_url,
				      .client_id = client_id,
				      .client_secret = client_secret,
				      .redirect_port = ntohs(sa.sin_port),
				      .on_state = on_state,
				      .param = &o};
	struct rfo_error err = {0};
	struct rfo_auth *a = rfo_auth_create(&cfg, &err);
	check(a != NULL);
	int failed = 0;
	for (int i = 0; i < 1000; i++) {
		char *url = NULL;
		if (!rfo_auth_begin_sign_in(a, &url, &err))
			failed++;
		bfree(url);
	}
	check(failed == 0);
	rfo_auth_cancel_sign_in(a);
	rfo_auth_destroy(a);
}

static void test_config_errors(void)
{
	struct rfo_error err = {0};
	struct rfo_auth_config cfg = {.api_url = "http://api.example.com", .client_id = "cid"};
	check(rfo_auth_create(&cfg, &err) == NULL);
	check(err.code == RFO_ERR_INVALID);
	cfg.api_url = "https://api.restream.io";
	cfg.token_url = "http://broker.example.com/token";
	check(rfo_auth_create(&cfg, &err) == NULL);
	cfg.token_url = NULL;
	cfg.client_id = NULL;
	check(rfo_auth_create(&cfg, &err) == NULL);
	check(rfo_auth_get_state(NULL) == RFO_AUTH_SIGNED_OUT);
	rfo_auth_destroy(NULL);
}

static int refreshes_of(struct rfo_auth *a)
{
	struct rfo_auth_stats st;
	rfo_auth_get_stats(a, &st);
	return (int)st.refreshes;
}

/* rfo_auth_report_rejected: exact tracking of which token a 401 was for, no time window. */
static void test_report_rejected(void)
{
	emu_post("tokens/lifetime", "{\"access_seconds\":3600}"); /* no timer refresh in this test */
	struct obs o = {0};
	struct rfo_auth *a = make_auth(NULL, &o, NULL);
	sign_in(a);
	char t0[128], t1[128], t2[128];
	emu_current("accessToken", t0, sizeof(t0));
	check_token_is(a, t0);
	int calls = emu_grant_stat("refresh_token", "count");

	/* no token, or one this session never had: nothing happens */
	rfo_auth_report_rejected(a, NULL);
	rfo_auth_report_rejected(a, "");
	rfo_auth_report_rejected(a, "a-token-from-another-session");
	rfo_auth_report_rejected_take(a, bstrdup("another-older-token")); /* freed: bnum_allocs checks */
	rfo_auth_report_rejected_take(a, NULL);
	os_sleep_ms(300);
	check(refreshes_of(a) == 0);
	check(emu_grant_stat("refresh_token", "count") == calls);

	/* the current token refused right after sign-in: refreshed at once (no 10-s debounce) */
	uint64_t t = os_gettime_ns();
	rfo_auth_report_rejected(a, t0);
	for (int i = 0; i < 300 && refreshes_of(a) < 1; i++)
		os_sleep_ms(10);
	double ms = (double)(os_gettime_ns() - t) / 1e6;
	printf("refresh after the current token was refused: %.0f ms\n", ms);
	check(refreshes_of(a) == 1);
	check(ms < 2500);
	emu_current("accessToken", t1, sizeof(t1));
	check(strcmp(t1, t0) != 0);
	check_token_is(a, t1);

	/* other holders report the same, now older, token: stale, no refresh (they retry with t1) */
	rfo_auth_report_rejected(a, t0);
	rfo_auth_report_rejected(a, t0);
	os_sleep_ms(300);
	check(refreshes_of(a) == 1);
	check(emu_grant_stat("refresh_token", "count") == calls + 1);
	check_token_is(a, t1);

	/* the fresh token refused too (a server refusing every token): refreshed once, after a pause */
	t = os_gettime_ns();
	for (int i = 0; i < 5; i++)
		rfo_auth_report_rejected(a, t1);
	for (int i = 0; i < 500 && refreshes_of(a) < 2; i++)
		os_sleep_ms(10);
	ms = (double)(os_gettime_ns() - t) / 1e6;
	printf("refresh after the refreshed token was refused as well: %.0f ms\n", ms);
	check(refreshes_of(a) == 2);
	check(ms >= 950 && ms < 4000);
	os_sleep_ms(200);
	check(emu_grant_stat("refresh_token", "count") == calls + 2);
	emu_current("accessToken", t2, sizeof(t2));
	check_token_is(a, t2);
	check(emu_grant_stat("refresh_token", "overlaps") == 0);

	/* revoked at Restream right after that refresh: the 401 for the current token leads to the
	 * refresh, which is refused as invalid_grant -> reconnect_needed (not hidden by any window) */
	emu_post("tokens/revoke", "{}");
	t = os_gettime_ns();
	rfo_auth_report_rejected(a, t2);
	check(wait_state(a, RFO_AUTH_RECONNECT_NEEDED, 6000));
	printf("reconnect needed %.0f ms after the revoked token was refused\n", (double)(os_gettime_ns() - t) / 1e6);
	char *e = rfo_auth_last_error(a);
	check(e && strstr(e, "Reconnect"));
	bfree(e);
	rfo_auth_report_rejected(a, t2); /* signed out of the session: ignored */
	char *tok = NULL;
	check(!rfo_auth_get_token(a, &tok));

	/* a new sign-in starts over: its first refused token is refreshed at once again */
	sign_in(a);
	emu_current("accessToken", t0, sizeof(t0));
	int before = refreshes_of(a);
	t = os_gettime_ns();
	rfo_auth_report_rejected(a, t0);
	for (int i = 0; i < 300 && refreshes_of(a) == before; i++)
		os_sleep_ms(10);
	check(refreshes_of(a) == before + 1);
	check((double)(os_gettime_ns() - t) / 1e6 < 900);

	rfo_auth_destroy(a);
	emu_post("tokens/lifetime", "{\"access_seconds\":3}");
}

/* Every auth error code has a locale key in locale/en-US.ini whose text is the built-in English
 * sentence (the obs layer shows obs_module_text(key) with the detail filled in). */
/* A 429 on the refresh with a Retry-After longer than an hour: the next attempt is never sooner than asked */
static void test_refresh_retry_after(void)
{
	emu_post("tokens/lifetime", "{\"access_seconds\":3600}"); /* only the refresh this test asks for */
	struct obs o = {0};
	struct rfo_auth *a = make_auth(NULL, &o, NULL);
	sign_in(a);
	char t0[128];
	emu_current("accessToken", t0, sizeof(t0));
	struct rfo_auth_stats st;
	rfo_auth_get_stats(a, &st);
	uint32_t failures = st.refresh_failures;
	emu_post("faults", "{\"route\":\"/oauth/token\",\"method\":\"POST\",\"status\":429,\"retry_after\":7200,"
			   "\"count\":1}");
	rfo_auth_report_rejected(a, t0);
	for (int i = 0; i < 300 && st.refresh_failures == failures; i++) {
		os_sleep_ms(10);
		rfo_auth_get_stats(a, &st);
	}
	check(st.refresh_failures == failures + 1);
	printf("refresh after a 429 with Retry-After 7200: next attempt in %lld s\n", (long long)st.next_refresh_in_s);
	check(st.next_refresh_in_s >= 7190);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_IN); /* a pause, not a sign-out */
	rfo_auth_destroy(a);
}

static void test_error_texts(void)
{
	struct dstr path = {0};
	dstr_copy(&path, __FILE__); /* <source>/tests/test_auth.c */
	char *slash = strrchr(path.array, '/');
	check(slash != NULL);
	dstr_resize(&path, (size_t)(slash - path.array));
	dstr_cat(&path, "/../locale/en-US.ini");
	lookup_t *lookup = text_lookup_create(path.array);
	check(lookup != NULL);
	for (int c = RFO_AUTH_ERR_NONE + 1; c < RFO_AUTH_ERR_COUNT; c++) {
		const char *key = rfo_auth_error_key((enum rfo_auth_error)c);
		const char *english = rfo_auth_error_english((enum rfo_auth_error)c);
		const char *value = NULL;
		check(key && english && strncmp(key, "Auth.Error.", 11) == 0);
		if (!text_lookup_getstr(lookup, key, &value))
			fprintf(stderr, "locale key %s is missing from en-US.ini\n", key);
		check(value != NULL);
		check_str(value, english);
	}
	text_lookup_destroy(lookup);
	dstr_free(&path);
	check(rfo_auth_error_key(RFO_AUTH_ERR_NONE) == NULL && rfo_auth_error_key(RFO_AUTH_ERR_COUNT) == NULL);
	check(rfo_auth_error_english(RFO_AUTH_ERR_NONE) == NULL);
	char *t = rfo_auth_error_format("Restream refused the sign-in (%1). Again.", "access_denied");
	check_str(t, "Restream refused the sign-in (access_denied). Again.");
	bfree(t);
	t = rfo_auth_error_format("No detail here.", "x");
	check_str(t, "No detail here.");
	bfree(t);
	t = rfo_auth_error_format("A %1 b", NULL);
	check_str(t, "A  b");
	bfree(t);
	check(rfo_auth_error_format(NULL, "x") == NULL);
	check(rfo_auth_last_error_code(NULL, NULL) == RFO_AUTH_ERR_NONE);
}

int main(int argc, char **argv)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(store_dir, sizeof(store_dir), "/tmp/rfo-auth-test-XXXXXX");
	check(mkdtemp(store_dir) != NULL);
	emulator_start(argc > 1 ? argv[1] : RFO_EMULATOR_PATH, 3);
	test_config_errors();
	test_fixed_port_restarts();
	test_error_texts();
	test_full_lifecycle();
	test_restore_and_shutdown();
	test_broker_deny_cancel();
	test_cancel_during_exchange();
	test_sign_out_then_quit();
	test_report_rejected();
	test_refresh_retry_after();
	emulator_stop();
	struct dstr cmd = {0};
	dstr_printf(&cmd, "rm -rf '%s'", store_dir);
	check(system(cmd.array) == 0);
	dstr_free(&cmd);
	curl_global_cleanup();
	printf("auth: ok\n");
	return rfo_test_end();
}
