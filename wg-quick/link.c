// SPDX-License-Identifier: GPL-2.0
/*
 * The interface itself: created as a kernel WireGuard link or, when the
 * kernel has none, by a userspace implementation; configured through lib/ipc;
 * addressed, sized and brought up over rtnetlink.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "ipc.h"
#include "quick.h"

static const char *const missing_module =
    "[!] Missing WireGuard kernel module. Falling back to slow userspace implementation.";

static bool wants_userspace(int err)
{
	return err == -EOPNOTSUPP || err == -ENODEV || err == -ENOENT || err == -EAFNOSUPPORT;
}

static int link_userspace(struct quick *q)
{
	const char *impl = getenv("WG_QUICK_USERSPACE_IMPLEMENTATION");
	const char *argv[3];
	char *path;
	int ret;

	if (!impl || !*impl)
		impl = "wg-engine";
	path = quick_which(impl);
	if (!path || !access("/sys/module/wireguard", F_OK)) {
		if (!path)
			quick_err(
			    q,
			    "Unable to find `%s': install it or set WG_QUICK_USERSPACE_IMPLEMENTATION",
			    impl);
		free(path);
		return -1;
	}
	fprintf(stderr, "%s\n", missing_module);
	quick_echo("%s %s", impl, q->iface);
	argv[0] = path;
	argv[1] = q->iface;
	argv[2] = NULL;
	ret = quick_run(argv, NULL, 0, NULL);
	free(path);
	return quick_run_result(q, ret);
}

int quick_link_add(struct quick *q)
{
	char cmd[128];
	int ret;

	rtnl_cmd_link_add(cmd, sizeof(cmd), q->iface, "wireguard");
	quick_echo("%s", cmd);
	ret = rtnl_link_add(q->rt, q->iface, "wireguard");
	if (ret) {
		quick_rtnl_error(q, ret);
		if (!wants_userspace(ret) || link_userspace(q))
			return -1;
	}
	ret = rtnl_link_index(q->rt, q->iface, &q->ifindex);
	if (ret) {
		quick_err(q, "`%s' did not appear: %s", q->iface, strerror(-ret));
		return -1;
	}
	return 0;
}

int quick_link_del(struct quick *q)
{
	char cmd[128];
	int ret;

	rtnl_cmd_link_del(cmd, sizeof(cmd), q->iface);
	quick_echo("%s", cmd);
	ret = rtnl_link_del(q->rt, q->iface);
	if (!ret)
		return 0;
	if (ret != -ENODEV) {
		quick_rtnl_error(q, ret);
		return 2;
	}
	fprintf(stderr, "Cannot find device \"%s\"\n", q->iface);
	return 1;
}

int quick_link_set_config(struct quick *q)
{
	int ret;

	quick_echo("wg setconf %s /dev/fd/63", q->iface);
	snprintf(q->device->name, sizeof(q->device->name), "%s", q->iface);
	ret = ipc_set_device(q->device);
	if (ret) {
		fprintf(stderr, "Unable to modify interface: %s\n", strerror(-ret));
		return -1;
	}
	return 0;
}

int quick_link_read(struct quick *q, struct wgdevice **dev)
{
	int ret = ipc_get_device(dev, q->iface);

	if (ret) {
		fprintf(stderr, "Unable to access interface: %s\n", strerror(-ret));
		return -1;
	}
	return 0;
}

/* The MTU of a route (its own, else its device's); 0 when unknown. */
/*
 * The MTU of a route: its own, else its device's; 0 when unknown. A locked
 * MTU counts as none, since the script's /mtu ([0-9]+)/ does not match
 * iproute2's "mtu lock N" and so falls back to the device.
 */
static uint32_t route_mtu(struct quick *q, const struct rtnl_route *r)
{
	uint32_t mtu = r->mtu_locked ? 0 : r->mtu;

	if (!mtu && r->oif && rtnl_link_get_mtu(q->rt, r->oif, &mtu))
		mtu = 0;
	return mtu;
}

/* The largest MTU of the routes towards the peers' endpoints, as the script finds it. */
static uint32_t endpoints_mtu(struct quick *q, const struct wgdevice *dev)
{
	const struct wgpeer *peer;
	struct rtnl_route r;
	uint32_t best = 0, mtu;
	const void *addr;
	int ret, status = q->status;

	for_each_wgpeer (dev, peer) {
		const union wgendpoint *ep = &peer->endpoint;

		if (ep->addr.sa_family == AF_INET)
			addr = &ep->addr4.sin_addr;
		else if (ep->addr.sa_family == AF_INET6 && !ep->addr6.sin6_scope_id)
			addr = &ep->addr6.sin6_addr;
		else
			continue;
		ret = rtnl_route_get(q->rt, ep->addr.sa_family, addr, &r);
		if (ret) {
			/* The script lets `ip route get` complain and goes on. */
			quick_rtnl_error(q, ret);
			q->status = status;
			continue;
		}
		mtu = route_mtu(q, &r);
		if (mtu > best)
			best = mtu;
	}
	return best;
}

static int default_route_cb(const struct rtnl_route *r, void *arg)
{
	struct rtnl_route *found = arg;

	if (r->table != RTNL_TABLE_MAIN || r->dst.len)
		return 0;
	*found = *r;
	return 1;
}

/* The MTU of the first IPv4 default route of the main table; 0 when none. */
static uint32_t default_mtu(struct quick *q)
{
	struct rtnl_route r = {0};

	if (rtnl_route_list(q->rt, AF_INET, default_route_cb, &r) != 1)
		return 0;
	return route_mtu(q, &r);
}

int quick_link_set_mtu_up(struct quick *q)
{
	struct wgdevice *dev = NULL;
	uint32_t mtu = q->mtu;
	char cmd[128];
	int ret;

	if (!mtu) {
		if (quick_link_read(q, &dev))
			return -1;
		mtu = endpoints_mtu(q, dev);
		model_device_free(dev);
		if (!mtu)
			mtu = default_mtu(q);
		mtu = (mtu ? mtu : 1500) - 80;
	}
	rtnl_cmd_link_mtu_up(cmd, sizeof(cmd), q->iface, mtu);
	quick_echo("%s", cmd);
	ret = rtnl_link_set_mtu_up(q->rt, q->ifindex, mtu);
	if (ret) {
		quick_rtnl_error(q, ret);
		return -1;
	}
	return 0;
}

int quick_link_addresses(struct quick *q)
{
	struct rtnl_prefix p;
	char cmd[256];
	size_t i;
	int ret;

	for (i = 0; i < q->addresses.n; i++) {
		if (!rtnl_prefix_parse(&p, q->addresses.v[i]))
			return -1;
		rtnl_cmd_addr_add(cmd, sizeof(cmd), p.family, q->addresses.v[i], q->iface);
		quick_echo("%s", cmd);
		ret = rtnl_addr_add(q->rt, q->ifindex, &p);
		if (!ret)
			continue;
		quick_rtnl_error(q, ret);
		if (p.family == AF_INET6 && ret == -EACCES)
			quick_err(
			    q,
			    "IPv6 is disabled on this system (net.ipv6.conf.all.disable_ipv6=1 or ipv6.disable=1): enable it, or remove the IPv6 Address");
		return -1;
	}
	return 0;
}
