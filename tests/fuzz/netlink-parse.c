// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for everything lib/ipc-netlink reads from the kernel: the
 * same bytes go to the WG_CMD_GET_DEVICE dump parser, the policy dump scan
 * and the rtnetlink link parser. A parsed model is then walked in full so
 * that a half-linked peer or allowed IP shows up under ASan.
 */
#include "ipc-netlink.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk_model(const struct wgdevice *dev)
{
	const struct wgpeer *peer;
	const struct wgallowedip *aip;
	size_t n = 0;

	for_each_wgpeer (dev, peer) {
		n += peer->public_key[0] + peer->persistent_keepalive_interval;
		for_each_wgallowedip (peer, aip)
			n += aip->cidr + aip->family;
		if (dev->last_peer == peer && peer->next_peer)
			abort();
	}
	return n;
}

static int fold_policy(const struct nlmsghdr *nlh, void *scan)
{
	return ipc_netlink_parse_policy(nlh, scan);
}

static int fold_link(const struct nlmsghdr *nlh, void *data)
{
	void **out = data;

	return ipc_netlink_parse_link(nlh, out[0], out[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Netlink buffers are aligned; libFuzzer's copy of the input is not always. */
	void *buf = malloc(size ? size : 1);
	struct wgdevice *dev = model_device_new();
	struct ipc_netlink_policy_scan scan;
	char *names = NULL;
	size_t len = 0;
	void *out[2] = {&names, &len};
	volatile size_t sink;

	memcpy(buf, data, size);
	if (ipc_netlink_parse_dump(buf, size, dev) >= 0)
		sink = walk_model(dev);
	ipc_netlink_policy_scan_init(&scan);
	if (ipc_netlink_walk(buf, size, fold_policy, &scan) >= 0)
		sink = (size_t)ipc_netlink_policy_verdict(&scan);
	if (ipc_netlink_walk(buf, size, fold_link, out) >= 0 && len && names[len - 1])
		abort();
	(void)sink;
	free(names);
	model_device_free(dev);
	free(buf);
	return 0;
}
