// SPDX-License-Identifier: GPL-2.0
/*
 * Finding peers: by public key in the device's hash (handshakes, UAPI set)
 * and by an IP packet's destination in the allowed IPs (the send path), and
 * linking peers into and out of the device's list and hash.
 */
#include <string.h>
#include <sodium.h>
#include "device.h"
#include "peer.h"

/* Public keys are uniformly random, so their first bytes make a fine hash. */
static struct peer **hash_bucket(struct device *dev, const uint8_t *pub)
{
	uint32_t h;

	memcpy(&h, pub, sizeof(h));
	return &dev->peer_hash[h % DEVICE_PEER_HASH];
}

/* Caller holds dev->cfg_lock. */
struct peer *device_peer_find(struct device *dev, const uint8_t *pub)
{
	rwlock_assert_held(&dev->cfg_lock);
	for (struct peer *p = *hash_bucket(dev, pub); p; p = p->hash_next) {
		if (!sodium_memcmp(peer_public_key(p), pub, NOISE_PUBLIC_KEY_LEN))
			return p;
	}
	return NULL;
}

struct peer *device_peer_by_dst(struct device *dev, const uint8_t *pkt, size_t len)
{
	struct peer *peer;

	rwlock_rdlock(&dev->cfg_lock);
	peer = allowedips_lookup_dst(&dev->aips, pkt, len);
	if (peer)
		peer_get(peer);
	rwlock_unlock(&dev->cfg_lock);
	return peer;
}

/* Caller holds dev->cfg_lock (write). */
void device_peer_remove(struct device *dev, struct peer *peer)
{
	struct peer **pp = &dev->peers;

	rwlock_assert_write_held(&dev->cfg_lock);
	while (*pp && *pp != peer)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = peer->next;
		if (dev->peers_end == &peer->next)
			dev->peers_end = pp;
	}
	for (pp = hash_bucket(dev, peer_public_key(peer)); *pp && *pp != peer;)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = peer->hash_next;
	--dev->n_peers;
	allowedips_remove_by_peer(&dev->aips, peer);
	peer_kill(peer);
	peer_put(peer);
}

void device_peer_link(struct device *dev, struct peer *peer)
{
	struct peer **pp;

	if (!dev->peers_end)
		dev->peers_end = &dev->peers;
	peer->next = NULL;
	*dev->peers_end = peer;
	dev->peers_end = &peer->next;
	pp = hash_bucket(dev, peer_public_key(peer));
	peer->hash_next = *pp;
	*pp = peer;
	++dev->n_peers;
}
