// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake rate limiter on a fake clock: a burst, then refusal, refill
 * at RATELIMITER_PACKETS_PER_SECOND, separate buckets per IPv4 address and
 * per IPv6 /64, garbage collection and the bounded table.
 */
#include <arpa/inet.h>
#include <string.h>
#include "../lib/tap.h"
#include "messages.h"
#include "ratelimiter.h"

static struct sockaddr_in v4(const char *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(1)};

	inet_pton(AF_INET, s, &a.sin_addr);
	return a;
}

static struct sockaddr_in6 v6(const char *s)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(1)};

	inet_pton(AF_INET6, s, &a.sin6_addr);
	return a;
}

static int burst(struct ratelimiter *rl, const void *src, uint64_t now, int n)
{
	int i, allowed = 0;

	for (i = 0; i < n; ++i)
		allowed += ratelimiter_allow(rl, src, now);
	return allowed;
}

static void test_ipv4(void)
{
	struct ratelimiter *rl = ratelimiter_new(64);
	struct sockaddr_in a = v4("192.0.2.1"), b = v4("192.0.2.2");
	const uint64_t cost = NSEC_PER_SEC / RATELIMITER_PACKETS_PER_SECOND;
	uint64_t now = 10 * NSEC_PER_SEC;

	is_int(burst(rl, &a, now, 20), RATELIMITER_PACKETS_BURST,
	       "a burst of 5 passes, then no more");
	ok(!ratelimiter_allow(rl, (void *)&a, now + cost - 1), "nothing before 1/20 s has passed");
	ok(ratelimiter_allow(rl, (void *)&a, now + cost), "one packet after 1/20 s");
	ok(!ratelimiter_allow(rl, (void *)&a, now + cost), "and only one");
	is_int(burst(rl, &b, now, 20), RATELIMITER_PACKETS_BURST,
	       "another address has its own bucket");
	a.sin_port = htons(999);
	ok(!ratelimiter_allow(rl, (void *)&a, now + cost), "the port does not matter");
	now += NSEC_PER_SEC / 2;
	is_int(burst(rl, &a, now, 20), RATELIMITER_PACKETS_BURST,
	       "after a pause the bucket refills only up to the burst");
	now += NSEC_PER_SEC;
	is_int(burst(rl, &a, now, 100), RATELIMITER_PACKETS_BURST,
	       "a second of 100 tries: 5 pass...");
	now += NSEC_PER_SEC / 2;
	is_int(burst(rl, &a, now, 100), 5,
	       "...and half a second later 10 more tokens, capped at 5");
	ratelimiter_free(rl);
}

static void test_ipv6(void)
{
	struct ratelimiter *rl = ratelimiter_new(64);
	struct sockaddr_in6 a = v6("2001:db8:1:2::1"), b = v6("2001:db8:1:2:ffff::9");
	struct sockaddr_in6 c = v6("2001:db8:1:3::1");
	uint64_t now = 5 * NSEC_PER_SEC;

	is_int(burst(rl, &a, now, 3), 3, "three from one IPv6 address");
	is_int(burst(rl, &b, now, 10), 2, "the same /64 shares the bucket");
	is_int(burst(rl, &c, now, 10), 5, "another /64 has its own");
	ratelimiter_free(rl);
}

static void test_gc_and_bound(void)
{
	struct ratelimiter *rl = ratelimiter_new(4);
	char buf[32];
	uint64_t now = 7 * NSEC_PER_SEC;
	int i, allowed = 0;

	for (i = 0; i < 6; ++i) {
		struct sockaddr_in a;

		snprintf(buf, sizeof(buf), "198.51.100.%d", i + 1);
		a = v4(buf);
		allowed += ratelimiter_allow(rl, (void *)&a, now);
	}
	is_int(allowed, 4, "a full table refuses new sources");
	is_int(ratelimiter_count(rl), 4, "four entries");
	ratelimiter_gc(rl, now + NSEC_PER_SEC);
	is_int(ratelimiter_count(rl), 4, "entries idle for exactly a second are kept");
	ratelimiter_gc(rl, now + NSEC_PER_SEC + 1);
	is_int(ratelimiter_count(rl), 0, "entries idle for over a second are collected");
	{
		struct sockaddr_in a = v4("198.51.100.6");

		ok(ratelimiter_allow(rl, (void *)&a, now + 2 * NSEC_PER_SEC),
		   "room again after collection");
	}
	{
		struct sockaddr_in a = v4("198.51.100.7");

		ok(ratelimiter_allow(rl, (void *)&a, now + 4 * NSEC_PER_SEC) &&
		       ratelimiter_count(rl) == 1,
		   "allow collects idle entries by itself after a second");
	}
	ratelimiter_free(rl);
}

int main(void)
{
	test_ipv4();
	test_ipv6();
	test_gc_and_bound();
	return tap_done();
}
