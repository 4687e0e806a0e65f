// SPDX-License-Identifier: GPL-2.0
/*
 * Builds WireGuard's generic netlink requests from the model. A change too big
 * for one message is split the way the kernel's API documents: peers go on in
 * the next message, and a peer whose allowed IPs overflow is repeated there,
 * public key first and without its REPLACE flag, to carry the rest.
 */
#include "ipc-netlink.h"

#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

/* Debian 12's linux/wireguard.h predates incremental removal (Linux 6.16). */
#ifndef WGALLOWEDIP_A_FLAGS
#define WGALLOWEDIP_A_FLAGS 4
#endif
#ifndef WGALLOWEDIP_F_REMOVE_ME
#define WGALLOWEDIP_F_REMOVE_ME 1
#endif

enum peer_progress { PEER_NONE, PEER_PARTIAL, PEER_DONE };

static struct nlmsghdr *put_header(void *buf, uint16_t family, uint8_t cmd, uint16_t flags,
				   uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = WG_GENL_VERSION;
	return nlh;
}

struct nlmsghdr *ipc_netlink_build_get(void *buf, uint16_t family, uint32_t seq, const char *iface)
{
	struct nlmsghdr *nlh;

	nlh = put_header(buf, family, WG_CMD_GET_DEVICE, NLM_F_ACK | NLM_F_DUMP, seq);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, iface);
	return nlh;
}

void ipc_netlink_cursor_init(struct ipc_netlink_cursor *cur, const struct wgdevice *dev)
{
	memset(cur, 0, sizeof(*cur));
	cur->peer = dev->first_peer;
}

bool ipc_netlink_cursor_done(const struct ipc_netlink_cursor *cur)
{
	return cur->messages && !cur->peer;
}

static bool put_device(struct nlmsghdr *nlh, size_t len, const struct wgdevice *dev)
{
	uint32_t flags = dev->flags & WGDEVICE_REPLACE_PEERS ? WGDEVICE_F_REPLACE_PEERS : 0;

	if (dev->flags & WGDEVICE_HAS_PRIVATE_KEY &&
	    !mnl_attr_put_check(nlh, len, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, dev->private_key))
		return false;
	if (dev->flags & WGDEVICE_HAS_LISTEN_PORT &&
	    !mnl_attr_put_u16_check(nlh, len, WGDEVICE_A_LISTEN_PORT, dev->listen_port))
		return false;
	if (dev->flags & WGDEVICE_HAS_FWMARK &&
	    !mnl_attr_put_u32_check(nlh, len, WGDEVICE_A_FWMARK, dev->fwmark))
		return false;
	return !flags || mnl_attr_put_u32_check(nlh, len, WGDEVICE_A_FLAGS, flags);
}

/*
 * The kernel's flags for one fragment of a peer. A continued peer keeps
 * UPDATE_ONLY, so that a peer the first fragment did not create is not
 * created by the second, but never replaces its allowed IPs again.
 */
static uint32_t peer_flags(const struct wgpeer *peer, bool continued)
{
	uint32_t flags = 0;

	if (peer->flags & WGPEER_UPDATE_ONLY)
		flags |= WGPEER_F_UPDATE_ONLY;
	if (continued)
		return flags;
	if (peer->flags & WGPEER_REMOVE_ME)
		flags |= WGPEER_F_REMOVE_ME;
	if (peer->flags & WGPEER_REPLACE_ALLOWEDIPS)
		flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
	return flags;
}

static bool put_endpoint(struct nlmsghdr *nlh, size_t len, const union wgendpoint *ep)
{
	if (ep->addr.sa_family == AF_INET)
		return mnl_attr_put_check(nlh, len, WGPEER_A_ENDPOINT, sizeof(ep->addr4),
					  &ep->addr4);
	if (ep->addr.sa_family == AF_INET6)
		return mnl_attr_put_check(nlh, len, WGPEER_A_ENDPOINT, sizeof(ep->addr6),
					  &ep->addr6);
	return true;
}

static bool put_peer_head(struct nlmsghdr *nlh, size_t len, const struct wgpeer *peer,
			  bool continued)
{
	uint32_t flags = peer_flags(peer, continued);

	if (!mnl_attr_put_check(nlh, len, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, peer->public_key))
		return false;
	if (flags && !mnl_attr_put_u32_check(nlh, len, WGPEER_A_FLAGS, flags))
		return false;
	if (continued || peer->flags & WGPEER_REMOVE_ME)
		return true;
	if (peer->flags & WGPEER_HAS_PRESHARED_KEY &&
	    !mnl_attr_put_check(nlh, len, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN, peer->preshared_key))
		return false;
	if (!put_endpoint(nlh, len, &peer->endpoint))
		return false;
	return !(peer->flags & WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL) ||
	       mnl_attr_put_u16_check(nlh, len, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
				      peer->persistent_keepalive_interval);
}

static bool put_allowedip(struct nlmsghdr *nlh, size_t len, const struct wgallowedip *aip)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, len, 0);
	size_t addrlen = aip->family == AF_INET6 ? sizeof(aip->ip6) : sizeof(aip->ip4);

	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, len, WGALLOWEDIP_A_FAMILY, aip->family) ||
	    !mnl_attr_put_check(nlh, len, WGALLOWEDIP_A_IPADDR, addrlen, &aip->ip6) ||
	    !mnl_attr_put_u8_check(nlh, len, WGALLOWEDIP_A_CIDR_MASK, aip->cidr))
		goto cancel;
	if (aip->flags & WGALLOWEDIP_REMOVE_ME &&
	    !mnl_attr_put_u32_check(nlh, len, WGALLOWEDIP_A_FLAGS, WGALLOWEDIP_F_REMOVE_ME))
		goto cancel;
	mnl_attr_nest_end(nlh, nest);
	return true;
cancel:
	mnl_attr_nest_cancel(nlh, nest);
	return false;
}

/* Writes allowed IPs from *aip on while they fit; returns how many, *aip the next. */
static unsigned int put_allowedips(struct nlmsghdr *nlh, size_t len, const struct wgallowedip **aip)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, len, WGPEER_A_ALLOWEDIPS);
	unsigned int n = 0;

	if (!nest)
		return 0;
	for (; *aip && put_allowedip(nlh, len, *aip); *aip = (*aip)->next_allowedip)
		++n;
	if (n)
		mnl_attr_nest_end(nlh, nest);
	else
		mnl_attr_nest_cancel(nlh, nest);
	return n;
}

/* Writes as much of the cursor's peer as fits and moves the cursor past it. */
static enum peer_progress put_peer(struct nlmsghdr *nlh, size_t len, struct ipc_netlink_cursor *cur)
{
	const struct wgallowedip *aip = cur->continued ? cur->aip : cur->peer->first_allowedip;
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, len, 0);
	unsigned int n = 0;

	/*
	 * The kernel reads nothing but the key of a peer it removes; sending its
	 * allowed IPs could split them off into a continuation, which would
	 * create the peer again.
	 */
	if (cur->peer->flags & WGPEER_REMOVE_ME)
		aip = NULL;

	if (!nest)
		return PEER_NONE;
	if (!put_peer_head(nlh, len, cur->peer, cur->continued))
		goto cancel;
	if (aip)
		n = put_allowedips(nlh, len, &aip);
	if (aip && cur->continued && !n)
		goto cancel;
	mnl_attr_nest_end(nlh, nest);
	if (aip) {
		cur->continued = true;
		cur->aip = aip;
		return PEER_PARTIAL;
	}
	cur->peer = cur->peer->next_peer;
	cur->continued = false;
	cur->aip = NULL;
	return PEER_DONE;
cancel:
	mnl_attr_nest_cancel(nlh, nest);
	return PEER_NONE;
}

/* Writes peers while they fit; returns whether at least part of one went in. */
static bool put_peers(struct nlmsghdr *nlh, size_t len, struct ipc_netlink_cursor *cur)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, len, WGDEVICE_A_PEERS);
	enum peer_progress progress = PEER_NONE;
	bool any = false;

	if (!nest)
		return false;
	while (cur->peer) {
		progress = put_peer(nlh, len, cur);
		if (progress == PEER_NONE)
			break;
		any = true;
		if (progress == PEER_PARTIAL)
			break;
	}
	if (any)
		mnl_attr_nest_end(nlh, nest);
	else
		mnl_attr_nest_cancel(nlh, nest);
	return any;
}

int ipc_netlink_build_set(void *buf, size_t len, uint16_t family, uint32_t seq,
			  const struct wgdevice *dev, struct ipc_netlink_cursor *cur)
{
	struct nlmsghdr *nlh;
	bool first = !cur->messages;

	/* A nest's length is 16 bits: keep the whole message within that. */
	if (len > UINT16_MAX)
		len = UINT16_MAX;
	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)))
		return -EMSGSIZE;
	nlh = put_header(buf, family, WG_CMD_SET_DEVICE, NLM_F_ACK, seq);
	if (!mnl_attr_put_strz_check(nlh, len, WGDEVICE_A_IFNAME, dev->name))
		return -EMSGSIZE;
	if (first && !put_device(nlh, len, dev))
		return -EMSGSIZE;
	if (!put_peers(nlh, len, cur) && !first && cur->peer)
		return -EMSGSIZE;
	cur->messages++;
	return 0;
}
