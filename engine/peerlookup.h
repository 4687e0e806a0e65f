/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device's peers: a list in the order they were added, a hash by public
 * key, and the allowed IPs that route packets to them. All of it is guarded
 * by dev->cfg_lock.
 */
#ifndef ENGINE_PEERLOOKUP_H
#define ENGINE_PEERLOOKUP_H

#include <stddef.h>
#include <stdint.h>

struct device;
struct peer;

/* The peer with this public key, or NULL. Caller holds dev->cfg_lock. */
struct peer *device_peer_find(struct device *dev, const uint8_t *pub);
/* The peer routed to by an IP packet's destination, with a reference, or NULL. */
struct peer *device_peer_by_dst(struct device *dev, const uint8_t *pkt, size_t len);
/* Appends peer (whose reference the device takes over). Caller holds dev->cfg_lock (write). */
void device_peer_link(struct device *dev, struct peer *peer);
/* Unlinks peer, drops its allowed IPs, kills it and drops the device's reference.
 * Caller holds dev->cfg_lock (write). */
void device_peer_remove(struct device *dev, struct peer *peer);

#endif
