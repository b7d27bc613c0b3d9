/* broker-fake-upstream [PORT]: an upstream that answers every POST at once with a fixed token reply (keep-alive),
 * for the broker benchmark: the numbers measure the broker, not an emulator. Prints PORT=<n> and READY. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 1024
#define BUF 16384

struct client {
	int fd;
	char in[BUF];
	size_t len;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char body[] = "{\"access_token\":\"bench-access\",\"refresh_token\":\"bench-refresh\",\"expires_in\":3600,"
			   "\"token_type\":\"Bearer\",\"scope\":\"profile.read\"}";

/* answers every complete request in c->in; false when the client must go */
static bool serve(struct client *c)
{
	for (;;) {
		char *end = memmem(c->in, c->len, "\r\n\r\n", 4);
		if (!end)
			return c->len < BUF;
		size_t head = (size_t)(end - c->in) + 4;
		size_t clen = 0;
		char *cl = strcasestr(c->in, "\r\nContent-Length:");
		if (cl && cl < end)
			clen = strtoul(cl + 17, NULL, 10);
		if (c->len < head + clen)
			return head + clen <= BUF;
		char reply[512];
		int n = snprintf(reply, sizeof(reply),
				 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
				 sizeof(body) - 1, body);
		if (send(c->fd, reply, (size_t)n, MSG_NOSIGNAL) != n)
			return false;
		memmove(c->in, c->in + head + clen, c->len - head - clen);
		c->len -= head + clen;
	}
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 0;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 511) != 0) {
		perror("broker-fake-upstream: listen");
		return 1;
	}
	getsockname(lfd, (struct sockaddr *)&a, &alen);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("PORT=%d\nREADY\n", ntohs(a.sin_port));
	fflush(stdout);

	static struct client clients[MAXC];
	static struct pollfd fds[MAXC + 1];
	size_t count = 0;
	while (!stop) {
		fds[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (size_t i = 0; i < count; i++)
			fds[i + 1] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
		if (poll(fds, count + 1, 500) < 0)
			continue;
		for (size_t i = 0; i < count; i++) {
			if (!fds[i + 1].revents)
				continue;
			struct client *c = &clients[i];
			ssize_t n = recv(c->fd, c->in + c->len, BUF - c->len, 0);
			if (n > 0) {
				c->len += (size_t)n;
				if (serve(c))
					continue;
			}
			close(c->fd);
			c->fd = -1;
		}
		size_t j = 0;
		for (size_t i = 0; i < count; i++)
			if (clients[i].fd >= 0)
				clients[j++] = clients[i];
		count = j;
		if ((fds[0].revents & POLLIN) && count < MAXC) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0) {
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				clients[count].fd = fd;
				clients[count].len = 0;
				count++;
			}
		}
	}
	return 0;
}
