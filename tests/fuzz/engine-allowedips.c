// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for engine/allowedips, checked against a naive oracle (a
 * flat list searched for the longest matching prefix): the input is a
 * sequence of inserts, removals, removals by peer, lookups by address and by
 * packet, and walks, and every answer of the trie must be the oracle's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "allowedips.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PREFIXES 512
#define N_PEERS 4

struct prefix {
	int family;
	uint8_t addr[16];
	uint8_t cidr;
	int peer; /* 1..N_PEERS */
};

static struct prefix oracle[MAX_PREFIXES];
static size_t n_oracle;
static char peers[N_PEERS + 1]; /* &peers[i] is peer i */

static unsigned int bits_of(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* True if the first cidr bits of a and b agree. */
static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned int cidr)
{
	unsigned int whole = cidr / 8, rest = cidr % 8;

	if (memcmp(a, b, whole))
		return false;
	return !rest || !((a[whole] ^ b[whole]) & (uint8_t)(0xff00 >> rest));
}

static struct prefix *oracle_find(int family, const uint8_t *addr, uint8_t cidr)
{
	for (size_t i = 0; i < n_oracle; ++i) {
		struct prefix *p = &oracle[i];

		if (p->family == family && p->cidr == cidr && bits_equal(p->addr, addr, cidr))
			return p;
	}
	return NULL;
}

static void *oracle_lookup(int family, const uint8_t *addr)
{
	const struct prefix *best = NULL;

	for (size_t i = 0; i < n_oracle; ++i) {
		const struct prefix *p = &oracle[i];

		if (p->family == family && bits_equal(p->addr, addr, p->cidr) &&
		    (!best || p->cidr > best->cidr))
			best = p;
	}
	return best ? &peers[best->peer] : NULL;
}

static void oracle_drop(size_t i)
{
	oracle[i] = oracle[--n_oracle];
}

/* One operation's operands, read from the input. */
struct operands {
	int family;
	uint8_t addr[16];
	uint8_t cidr;
	int peer;
};

/*
 * Six bytes: flags (family, peer), cidr, then four address bytes placed at
 * the top of the address (and the last one repeated at the bottom for IPv6),
 * so that prefixes often nest and collide.
 */
static void read_operands(struct operands *o, const uint8_t *d)
{
	o->family = d[0] & 1 ? AF_INET6 : AF_INET;
	o->peer = 1 + (d[0] >> 1) % N_PEERS;
	o->cidr = d[0] & 0x80 ? d[1] : d[1] % (bits_of(o->family) + 1);
	memset(o->addr, 0, sizeof(o->addr));
	memcpy(o->addr, d + 2, 4);
	if (o->family == AF_INET6)
		o->addr[15] = d[5];
}

static void do_insert(struct allowedips *t, const struct operands *o)
{
	bool valid = o->cidr <= bits_of(o->family);
	int ret = allowedips_insert(t, o->family, o->addr, o->cidr, &peers[o->peer]);
	struct prefix *p;

	if (ret != (valid ? 0 : -EINVAL))
		abort();
	if (!valid)
		return;
	p = oracle_find(o->family, o->addr, o->cidr);
	if (!p) {
		if (n_oracle == MAX_PREFIXES)
			abort(); /* the caller keeps count */
		p = &oracle[n_oracle++];
		*p = (struct prefix){.family = o->family, .cidr = o->cidr};
		memcpy(p->addr, o->addr, sizeof(p->addr));
	}
	p->peer = o->peer;
}

static void do_remove(struct allowedips *t, const struct operands *o)
{
	bool valid = o->cidr <= bits_of(o->family);
	struct prefix *p = valid ? oracle_find(o->family, o->addr, o->cidr) : NULL;
	int want = !valid ? -EINVAL : p && p->peer == o->peer ? 0 : -ENOENT;

	if (allowedips_remove(t, o->family, o->addr, o->cidr, &peers[o->peer]) != want)
		abort();
	if (!want)
		oracle_drop((size_t)(p - oracle));
}

static void do_remove_by_peer(struct allowedips *t, int peer)
{
	allowedips_remove_by_peer(t, &peers[peer]);
	for (size_t i = n_oracle; i-- > 0;)
		if (oracle[i].peer == peer)
			oracle_drop(i);
}

/* A minimal IPv4 or IPv6 header with addr as source and destination. */
static void do_packet_lookup(const struct allowedips *t, const struct operands *o)
{
	uint8_t pkt[40] = {0};
	size_t len = o->family == AF_INET ? 20 : 40;
	uint8_t *cut;

	if (o->family == AF_INET) {
		pkt[0] = 0x45;
		memcpy(pkt + 12, o->addr, 4);
		memcpy(pkt + 16, o->addr, 4);
	} else {
		pkt[0] = 0x60;
		memcpy(pkt + 8, o->addr, 16);
		memcpy(pkt + 24, o->addr, 16);
	}
	if (allowedips_lookup_src(t, pkt, len) != oracle_lookup(o->family, o->addr) ||
	    allowedips_lookup_dst(t, pkt, len) != oracle_lookup(o->family, o->addr))
		abort();
	/* A truncated header, alone on the heap so that ASan sees a read past its end. */
	cut = malloc(len - 1);
	if (!cut)
		abort();
	memcpy(cut, pkt, len - 1);
	if (allowedips_lookup_src(t, cut, len - 1) || allowedips_lookup_dst(t, cut, len - 1))
		abort();
	free(cut);
}

struct walk {
	int peer;
	size_t seen;
	int last_family;
};

static int walk_one(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct walk *w = ctx;
	const struct prefix *p = oracle_find(family, addr, cidr);

	if (!p || p->peer != w->peer || (w->last_family == AF_INET6 && family == AF_INET))
		abort();
	w->last_family = family;
	++w->seen;
	return 0;
}

static void do_walk(const struct allowedips *t, int peer)
{
	struct walk w = {.peer = peer};
	size_t want = 0;

	if (allowedips_walk_by_peer(t, &peers[peer], walk_one, &w))
		abort();
	for (size_t i = 0; i < n_oracle; ++i)
		want += oracle[i].peer == peer;
	if (w.seen != want)
		abort();
}

static void run_op(struct allowedips *t, uint8_t op, const uint8_t *d)
{
	struct operands o;

	read_operands(&o, d);
	switch (op % 6) {
	case 0:
	case 1:
		if (n_oracle < MAX_PREFIXES)
			do_insert(t, &o);
		break;
	case 2:
		do_remove(t, &o);
		break;
	case 3:
		if (d[1] == 0xff)
			do_remove_by_peer(t, o.peer);
		else
			do_walk(t, o.peer);
		break;
	case 4:
		if (allowedips_lookup(t, o.family, o.addr) != oracle_lookup(o.family, o.addr))
			abort();
		break;
	default:
		do_packet_lookup(t, &o);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct allowedips t;

	allowedips_init(&t);
	n_oracle = 0;
	for (; size >= 7; data += 7, size -= 7)
		run_op(&t, data[0], data + 1);
	/* Everything the oracle holds is still found, and nothing else. */
	for (size_t i = 0; i < n_oracle; ++i)
		if (allowedips_lookup(&t, oracle[i].family, oracle[i].addr) !=
		    oracle_lookup(oracle[i].family, oracle[i].addr))
			abort();
	for (int p = 1; p <= N_PEERS; ++p)
		do_walk(&t, p);
	allowedips_free(&t);
	return 0;
}
