/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One peer of a device: its Noise state (keys and keypairs live in the core's
 * noise_remote), cookie maker, endpoint (which follows the last authenticated
 * packet), timers, counters, the packets staged while a handshake runs, and
 * the two ordered FIFOs through which its batches leave.
 *
 * Lifetime: reference counted. The device's list holds one reference; every
 * batch in flight holds one. Lookups take theirs while holding the device's
 * config lock, so a removed peer lives until its last batch is released.
 */
#ifndef ENGINE_PEER_H
#define ENGINE_PEER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "cookie.h"
#include "model.h"
#include "mutex.h"
#include "noise.h"
#include "queue.h"
#include "timers.h"

struct device;

struct peer {
	struct device *dev;
	struct peer *next;	/* the device's list; caller holds dev->cfg_lock */
	struct peer *hash_next; /* the device's hash chain; caller holds dev->cfg_lock */
	atomic_uint refs;
	/* tx_order_lock keeps nonce order equal to FIFO order. */
	struct mutex tx_order_lock;
	struct noise_remote noise; /* holds the public key: peer_public_key */
	struct cookie_maker cookie;

	/* lock guards everything below up to the counters. */
	struct mutex lock;
	union wgendpoint endpoint;
	struct udp_local local; /* the sticky source: where its packets arrived */
	unsigned int n_staged;	/* here, not by staged: with is_dead it fills local's padding */
	atomic_bool is_dead;	/* atomic, not under lock */
	struct timers_state timers;
	struct timespec last_handshake; /* wall clock */
	/* At most MAX_STAGED_PACKETS, oldest first, linked through elem->next. */
	struct elem *staged, *staged_tail;

	atomic_uint_fast64_t rx_bytes, tx_bytes;
	struct mutex tx_flush_lock, rx_flush_lock;
	struct queue_fifo tx_fifo, rx_fifo;
};

/* A new peer with one reference; NULL with errno set. */
struct peer *peer_new(struct device *dev, const uint8_t pub[NOISE_PUBLIC_KEY_LEN],
		      const uint8_t psk[NOISE_SYMMETRIC_KEY_LEN]);
struct peer *peer_get(struct peer *peer);

/* The peer's public key, set once by peer_new: read it without a lock. */
static inline const uint8_t *peer_public_key(const struct peer *peer)
{
	return peer->noise.handshake.remote_static;
}
/* Drops a reference; the last wipes and frees the peer. */
void peer_put(struct peer *peer);
/* Marks the peer dead, stops its timers, drops keys and staged packets. */
void peer_kill(struct peer *peer);

/* Copies the endpoint out, and the local address to send from unless local is NULL. */
void peer_endpoint_get(struct peer *peer, union wgendpoint *out, struct udp_local *local);
/*
 * Roaming: the endpoint becomes src, the source of an authenticated packet,
 * and replies leave from local, where it arrived (NULL: any address).
 */
void peer_endpoint_set(struct peer *peer, const union wgendpoint *src,
		       const struct udp_local *local);
/* Forgets the local address stale (a failed send) unless a newer one replaced it. */
void peer_local_clear(struct peer *peer, const struct udp_local *stale);

/* Keeps packets for after the handshake, dropping the oldest beyond the bound. */
void peer_stage(struct peer *peer, struct elem *const *e, unsigned int n);
/* Takes every staged packet (up to max) out into e; returns how many. */
unsigned int peer_unstage(struct peer *peer, struct elem **e, unsigned int max);
/* Returns every staged packet to the pool. */
void peer_drop_staged(struct peer *peer);

/* The model of this peer for a UAPI get; caller holds dev->cfg_lock (read). */
int peer_to_model(struct peer *peer, struct wgpeer *out) __attribute__((warn_unused_result));

#endif
