/* restream-token-broker: calls to Restream's OAuth endpoints, many at once, on one curl multi handle.
 *
 * The event loop's thread runs it: curl tells the loop which sockets to watch and when its timer is due, and the
 * loop hands back only the sockets that are ready, so a turn costs the same with 1 or 1,000 calls in flight. One
 * thread, no locks. Connections to Restream stay open and are reused across clients. */
#define _GNU_SOURCE /* POSIX and Linux calls (clock_gettime, sigaction, strtok_r, O_CLOEXEC…) in strict C11 too */
#include "rfo-broker-upstream.h"
#include "rfo-broker-buf.h"
#include "rfo-broker-log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define REPLY_MAX (64 * 1024)
#define CONNECT_TIMEOUT_MS 5000
#define IDLE_HANDLES 128

struct call {
	CURL *easy;
	char *body;
	size_t body_len;
	struct rfo_broker_buf reply;
	char content_type[128];
	char retry_after[64];
	bool too_big;
	double t0;
	void *ctx;
	struct call *prev, *next; /* the calls in flight, for _destroy */
};

struct rfo_broker_upstream {
	CURLM *multi;
	struct curl_slist *headers; /* shared by every call: holds the credentials, wiped at destroy */
	char base[1024];
	int timeout_ms;
	size_t in_flight;
	struct call *calls;
	/* finished easy handles kept for the next calls: making one per call costs more than the call itself here */
	CURL *idle[IDLE_HANDLES];
	size_t idle_count;
	rfo_broker_upstream_done_fn done;
	rfo_broker_upstream_watch_fn watch;
	void *loop;
	double deadline_ms; /* curl's timer, 0: none */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t on_body(char *data, size_t size, size_t n, void *p)
{
	struct call *c = p;
	size_t len = size * n;
	if (c->reply.len + len > REPLY_MAX) {
		c->too_big = true;
		return 0;
	}
	return rfo_broker_buf_append(&c->reply, data, len) ? len : 0;
}

/* keeps one header's value if it is short printable ASCII (it is sent on to the client as it is) */
static void keep(const char *line, size_t len, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) != 0)
		return;
	const char *v = line + nl, *e = line + len;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	size_t n = (size_t)(e - v);
	if (n == 0 || n >= cap)
		return;
	for (const char *p = v; p < e; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return;
	memcpy(out, v, n);
	out[n] = '\0';
}

static size_t on_header(char *line, size_t size, size_t n, void *p)
{
	struct call *c = p;
	size_t len = size * n;
	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) { /* a new reply (after a 100 Continue): start over */
		c->content_type[0] = c->retry_after[0] = '\0';
		return len;
	}
	keep(line, len, "Content-Type:", c->content_type, sizeof(c->content_type));
	keep(line, len, "Retry-After:", c->retry_after, sizeof(c->retry_after));
	return len;
}

static int on_socket(CURL *e, curl_socket_t sock, int what, void *p, void *socketp)
{
	(void)e;
	struct rfo_broker_upstream *up = p;
	up->watch(up->loop, sock, what, socketp != NULL);
	if (what != CURL_POLL_REMOVE && !socketp)
		curl_multi_assign(up->multi, sock, up); /* marks it known; curl forgets the mark at REMOVE */
	return 0;
}

static int on_timer(CURLM *m, long timeout_ms, void *p)
{
	(void)m;
	struct rfo_broker_upstream *up = p;
	up->deadline_ms = timeout_ms < 0 ? 0 : now_ms() + (double)timeout_ms;
	return 0;
}

struct rfo_broker_upstream *rfo_broker_upstream_create(const char *base_url, const char *auth_header, int timeout_ms,
						       rfo_broker_upstream_done_fn done,
						       rfo_broker_upstream_watch_fn watch, void *loop)
{
	struct rfo_broker_upstream *up = calloc(1, sizeof(*up));
	if (!up || strlen(base_url) >= sizeof(up->base))
		goto fail;
	strcpy(up->base, base_url);
	up->timeout_ms = timeout_ms;
	up->done = done;
	up->watch = watch;
	up->loop = loop;
	up->multi = curl_multi_init();
	if (!up->multi)
		goto fail;
	curl_multi_setopt(up->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(up->multi, CURLMOPT_SOCKETDATA, up);
	curl_multi_setopt(up->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(up->multi, CURLMOPT_TIMERDATA, up);
	curl_multi_setopt(up->multi, CURLMOPT_MAXCONNECTS, 256L);
	const char *lines[] = {auth_header, "Content-Type: application/x-www-form-urlencoded",
			       "Accept: application/json", "Expect:"};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct curl_slist *next = curl_slist_append(up->headers, lines[i]);
		if (!next)
			goto fail;
		up->headers = next;
	}
	return up;
fail:
	rfo_broker_upstream_destroy(up);
	return NULL;
}

static void call_free(struct rfo_broker_upstream *up, struct call *c)
{
	if (c->easy && up && up->idle_count < IDLE_HANDLES)
		up->idle[up->idle_count++] = c->easy;
	else if (c->easy)
		curl_easy_cleanup(c->easy);
	rfo_broker_wipe(c->body, c->body_len);
	free(c->body);
	rfo_broker_buf_free(&c->reply);
	free(c);
}

void rfo_broker_upstream_destroy(struct rfo_broker_upstream *up)
{
	if (!up)
		return;
	while (up->calls) {
		struct call *c = up->calls;
		up->calls = c->next;
		curl_multi_remove_handle(up->multi, c->easy);
		call_free(NULL, c);
	}
	while (up->idle_count)
		curl_easy_cleanup(up->idle[--up->idle_count]);
	if (up->multi)
		curl_multi_cleanup(up->multi);
	for (struct curl_slist *h = up->headers; h; h = h->next)
		rfo_broker_wipe(h->data, strlen(h->data));
	curl_slist_free_all(up->headers);
	free(up);
}

bool rfo_broker_upstream_start(struct rfo_broker_upstream *up, const char *path, const char *body, size_t len,
			       void *ctx)
{
	struct call *c = calloc(1, sizeof(*c));
	char url[1100];
	if (!c)
		return false;
	c->ctx = ctx;
	c->t0 = now_ms();
	c->body = malloc(len + 1);
	c->easy = up->idle_count ? up->idle[--up->idle_count] : curl_easy_init();
	if (!c->body || !c->easy || snprintf(url, sizeof(url), "%s%s", up->base, path) >= (int)sizeof(url))
		goto fail;
	memcpy(c->body, body, len);
	c->body[len] = '\0';
	c->body_len = len;
	CURL *e = c->easy;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, up->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "restream-token-broker");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)up->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(up->timeout_ms < CONNECT_TIMEOUT_MS ? up->timeout_ms : CONNECT_TIMEOUT_MS));
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	if (curl_multi_add_handle(up->multi, e) != CURLM_OK)
		goto fail;
	up->in_flight++;
	c->next = up->calls;
	if (up->calls)
		up->calls->prev = c;
	up->calls = c;
	return true;
fail:
	call_free(up, c);
	return false;
}

static void finish(struct rfo_broker_upstream *up, CURL *e, CURLcode code)
{
	struct call *c = NULL;
	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&c);
	long status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	struct rfo_broker_upstream_result r = {
		.failure = RFO_BROKER_UPSTREAM_OK,
		.status = (int)status,
		.body = c->reply.data ? c->reply.data : "",
		.body_len = c->reply.len,
		.content_type = c->content_type,
		.retry_after = c->retry_after,
		.ms = now_ms() - c->t0,
	};
	if (code == CURLE_OPERATION_TIMEDOUT)
		r.failure = RFO_BROKER_UPSTREAM_TIMEOUT;
	else if (c->too_big || (code == CURLE_OK && (status < 100 || status > 599)))
		r.failure = RFO_BROKER_UPSTREAM_BAD_REPLY;
	else if (code != CURLE_OK)
		r.failure = RFO_BROKER_UPSTREAM_DOWN;
	if (r.failure != RFO_BROKER_UPSTREAM_OK)
		rfo_broker_log("warning", "upstream: %s after %.0f ms",
			       c->too_big ? "reply larger than 64 KiB" : curl_easy_strerror(code), r.ms);
	curl_multi_remove_handle(up->multi, e);
	up->in_flight--;
	if (c->prev)
		c->prev->next = c->next;
	else
		up->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	up->done(up->loop, c->ctx, &r);
	call_free(up, c);
}

static void finished_calls(struct rfo_broker_upstream *up)
{
	int left = 0;
	CURLMsg *m;
	while ((m = curl_multi_info_read(up->multi, &left)))
		if (m->msg == CURLMSG_DONE)
			finish(up, m->easy_handle, m->data.result);
}

void rfo_broker_upstream_socket(struct rfo_broker_upstream *up, curl_socket_t sock, int select_bits)
{
	int running = 0;
	curl_multi_socket_action(up->multi, sock, select_bits, &running);
	finished_calls(up);
}

double rfo_broker_upstream_deadline(const struct rfo_broker_upstream *up)
{
	return up->deadline_ms;
}

void rfo_broker_upstream_timeout(struct rfo_broker_upstream *up)
{
	int running = 0;
	up->deadline_ms = 0;
	curl_multi_socket_action(up->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	finished_calls(up);
}

size_t rfo_broker_upstream_in_flight(const struct rfo_broker_upstream *up)
{
	return up->in_flight;
}
