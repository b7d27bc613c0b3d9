/* broker-load PORT CONNECTIONS REQUESTS [PATH BODY]: a closed-loop HTTP/1.1 load client. Each of CONNECTIONS
 * keep-alive connections to 127.0.0.1:PORT sends a POST (a form body), waits for the whole reply, and sends the
 * next, until REQUESTS replies arrived. Prints requests, errors (non-2xx or broken connections), throughput and
 * latency percentiles as KEY=VALUE lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUCKET_US 10
#define BUCKETS 200000 /* 2 s in 10 µs steps; slower replies count in the last bucket */

struct conn {
	int fd;
	char in[8192];
	size_t len;
	double t0;
};

static unsigned hist[BUCKETS];
static int port;
static char request[2048];
static size_t request_len;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int dial(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool send_request(struct conn *c)
{
	c->t0 = now_us();
	c->len = 0;
	return send(c->fd, request, request_len, MSG_NOSIGNAL) == (ssize_t)request_len;
}

/* 1: a whole reply is in (status in *status), 0: not yet, -1: malformed */
static int reply_done(struct conn *c, int *status)
{
	char *end = memmem(c->in, c->len, "\r\n\r\n", 4);
	if (!end)
		return c->len < sizeof(c->in) ? 0 : -1;
	size_t head = (size_t)(end - c->in) + 4;
	char *cl = strcasestr(c->in, "\r\nContent-Length:");
	size_t clen = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
	if (c->len < head + clen)
		return 0;
	*status = atoi(c->in + 9);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: broker-load PORT CONNECTIONS REQUESTS [PATH BODY]\n");
		return 2;
	}
	port = atoi(argv[1]);
	int nconn = atoi(argv[2]);
	long total = atol(argv[3]);
	const char *path = argc > 4 ? argv[4] : "/token";
	const char *body = argc > 5 ? argv[5] : "grant_type=refresh_token&refresh_token=bench-refresh-token";
	request_len = (size_t)snprintf(request, sizeof(request),
				       "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
				       "application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
				       path, strlen(body), body);
	struct conn *conns = calloc((size_t)nconn, sizeof(*conns));
	struct pollfd *fds = calloc((size_t)nconn, sizeof(*fds));
	long sent = 0, done = 0, errors = 0, non2xx = 0;
	double start = now_us();
	for (int i = 0; i < nconn; i++) {
		conns[i].fd = dial();
		if (conns[i].fd < 0 || !send_request(&conns[i])) {
			fprintf(stderr, "broker-load: cannot connect to 127.0.0.1:%d\n", port);
			return 1;
		}
		sent++;
	}
	double max_us = 0;
	while (done < total) {
		for (int i = 0; i < nconn; i++)
			fds[i] = (struct pollfd){.fd = conns[i].fd, .events = conns[i].fd >= 0 ? POLLIN : 0};
		if (poll(fds, (nfds_t)nconn, 5000) <= 0) {
			fprintf(stderr, "broker-load: no reply for 5 s\n");
			break;
		}
		for (int i = 0; i < nconn; i++) {
			struct conn *c = &conns[i];
			if (!fds[i].revents)
				continue;
			ssize_t n = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, 0);
			int status = 0, r = n > 0 ? (c->len += (size_t)n, reply_done(c, &status)) : -1;
			if (r == 0)
				continue;
			done++;
			if (r < 0) {
				errors++;
				close(c->fd);
				c->fd = dial();
			} else {
				double us = now_us() - c->t0;
				size_t b = (size_t)(us / BUCKET_US);
				hist[b < BUCKETS ? b : BUCKETS - 1]++;
				if (us > max_us)
					max_us = us;
				if (status < 200 || status > 299)
					non2xx++;
			}
			if (c->fd >= 0 && sent < total) {
				if (send_request(c))
					sent++;
				else
					errors++;
			} else if (c->fd >= 0 && sent >= total) {
				close(c->fd);
				c->fd = -1;
			}
		}
	}
	double secs = (now_us() - start) / 1e6;
	long ok = done - errors;
	double p50 = 0, p99 = 0;
	long seen = 0;
	for (size_t b = 0; b < BUCKETS; b++) {
		seen += hist[b];
		if (!p50 && seen >= ok * 0.50)
			p50 = (double)(b + 1) * BUCKET_US / 1000.0;
		if (!p99 && seen >= ok * 0.99) {
			p99 = (double)(b + 1) * BUCKET_US / 1000.0;
			break;
		}
	}
	printf("requests=%ld\nerrors=%ld\nnon2xx=%ld\nseconds=%.2f\nper_s=%.0f\np50_ms=%.2f\np99_ms=%.2f\nmax_ms=%.2f\n",
	       done, errors, non2xx, secs, done / secs, p50, p99, max_us / 1000.0);
	return done == total ? 0 : 1;
}
