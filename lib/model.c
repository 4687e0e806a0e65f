// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation and wiping release of the shared device model. Every key a model
 * carried is zeroed before its memory goes back to the allocator.
 */
#include "model.h"

#include <stdlib.h>
#include <sodium.h>

struct wgdevice *model_device_new(void)
{
	return calloc(1, sizeof(struct wgdevice));
}

struct wgpeer *model_peer_append(struct wgdevice *dev)
{
	struct wgpeer *peer = calloc(1, sizeof(*peer));

	if (!peer)
		return NULL;
	if (dev->last_peer)
		dev->last_peer->next_peer = peer;
	else
		dev->first_peer = peer;
	dev->last_peer = peer;
	return peer;
}

struct wgallowedip *model_allowedip_append(struct wgpeer *peer)
{
	struct wgallowedip *aip = calloc(1, sizeof(*aip));

	if (!aip)
		return NULL;
	if (peer->last_allowedip)
		peer->last_allowedip->next_allowedip = aip;
	else
		peer->first_allowedip = aip;
	peer->last_allowedip = aip;
	return aip;
}

void model_peer_free(struct wgpeer *peer)
{
	struct wgallowedip *aip, *next;

	if (!peer)
		return;
	for (aip = peer->first_allowedip; aip; aip = next) {
		next = aip->next_allowedip;
		free(aip);
	}
	sodium_memzero(peer, sizeof(*peer));
	free(peer);
}

void model_device_free(struct wgdevice *dev)
{
	struct wgpeer *peer, *next;

	if (!dev)
		return;
	for (peer = dev->first_peer; peer; peer = next) {
		next = peer->next_peer;
		model_peer_free(peer);
	}
	sodium_memzero(dev, sizeof(*dev));
	free(dev);
}
