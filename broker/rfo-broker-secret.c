/* restream-token-broker: the client secret file and the HTTP Basic credentials made from it. */
#define _GNU_SOURCE /* POSIX and Linux calls (clock_gettime, sigaction, strtok_r, O_CLOEXEC…) in strict C11 too */
#include "rfo-broker-secret.h"
#include "rfo-broker-buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_MAX 4096

static void base64(const unsigned char *in, size_t len, struct rfo_broker_buf *out)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < len ? in[i + 2] : 0);
		char q[4] = {t[v >> 18 & 63], t[v >> 12 & 63], i + 1 < len ? t[v >> 6 & 63] : '=',
			     i + 2 < len ? t[v & 63] : '='};
		rfo_broker_buf_append(out, q, 4);
	}
}

static ssize_t read_secret(const char *path, char *buf, size_t cap, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the client secret file %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	ssize_t n = -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the client secret file %s is not a regular file", path);
	} else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
			 "the client secret file %s can be read or changed by other users (mode %04o); "
			 "make it readable by the broker's user only: chmod 600 %s",
			 path, (unsigned)(st.st_mode & 07777), path);
	} else {
		size_t got = 0;
		for (;;) {
			ssize_t r = read(fd, buf + got, cap - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
			if (got == cap)
				break;
		}
		n = (ssize_t)got;
		if (got == cap) {
			snprintf(err, errlen, "the client secret file %s is larger than %d bytes", path, SECRET_MAX);
			n = -1;
		}
	}
	close(fd);
	return n;
}

char *rfo_broker_secret_auth_header(const char *path, const char *client_id, char *err, size_t errlen)
{
	char secret[SECRET_MAX + 1];
	char *header = NULL;
	struct rfo_broker_buf pair = {0}, out = {0};
	ssize_t n = read_secret(path, secret, SECRET_MAX + 1, err, errlen);
	if (n < 0)
		goto cleanup;
	while (n > 0 && (secret[n - 1] == '\n' || secret[n - 1] == '\r'))
		n--;
	secret[n] = '\0';
	if (n == 0 || strlen(secret) != (size_t)n || strpbrk(secret, "\r\n")) {
		snprintf(err, errlen, "the client secret file %s must hold the secret on one line", path);
		goto cleanup;
	}
	rfo_broker_buf_put_encoded(&pair, client_id);
	rfo_broker_buf_puts(&pair, ":");
	rfo_broker_buf_put_encoded(&pair, secret);
	rfo_broker_buf_puts(&out, "Authorization: Basic ");
	if (pair.data)
		base64((const unsigned char *)pair.data, pair.len, &out);
	if (out.data) {
		header = strdup(out.data);
		if (!header)
			snprintf(err, errlen, "out of memory");
	}
cleanup:
	rfo_broker_wipe(secret, sizeof(secret));
	rfo_broker_buf_free(&pair);
	rfo_broker_buf_free(&out);
	return header;
}
