/* restream-token-broker: per-client-address token buckets, sans I/O (the caller passes the clock). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct rfo_broker_ratelimit;

/* rate: requests per second a client earns back; burst: how many it may send at once. capacity: how many client
 * addresses are tracked (rounded up to a power of two); beyond it, new clients share one bucket, so memory stays
 * bounded whatever the number of addresses. NULL on a bad argument or no memory. */
struct rfo_broker_ratelimit *rfo_broker_ratelimit_create(double rate, double burst, size_t capacity);
void rfo_broker_ratelimit_destroy(struct rfo_broker_ratelimit *rl);

/* Takes one token from key's bucket (key: 16 bytes, an IPv6 address or an IPv4-mapped one; callers pass an IPv6
 * client's /64 so that one host cannot hop addresses). True: go ahead. False: *retry_after_s says in how many whole
 * seconds a token is back (at least 1). */
bool rfo_broker_ratelimit_take(struct rfo_broker_ratelimit *rl, const unsigned char key[16], double now_s,
			       int *retry_after_s);

/* how many addresses are tracked now (for tests) */
size_t rfo_broker_ratelimit_tracked(const struct rfo_broker_ratelimit *rl);
