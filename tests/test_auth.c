#define _GNU_SOURCE
/* rfo-auth state machine against a minimal in-process token endpoint (a socket thread speaking the
 * documented /oauth/token, /oauth/revoke and /v2/user/profile JSON). The full sign-in against the
 * project's Restream emulator inside OBS is the end-to-end test's job. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>

#include "rfo-auth.h"
#include "rfo-oauth.h"
#include "rfo-test.h"
#include "rfo-token-store.h"
#include "rfo-url.h"

/* ---- fake endpoint (plain malloc/strdup: it is test scaffolding, not plugin code) ---------- */

struct fake {
	int fd;
	uint16_t port;
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t m;
	int lifetime_s;
	bool broker;  /* expect no client secret, client_id in the form */
	int fail_503; /* answer the next N token requests with 503 */
	int hang_ms;  /* delay token replies */
	int n_issued; /* token pairs issued */
	char access[32], refresh[32];
	int code_grants, refresh_grants, invalid_grants, bad_client_auth, revokes, profiles;
	char revoked[32];
	atomic_int in_flight, max_in_flight;
	pthread_t conns[512];
	int n_conns;
};

static void reply(int fd, int status, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: "
			 "close\r\n\r\n",
			 status, strlen(body));
	if (send(fd, head, (size_t)n, MSG_NOSIGNAL) < 0 || send(fd, body, strlen(body), MSG_NOSIGNAL) < 0)
		return;
}

static char *form_get(const char *body, const char *key)
{
	char *v = rfo_url_query_get(body, key);
	char *r = v ? strdup(v) : NULL;
	bfree(v);
	return r;
}

static void issue(struct fake *f, char *out, size_t size)
{
	f->n_issued++;
	snprintf(f->access, sizeof(f->access), "AT%d", f->n_issued);
	snprintf(f->refresh, sizeof(f->refresh), "RT%d", f->n_issued);
	/* both spellings, as the docs show */
	snprintf(out, size,
		 "{\"access_token\":\"%s\",\"refresh_token\":\"%s\",\"expires_in\":%d,\"token_type\":\"Bearer\","
		 "\"scope\":\"profile.read chat.read\",\"accessToken\":\"%s\",\"refreshToken\":\"%s\","
		 "\"accessTokenExpiresIn\":%d,\"refreshTokenExpiresIn\":31536000}",
		 f->access, f->refresh, f->lifetime_s, f->access, f->refresh, f->lifetime_s);
}

static void handle_token(struct fake *f, int fd, const char *head, const char *body)
{
	int now = atomic_fetch_add(&f->in_flight, 1) + 1;
	int prev = atomic_load(&f->max_in_flight);
	while (now > prev && !atomic_compare_exchange_weak(&f->max_in_flight, &prev, now))
		;
	pthread_mutex_lock(&f->m);
	int hang = f->hang_ms;
	pthread_mutex_unlock(&f->m);
	/* widen the race window: a second concurrent refresh would overlap this one */
	for (int i = 0; i < (hang ? hang : 60) / 10 && !atomic_load(&f->stop); i++)
		os_sleep_ms(10);

	char out[1024];
	int status = 200;
	char *grant = form_get(body, "grant_type"), *client = form_get(body, "client_id");
	char *secret = form_get(body, "client_secret");
	bool basic = strstr(head, "\r\nAuthorization: Basic Y2lkOmNzZWNyZXQ=\r\n") != NULL;
	bool any_auth = strcasestr(head, "\r\nAuthorization:") != NULL;

	pthread_mutex_lock(&f->m);
	bool client_ok = f->broker ? (!any_auth && !secret && client && strcmp(client, "cid") == 0) : basic && !secret;
	if (!client_ok) {
		f->bad_client_auth++;
		status = 401;
		snprintf(out, sizeof(out), "{\"error\":\"invalid_client\"}");
	} else if (f->fail_503 > 0) {
		f->fail_503--;
		status = 503;
		snprintf(out, sizeof(out), "<html>busy</html>");
	} else if (grant && strcmp(grant, "authorization_code") == 0) {
		char *code = form_get(body, "code"), *redirect = form_get(body, "redirect_uri");
		if (code && strcmp(code, "good-code") == 0 && redirect &&
		    strncmp(redirect, "http://localhost:", 17) == 0 && strstr(redirect, "/callback")) {
			f->code_grants++;
			issue(f, out, sizeof(out));
		} else {
			status = 400;
			snprintf(out, sizeof(out), "{\"error\":\"invalid_grant\",\"error_description\":\"bad code\"}");
		}
		free(code);
		free(redirect);
	} else if (grant && strcmp(grant, "refresh_token") == 0) {
		char *rt = form_get(body, "refresh_token");
		if (rt && f->refresh[0] && strcmp(rt, f->refresh) == 0) {
			f->refresh_grants++;
			issue(f, out, sizeof(out)); /* rotation: the old pair dies */
		} else {
			f->invalid_grants++;
			status = 400;
			snprintf(out, sizeof(out), "{\"error\":\"invalid_grant\",\"error_description\":\"revoked\"}");
		}
		free(rt);
	} else {
		status = 400;
		snprintf(out, sizeof(out), "{\"error\":\"unsupported_grant_type\"}");
	}
	pthread_mutex_unlock(&f->m);
	free(grant);
	free(client);
	free(secret);
	atomic_fetch_sub(&f->in_flight, 1);
	reply(fd, status, out);
}

struct conn {
	struct fake *f;
	int fd;
};

static void *conn_thread(void *p)
{
	struct conn *c = p;
	struct fake *f = c->f;
	char buf[16384];
	size_t len = 0;
	char *body = NULL;
	for (;;) {
		ssize_t n = recv(c->fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (n <= 0)
			goto done;
		len += (size_t)n;
		buf[len] = 0;
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		const char *cl = strcasestr(buf, "\r\nContent-Length:");
		size_t want = cl ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
		if (len - (size_t)(end + 4 - buf) >= want) {
			end[2] = 0; /* headers end with \r\n */
			body = end + 4;
			break;
		}
	}
	if (strncmp(buf, "POST /oauth/token ", 18) == 0) {
		handle_token(f, c->fd, buf, body);
	} else if (strncmp(buf, "POST /oauth/revoke ", 19) == 0) {
		char *tok = form_get(body, "token"), *hint = form_get(body, "token_type_hint");
		pthread_mutex_lock(&f->m);
		f->revokes++;
		snprintf(f->revoked, sizeof(f->revoked), "%s", tok ? tok : "");
		if (tok && strcmp(tok, f->refresh) == 0 && hint && strcmp(hint, "refresh_token") == 0)
			f->refresh[0] = f->access[0] = 0;
		pthread_mutex_unlock(&f->m);
		free(tok);
		free(hint);
		reply(c->fd, 200, "");
	} else if (strncmp(buf, "GET /v2/user/profile ", 21) == 0) {
		char want[64];
		pthread_mutex_lock(&f->m);
		snprintf(want, sizeof(want), "\r\nAuthorization: Bearer %s\r\n", f->access);
		bool ok = f->access[0] && strstr(buf, want);
		f->profiles++;
		pthread_mutex_unlock(&f->m);
		if (ok)
			reply(c->fd, 200,
			      "{\"id\":4242,\"username\":\"streamer\",\"email\":\"s@example.com\","
			      "\"displayName\":\"The Streamer\"}");
		else
			reply(c->fd, 401,
			      "{\"error\":{\"statusCode\":401,\"message\":\"Invalid token\",\"name\":\"invalid_token\"}}");
	} else {
		reply(c->fd, 404, "{}");
	}
done:
	close(c->fd);
	free(c);
	return NULL;
}

static void *accept_thread(void *p)
{
	struct fake *f = p;
	while (!atomic_load(&f->stop)) {
		struct pollfd pfd = {.fd = f->fd, .events = POLLIN};
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		int fd = accept(f->fd, NULL, NULL);
		if (fd < 0)
			continue;
		struct conn *c = malloc(sizeof(*c));
		c->f = f;
		c->fd = fd;
		pthread_mutex_lock(&f->m);
		check(f->n_conns < 512);
		pthread_create(&f->conns[f->n_conns++], NULL, conn_thread, c);
		pthread_mutex_unlock(&f->m);
	}
	return NULL;
}

static void fake_start(struct fake *f, int lifetime_s)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->m, NULL);
	f->lifetime_s = lifetime_s;
	f->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	check(bind(f->fd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(f->fd, 64) == 0);
	check(getsockname(f->fd, (struct sockaddr *)&a, &alen) == 0);
	f->port = ntohs(a.sin_port);
	pthread_create(&f->thread, NULL, accept_thread, f);
}

static void fake_stop(struct fake *f)
{
	atomic_store(&f->stop, true);
	pthread_join(f->thread, NULL);
	for (int i = 0; i < f->n_conns; i++)
		pthread_join(f->conns[i], NULL);
	close(f->fd);
	pthread_mutex_destroy(&f->m);
}

#define FAKE_GET(f, field, out)                \
	do {                                   \
		pthread_mutex_lock(&(f)->m);   \
		out = (f)->field;              \
		pthread_mutex_unlock(&(f)->m); \
	} while (0)

/* ---- the auth session under test --------------------------------------------------------------- */

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

static char api_url[64];
static char store_dir[128];

static struct rfo_auth *make_auth(struct rfo_token_store *store, struct obs *o, const char *token_url)
{
	struct rfo_auth_config cfg = {
		.api_url = api_url,
		.token_url = token_url,
		.client_id = "cid",
		.client_secret = token_url ? NULL : "csecret",
		.store = store,
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

/* Plays the browser: opens the redirect with the given code and state, returns the HTTP status. */
static int browser_redirect(const char *authorize_url, const char *code, const char *state_override)
{
	char *redirect = rfo_url_query_get(authorize_url, "redirect_uri");
	char *state = rfo_url_query_get(authorize_url, "state");
	check(redirect && state);
	struct rfo_url_parts parts;
	check(rfo_url_parts_parse(redirect, &parts));
	check_str(parts.host, "localhost");
	check_str(parts.path, "/callback");

	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)parts.port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	check(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	struct dstr req = {0};
	dstr_printf(
		&req,
		"GET /callback?code=%s&scope=profile.read%%2Cchat.read&state=%s HTTP/1.1\r\nHost: localhost\r\n\r\n",
		code, state_override ? state_override : state);
	check(send(fd, req.array, req.len, 0) == (ssize_t)req.len);
	char buf[4096] = {0};
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) > 0)
		len += (size_t)n;
	close(fd);
	int status = 0;
	sscanf(buf, "HTTP/1.1 %d", &status);
	dstr_free(&req);
	rfo_url_parts_free(&parts);
	bfree(redirect);
	bfree(state);
	return status;
}

/* true when nothing listens at the authorize URL's redirect port any more */
static bool browser_redirect_refused(const char *authorize_url)
{
	char *redirect = rfo_url_query_get(authorize_url, "redirect_uri");
	struct rfo_url_parts parts;
	check(rfo_url_parts_parse(redirect, &parts));
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)parts.port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool refused = connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0;
	close(fd);
	rfo_url_parts_free(&parts);
	bfree(redirect);
	return refused;
}

static void check_token(struct rfo_auth *a, const char *want)
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

static void sign_in(struct rfo_auth *a, struct fake *f)
{
	char *url = NULL;
	struct rfo_error err = {0};
	check(rfo_auth_begin_sign_in(a, &url, &err));
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNING_IN);
	check(browser_redirect(url, "good-code", NULL) == 200);
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
		bfree(t);
		rfo_auth_report_unauthorized(h->auth);
		os_sleep_ms(5);
	}
	return NULL;
}

static void test_full_lifecycle(void)
{
	struct fake f;
	fake_start(&f, 3);
	snprintf(api_url, sizeof(api_url), "http://127.0.0.1:%u", f.port);
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
	dstr_printf(&prefix, "%s/login?response_type=code&client_id=cid&redirect_uri=http%%3A%%2F%%2Flocalhost%%3A",
		    api_url);
	check(strncmp(url, prefix.array, prefix.len) == 0);
	dstr_free(&prefix);
	char *state = rfo_url_query_get(url, "state");
	check(state && strlen(state) >= 32); /* >= 128 bits, hex */
	check(strspn(state, "0123456789abcdef") == strlen(state));
	check(strstr(url, "csecret") == NULL);

	/* a redirect with the wrong state: rejected, no token request */
	check(browser_redirect(url, "good-code", "deadbeefdeadbeefdeadbeefdeadbeef") == 400);
	check(wait_state(a, RFO_AUTH_SIGNED_OUT, 3000));
	char *e = rfo_auth_last_error(a);
	check(e && strstr(e, "did not match"));
	bfree(e);
	int grants;
	FAKE_GET(&f, code_grants, grants);
	check(grants == 0);
	bfree(state);
	bfree(url);

	/* the real sign-in: code exchange with HTTP Basic, profile, persisted pair */
	sign_in(a, &f);
	check_token(a, "AT1");
	struct rfo_auth_user user;
	check(rfo_auth_get_user(a, &user));
	check(user.id == 4242);
	check_str(user.username, "streamer");
	check_str(user.display_name, "The Streamer");
	rfo_auth_user_free(&user);
	char *rt = stored_refresh(store);
	check_str(rt, "RT1");
	bfree(rt);
	check(rfo_auth_last_error(a) == NULL);
	for (int i = 0; i < 100 && atomic_load(&o.token_calls) < 1; i++)
		os_sleep_ms(10);
	check(atomic_load(&o.token_calls) >= 1);
	check(atomic_load(&o.last_state) == RFO_AUTH_SIGNED_IN);
	int bad;
	FAKE_GET(&f, bad_client_auth, bad);
	check(bad == 0);

	/* 3-s tokens: refreshed ~1.5 s before expiry, several times; 4 threads keep asking for tokens
	 * and reporting 401s; the endpoint never sees two token requests at once */
	struct hammer h = {.auth = a};
	pthread_t ht[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&ht[i], NULL, hammer_thread, &h);
	os_sleep_ms(6000);
	atomic_store(&h.stop, true);
	for (int i = 0; i < 4; i++)
		pthread_join(ht[i], NULL);
	struct rfo_auth_stats st;
	rfo_auth_get_stats(a, &st);
	int refreshes, invalid;
	FAKE_GET(&f, refresh_grants, refreshes);
	FAKE_GET(&f, invalid_grants, invalid);
	printf("refreshes in 6 s: %d (client %u), max concurrent token requests: %d, tokens handed out: %d\n",
	       refreshes, st.refreshes, atomic_load(&f.max_in_flight), atomic_load(&h.got));
	check(refreshes >= 3 && refreshes <= 12); /* timer-driven, not one per 401 report */
	check(st.refreshes == (uint32_t)refreshes);
	check(atomic_load(&f.max_in_flight) == 1);
	check(invalid == 0); /* never used a rotated-away refresh token */
	check(atomic_load(&h.got) > 50);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_IN);
	check(atomic_load(&o.token_calls) >= 1 + refreshes);
	/* the store always holds the live pair */
	char want[32];
	pthread_mutex_lock(&f.m);
	snprintf(want, sizeof(want), "%s", f.refresh);
	pthread_mutex_unlock(&f.m);
	rt = stored_refresh(store);
	check_str(rt, want);
	bfree(rt);

	/* 503s: stays signed in, retries with backoff, recovers */
	pthread_mutex_lock(&f.m);
	f.fail_503 = 3;
	pthread_mutex_unlock(&f.m);
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

	/* invalid_grant (revoked elsewhere): reconnect_needed with the calm sentence */
	pthread_mutex_lock(&f.m);
	f.refresh[0] = 0;
	pthread_mutex_unlock(&f.m);
	check(wait_state(a, RFO_AUTH_RECONNECT_NEEDED, 4000));
	e = rfo_auth_last_error(a);
	check_str(e, "Restream signed this plugin out (the sign-in was revoked or expired). Click Reconnect to "
		     "sign in again.");
	bfree(e);
	check(!rfo_auth_get_token(a, &t));
	check(rfo_auth_get_user(a, &user)); /* still shows who to reconnect */
	rfo_auth_user_free(&user);

	/* reconnect, then sign out: revoke with the refresh token, store cleared */
	sign_in(a, &f);
	char live_rt[32];
	pthread_mutex_lock(&f.m);
	snprintf(live_rt, sizeof(live_rt), "%s", f.refresh);
	int revokes_before = f.revokes;
	pthread_mutex_unlock(&f.m);
	rfo_auth_sign_out(a);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_OUT); /* at once */
	check(!rfo_auth_get_token(a, &t));
	int revokes = revokes_before;
	for (int i = 0; i < 300 && revokes == revokes_before; i++) {
		os_sleep_ms(10);
		FAKE_GET(&f, revokes, revokes);
	}
	check(revokes == revokes_before + 1);
	pthread_mutex_lock(&f.m);
	check_str(f.revoked, live_rt);
	pthread_mutex_unlock(&f.m);
	rt = stored_refresh(store);
	check(rt == NULL);
	check(access(rfo_token_store_file_path(store), F_OK) != 0);
	check(!rfo_auth_get_user(a, &user));

	rfo_auth_destroy(a);
	rfo_token_store_destroy(store);
	fake_stop(&f);
}

static void test_restore_and_shutdown(void)
{
	struct fake f;
	fake_start(&f, 2);
	snprintf(api_url, sizeof(api_url), "http://127.0.0.1:%u", f.port);
	struct rfo_token_store *store = rfo_token_store_create(store_dir, RFO_TOKEN_STORE_FILE);
	struct obs o = {0};
	struct rfo_auth *a = make_auth(store, &o, NULL);
	sign_in(a, &f);
	rfo_auth_destroy(a);
	os_sleep_ms(2100); /* the stored access token expires */

	/* next start: restore returns at once, the auth thread loads and refreshes */
	struct obs o2 = {0};
	a = make_auth(store, &o2, NULL);
	uint64_t t0 = os_gettime_ns();
	rfo_auth_restore(a);
	check(os_gettime_ns() - t0 < 20000000ULL);
	check(wait_state(a, RFO_AUTH_SIGNED_IN, 3000));
	char *t = NULL;
	check(rfo_auth_wait_token(a, 3000, &t));
	char want[32];
	pthread_mutex_lock(&f.m);
	snprintf(want, sizeof(want), "%s", f.access);
	pthread_mutex_unlock(&f.m);
	check_str(t, want);
	bfree(t);
	struct rfo_auth_user user;
	check(rfo_auth_get_user(a, &user)); /* from the stored record */
	check_str(user.username, "streamer");
	rfo_auth_user_free(&user);

	/* destroy while a refresh hangs at the server: joins within 200 ms */
	pthread_mutex_lock(&f.m);
	f.hang_ms = 5000;
	pthread_mutex_unlock(&f.m);
	rfo_auth_report_unauthorized(a); /* ignored: within 10 s of the last refresh */
	for (int i = 0; i < 300 && atomic_load(&f.in_flight) == 0; i++)
		os_sleep_ms(10);
	check(atomic_load(&f.in_flight) == 1); /* the scheduled refresh is in flight */
	t0 = os_gettime_ns();
	rfo_auth_destroy(a);
	uint64_t ms = (os_gettime_ns() - t0) / 1000000ULL;
	printf("destroy mid-request took %llu ms\n", (unsigned long long)ms);
	check(ms < 200);
	rfo_token_store_destroy(store);
	fake_stop(&f);
}

static void test_broker_and_cancel(void)
{
	struct fake f;
	fake_start(&f, 3600);
	f.broker = true;
	snprintf(api_url, sizeof(api_url), "http://127.0.0.1:%u", f.port);
	char token_url[96];
	snprintf(token_url, sizeof(token_url), "http://127.0.0.1:%u/oauth/token", f.port);
	struct obs o = {0};
	struct rfo_auth *a = make_auth(NULL, &o, token_url);

	/* cancel: the listener goes away, state returns */
	char *url = NULL;
	check(rfo_auth_begin_sign_in(a, &url, NULL));
	rfo_auth_cancel_sign_in(a);
	check(rfo_auth_get_state(a) == RFO_AUTH_SIGNED_OUT);
	os_sleep_ms(100);
	check(browser_redirect_refused(url));
	bfree(url);

	/* a second begin replaces the first flow: the old state is no longer accepted */
	char *url1 = NULL, *url2 = NULL;
	check(rfo_auth_begin_sign_in(a, &url1, NULL));
	check(rfo_auth_begin_sign_in(a, &url2, NULL));
	check(strcmp(url1, url2) != 0);
	check(browser_redirect(url2, "good-code", NULL) == 200);
	check(wait_state(a, RFO_AUTH_SIGNED_IN, 5000));
	check_token(a, "AT1");
	int bad;
	FAKE_GET(&f, bad_client_auth, bad);
	check(bad == 0); /* no secret went to the broker, client_id was in the form */
	bfree(url1);
	bfree(url2);

	/* denial in the browser while signed in: back to signed_in, session intact */
	check(rfo_auth_begin_sign_in(a, &url, NULL));
	char *redirect = rfo_url_query_get(url, "redirect_uri");
	struct rfo_url_parts parts;
	check(rfo_url_parts_parse(redirect, &parts));
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)parts.port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	check(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	const char *deny = "GET /callback HTTP/1.1\r\nHost: localhost\r\n\r\n";
	check(send(fd, deny, strlen(deny), 0) == (ssize_t)strlen(deny));
	char buf[512];
	check(recv(fd, buf, sizeof(buf), 0) > 0);
	close(fd);
	check(wait_state(a, RFO_AUTH_SIGNED_IN, 3000));
	char *e = rfo_auth_last_error(a);
	check(e && strstr(e, "cancelled"));
	bfree(e);
	check_token(a, "AT1");
	rfo_url_parts_free(&parts);
	bfree(redirect);
	bfree(url);

	rfo_auth_destroy(a);
	fake_stop(&f);
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

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(store_dir, sizeof(store_dir), "/tmp/rfo-auth-test-XXXXXX");
	check(mkdtemp(store_dir) != NULL);
	test_config_errors();
	test_full_lifecycle();
	test_restore_and_shutdown();
	test_broker_and_cancel();
	struct dstr cmd = {0};
	dstr_printf(&cmd, "rm -rf '%s'", store_dir);
	check(system(cmd.array) == 0);
	dstr_free(&cmd);
	curl_global_cleanup();
	printf("auth: ok\n");
	return rfo_test_end();
}
