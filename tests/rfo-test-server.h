#pragma once
/* Small pieces of the loopback test servers that test_http.c and test_ws.c start themselves:
 * a listening socket on 127.0.0.1, reading one HTTP request head (and its body), and a throw-away
 * `openssl s_server` with a self-signed certificate that TLS verification must refuse. Every
 * failure to set a server up ends the test through fail(). */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A TCP socket listening on 127.0.0.1 at a port the system picks; stores the port in *port. */
int rfo_test_listen(int backlog, int *port);

/* send() until all of `data` is gone; false when the peer went away. */
bool rfo_test_send_all(int fd, const char *data, size_t len);

/* The value of header `name` (case-insensitive) in a request head, "" when absent; free() it. */
char *rfo_test_header_value(const char *head, const char *name);

/* Reads one HTTP request into buf (NUL-terminated): the head, then Content-Length bytes of body
 * (fewer if they do not come), bounded by 5 s and by *stop. Returns the body, with the head ended
 * by a NUL in place of its blank line; NULL when no whole head came or the bytes are not HTTP. */
char *rfo_test_read_request(int fd, char *buf, size_t size, volatile bool *stop);

/* `openssl s_server` on 127.0.0.1 with a fresh self-signed certificate (for 127.0.0.1). */
struct rfo_test_tls {
	pid_t pid;
	int port;
	char dir[64];
};

void rfo_test_tls_start(struct rfo_test_tls *tls);
void rfo_test_tls_stop(struct rfo_test_tls *tls);
