// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for lib/uapi, the engine's attack surface: the input is a
 * set request body (and, separately, a get reply). Whatever read_set accepts
 * must survive write_set and read_set again unchanged.
 */
#include "uapi.h"
#include "key.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_aips(const struct wgpeer *a, const struct wgpeer *b)
{
	const struct wgallowedip *x = a->first_allowedip, *y = b->first_allowedip;

	for (; x && y; x = x->next_allowedip, y = y->next_allowedip) {
		if (x->family != y->family || x->cidr != y->cidr || x->flags != y->flags ||
		    memcmp(&x->ip6, &y->ip6, x->family == AF_INET ? 4 : 16))
			return false;
	}
	return !x && !y;
}

static bool same_peer(const struct wgpeer *a, const struct wgpeer *b)
{
	return a->flags == b->flags && key_eq(a->public_key, b->public_key) &&
	       key_eq(a->preshared_key, b->preshared_key) &&
	       a->endpoint.addr.sa_family == b->endpoint.addr.sa_family &&
	       a->persistent_keepalive_interval == b->persistent_keepalive_interval &&
	       same_aips(a, b);
}

/* A removal carries nothing else on the wire, so such models do not round-trip. */
static bool has_removal(const struct wgdevice *dev)
{
	const struct wgpeer *peer;

	for_each_wgpeer (dev, peer) {
		if (peer->flags & WGPEER_REMOVE_ME)
			return true;
	}
	return false;
}

static void check_roundtrip(const struct wgdevice *dev)
{
	struct wgdevice *back = NULL;
	const struct wgpeer *x, *y;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f || uapi_write_set(f, dev))
		abort();
	fclose(f);
	f = fmemopen(buf + 6, len - 6, "r");
	if (!f || uapi_read_set(f, &back))
		abort();
	fclose(f);
	if (back->flags != dev->flags || !key_eq(back->private_key, dev->private_key) ||
	    back->listen_port != dev->listen_port || back->fwmark != dev->fwmark)
		abort();
	for (x = dev->first_peer, y = back->first_peer; x && y;
	     x = x->next_peer, y = y->next_peer) {
		if (!same_peer(x, y))
			abort();
	}
	if (x || y)
		abort();
	model_device_free(back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgdevice *dev = NULL, *got = model_device_new();
	FILE *f = fmemopen((void *)data, size, "r");

	if (f && size && !uapi_read_set(f, &dev) && !has_removal(dev))
		check_roundtrip(dev);
	if (f)
		fclose(f);
	f = fmemopen((void *)data, size, "r");
	if (f && got && size)
		(void)!uapi_read_get(f, got);
	if (f)
		fclose(f);
	model_device_free(got);
	model_device_free(dev);
	return 0;
}
