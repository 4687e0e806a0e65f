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
	uint64_t key[2];		   /* the prefix, bits past cidr zero */
	struct allowedips_node *peer_next; /* the next node of the same peer */
	uint8_t cidr;
	bool is_v6;
};

/* A peer and its nodes; a slot whose head is NULL is free for any peer. */
struct allowedips_owner {
	void *peer;
	struct allowedips_node *head;
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

/* A block of nodes; the first slabs are small so that a small trie stays small. */
struct allowedips_slab {
	struct allowedips_slab *next;
	size_t n, used;
	struct allowedips_node nodes[];
};

#define SLAB_FIRST 32
#define SLAB_MAX 4096

/* A zeroed node: a spare one, or the next of the newest slab (a new slab when it is full). */
static struct allowedips_node *node_alloc(struct allowedips *t)
{
	struct allowedips_slab *s = t->slabs;
	struct allowedips_node *n = t->spare;

	if (n) {
		t->spare = n->bit[0];
		memset(n, 0, sizeof(*n));
		return n;
	}
	if (!s || s->used == s->n) {
		size_t count = s ? (2 * s->n < SLAB_MAX ? 2 * s->n : SLAB_MAX) : SLAB_FIRST;

		s = calloc(1, sizeof(*s) + count * sizeof(s->nodes[0]));
		if (!s)
			return NULL;
		s->n = count;
		s->next = t->slabs;
		t->slabs = s;
	}
	return &s->nodes[s->used++];
}

static void node_release(struct allowedips *t, struct allowedips_node *n)
{
	n->bit[0] = t->spare;
	t->spare = n;
}

void allowedips_free(struct allowedips *t)
{
	for (struct allowedips_slab *sl = t->slabs, *next; sl; sl = next) {
		next = sl->next;
		free(sl);
	}
	free(t->owners);
	t->root4 = t->root6 = NULL;
	t->slabs = NULL;
	t->spare = NULL;
	t->owners = NULL;
	t->owners_cap = t->owners_used = 0;
	++t->seq;
}

static size_t owner_hash(const void *peer, size_t cap)
{
	return (size_t)(((uintptr_t)peer >> 4) * 0x9e3779b97f4a7c15ULL) & (cap - 1);
}

/* The slot of peer, or with create the slot it may take; NULL if there is none. */
static struct allowedips_owner *owner_of(const struct allowedips *t, const void *peer, bool create)
{
	struct allowedips_owner *o, *spare = NULL;

	if (!t->owners_cap)
		return NULL;
	for (size_t i = owner_hash(peer, t->owners_cap);; i = (i + 1) & (t->owners_cap - 1)) {
		o = &t->owners[i];
		if (o->peer == peer)
			return o;
		if (!o->peer)
			return create ? (spare ? spare : o) : NULL;
		if (!o->head && !spare)
			spare = o;
	}
}

/* Rehashes into twice the room (at least 64 slots), dropping peers with no nodes left. */
static int owners_grow(struct allowedips *t)
{
	struct allowedips_owner *old = t->owners, *o;
	size_t old_cap = t->owners_cap, cap = old_cap ? 2 * old_cap : 64;

	t->owners = calloc(cap, sizeof(*t->owners));
	if (!t->owners) {
		t->owners = old;
		return -ENOMEM;
	}
	t->owners_cap = cap;
	t->owners_used = 0;
	for (size_t i = 0; i < old_cap; ++i) {
		if (!old[i].head)
			continue;
		o = owner_of(t, old[i].peer, true);
		*o = old[i];
		++t->owners_used;
	}
	free(old);
	return 0;
}

/* A slot for peer, made if need be, so that linking a node to it cannot fail. */
static struct allowedips_owner *owner_make(struct allowedips *t, void *peer)
{
	struct allowedips_owner *o = owner_of(t, peer, true);

	if (o && o->peer == peer)
		return o;
	/* At most 3/4 full: 16 bytes a slot, so half full cost 52 bytes a peer at 10,000 peers. */
	if (!o || 4 * (t->owners_used + 1) > 3 * t->owners_cap) {
		if (owners_grow(t))
			return NULL;
		o = owner_of(t, peer, true);
	}
	if (!o->peer)
		++t->owners_used;
	o->peer = peer;
	o->head = NULL;
	return o;
}

static void link_node(struct allowedips_owner *o, struct allowedips_node *n)
{
	n->peer = o->peer;
	n->peer_next = o->head;
	o->head = n;
}

/* Takes n off its peer's list (it must be on it) and clears its peer. */
static void unlink_node(struct allowedips *t, struct allowedips_node *n)
{
	struct allowedips_owner *o = owner_of(t, n->peer, false);
	struct allowedips_node **pp = &o->head;

	while (*pp != n)
		pp = &(*pp)->peer_next;
	*pp = n->peer_next;
	n->peer = NULL;
	n->peer_next = NULL;
}

/* A node for key/cidr, on owner's list, or peerless when owner is NULL. */
static struct allowedips_node *node_new(struct allowedips *t, const uint64_t key[2],
					unsigned int cidr, bool is_v6,
					struct allowedips_owner *owner)
{
	struct allowedips_node *n = node_alloc(t);

	if (!n)
		return NULL;
	n->key[0] = key[0] & word_mask(cidr, 0);
	n->key[1] = key[1] & word_mask(cidr, 1);
	n->cidr = (uint8_t)cidr;
	n->is_v6 = is_v6;
	if (owner)
		link_node(owner, n);
	return n;
}

/* Puts a new node for key/cidr at *pp, above or beside the subtree that is there. */
static int insert_at(struct allowedips *t, struct allowedips_node **pp, const uint64_t key[2],
		     unsigned int cidr, unsigned int common, struct allowedips_owner *owner)
{
	struct allowedips_node *n = *pp, *leaf, *inner;
	bool is_v6 = n->is_v6;

	/* The peerless node first: nothing is linked yet if it fails. */
	inner = common == cidr ? NULL : node_new(t, key, common, is_v6, NULL);
	if (common != cidr && !inner)
		return -ENOMEM;
	leaf = node_new(t, key, cidr, is_v6, owner);
	if (!leaf) {
		if (inner)
			node_release(t, inner);
		return -ENOMEM;
	}
	if (common == cidr) {
		/* The new prefix contains the old subtree. */
		leaf->bit[bit_at(n->key, cidr)] = n;
		*pp = leaf;
		return 0;
	}
	/* They differ at bit `common`: a peerless node splits the two. */
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

	struct allowedips_owner *owner;

	bits = key_from_addr(key, family, addr);
	if (!bits || cidr > bits || !peer)
		return -EINVAL;
	owner = owner_make(t, peer);
	if (!owner)
		return -ENOMEM;
	++t->seq;
	for (pp = root_of(t, family); (n = *pp); pp = &n->bit[bit_at(key, n->cidr)]) {
		common = common_bits(n->key, key, n->cidr < cidr ? n->cidr : cidr);
		if (common == n->cidr && common == cidr) {
			if (n->peer == peer)
				return 0;
			if (n->peer)
				unlink_node(t, n);
			link_node(owner, n);
			return 0;
		}
		if (common < n->cidr)
			return insert_at(t, pp, key, cidr, common, owner);
	}
	*pp = node_new(t, key, cidr, family == AF_INET6, owner);
	return *pp ? 0 : -ENOMEM;
}

/* Removes a peerless node with fewer than two children, lifting its child. */
static void compact(struct allowedips *t, struct allowedips_node **pp)
{
	struct allowedips_node *n = *pp;

	if (!n || n->peer || (n->bit[0] && n->bit[1]))
		return;
	*pp = n->bit[0] ? n->bit[0] : n->bit[1];
	node_release(t, n);
}

/* Removes key/cidr from the trie at root if peer owns exactly that prefix. */
static int remove_key(struct allowedips *t, struct allowedips_node **root, const uint64_t key[2],
		      unsigned int cidr, void *peer)
{
	struct allowedips_node **pp, **parent = NULL, *n;

	for (pp = root; (n = *pp); pp = &n->bit[bit_at(key, n->cidr)]) {
		if (n->cidr > cidr || !prefix_matches(n, key))
			return -ENOENT;
		if (n->cidr == cidr)
			break;
		parent = pp;
	}
	if (!n || n->peer != peer)
		return -ENOENT;
	++t->seq;
	unlink_node(t, n);
	compact(t, pp);
	/* A leaf removed may leave its peerless parent with one child. */
	if (parent)
		compact(t, parent);
	return 0;
}

int allowedips_remove(struct allowedips *t, int family, const void *addr, uint8_t cidr, void *peer)
{
	unsigned int bits;
	uint64_t key[2];

	bits = key_from_addr(key, family, addr);
	if (!bits || cidr > bits || !peer)
		return -EINVAL;
	return remove_key(t, root_of(t, family), key, cidr, peer);
}

void allowedips_remove_by_peer(struct allowedips *t, void *peer)
{
	struct allowedips_owner *o = peer ? owner_of(t, peer, false) : NULL;
	struct allowedips_node *n;
	uint64_t key[2];

	if (!o)
		return;
	++t->seq;
	/* Each removal takes the list's head off (and may free that node). */
	while ((n = o->head)) {
		key[0] = n->key[0];
		key[1] = n->key[1];
		remove_key(t, n->is_v6 ? &t->root6 : &t->root4, key, n->cidr, peer);
	}
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

/* Address order: IPv4 first, then by prefix, a shorter prefix before longer ones under it. */
static int node_cmp(const void *a, const void *b)
{
	const struct allowedips_node *x = *(struct allowedips_node *const *)a;
	const struct allowedips_node *y = *(struct allowedips_node *const *)b;

	if (x->is_v6 != y->is_v6)
		return x->is_v6 ? 1 : -1;
	if (x->key[0] != y->key[0])
		return x->key[0] < y->key[0] ? -1 : 1;
	if (x->key[1] != y->key[1])
		return x->key[1] < y->key[1] ? -1 : 1;
	return (int)x->cidr - (int)y->cidr;
}

int allowedips_walk_by_peer(const struct allowedips *t, void *peer,
			    int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr),
			    void *ctx)
{
	const struct allowedips_owner *o = peer ? owner_of(t, peer, false) : NULL;
	struct allowedips_node *one[4], **v = one;
	const struct allowedips_node *n;
	size_t count = 0, i;
	uint8_t addr[16];
	int ret = 0;

	if (!o || !o->head)
		return 0;
	for (n = o->head; n; n = n->peer_next)
		++count;
	if (count > sizeof(one) / sizeof(one[0]) && !(v = malloc(count * sizeof(*v))))
		return -ENOMEM;
	for (i = 0, n = o->head; n; n = n->peer_next)
		v[i++] = (struct allowedips_node *)n;
	qsort(v, count, sizeof(*v), node_cmp);
	for (i = 0; i < count && !ret; ++i) {
		addr_from_key(addr, v[i]->key, v[i]->is_v6 ? 128 : 32);
		ret = fn(ctx, v[i]->is_v6 ? AF_INET6 : AF_INET, addr, v[i]->cidr);
	}
	if (v != one)
		free(v);
	return ret;
}
