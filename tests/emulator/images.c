/* Images the emulator serves itself, so that nothing a test pushes points off loopback:
 * GET /img/<path>.png -> a solid-colour PNG (colour from a hash of the path; emotes 28x28,
 * anything else 64x64), GET /img/<path>.svg -> a matching SVG. The PNG is written uncompressed
 * (zlib "stored" blocks), which needs nothing but CRC-32 and Adler-32. */
#include "emu.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Appends one chunk (length, type, data, CRC) at out + *len. */
static void chunk(unsigned char *out, size_t *len, const char *type, const unsigned char *data, uint32_t n)
{
	unsigned char *p = out + *len;
	put32(p, n);
	memcpy(p + 4, type, 4);
	if (n)
		memcpy(p + 8, data, n);
	put32(p + 8 + n, crc32_update(0, p + 4, n + 4));
	*len += 12 + n;
}

static unsigned char *solid_png(uint32_t w, uint32_t h, const unsigned char rgb[3], size_t *out_len)
{
	size_t row = 1 + 3 * (size_t)w, raw_len = row * h;
	size_t blocks = raw_len / 65535 + 1;
	size_t z_len = 2 + raw_len + blocks * 5 + 4;
	unsigned char *raw = malloc(raw_len), *z = malloc(z_len), *png = malloc(64 + z_len);
	for (uint32_t y = 0; y < h; y++) {
		raw[y * row] = 0; /* filter: none */
		for (uint32_t x = 0; x < w; x++)
			memcpy(raw + y * row + 1 + 3 * x, rgb, 3);
	}
	size_t zi = 0, left = raw_len, off = 0;
	z[zi++] = 0x78;
	z[zi++] = 0x01;
	while (left > 0 || off == 0) {
		uint16_t n = (uint16_t)(left > 65535 ? 65535 : left);
		z[zi++] = left <= 65535 ? 1 : 0;
		z[zi++] = (unsigned char)n;
		z[zi++] = (unsigned char)(n >> 8);
		z[zi++] = (unsigned char)~n;
		z[zi++] = (unsigned char)(~n >> 8);
		memcpy(z + zi, raw + off, n);
		zi += n;
		off += n;
		left -= n;
		if (left == 0)
			break;
	}
	uint32_t a = 1, b = 0;
	for (size_t i = 0; i < raw_len; i++) {
		a = (a + raw[i]) % 65521;
		b = (b + a) % 65521;
	}
	put32(z + zi, (b << 16) | a);
	zi += 4;

	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned char ihdr[13];
	put32(ihdr, w);
	put32(ihdr + 4, h);
	ihdr[8] = 8; /* bit depth */
	ihdr[9] = 2; /* truecolour */
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	size_t len = 0;
	memcpy(png, sig, 8);
	len = 8;
	chunk(png, &len, "IHDR", ihdr, 13);
	chunk(png, &len, "IDAT", z, (uint32_t)zi);
	chunk(png, &len, "IEND", NULL, 0);
	free(raw);
	free(z);
	*out_len = len;
	return png;
}

static void colour_of(const char *path, unsigned char rgb[3])
{
	uint32_t hash = 2166136261u;
	for (const char *p = path; *p; p++)
		hash = (hash ^ (unsigned char)*p) * 16777619u;
	rgb[0] = (unsigned char)(64 + (hash & 0x7f));
	rgb[1] = (unsigned char)(64 + ((hash >> 8) & 0x7f));
	rgb[2] = (unsigned char)(64 + ((hash >> 16) & 0x7f));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool emu_images_route(struct emu_req *req, struct emu_resp *resp)
{
	if (strncmp(req->path, "/img/", 5) != 0 || strcmp(req->method, "GET") != 0)
		return false;
	unsigned char rgb[3];
	colour_of(req->path, rgb);
	if (ends_with(req->path, ".png")) {
		uint32_t side = strstr(req->path, "/emotes/") ? 28 : 64;
		free(resp->body);
		resp->status = 200;
		snprintf(resp->content_type, sizeof(resp->content_type), "image/png");
		resp->body = (char *)solid_png(side, side, rgb, &resp->len);
	} else if (ends_with(req->path, ".svg")) {
		char svg[256];
		snprintf(svg, sizeof(svg),
			 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\">"
			 "<rect width=\"64\" height=\"64\" fill=\"#%02x%02x%02x\"/></svg>",
			 rgb[0], rgb[1], rgb[2]);
		emu_resp_text(resp, 200, "image/svg+xml", svg);
	} else {
		emu_resp_error(resp, 404, "not_found", "Not Found");
	}
	return true;
}

void emu_image_url(char *buf, size_t size, const char *path)
{
	snprintf(buf, size, "http://127.0.0.1:%d/img/%s", emu.api_port, path);
}
