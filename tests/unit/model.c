// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/model: list building and wiping release. */
#include "../lib/tap.h"
#include "model.h"

int main(void)
{
	struct wgdevice *dev = model_device_new();
	struct wgpeer *p1, *p2, *peer;
	struct wgallowedip *aip;
	int n = 0;

	ok(dev != NULL, "device allocates");
	p1 = model_peer_append(dev);
	p2 = model_peer_append(dev);
	ok(dev->first_peer == p1 && dev->last_peer == p2 && p1->next_peer == p2,
	   "peers keep insertion order");
	model_allowedip_append(p1);
	aip = model_allowedip_append(p1);
	ok(p1->last_allowedip == aip && p1->first_allowedip->next_allowedip == aip,
	   "allowed IPs keep insertion order");
	for_each_wgpeer (dev, peer)
		++n;
	is_int(n, 2, "for_each_wgpeer visits every peer");
	model_device_free(dev);
	model_device_free(NULL);
	ok(1, "free of NULL is harmless");
	return tap_done();
}
