/* The per-address token buckets: a burst, then 429 with a Retry-After that is right, refill, bounded memory. */
#include "rfo-check.h"
#include "rfo-broker-addr.h"
#include "rfo-broker-ratelimit.h"

static void key_of(const char *text, unsigned char key[16])
{
	unsigned char addr[16];
	check(rfo_broker_addr_parse(text, addr));
	rfo_broker_addr_rate_key(addr, key);
}

int main(void)
{
	struct rfo_broker_ratelimit *rl = rfo_broker_ratelimit_create(0.5, 3, 64);
	unsigned char a[16], b[16], a2[16];
	int wait = 0;
	key_of("192.0.2.1", a);
	key_of("192.0.2.2", b);
	for (int i = 0; i < 3; i++)
		check(rfo_broker_ratelimit_take(rl, a, 100.0, &wait));
	check(!rfo_broker_ratelimit_take(rl, a, 100.0, &wait));
	check(wait == 2);                                      /* 0.5/s: one token in 2 s */
	check(rfo_broker_ratelimit_take(rl, b, 100.0, &wait)); /* another address has its own bucket */
	check(!rfo_broker_ratelimit_take(rl, a, 101.0, &wait) && wait == 1);
	check(rfo_broker_ratelimit_take(rl, a, 102.0, &wait));

	/* an IPv6 host cannot hop addresses inside its /64 */
	key_of("2001:db8:1:2::1", a);
	key_of("2001:db8:1:2:ffff::9", a2);
	check(memcmp(a, a2, 16) == 0);
	key_of("[2001:db8:1:3::1]", b);
	check(memcmp(a, b, 16) != 0);
	check(!rfo_broker_addr_parse("evil.com", a));
	rfo_broker_ratelimit_destroy(rl);

	/* many addresses: memory stays bounded; idle (full) buckets make room; the overflow bucket limits the rest */
	rl = rfo_broker_ratelimit_create(1, 2, 64);
	unsigned char k[16] = {0};
	for (unsigned i = 0; i < 10000; i++) {
		memcpy(k, &i, sizeof(i));
		rfo_broker_ratelimit_take(rl, k, 10.0, &wait);
		check(rfo_broker_ratelimit_tracked(rl) <= 48);
	}
	int refused = 0;
	for (unsigned i = 20000; i < 20100; i++) {
		memcpy(k, &i, sizeof(i));
		refused += !rfo_broker_ratelimit_take(rl, k, 10.0, &wait);
	}
	check(refused >= 90); /* all share one bucket of 2 at this instant */
	/* much later every bucket is full again: a sweep drops them all */
	memcpy(k, "later", 5);
	for (unsigned i = 0; i < 60; i++) {
		k[15] = (unsigned char)i;
		check(rfo_broker_ratelimit_take(rl, k, 1000.0 + i * 2, &wait));
	}
	check(rfo_broker_ratelimit_tracked(rl) <= 48);
	rfo_broker_ratelimit_destroy(rl);
	check(rfo_broker_ratelimit_create(0, 1, 8) == NULL);
	printf("ratelimit: burst, Retry-After, /64 keys and bounded table as expected\n");
	return 0;
}
