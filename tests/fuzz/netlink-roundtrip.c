// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the builder: any model the dump parser accepts is
 * written out as WG_CMD_SET_DEVICE messages into buffers of a size the input
 * picks, and read back with the parser. Peers, keys, endpoints and allowed
 * IPs must come back the same, in the same order, however the split fell.
 */
#include "ipc-netlink.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_aips(const struct wgpeer *a, const struct wgpeer *b)
{
	const struct wgallowedip *x = a->first_allowedip, *y = b->first_allowedip;

	for (; x && y; x = x->next_allowedip, y = y->next_allowedip)
		if (x->family != y->family || x->cidr != y->cidr ||
		    memcmp(&x->ip6, &y->ip6, x->family == AF_INET ? 4 : 16))
			return false;
	return !x && !y;
}

static bool same_peer(const struct wgpeer *a, const struct wgpeer *b)
{
	size_t eplen = a->endpoint.addr.sa_family == AF_INET6  ? sizeof(a->endpoint.addr6)
		       : a->endpoint.addr.sa_family == AF_INET ? sizeof(a->endpoint.addr4)
							       : 0;

	return !memcmp(a->public_key, b->public_key, WG_KEY_LEN) &&
	       !memcmp(a->preshared_key, b->preshared_key, WG_KEY_LEN) &&
	       a->persistent_keepalive_interval == b->persistent_keepalive_interval &&
	       a->endpoint.addr.sa_family == b->endpoint.addr.sa_family &&
	       !memcmp(&a->endpoint, &b->endpoint, eplen) && same_aips(a, b);
}

static void compare(const struct wgdevice *a, const struct wgdevice *b)
{
	const struct wgpeer *p = a->first_peer, *q = b->first_peer;

	if (strcmp(a->name, b->name) || a->listen_port != b->listen_port ||
	    a->fwmark != b->fwmark || memcmp(a->private_key, b->private_key, WG_KEY_LEN))
		abort();
	for (; p && q; p = p->next_peer, q = q->next_peer)
		if (!same_peer(p, q))
			abort();
	if (p || q)
		abort();
}

static void roundtrip(const struct wgdevice *dev, size_t buflen)
{
	struct ipc_netlink_cursor cur;
	struct wgdevice *back = model_device_new();
	void *buf = malloc(buflen);

	ipc_netlink_cursor_init(&cur, dev);
	while (!ipc_netlink_cursor_done(&cur)) {
		if (ipc_netlink_build_set(buf, buflen, 0x1b, 1, dev, &cur))
			abort();
		if (((struct nlmsghdr *)buf)->nlmsg_len > buflen)
			abort();
		if (ipc_netlink_parse_device(buf, back))
			abort();
	}
	compare(dev, back);
	model_device_free(back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = malloc(size ? size : 1);
	struct wgdevice *dev = model_device_new();

	memcpy(buf, data, size);
	/* Any buffer from 256 bytes can carry one peer's head or one allowed IP. */
	if (size && ipc_netlink_parse_dump(buf, size, dev) >= 0)
		roundtrip(dev, 256 + (data[size - 1] * 61U) % 8000);
	model_device_free(dev);
	free(buf);
	return 0;
}
