/* rfo-ws: a plain ws://localhost URL carries the access token, so "localhost" must also RESOLVE to loopback before
 * anything is sent. The test re-runs itself in a user + mount namespace whose /etc/hosts points "localhost" at this
 * machine's own non-loopback address, where a listener waits: it must never see a connection. Exit 77 (skipped)
 * where namespaces or a non-loopback address are not available. */
#define _GNU_SOURCE /* getifaddrs, setenv */
#include "rfo-test.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <util/platform.h>
#include <util/threading.h>

#include "rfo-ws.h"

#define SKIP 77

static int port;
static volatile long refused_states;

static char *get_url(void *param)
{
	(void)param;
	char url[128];
	snprintf(url, sizeof(url), "ws://localhost:%d/ws?accessToken=SECRET-TOKEN", port);
	return bstrdup(url);
}

static void on_state(void *param, enum rfo_ws_state state, int http_status, const char *reason)
{
	(void)param;
	(void)http_status;
	if (state == RFO_WS_DISCONNECTED && reason && strstr(reason, "only allowed to this computer"))
		os_atomic_inc_long(&refused_states);
}

static void on_message(void *param, const char *text, size_t len)
{
	(void)param;
	(void)text;
	(void)len;
}

/* The first IPv4 address of this machine that is not loopback, or false. */
static bool own_address(char *out, size_t size)
{
	struct ifaddrs *list = NULL;
	if (getifaddrs(&list) != 0)
		return false;
	bool found = false;
	for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		const struct in_addr *a = &((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if ((ntohl(a->s_addr) >> 24) == 127)
			continue;
		found = inet_ntop(AF_INET, a, out, (socklen_t)size) != NULL;
	}
	freeifaddrs(list);
	return found;
}

/* Inside the namespace: listen on `addr`, point the ws at ws://localhost, and count what reaches the listener. */
static int inside(const char *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	check(inet_pton(AF_INET, addr, &sa.sin_addr) == 1);
	check(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	check(listen(fd, 4) == 0);
	socklen_t sl = sizeof(sa);
	check(getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	port = ntohs(sa.sin_port);

	struct rfo_ws_config cfg = {
		.name = "test",
		.get_url = get_url,
		.on_state = on_state,
		.on_message = on_message,
		.connect_timeout_s = 3,
	};
	struct rfo_ws *ws = rfo_ws_create(&cfg);
	check(ws && rfo_ws_start(ws));
	/* 3 s: the first attempt resolves and would connect within milliseconds */
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int ready = poll(&p, 1, 3000);
	rfo_ws_destroy(ws);
	close(fd);
	if (ready != 0)
		fail("the token went over plain ws:// to a non-loopback address");
	check(os_atomic_load_long(&refused_states) >= 1);
	return rfo_test_end();
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--inside") == 0)
		return inside(argv[2]);

	char addr[64];
	if (!own_address(addr, sizeof(addr))) {
		fprintf(stderr, "skipped: this machine has no non-loopback IPv4 address\n");
		return SKIP;
	}
	char hosts[] = "/tmp/rfo-test-hosts-XXXXXX";
	int hfd = mkstemp(hosts);
	check(hfd >= 0);
	char line[128];
	int n = snprintf(line, sizeof(line), "%s localhost\n", addr);
	check(write(hfd, line, (size_t)n) == n);
	close(hfd);

	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	check(len > 0);
	self[len] = 0;
	/* probe first, so a machine without user namespaces skips instead of failing */
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "unshare -rm sh -c 'mount --bind %s /etc/hosts' >/dev/null 2>&1", hosts);
	if (system(cmd) != 0) {
		unlink(hosts);
		fprintf(stderr, "skipped: no user and mount namespaces here (unshare -rm)\n");
		return SKIP;
	}
	snprintf(cmd, sizeof(cmd), "unshare -rm sh -c 'mount --bind %s /etc/hosts && exec \"%s\" --inside %s'", hosts,
		 self, addr);
	int rc = system(cmd);
	unlink(hosts);
	check(rc != -1 && WIFEXITED(rc));
	return WEXITSTATUS(rc);
}
