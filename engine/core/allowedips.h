/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allowed IPs: a path-compressed binary trie per address family mapping
 * prefixes to peers (opaque pointers), with longest-prefix lookup. Used for
 * cryptokey routing: the destination of an outgoing packet picks its peer, the
 * source of a decrypted one must belong to the peer it came from.
 *
 * Not internally locked: lookups may run together but need a shared (read)
 * lock against changes, which need it exclusive; the device owns that lock
 * (taking it once per batch keeps it cheap).
 */
#ifndef ENGINE_ALLOWEDIPS_H
#define ENGINE_ALLOWEDIPS_H

#include <stddef.h>
#include <stdint.h>

struct allowedips_node;

struct allowedips_owner;
struct allowedips_slab;

struct allowedips {
	struct allowedips_node *root4;
	struct allowedips_node *root6;
	uint64_t seq; /* bumped by every change */
	/*
	 * Each peer's nodes, linked: removal and walks by peer visit only that
	 * peer's prefixes, not the whole trie (a setconf of N peers stays linear).
	 */
	struct allowedips_owner *owners; /* open addressing on the peer pointer */
	size_t owners_cap, owners_used;
	/* Nodes come from slabs (no allocator header each); freed ones wait on spare. */
	struct allowedips_slab *slabs;
	struct allowedips_node *spare;
};

void allowedips_init(struct allowedips *t);
/* Frees every node. */
void allowedips_free(struct allowedips *t);
/*
 * Maps addr/cidr (family AF_INET or AF_INET6, addr 4 or 16 bytes, host bits
 * ignored) to peer, replacing any previous owner. 0, -EINVAL or -ENOMEM.
 */
int allowedips_insert(struct allowedips *t, int family, const void *addr, uint8_t cidr, void *peer)
    __attribute__((warn_unused_result));
/* Removes addr/cidr if peer owns exactly that prefix: 0, -ENOENT or -EINVAL. */
int allowedips_remove(struct allowedips *t, int family, const void *addr, uint8_t cidr, void *peer);
/* Removes every prefix of peer. */
void allowedips_remove_by_peer(struct allowedips *t, void *peer);
/* The peer owning the longest prefix containing addr, or NULL. */
void *allowedips_lookup(const struct allowedips *t, int family, const void *addr);
/* The peer for an IP packet's destination (outgoing), or NULL if it is not IPv4/IPv6. */
void *allowedips_lookup_dst(const struct allowedips *t, const uint8_t *packet, size_t len);
/* The peer for an IP packet's source (incoming check), or NULL. */
void *allowedips_lookup_src(const struct allowedips *t, const uint8_t *packet, size_t len);
/*
 * Calls fn for each of peer's prefixes, IPv4 then IPv6, each in address
 * order; a non-zero return from fn stops the walk and is returned.
 */
int allowedips_walk_by_peer(const struct allowedips *t, void *peer,
			    int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr),
			    void *ctx);

#endif
