#include "rfo-ws-resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <util/bmem.h>
#include <util/platform.h>
#include <util/threading.h>

struct rfo_ws_resolve {
	volatile long refs; /* the ws thread + the lookup thread */
	volatile bool done; /* set by the lookup thread, read by the ws thread through finished() */
	char host[256];
	char addr[INET6_ADDRSTRLEN];
	char error[320];
};

static inline bool finished(struct rfo_ws_resolve *r)
{
	return os_atomic_load_bool(&r->done);
}

static void release(struct rfo_ws_resolve *r)
{
	if (os_atomic_dec_long(&r->refs) == 0)
		bfree(r);
}

static void *resolve_thread(void *param)
{
	struct rfo_ws_resolve *r = param;
	os_set_thread_name("rfo-ws-dns");

	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(r->host, NULL, &hints, &res);
	if (rc != 0) {
		snprintf(r->error, sizeof(r->error), "could not resolve %s: %s", r->host, gai_strerror(rc));
	} else {
		const struct addrinfo *pick = NULL;
		for (const struct addrinfo *a = res; a && !pick; a = a->ai_next)
			if (a->ai_family == AF_INET)
				pick = a;
		for (const struct addrinfo *a = res; a && !pick; a = a->ai_next)
			if (a->ai_family == AF_INET6)
				pick = a;
		const void *src = NULL;
		if (pick && pick->ai_family == AF_INET)
			src = &((const struct sockaddr_in *)pick->ai_addr)->sin_addr;
		else if (pick)
			src = &((const struct sockaddr_in6 *)pick->ai_addr)->sin6_addr;
		if (!src || !inet_ntop(pick->ai_family, src, r->addr, sizeof(r->addr))) {
			r->addr[0] = 0;
			snprintf(r->error, sizeof(r->error), "could not resolve %s: no address", r->host);
		}
		freeaddrinfo(res);
	}
	os_atomic_set_bool(&r->done, true);
	release(r);
	return NULL;
}

struct rfo_ws_resolve *rfo_ws_resolve_start(const char *host)
{
	struct rfo_ws_resolve *r = bzalloc(sizeof(*r));
	snprintf(r->host, sizeof(r->host), "%s", host ? host : "");
	r->refs = 2;

	pthread_attr_t attr;
	pthread_t thread;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	bool ok = pthread_create(&thread, &attr, resolve_thread, r) == 0;
	pthread_attr_destroy(&attr);
	if (!ok) {
		bfree(r);
		return NULL;
	}
	return r;
}

bool rfo_ws_resolve_poll(struct rfo_ws_resolve *r, char *addr, size_t addr_size, char *error, size_t error_size)
{
	if (!finished(r))
		return false;
	snprintf(addr, addr_size, "%s", r->addr);
	snprintf(error, error_size, "%s", r->error);
	return true;
}

void rfo_ws_resolve_release(struct rfo_ws_resolve *r)
{
	if (r)
		release(r);
}

bool rfo_ws_host_is_numeric(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return host && (inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1);
}
