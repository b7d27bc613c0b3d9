#define _GNU_SOURCE
#include "rfo-listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#include "rfo-log.h"
#include "rfo-oauth.h"

/* Browsers open speculative connections and local programs may open idle ones: when every slot is taken, the
 * oldest connection makes room for the newest, so no number of idle or half-sent connections keeps the real
 * redirect out; each also gets CLIENT_TIMEOUT_MS to send its request. */
#define MAX_CLIENTS 32
#define REQUEST_MAX 8192
#define CLIENT_TIMEOUT_MS 5000
#define DEFAULT_TIMEOUT_MS (5u * 60u * 1000u)

struct client {
	int fd;
	size_t len;
	uint64_t accepted_ns;
	uint64_t deadline_ns;
	char buf[REQUEST_MAX + 1];
};

struct rfo_listener {
	int fd;
	int wake[2];
	uint16_t port;
	pthread_t thread;
	bool thread_started;
	volatile bool finished; /* os_atomic_*: set by the listener thread, read by any */

	char *state;
	uint32_t timeout_ms;
	char *title, *success, *denied, *error, *rejected;
	rfo_listener_cb cb;
	void *param;

	struct client clients[MAX_CLIENTS];
};

static char *dup_or(const char *s, const char *def)
{
	return bstrdup(s && *s ? s : def);
}

static void html_escape(struct dstr *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			dstr_cat(out, "&lt;");
			break;
		case '>':
			dstr_cat(out, "&gt;");
			break;
		case '&':
			dstr_cat(out, "&amp;");
			break;
		case '"':
			dstr_cat(out, "&quot;");
			break;
		case '\'':
			dstr_cat(out, "&#39;");
			break;
		default:
			dstr_ncat(out, s, 1);
		}
	}
}

static bool send_all(int fd, const char *data, size_t len)
{
	uint64_t deadline = os_gettime_ns() + 2000000000ULL;
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && os_gettime_ns() < deadline) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			poll(&p, 1, 100);
			continue;
		}
		return false;
	}
	return true;
}

static void send_response(int fd, int status, const char *reason, const char *title, const char *text,
			  const char *detail)
{
	struct dstr body = {0}, head = {0};
	dstr_cat(&body, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
	html_escape(&body, title);
	dstr_cat(&body, "</title></head>\n<body style=\"font-family:sans-serif;margin:3em\"><h1>");
	html_escape(&body, title);
	dstr_cat(&body, "</h1>\n<p>");
	html_escape(&body, text);
	if (detail && *detail) {
		dstr_cat(&body, " <code>");
		html_escape(&body, detail);
		dstr_cat(&body, "</code>");
	}
	dstr_cat(&body, "</p></body></html>\n");

	dstr_printf(&head,
		    "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n"
		    "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n"
		    "Connection: close\r\n\r\n",
		    status, reason, body.len);
	if (send_all(fd, head.array, head.len))
		send_all(fd, body.array, body.len);
	dstr_free(&head);
	dstr_free(&body);
}

static void close_client(struct client *c)
{
	if (c->fd >= 0) {
		/* read what the client already sent so that close() does not reset the connection
		 * before it has read our answer */
		char sink[4096];
		for (int i = 0; i < 16 && recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
			;
		shutdown(c->fd, SHUT_WR);
		close(c->fd);
	}
	c->fd = -1;
	c->len = 0;
}

static void finish(struct rfo_listener *l, const struct rfo_listener_result *res)
{
	os_atomic_set_bool(&l->finished, true);
	if (l->cb)
		l->cb(l->param, res);
}

/* Handles one complete request head. Returns true when the flow has ended. */
static bool handle_request(struct rfo_listener *l, struct client *c)
{
	char *line_end = strstr(c->buf, "\r\n");
	if (line_end)
		*line_end = 0;
	char *sp1 = strchr(c->buf, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
		send_response(c->fd, 400, "Bad Request", l->title, "Bad request.", NULL);
		return false;
	}
	*sp1 = 0;
	*sp2 = 0;
	const char *method = c->buf;
	const char *target = sp1 + 1;
	size_t path_len = strcspn(target, "?#");

	if (path_len != 9 || strncmp(target, "/callback", 9) != 0) {
		send_response(c->fd, 404, "Not Found", l->title, "Not found.", NULL);
		return false;
	}
	if (strcmp(method, "GET") != 0) {
		send_response(c->fd, 405, "Method Not Allowed", l->title, "Method not allowed.", NULL);
		return false;
	}

	struct rfo_oauth_redirect redirect;
	rfo_oauth_parse_redirect(target, strlen(target), "/callback", &redirect);

	struct rfo_listener_result res = {.outcome = RFO_LISTENER_REJECTED};
	bool state_ok = redirect.state && rfo_oauth_state_equal(redirect.state, l->state);
	bool bare = !strchr(target, '?');

	switch (redirect.kind) {
	case RFO_REDIRECT_CODE:
		if (state_ok) {
			res.outcome = RFO_LISTENER_CODE;
			res.code = redirect.code;
			res.scope = redirect.scope;
		}
		break;
	case RFO_REDIRECT_DENIED:
		/* Restream's denial is the redirect URI with no parameters at all (it carries nothing to steal), or
		 * error=access_denied with our state */
		if (bare || state_ok)
			res.outcome = RFO_LISTENER_DENIED;
		break;
	case RFO_REDIRECT_ERROR:
		if (state_ok) {
			res.outcome = RFO_LISTENER_ERROR;
			res.error = redirect.error;
			res.error_description = redirect.error_description;
		}
		break;
	default:
		break;
	}

	switch (res.outcome) {
	case RFO_LISTENER_CODE:
		send_response(c->fd, 200, "OK", l->title, l->success, NULL);
		break;
	case RFO_LISTENER_DENIED:
		send_response(c->fd, 200, "OK", l->title, l->denied, NULL);
		break;
	case RFO_LISTENER_ERROR:
		send_response(c->fd, 200, "OK", l->title, l->error, res.error);
		break;
	default:
		/* anyone on this machine can reach the port: a callback without the right state is answered and
		 * ignored, and the listener keeps waiting for the browser's */
		rfo_log_sub(LOG_WARNING, "auth", "sign-in redirect rejected (%s); still waiting for the browser",
			    redirect.kind == RFO_REDIRECT_MALFORMED ? "malformed"
			    : redirect.state                        ? "state mismatch"
								    : "state missing");
		send_response(c->fd, 400, "Bad Request", l->title, l->rejected, NULL);
		break;
	}
	close_client(c);
	bool final = res.outcome != RFO_LISTENER_REJECTED;
	if (final)
		finish(l, &res);
	rfo_oauth_redirect_free(&redirect);
	return final;
}

/* Returns true when the flow has ended. */
static bool on_readable(struct rfo_listener *l, struct client *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, REQUEST_MAX - c->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (n <= 0) {
		close_client(c);
		return false;
	}
	c->len += (size_t)n;
	c->buf[c->len] = 0;
	if (memchr(c->buf, 0, c->len)) {
		send_response(c->fd, 400, "Bad Request", l->title, "Bad request.", NULL);
		close_client(c);
		return false;
	}
	if (strstr(c->buf, "\r\n\r\n") || strstr(c->buf, "\n\n")) {
		bool done = handle_request(l, c);
		close_client(c);
		return done;
	}
	if (c->len >= REQUEST_MAX) {
		rfo_log_sub(LOG_WARNING, "auth", "sign-in listener: request too large, dropped");
		send_response(c->fd, 431, "Request Header Fields Too Large", l->title, "Request too large.", NULL);
		close_client(c);
	}
	return false;
}

/* Returns false when no connection was waiting. */
static bool accept_client(struct rfo_listener *l)
{
	int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return false;
	struct client *slot = NULL;
	for (size_t i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &l->clients[i];
		if (c->fd < 0) {
			slot = c;
			break;
		}
		if (!slot || c->accepted_ns < slot->accepted_ns)
			slot = c;
	}
	if (slot->fd >= 0)
		close_client(slot); /* every slot is taken: the oldest connection makes room */
	uint64_t now = os_gettime_ns();
	slot->fd = fd;
	slot->len = 0;
	slot->accepted_ns = now;
	slot->deadline_ns = now + CLIENT_TIMEOUT_MS * 1000000ULL;
	return true;
}

static void *listener_thread(void *data)
{
	struct rfo_listener *l = data;
	os_set_thread_name("rfo-auth-listen");
	uint64_t deadline = os_gettime_ns() + (uint64_t)l->timeout_ms * 1000000ULL;

	for (;;) {
		struct pollfd fds[2 + MAX_CLIENTS];
		struct client *owners[2 + MAX_CLIENTS];
		nfds_t n = 0;
		uint64_t now = os_gettime_ns();

		if (now >= deadline) {
			rfo_log_sub(LOG_INFO, "auth", "sign-in timed out waiting for the browser");
			struct rfo_listener_result res = {.outcome = RFO_LISTENER_TIMEOUT};
			finish(l, &res);
			break;
		}
		uint64_t wake_at = deadline;
		fds[n] = (struct pollfd){.fd = l->wake[0], .events = POLLIN};
		owners[n++] = NULL;
		fds[n] = (struct pollfd){.fd = l->fd, .events = POLLIN};
		owners[n++] = NULL;
		for (size_t i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &l->clients[i];
			if (c->fd < 0)
				continue;
			if (now >= c->deadline_ns) {
				close_client(c);
				continue;
			}
			if (c->deadline_ns < wake_at)
				wake_at = c->deadline_ns;
			fds[n] = (struct pollfd){.fd = c->fd, .events = POLLIN};
			owners[n++] = c;
		}
		int timeout = (int)((wake_at - now) / 1000000ULL) + 1;
		if (poll(fds, n, timeout) < 0 && errno != EINTR)
			break;
		if (fds[0].revents)
			break; /* destroy */
		bool done = false;
		for (nfds_t i = 2; i < n && !done; i++) {
			if (fds[i].revents)
				done = on_readable(l, owners[i]);
		}
		if (done)
			break;
		if (fds[1].revents & POLLIN)
			for (int i = 0; i < MAX_CLIENTS && accept_client(l); i++)
				;
	}

	for (size_t i = 0; i < MAX_CLIENTS; i++)
		close_client(&l->clients[i]);
	close(l->fd);
	l->fd = -1;
	os_atomic_set_bool(&l->finished, true);
	return NULL;
}

struct rfo_listener *rfo_listener_create(const struct rfo_listener_config *cfg, struct rfo_error *err)
{
	if (!cfg || !cfg->expected_state || !*cfg->expected_state) {
		rfo_error_set(err, RFO_ERR_INVALID, "The sign-in listener needs a state value.");
		return NULL;
	}
	struct rfo_listener *l = bzalloc(sizeof(*l));
	l->fd = -1;
	l->wake[0] = l->wake[1] = -1;
	for (size_t i = 0; i < MAX_CLIENTS; i++)
		l->clients[i].fd = -1;
	l->state = bstrdup(cfg->expected_state);
	l->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
	l->title = dup_or(cfg->pages.title, "Restream for OBS");
	l->success = dup_or(cfg->pages.success, "Signed in. You can close this tab and return to OBS.");
	l->denied = dup_or(cfg->pages.denied, "Sign-in was cancelled. You can close this tab.");
	l->error = dup_or(cfg->pages.error, "Restream reported an error:");
	l->rejected = dup_or(cfg->pages.rejected, "This sign-in link is not valid any more. Start again from OBS.");
	l->cb = cfg->cb;
	l->param = cfg->param;

	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		goto fail;
	int one = 1;
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(l->fd, 64) < 0)
		goto fail;
	socklen_t alen = sizeof(addr);
	if (getsockname(l->fd, (struct sockaddr *)&addr, &alen) < 0)
		goto fail;
	l->port = ntohs(addr.sin_port);
	if (cfg->state_with_port) {
		struct dstr st = {0};
		dstr_printf(&st, "%u.%s", l->port, cfg->expected_state);
		rfo_oauth_record_wipe_free(l->state);
		l->state = st.array;
	}
	if (pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		goto fail;
	if (pthread_create(&l->thread, NULL, listener_thread, l) != 0)
		goto fail;
	l->thread_started = true;
	return l;

fail:
	rfo_log_sub(LOG_WARNING, "auth", "sign-in listener could not start on 127.0.0.1:%u: %s", cfg->port,
		    strerror(errno));
	rfo_error_set(err, RFO_ERR_NETWORK,
		      "Could not listen for the sign-in redirect on 127.0.0.1 port %u (%s). Close the program "
		      "using it or choose another port.",
		      cfg->port, strerror(errno));
	rfo_listener_destroy(l);
	return NULL;
}

const char *rfo_listener_state(const struct rfo_listener *listener)
{
	return listener ? listener->state : NULL;
}

uint16_t rfo_listener_port(const struct rfo_listener *listener)
{
	return listener ? listener->port : 0;
}

bool rfo_listener_finished(const struct rfo_listener *listener)
{
	return !listener || os_atomic_load_bool(&((struct rfo_listener *)listener)->finished);
}

void rfo_listener_destroy(struct rfo_listener *l)
{
	if (!l)
		return;
	if (l->thread_started) {
		char b = 1;
		if (write(l->wake[1], &b, 1) < 0) {
			/* the pipe is non-blocking and nearly empty; nothing to do */
		}
		pthread_join(l->thread, NULL);
	}
	if (l->fd >= 0)
		close(l->fd);
	if (l->wake[0] >= 0)
		close(l->wake[0]);
	if (l->wake[1] >= 0)
		close(l->wake[1]);
	rfo_oauth_record_wipe_free(l->state);
	bfree(l->title);
	bfree(l->success);
	bfree(l->denied);
	bfree(l->error);
	bfree(l->rejected);
	bfree(l);
}
