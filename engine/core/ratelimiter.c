// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake rate limiting per source, as the kernel's ratelimiter: a token
 * bucket per IPv4 address or IPv6 /64 (one host rarely has more), filled in
 * nanoseconds of credit, in a hashtable keyed with a random SipHash key so
 * that senders cannot aim at one chain. Entries come from a fixed pool, whose
 * never-used tail is handed out in order so that its pages (2.5 MiB for the
 * device's 65,536 entries) are touched only by a flood that needs them.
 */
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "lockassert.h"
#include "messages.h"
#include "ratelimiter.h"

#define PACKET_COST (NSEC_PER_SEC / RATELIMITER_PACKETS_PER_SECOND)
#define TOKEN_MAX (PACKET_COST * RATELIMITER_PACKETS_BURST)

struct rl_entry {
	struct rl_entry *next;
	uint64_t last_time;
	uint64_t tokens;
	uint8_t key[9]; /* family byte, then the IPv4 address or the IPv6 /64 */
};

struct ratelimiter {
	pthread_mutex_t lock;
	struct rl_entry **buckets;
	struct rl_entry *pool, *free_list;
	unsigned int mask, count, max_entries;
	unsigned int n_fresh_used; /* pool[n_fresh_used..] were never handed out */
	uint64_t last_gc;
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
};

struct ratelimiter *ratelimiter_new(unsigned int max_entries)
{
	struct ratelimiter *rl = calloc(1, sizeof(*rl));
	unsigned int size = 16;

	if (!rl || !max_entries)
		goto fail;
	while (size < max_entries / 4 && size < (1U << 20))
		size <<= 1;
	rl->buckets = calloc(size, sizeof(*rl->buckets));
	rl->pool = calloc(max_entries, sizeof(*rl->pool));
	if (!rl->buckets || !rl->pool || pthread_mutex_init(&rl->lock, NULL))
		goto fail;
	rl->mask = size - 1;
	rl->max_entries = max_entries;
	randombytes_buf(rl->hash_key, sizeof(rl->hash_key));
	return rl;
fail:
	if (rl) {
		free(rl->buckets);
		free(rl->pool);
	}
	free(rl);
	errno = ENOMEM;
	return NULL;
}

void ratelimiter_free(struct ratelimiter *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->buckets);
	free(rl->pool);
	free(rl);
}

/* The bucket key of a source; false for other families. */
static bool source_key(uint8_t key[9], const struct sockaddr *src)
{
	memset(key, 0, 9);
	key[0] = (uint8_t)src->sa_family;
	if (src->sa_family == AF_INET)
		memcpy(key + 1, &((const struct sockaddr_in *)src)->sin_addr, 4);
	else if (src->sa_family == AF_INET6)
		memcpy(key + 1, &((const struct sockaddr_in6 *)src)->sin6_addr, 8);
	else
		return false;
	return true;
}

static struct rl_entry **bucket(struct ratelimiter *rl, const uint8_t key[9])
{
	uint8_t h[crypto_shorthash_BYTES];
	uint32_t v;

	crypto_shorthash(h, key, 9, rl->hash_key);
	memcpy(&v, h, sizeof(v));
	return &rl->buckets[v & rl->mask];
}

/* Caller holds rl->lock. */
static void gc_locked(struct ratelimiter *rl, uint64_t now)
{
	struct rl_entry **pp, *e;
	unsigned int i;

	mutex_assert_held(&rl->lock);
	for (i = 0; i <= rl->mask; ++i) {
		for (pp = &rl->buckets[i]; (e = *pp);) {
			if (now - e->last_time <= NSEC_PER_SEC) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			e->next = rl->free_list;
			rl->free_list = e;
			--rl->count;
		}
	}
	rl->last_gc = now;
}

void ratelimiter_gc(struct ratelimiter *rl, uint64_t now_ns)
{
	pthread_mutex_lock(&rl->lock);
	gc_locked(rl, now_ns);
	pthread_mutex_unlock(&rl->lock);
}

/* Spends a packet's worth of tokens from e after refilling it; caller holds rl->lock. */
static bool spend(struct rl_entry *e, uint64_t now)
{
	uint64_t tokens = e->tokens + (now > e->last_time ? now - e->last_time : 0);

	e->last_time = now;
	e->tokens = tokens > TOKEN_MAX ? TOKEN_MAX : tokens;
	if (e->tokens < PACKET_COST)
		return false;
	e->tokens -= PACKET_COST;
	return true;
}

/* A new bucket for key, full but for this packet; NULL when the table is full. Caller holds
 * rl->lock. */
static struct rl_entry *entry_new(struct ratelimiter *rl, struct rl_entry **b, const uint8_t key[9],
				  uint64_t now)
{
	struct rl_entry *e = rl->free_list;

	mutex_assert_held(&rl->lock);
	if (e)
		rl->free_list = e->next;
	else if (rl->n_fresh_used < rl->max_entries)
		e = &rl->pool[rl->n_fresh_used++];
	else
		return NULL;
	memcpy(e->key, key, 9);
	e->last_time = now;
	e->tokens = TOKEN_MAX - PACKET_COST;
	e->next = *b;
	*b = e;
	++rl->count;
	return e;
}

bool ratelimiter_allow(struct ratelimiter *rl, const struct sockaddr *src, uint64_t now_ns)
{
	struct rl_entry **b, *e;
	uint8_t key[9];
	bool ok = false;

	if (!source_key(key, src))
		return false;
	pthread_mutex_lock(&rl->lock);
	if (now_ns - rl->last_gc > NSEC_PER_SEC)
		gc_locked(rl, now_ns);
	b = bucket(rl, key);
	for (e = *b; e; e = e->next)
		if (!memcmp(e->key, key, 9))
			break;
	if (e)
		ok = spend(e, now_ns);
	else
		ok = entry_new(rl, b, key, now_ns) != NULL;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

unsigned int ratelimiter_count(struct ratelimiter *rl)
{
	unsigned int n;

	pthread_mutex_lock(&rl->lock);
	n = rl->count;
	pthread_mutex_unlock(&rl->lock);
	return n;
}
