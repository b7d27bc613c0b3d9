/* Shared pieces of the loopback test servers in test_http.c and test_ws.c (see rfo-test-server.h). */
#include "rfo-test-server.h"
#include "rfo-test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <util/platform.h>
#include <util/threading.h>

int rfo_test_listen(int backlog, int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	check(fd >= 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	check(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	check(listen(fd, backlog) == 0);
	socklen_t alen = sizeof(a);
	check(getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
	*port = ntohs(a.sin_port);
	return fd;
}

bool rfo_test_send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

char *rfo_test_header_value(const char *head, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;
		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			line += nl + 1;
			while (*line == ' ')
				line++;
			const char *end = strstr(line, "\r\n");
			size_t len = end ? (size_t)(end - line) : strlen(line);
			char *v = malloc(len + 1);
			memcpy(v, line, len);
			v[len] = 0;
			return v;
		}
	}
	return strdup("");
}

char *rfo_test_read_request(int fd, char *buf, size_t size, volatile bool *stop)
{
	size_t len = 0;
	char *end = NULL;
	buf[0] = 0;
	for (int i = 0; i < 250 && !os_atomic_load_bool(stop); i++) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 20) <= 0)
			continue;
		ssize_t n = recv(fd, buf + len, size - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = 0;
		if (buf[0] < 'A' || buf[0] > 'Z')
			return NULL; /* not HTTP (e.g. a TLS hello): hang up */
		end = strstr(buf, "\r\n\r\n");
		if (end) {
			char *cl = rfo_test_header_value(buf, "Content-Length");
			size_t want = (size_t)atol(cl);
			free(cl);
			if (len - (size_t)(end + 4 - buf) >= want)
				break;
		}
	}
	if (!end)
		return NULL;
	*end = 0;
	return end + 4;
}

void rfo_test_tls_start(struct rfo_test_tls *tls)
{
	char cmd[512];
	snprintf(tls->dir, sizeof(tls->dir), "/tmp/rfo-tls-XXXXXX");
	check(mkdtemp(tls->dir) != NULL);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 "
		 "-days 2 -keyout %s/k.pem -out %s/c.pem >/dev/null 2>&1",
		 tls->dir, tls->dir);
	check(system(cmd) == 0);

	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	check(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	socklen_t alen = sizeof(a);
	check(getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
	tls->port = ntohs(a.sin_port);
	close(fd);

	char accept_arg[32], cert[96], key[96];
	snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%d", tls->port);
	snprintf(cert, sizeof(cert), "%s/c.pem", tls->dir);
	snprintf(key, sizeof(key), "%s/k.pem", tls->dir);
	tls->pid = fork();
	check(tls->pid >= 0);
	if (tls->pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execlp("openssl", "openssl", "s_server", "-accept", accept_arg, "-cert", cert, "-key", key, "-www",
		       "-quiet", (char *)NULL);
		_exit(127);
	}
	/* wait (bounded) until it accepts connections */
	bool up = false;
	for (int i = 0; i < 200 && !up; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		a.sin_port = htons((uint16_t)tls->port);
		up = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
		if (!up)
			os_sleep_ms(10);
	}
	check(up);
}

void rfo_test_tls_stop(struct rfo_test_tls *tls)
{
	char path[96];
	if (tls->pid > 0) {
		kill(tls->pid, SIGTERM);
		waitpid(tls->pid, NULL, 0);
		tls->pid = -1;
	}
	snprintf(path, sizeof(path), "%s/c.pem", tls->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/k.pem", tls->dir);
	unlink(path);
	rmdir(tls->dir);
}
