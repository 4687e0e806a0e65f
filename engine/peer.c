// SPDX-License-Identifier: GPL-2.0
/*
 * Peer lifetime, endpoint roaming, the staging area for packets that wait on
 * a handshake, and the peer's part of a UAPI get.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "clock.h"
#include "device.h"
#include "peer.h"

struct peer *peer_new(struct device *dev, const uint8_t pub[NOISE_PUBLIC_KEY_LEN],
		      const uint8_t psk[NOISE_SYMMETRIC_KEY_LEN])
{
	struct peer *peer = calloc(1, sizeof(*peer));

	if (!peer)
		return NULL;
	peer->dev = dev;
	atomic_init(&peer->refs, 1);
	if (noise_remote_init(&peer->noise, &dev->noise, pub, psk, peer) < 0)
		goto err_free;
	if (cookie_maker_init(&peer->cookie, peer_public_key(peer)) < 0)
		goto err_noise;
	mutex_init(&peer->lock);
	mutex_init(&peer->tx_order_lock);
	mutex_init(&peer->tx_flush_lock);
	mutex_init(&peer->rx_flush_lock);
	queue_fifo_init(&peer->tx_fifo, MAX_QUEUED_PACKETS);
	queue_fifo_init(&peer->rx_fifo, MAX_QUEUED_PACKETS);
	timers_init(&peer->timers, 0);
	return peer;

err_noise:
	noise_remote_free(&peer->noise);
err_free:
	free(peer);
	errno = ENOMEM;
	return NULL;
}

struct peer *peer_get(struct peer *peer)
{
	atomic_fetch_add(&peer->refs, 1);
	return peer;
}

void peer_put(struct peer *peer)
{
	if (!peer || atomic_fetch_sub(&peer->refs, 1) != 1)
		return;
	peer_drop_staged(peer);
	noise_remote_free(&peer->noise);
	cookie_maker_free(&peer->cookie);
	mutex_destroy(&peer->lock);
	mutex_destroy(&peer->tx_order_lock);
	mutex_destroy(&peer->tx_flush_lock);
	mutex_destroy(&peer->rx_flush_lock);
	sodium_memzero(peer, sizeof(*peer));
	free(peer);
}

void peer_kill(struct peer *peer)
{
	atomic_store(&peer->is_dead, true);
	mutex_lock(&peer->lock);
	timers_stop(&peer->timers);
	mutex_unlock(&peer->lock);
	peer_drop_staged(peer);
	noise_handshake_clear(&peer->noise);
	noise_keypairs_clear(&peer->noise);
}

void peer_endpoint_get(struct peer *peer, union wgendpoint *out, struct udp_local *local)
{
	mutex_lock(&peer->lock);
	*out = peer->endpoint;
	if (local)
		*local = peer->local;
	mutex_unlock(&peer->lock);
}

void peer_endpoint_set(struct peer *peer, const union wgendpoint *src,
		       const struct udp_local *local)
{
	size_t len = src->addr.sa_family == AF_INET6 ? sizeof(src->addr6) : sizeof(src->addr4);
	static const struct udp_local none;

	if (src->addr.sa_family != AF_INET && src->addr.sa_family != AF_INET6)
		return;
	if (!local)
		local = &none;
	mutex_lock(&peer->lock);
	if (memcmp(&peer->endpoint, src, len)) {
		memset(&peer->endpoint, 0, sizeof(peer->endpoint));
		memcpy(&peer->endpoint, src, len);
	}
	/* Compare first: the common case, nothing moved, writes nothing. */
	if (memcmp(&peer->local, local, sizeof(*local)))
		peer->local = *local;
	mutex_unlock(&peer->lock);
}

void peer_local_clear(struct peer *peer, const struct udp_local *stale)
{
	mutex_lock(&peer->lock);
	if (!memcmp(&peer->local, stale, sizeof(*stale)))
		memset(&peer->local, 0, sizeof(peer->local));
	mutex_unlock(&peer->lock);
}

/* The oldest staged packet, unlinked. Caller holds peer->lock and knows there is one. */
static struct elem *unstage_one(struct peer *peer)
{
	struct elem *e = peer->staged;

	peer->staged = e->next;
	if (!peer->staged)
		peer->staged_tail = NULL;
	--peer->n_staged;
	return e;
}

void peer_stage(struct peer *peer, struct elem *const *e, unsigned int n)
{
	struct elem *drop[MAX_STAGED_PACKETS];
	unsigned int n_drop = 0;

	mutex_lock(&peer->lock);
	for (unsigned int i = 0; i < n; ++i) {
		if (peer->n_staged == MAX_STAGED_PACKETS)
			drop[n_drop++] = unstage_one(peer);
		e[i]->next = NULL;
		if (peer->staged_tail)
			peer->staged_tail->next = e[i];
		else
			peer->staged = e[i];
		peer->staged_tail = e[i];
		++peer->n_staged;
		if (n_drop == MAX_STAGED_PACKETS) {
			/* Every one counted, also when more than a full stage's worth go. */
			device_drop(&peer->dev->stats, DROP_tx_staged_drop, peer, n_drop);
			device_elems_put(peer->dev, drop, n_drop);
			n_drop = 0;
		}
	}
	mutex_unlock(&peer->lock);
	if (n_drop) {
		device_drop(&peer->dev->stats, DROP_tx_staged_drop, peer, n_drop);
		device_elems_put(peer->dev, drop, n_drop);
	}
}

unsigned int peer_unstage(struct peer *peer, struct elem **e, unsigned int max)
{
	unsigned int n = 0;

	mutex_lock(&peer->lock);
	while (n < max && peer->staged)
		e[n++] = unstage_one(peer);
	mutex_unlock(&peer->lock);
	return n;
}

void peer_drop_staged(struct peer *peer)
{
	struct elem *e[MAX_STAGED_PACKETS];
	unsigned int n = peer_unstage(peer, e, MAX_STAGED_PACKETS);

	if (n)
		device_elems_put(peer->dev, e, n);
}

static int walk_add(void *ctx, int family, const uint8_t *addr, uint8_t cidr)
{
	struct wgallowedip *aip = model_allowedip_append(ctx);

	if (!aip)
		return -ENOMEM;
	aip->family = (uint16_t)family;
	memcpy(family == AF_INET6 ? (void *)&aip->ip6 : (void *)&aip->ip4, addr,
	       family == AF_INET6 ? 16 : 4);
	aip->cidr = cidr;
	return 0;
}

int peer_to_model(struct peer *peer, struct wgpeer *out)
{
	rwlock_assert_held(&peer->dev->cfg_lock);
	memcpy(out->public_key, peer_public_key(peer), WG_KEY_LEN);
	mutex_lock(&peer->noise.handshake.lock);
	memcpy(out->preshared_key, peer->noise.handshake.preshared_key, WG_KEY_LEN);
	mutex_unlock(&peer->noise.handshake.lock);
	out->flags = WGPEER_HAS_PUBLIC_KEY | WGPEER_HAS_PRESHARED_KEY |
		     WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	mutex_lock(&peer->lock);
	out->endpoint = peer->endpoint;
	out->last_handshake_time = peer->last_handshake;
	out->persistent_keepalive_interval = peer->timers.persistent_keepalive_interval;
	mutex_unlock(&peer->lock);
	out->rx_bytes = atomic_load(&peer->rx_bytes);
	out->tx_bytes = atomic_load(&peer->tx_bytes);
	return allowedips_walk_by_peer(&peer->dev->aips, peer, walk_add, out);
}
