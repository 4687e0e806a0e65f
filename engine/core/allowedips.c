// SPDX-License-Identifier: GPL-2.0
/*
 * Allowed IPs as a path-compressed binary trie: every node holds a prefix,
 * each child extends its parent's prefix by at least one bit, and nodes that
 * own no peer exist only where two branches split. Prefixes are kept as two
 * 64-bit words (IPv4 in the top of the first), so a match is a mask and a XOR.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "allowedips.h"

struct allowedips_node {
	struct allowedips_node *bit[2];
	void *peer;
	uint64_t key[2]; /* the prefix, bits past cidr zero */
	uint8_t cidr;
};

static inline uint64_t word_mask(unsigned int cidr, unsigned int w)
{
	int covered = (int)cidr - 64 * (int)w;

	if (covered <= 0)
		return 0;
	return covered >= 64 ? ~0ULL : ~0ULL << (64 - covered);
}

static inline unsigned int bit_at(const uint64_t key[2], unsigned int i)
{
	return (unsigned int)(key[i / 64] >> (63 - i % 64)) & 1;
}

static inline bool prefix_matches(const struct allowedips_node *n, const uint64_t key[2])
{
	return !((n->key[0] ^ key[0]) & word_mask(n->cidr, 0)) &&
	       !((n->key[1] ^ key[1]) & word_mask(n->cidr, 1));
}

/* How many leading bits a and b share, at most max. */
static unsigned int common_bits(const uint64_t a[2], const uint64_t b[2], unsigned int max)
{
	uint64_t x0 = a[0] ^ b[0], x1 = a[1] ^ b[1];
	unsigned int n;

	if (x0)
		n = (unsigned int)__builtin_clzll(x0);
	else
		n = x1 ? 64 + (unsigned int)__builtin_clzll(x1) : 128;
	return n < max ? n : max;
}

/* Packs an address into key; the bit length of the family, or 0 if unknown. */
static unsigned int key_from_addr(uint64_t key[2], int family, const void *addr)
{
	const uint8_t *p = addr;
	unsigned int i, len;

	if (family == AF_INET)
		len = 4;
	else if (family == AF_INET6)
		len = 16;
	else
		return 0;
	key[0] = key[1] = 0;
	for (i = 0; i < len; ++i)
		key[i / 8] |= (uint64_t)p[i] << (56 - 8 * (i % 8));
	return len * 8;
}

static void addr_from_key(uint8_t *out, const uint64_t key[2], unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < bits / 8; ++i)
		out[i] = (uint8_t)(key[i / 8] >> (56 - 8 * (i % 8)));
}

static struct allowedips_node **root_of(struct allowedips *t, int family)
{
	return family == AF_INET ? &t->root4 : &t->root6;
}

void allowedips_init(struct allowedips *t)
{
	memset(t, 0, sizeof(*t));
}

static void free_tree(struct allowedips_node *n)
{
	if (!n)
		return;
	free_tree(n->bit[0]);
	free_tree(n->bit[1]);
	free(n);
}

void allowedips_free(struct allowedips *t)
{
	free_tree(t->root4);
	free_tree(t->root6);
	t->root4 = t->root6 = NULL;
	++t->seq;
}

static struct allowedips_node *node_new(const uint64_t key[2], unsigned int cidr, void *peer)
{
	struct allowedips_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->key[0] = key[0] & word_mask(cidr, 0);
	n->key[1] = key[1] & word_mask(cidr, 1);
	n->cidr = (uint8_t)cidr;
	n->peer = peer;
	return n;
}

/* Puts a new node for key/cidr at *pp, above or beside the subtree that is there. */
static int insert_at(struct allowedips_node **pp, const uint64_t key[2], unsigned int cidr,
		     unsigned int common, void *peer)
{
	struct allowedips_node *n = *pp, *leaf, *inner;

	leaf = node_new(key, cidr, peer);
	if (!leaf)
		return -ENOMEM;
	if (common == cidr) {
		/* The new prefix contains the old subtree. */
		leaf->bit[bit_at(n->key, cidr)] = n;
		*pp = leaf;
		return 0;
	}
	/* They differ at bit `common`: a peerless node splits the two. */
	inner = node_new(key, common, NULL);
	if (!inner) {
		free(leaf);
		return -ENOMEM;
	}
	inner->bit[bit_at(key, common)] = leaf;
	inner->bit[bit_at(n->key, common)] = n;
	*pp = inner;
	return 0;
}

int allowedips_insert(struct allowedips *t, int family, const void *addr, uint8_t cidr, void *peer)
{
	struct allowedips_node **pp, *n;
	unsigned int bits, common;
	uint64_t key[2];

	bits = key_from_addr(key, family, addr);
	if (!bits || cidr > bits || !peer)
		return -EINVAL;
	++t->seq;
	for (pp = root_of(t, family); (n = *pp); pp = &n->bit[bit_at(key, n->cidr)]) {
		common = common_bits(n->key, key, n->cidr < cidr ? n->cidr : cidr);
		if (common == n->cidr && common == cidr) {
			n->peer = peer;
			return 0;
		}
		if (common < n->cidr)
			return insert_at(pp, key, cidr, common, peer);
	}
	*pp = node_new(key, cidr, peer);
	return *pp ? 0 : -ENOMEM;
}

/* Removes a peerless node with fewer than two children, lifting its child. */
static void compact(struct allowedips_node **pp)
{
	struct allowedips_node *n = *pp;

	if (!n || n->peer || (n->bit[0] && n->bit[1]))
		return;
	*pp = n->bit[0] ? n->bit[0] : n->bit[1];
	free(n);
}

int allowedips_remove(struct allowedips *t, int family, const void *addr, uint8_t cidr, void *peer)
{
	struct allowedips_node **pp, **parent = NULL, *n;
	unsigned int bits;
	uint64_t key[2];

	bits = key_from_addr(key, family, addr);
	if (!bits || cidr > bits)
		return -EINVAL;
	for (pp = root_of(t, family); (n = *pp); pp = &n->bit[bit_at(key, n->cidr)]) {
		if (n->cidr > cidr || !prefix_matches(n, key))
			return -ENOENT;
		if (n->cidr == cidr)
			break;
		parent = pp;
	}
	if (!n || n->peer != peer)
		return -ENOENT;
	++t->seq;
	n->peer = NULL;
	compact(pp);
	/* A leaf removed may leave its peerless parent with one child. */
	if (parent)
		compact(parent);
	return 0;
}

static struct allowedips_node *prune(struct allowedips_node *n, void *peer)
{
	struct allowedips_node *child;

	if (!n)
		return NULL;
	n->bit[0] = prune(n->bit[0], peer);
	n->bit[1] = prune(n->bit[1], peer);
	if (n->peer == peer)
		n->peer = NULL;
	if (n->peer || (n->bit[0] && n->bit[1]))
		return n;
	child = n->bit[0] ? n->bit[0] : n->bit[1];
	free(n);
	return child;
}

void allowedips_remove_by_peer(struct allowedips *t, void *peer)
{
	if (!peer)
		return;
	++t->seq;
	t->root4 = prune(t->root4, peer);
	t->root6 = prune(t->root6, peer);
}

static void *lookup_key(const struct allowedips_node *n, const uint64_t key[2], unsigned int bits)
{
	void *best = NULL;

	/* Every node on the path that matches is a shorter candidate than the next. */
	while (n && prefix_matches(n, key)) {
		if (n->peer)
			best = n->peer;
		if (n->cidr == bits)
			break;
		n = n->bit[bit_at(key, n->cidr)];
	}
	return best;
}

void *allowedips_lookup(const struct allowedips *t, int family, const void *addr)
{
	uint64_t key[2];
	unsigned int bits = key_from_addr(key, family, addr);

	if (!bits)
		return NULL;
	return lookup_key(family == AF_INET ? t->root4 : t->root6, key, bits);
}

/* off4/off6: where the address sits in an IPv4/IPv6 header. */
static void *lookup_packet(const struct allowedips *t, const uint8_t *packet, size_t len,
			   size_t off4, size_t off6)
{
	if (len >= 20 && packet[0] >> 4 == 4)
		return allowedips_lookup(t, AF_INET, packet + off4);
	if (len >= 40 && packet[0] >> 4 == 6)
		return allowedips_lookup(t, AF_INET6, packet + off6);
	return NULL;
}

void *allowedips_lookup_dst(const struct allowedips *t, const uint8_t *packet, size_t len)
{
	return lookup_packet(t, packet, len, 16, 24);
}

void *allowedips_lookup_src(const struct allowedips *t, const uint8_t *packet, size_t len)
{
	return lookup_packet(t, packet, len, 12, 8);
}

/* Pre-order: a prefix comes before the longer ones under it, 0-branch first. */
static int walk(const struct allowedips_node *n, void *peer, int family, unsigned int bits,
		int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr), void *ctx)
{
	uint8_t addr[16];
	int ret;

	if (!n)
		return 0;
	if (n->peer == peer) {
		addr_from_key(addr, n->key, bits);
		ret = fn(ctx, family, addr, n->cidr);
		if (ret)
			return ret;
	}
	ret = walk(n->bit[0], peer, family, bits, fn, ctx);
	return ret ? ret : walk(n->bit[1], peer, family, bits, fn, ctx);
}

int allowedips_walk_by_peer(const struct allowedips *t, void *peer,
			    int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr),
			    void *ctx)
{
	int ret;

	if (!peer)
		return 0;
	ret = walk(t->root4, peer, AF_INET, 32, fn, ctx);
	return ret ? ret : walk(t->root6, peer, AF_INET6, 128, fn, ctx);
}
