// SPDX-License-Identifier: GPL-2.0
/*
 * The allowed-IPs trie against a naive oracle (a flat list scanned for the
 * longest matching prefix) over 100,000 random inserts, removals and lookups
 * per family, plus removal by peer, ordered walks and packet lookups.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "../lib/tap.h"
#include "allowedips.h"

#define NPEERS 8
#define MAXE 512

struct oracle_entry {
	uint8_t addr[16];
	uint8_t cidr;
	void *peer;
};

static struct oracle_entry oracle[MAXE];
static int noracle;
static int peers[NPEERS];
static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	/* xorshift64: reproducible and independent of libc. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void mask(uint8_t *a, unsigned int len, unsigned int cidr)
{
	unsigned int i;

	for (i = 0; i < len; ++i) {
		if (cidr >= 8 * (i + 1))
			continue;
		a[i] &= cidr <= 8 * i ? 0 : (uint8_t)(0xff << (8 - (cidr - 8 * i)));
	}
}

static bool prefix_has(const struct oracle_entry *e, const uint8_t *addr, unsigned int len)
{
	uint8_t a[16];

	memcpy(a, addr, len);
	mask(a, len, e->cidr);
	return !memcmp(a, e->addr, len);
}

static void *oracle_lookup(const uint8_t *addr, unsigned int len)
{
	int i, best = -1;

	for (i = 0; i < noracle; ++i)
		if (prefix_has(&oracle[i], addr, len) &&
		    (best < 0 || oracle[i].cidr > oracle[best].cidr))
			best = i;
	return best < 0 ? NULL : oracle[best].peer;
}

static int oracle_find(const uint8_t *addr, unsigned int len, unsigned int cidr)
{
	int i;

	for (i = 0; i < noracle; ++i)
		if (oracle[i].cidr == cidr && !memcmp(oracle[i].addr, addr, len))
			return i;
	return -1;
}

/* Addresses cluster in a few /8-ish regions so that prefixes nest and split often. */
static void random_addr(uint8_t *a, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; ++i)
		a[i] = (uint8_t)rnd();
	a[0] = (uint8_t)(rnd() % 3);
	if (len > 4)
		a[1] = (uint8_t)(rnd() % 3);
}

/* One random operation; returns false on a disagreement. */
static bool step(struct allowedips *t, int family, unsigned int len)
{
	uint8_t a[16];
	unsigned int cidr = (unsigned int)(rnd() % (len * 8 + 1)), op = rnd() % 10;
	void *peer = &peers[rnd() % NPEERS];
	int i;

	random_addr(a, len);
	if (op < 4) {
		mask(a, len, cidr);
		i = oracle_find(a, len, cidr);
		if (i < 0 && noracle == MAXE)
			return true;
		if (allowedips_insert(t, family, a, (uint8_t)cidr, peer))
			return false;
		if (i < 0)
			i = noracle++;
		memcpy(oracle[i].addr, a, len);
		oracle[i].cidr = (uint8_t)cidr;
		oracle[i].peer = peer;
		return true;
	}
	if (op < 6 && noracle) {
		/* Remove an existing entry, sometimes naming the wrong peer. */
		i = (int)(rnd() % (uint64_t)noracle);
		peer = rnd() % 4 ? oracle[i].peer : &peers[rnd() % NPEERS];
		if (allowedips_remove(t, family, oracle[i].addr, oracle[i].cidr, peer) !=
		    (peer == oracle[i].peer ? 0 : -ENOENT))
			return false;
		if (peer == oracle[i].peer)
			oracle[i] = oracle[--noracle];
		return true;
	}
	return allowedips_lookup(t, family, a) == oracle_lookup(a, len);
}

static void oracle_remove_peer(void *peer)
{
	int i;

	for (i = 0; i < noracle;)
		if (oracle[i].peer == peer)
			oracle[i] = oracle[--noracle];
		else
			++i;
}

static bool sweep(struct allowedips *t, int family, unsigned int len)
{
	uint8_t a[16];
	int i;

	for (i = 0; i < 2000; ++i) {
		random_addr(a, len);
		if (allowedips_lookup(t, family, a) != oracle_lookup(a, len))
			return false;
	}
	return true;
}

static void test_oracle(int family, unsigned int len, const char *name)
{
	struct allowedips t;
	int i, bad = -1;

	allowedips_init(&t);
	noracle = 0;
	for (i = 0; i < 100000 && bad < 0; ++i)
		if (!step(&t, family, len))
			bad = i;
	is_int(bad, -1, "%s: 100000 random operations agree with the oracle", name);
	ok(sweep(&t, family, len), "%s: a final sweep of lookups agrees (%d prefixes)", name,
	   noracle);
	allowedips_remove_by_peer(&t, &peers[3]);
	oracle_remove_peer(&peers[3]);
	ok(sweep(&t, family, len), "%s: remove_by_peer agrees", name);
	for (i = 0; i < NPEERS; ++i)
		allowedips_remove_by_peer(&t, &peers[i]);
	ok(!t.root4 && !t.root6, "%s: removing every peer leaves an empty trie", name);
	allowedips_free(&t);
}

struct walk_ctx {
	char out[512];
};

static int collect(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct walk_ctx *w = ctx;
	char buf[INET6_ADDRSTRLEN];
	size_t n = strlen(w->out);

	inet_ntop(family, addr, buf, sizeof(buf));
	snprintf(w->out + n, sizeof(w->out) - n, "%s%s/%u", n ? " " : "", buf, cidr);
	return 0;
}

static void add(struct allowedips *t, const char *s, uint8_t cidr, void *peer)
{
	uint8_t a[16];
	int family = strchr(s, ':') ? AF_INET6 : AF_INET;

	inet_pton(family, s, a);
	if (allowedips_insert(t, family, a, cidr, peer))
		diag("insert failed");
}

static void test_walk_and_packets(void)
{
	struct allowedips t;
	struct walk_ctx w = {""};
	uint8_t pkt4[20] = {0x45}, pkt6[40] = {0x60};
	int p1, p2;

	allowedips_init(&t);
	add(&t, "10.0.0.0", 8, &p1);
	add(&t, "192.168.1.77", 24, &p1);
	add(&t, "10.1.0.0", 16, &p2);
	add(&t, "2001:db8::", 32, &p1);
	add(&t, "10.0.0.0", 9, &p1);
	add(&t, "::", 0, &p2);
	allowedips_walk_by_peer(&t, &p1, collect, &w);
	is_str(w.out, "10.0.0.0/8 10.0.0.0/9 192.168.1.0/24 2001:db8::/32",
	       "walk: IPv4 then IPv6, in address order, host bits cleared");
	inet_pton(AF_INET, "10.1.2.3", pkt4 + 16);
	inet_pton(AF_INET, "192.168.1.5", pkt4 + 12);
	ok(allowedips_lookup_dst(&t, pkt4, sizeof(pkt4)) == &p2, "IPv4 destination lookup");
	ok(allowedips_lookup_src(&t, pkt4, sizeof(pkt4)) == &p1, "IPv4 source lookup");
	inet_pton(AF_INET6, "2001:db8::1", pkt6 + 24);
	inet_pton(AF_INET6, "fe80::1", pkt6 + 8);
	ok(allowedips_lookup_dst(&t, pkt6, sizeof(pkt6)) == &p1, "IPv6 destination lookup");
	ok(allowedips_lookup_src(&t, pkt6, sizeof(pkt6)) == &p2, "::/0 catches the rest");
	ok(!allowedips_lookup_dst(&t, pkt6, 39), "a truncated header finds nothing");
	is_int(allowedips_insert(&t, AF_INET, pkt4, 33, &p1), -EINVAL, "/33 is refused");
	is_int(allowedips_remove(&t, AF_INET, pkt4 + 16, 16, &p1), -ENOENT,
	       "removing another peer's prefix fails");
	allowedips_free(&t);
}

/*
 * Each peer's own list of prefixes: a prefix moved to another peer leaves the
 * first one's walk and removal, and many peers (the owner table grows and
 * reuses the slots of peers that own nothing any more) each find their own.
 */
static void test_owners(void)
{
	static int many[3000];
	struct allowedips t;
	struct walk_ctx w = {""};
	uint8_t a[4] = {10, 0, 0, 0};
	int p1, p2, bad = 0;

	allowedips_init(&t);
	add(&t, "10.0.0.0", 24, &p1);
	add(&t, "10.0.1.0", 24, &p1);
	add(&t, "10.0.0.0", 24, &p2);
	allowedips_walk_by_peer(&t, &p1, collect, &w);
	is_str(w.out, "10.0.1.0/24", "a prefix given to another peer leaves the first one's walk");
	allowedips_remove_by_peer(&t, &p1);
	ok(allowedips_lookup(&t, AF_INET, a) == &p2, "and survives the first one's removal");
	for (int i = 0; i < 3000; ++i) {
		a[1] = (uint8_t)(i >> 8), a[2] = (uint8_t)i;
		bad |= allowedips_insert(&t, AF_INET, a, 24, &many[i]);
		a[3] = 1;
		bad |= allowedips_insert(&t, AF_INET, a, 32, &many[i]);
		a[3] = 0;
		if (i % 2)
			allowedips_remove_by_peer(&t, &many[i - 1]);
	}
	ok(!bad, "3000 peers with two prefixes each, every other one removed again");
	for (int i = 0; i < 3000; ++i) {
		a[1] = (uint8_t)(i >> 8), a[2] = (uint8_t)i;
		bad |= allowedips_lookup(&t, AF_INET, a) != (i % 2 ? &many[i] : NULL);
	}
	ok(!bad, "each remaining peer owns its prefixes, the removed own none");
	w.out[0] = 0;
	allowedips_walk_by_peer(&t, &many[2999], collect, &w);
	is_str(w.out, "10.11.183.0/24 10.11.183.1/32", "the last peer's walk, in address order");
	allowedips_free(&t);
}

int main(void)
{
	test_oracle(AF_INET, 4, "IPv4");
	test_oracle(AF_INET6, 16, "IPv6");
	test_walk_and_packets();
	test_owners();
	return tap_done();
}
