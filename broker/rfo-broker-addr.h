/* restream-token-broker: client addresses as 16-byte keys (IPv4 as IPv4-mapped IPv6). */
#pragma once

#include <stdbool.h>
#include <sys/socket.h>

/* the address of sa; false for a family other than IPv4/IPv6 */
bool rfo_broker_addr_from_sockaddr(const struct sockaddr_storage *sa, unsigned char out[16]);
/* a literal IPv4 or IPv6 address (brackets allowed around IPv6); false for anything else */
bool rfo_broker_addr_parse(const char *text, unsigned char out[16]);
/* the rate-limit key: IPv4 as is, IPv6 cut to its /64 (one host usually owns a whole /64) */
void rfo_broker_addr_rate_key(const unsigned char addr[16], unsigned char key[16]);
