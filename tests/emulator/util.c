/* restream-emulator: time, randomness, form and JSON helpers. */
#include "emu.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int64_t emu_now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int64_t emu_now_s(void)
{
	return (int64_t)time(NULL);
}

static void rand_bytes(unsigned char *buf, size_t n)
{
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = 0;
	if (f) {
		got = fread(buf, 1, n, f);
		fclose(f);
	}
	for (size_t i = got; i < n; i++)
		buf[i] = (unsigned char)(rand() ^ (int)emu_now_ms());
}

void emu_rand_hex(char *out, size_t nchars)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[128];
	if (nchars > sizeof(b))
		nchars = sizeof(b);
	rand_bytes(b, nchars);
	for (size_t i = 0; i < nchars; i++)
		out[i] = hex[b[i] & 15];
	out[nchars] = '\0';
}

void emu_rand_digits(char *out, size_t nchars)
{
	unsigned char b[64];
	if (nchars > sizeof(b))
		nchars = sizeof(b);
	rand_bytes(b, nchars);
	for (size_t i = 0; i < nchars; i++)
		out[i] = (char)('0' + b[i] % 10);
	if (out[0] == '0')
		out[0] = '7';
	out[nchars] = '\0';
}

void emu_uuid(char *out)
{
	char h[33];
	emu_rand_hex(h, 32);
	snprintf(out, 37, "%.8s-%.4s-4%.3s-a%.3s-%.12s", h, h + 8, h + 12, h + 15, h + 18);
}

static uint64_t prng_state;

uint32_t emu_prng(void)
{
	if (!prng_state)
		prng_state = emu.seed ? emu.seed * 2654435761u + 1 : (uint64_t)emu_now_ms() | 1;
	prng_state ^= prng_state << 13;
	prng_state ^= prng_state >> 7;
	prng_state ^= prng_state << 17;
	return (uint32_t)(prng_state >> 16);
}

int emu_prng_range(int lo, int hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int)(emu_prng() % (uint32_t)(hi - lo + 1));
}

void emu_iso8601(int64_t epoch_s, char *out, size_t len)
{
	time_t t = (time_t)epoch_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void url_decode(const char *in, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		if (in[i] == '+') {
			out[o++] = ' ';
		} else if (in[i] == '%' && i + 2 < n && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
			out[o++] = (char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
			i += 2;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
}

/* x-www-form-urlencoded lookup */
bool emu_form_get(const char *body, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = body;
	if (!body)
		return false;
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t seglen = amp ? (size_t)(amp - p) : strlen(p);
		if (seglen > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			url_decode(p + klen + 1, seglen - klen - 1, out, outlen);
			return true;
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	return false;
}

json_t *emu_json_parse(const char *body, size_t len)
{
	json_error_t err;
	if (!body || !len)
		return NULL;
	return json_loadb(body, len, 0, &err);
}

json_t *emu_json_nullable_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *emu_json_nullable_int(int64_t v)
{
	return v ? json_integer(v) : json_null();
}
