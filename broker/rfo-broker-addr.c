/* restream-token-broker: client addresses as 16-byte keys (IPv4 as IPv4-mapped IPv6). */
#include "rfo-broker-addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static void map_v4(const void *v4, unsigned char out[16])
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, v4, 4);
}

bool rfo_broker_addr_from_sockaddr(const struct sockaddr_storage *sa, unsigned char out[16])
{
	if (sa->ss_family == AF_INET) {
		map_v4(&((const struct sockaddr_in *)sa)->sin_addr, out);
		return true;
	}
	if (sa->ss_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

bool rfo_broker_addr_parse(const char *text, unsigned char out[16])
{
	char tmp[64];
	size_t n = strlen(text);
	if (n >= sizeof(tmp))
		return false;
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		memcpy(tmp, text + 1, n - 2);
		tmp[n - 2] = '\0';
	} else {
		memcpy(tmp, text, n + 1);
	}
	unsigned char v4[4];
	if (inet_pton(AF_INET, tmp, v4) == 1) {
		map_v4(v4, out);
		return true;
	}
	return inet_pton(AF_INET6, tmp, out) == 1;
}

void rfo_broker_addr_rate_key(const unsigned char addr[16], unsigned char key[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	memcpy(key, addr, 16);
	if (memcmp(addr, mapped, 12) != 0)
		memset(key + 8, 0, 8);
}
