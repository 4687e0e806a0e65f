// SPDX-License-Identifier: GPL-2.0
/*
 * Parses what the kernel sends back: WG_CMD_GET_DEVICE dump messages folded
 * into one model (a peer split over two messages comes back as one), and the
 * control messages around them. Every length is checked before it is read;
 * attributes this code does not know are skipped, so newer kernels still parse.
 */
#include "ipc-netlink.h"
#include "nl-attr.h"

#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <sodium.h>

static bool get_key(const struct nlattr *attr, uint8_t key[WG_KEY_LEN])
{
	if (mnl_attr_get_payload_len(attr) != WG_KEY_LEN)
		return false;
	memcpy(key, mnl_attr_get_payload(attr), WG_KEY_LEN);
	return true;
}

struct aip_fields {
	struct wgallowedip aip;
	size_t addrlen;
	int cidr;
};

static int allowedip_attr(const struct nlattr *attr, void *data)
{
	struct aip_fields *f = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type == WGALLOWEDIP_A_FAMILY && !mnl_attr_validate(attr, MNL_TYPE_U16))
		f->aip.family = mnl_attr_get_u16(attr);
	else if (type == WGALLOWEDIP_A_CIDR_MASK && !mnl_attr_validate(attr, MNL_TYPE_U8))
		f->cidr = mnl_attr_get_u8(attr);
	else if (type == WGALLOWEDIP_A_IPADDR && mnl_attr_get_payload_len(attr) <= 16) {
		f->addrlen = mnl_attr_get_payload_len(attr);
		memcpy(&f->aip.ip6, mnl_attr_get_payload(attr), f->addrlen);
	} else if (type <= WGALLOWEDIP_A_CIDR_MASK)
		return -EINVAL;
	return 0;
}

static bool allowedip_complete(struct aip_fields *f)
{
	if (f->aip.family == AF_INET && (f->addrlen != sizeof(f->aip.ip4) || f->cidr > 32))
		return false;
	if (f->aip.family == AF_INET6 && (f->addrlen != sizeof(f->aip.ip6) || f->cidr > 128))
		return false;
	if ((f->aip.family != AF_INET && f->aip.family != AF_INET6) || f->cidr < 0)
		return false;
	f->aip.cidr = (uint8_t)f->cidr;
	return true;
}

static int parse_allowedip(const struct nlattr *nest, void *peer)
{
	struct aip_fields f = {.cidr = -1};
	struct wgallowedip *aip;
	int ret = nl_attr_walk_nested(nest, allowedip_attr, &f);

	if (ret)
		return ret;
	if (!allowedip_complete(&f))
		return -EINVAL;
	aip = model_allowedip_append(peer);
	if (!aip)
		return -ENOMEM;
	*aip = f.aip;
	return 0;
}

static bool get_endpoint(const struct nlattr *attr, union wgendpoint *ep)
{
	size_t len = mnl_attr_get_payload_len(attr);
	sa_family_t family;

	if (len < sizeof(family))
		return false;
	memcpy(&family, mnl_attr_get_payload(attr), sizeof(family));
	if (!(family == AF_INET && len == sizeof(ep->addr4)) &&
	    !(family == AF_INET6 && len == sizeof(ep->addr6)))
		return false;
	memcpy(ep, mnl_attr_get_payload(attr), len);
	return true;
}

static bool get_handshake(const struct nlattr *attr, struct timespec *ts)
{
	struct __kernel_timespec kts;

	if (mnl_attr_get_payload_len(attr) != sizeof(kts))
		return false;
	memcpy(&kts, mnl_attr_get_payload(attr), sizeof(kts));
	ts->tv_sec = kts.tv_sec;
	ts->tv_nsec = kts.tv_nsec;
	return true;
}

static bool get_u64(const struct nlattr *attr, uint64_t *v)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U64))
		return false;
	*v = mnl_attr_get_u64(attr);
	return true;
}

static int parse_peer_attr(const struct nlattr *attr, void *data)
{
	struct wgpeer *peer = data;

	switch (mnl_attr_get_type(attr)) {
	case WGPEER_A_PUBLIC_KEY:
		peer->flags |= WGPEER_HAS_PUBLIC_KEY;
		return get_key(attr, peer->public_key) ? 0 : -EINVAL;
	case WGPEER_A_PRESHARED_KEY:
		if (!get_key(attr, peer->preshared_key))
			return -EINVAL;
		/* The kernel sends zeros for "no preshared key". */
		if (!sodium_is_zero(peer->preshared_key, WG_KEY_LEN))
			peer->flags |= WGPEER_HAS_PRESHARED_KEY;
		return 0;
	case WGPEER_A_ENDPOINT:
		return get_endpoint(attr, &peer->endpoint) ? 0 : -EINVAL;
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		if (mnl_attr_validate(attr, MNL_TYPE_U16))
			return -EINVAL;
		peer->persistent_keepalive_interval = mnl_attr_get_u16(attr);
		peer->flags |= WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
		return 0;
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		return get_handshake(attr, &peer->last_handshake_time) ? 0 : -EINVAL;
	case WGPEER_A_RX_BYTES:
		return get_u64(attr, &peer->rx_bytes) ? 0 : -EINVAL;
	case WGPEER_A_TX_BYTES:
		return get_u64(attr, &peer->tx_bytes) ? 0 : -EINVAL;
	case WGPEER_A_ALLOWEDIPS:
		return nl_attr_walk_nested(attr, parse_allowedip, peer);
	default:
		/* Flags, protocol version and whatever newer kernels add. */
		return 0;
	}
}

static void free_allowedips(struct wgallowedip *aip)
{
	struct wgallowedip *next;

	for (; aip; aip = next) {
		next = aip->next_allowedip;
		free(aip);
	}
}

/*
 * Takes a parsed peer into DEV: as the continuation of DEV's last peer when
 * the public key is the same, else as a new peer. Ownership of its allowed
 * IPs moves to DEV.
 */
static int adopt_peer(struct wgdevice *dev, struct wgpeer *parsed)
{
	struct wgpeer *last = dev->last_peer, *peer;

	if (last && !sodium_memcmp(last->public_key, parsed->public_key, WG_KEY_LEN)) {
		if (!parsed->first_allowedip)
			return 0;
		if (last->last_allowedip)
			last->last_allowedip->next_allowedip = parsed->first_allowedip;
		else
			last->first_allowedip = parsed->first_allowedip;
		last->last_allowedip = parsed->last_allowedip;
		return 0;
	}
	peer = model_peer_append(dev);
	if (!peer)
		return -ENOMEM;
	*peer = *parsed;
	peer->next_peer = NULL;
	return 0;
}

static int parse_peer(const struct nlattr *nest, void *dev)
{
	struct wgpeer parsed;
	int ret;

	memset(&parsed, 0, sizeof(parsed));
	ret = nl_attr_walk_nested(nest, parse_peer_attr, &parsed);
	if (!ret && !(parsed.flags & WGPEER_HAS_PUBLIC_KEY))
		ret = -EINVAL;
	if (!ret)
		ret = adopt_peer(dev, &parsed);
	if (ret)
		free_allowedips(parsed.first_allowedip);
	sodium_memzero(&parsed, sizeof(parsed));
	return ret;
}

static bool get_ifname(const struct nlattr *attr, char name[IFNAMSIZ])
{
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) ||
	    mnl_attr_get_payload_len(attr) > IFNAMSIZ)
		return false;
	memcpy(name, mnl_attr_get_str(attr), mnl_attr_get_payload_len(attr));
	return true;
}

static int parse_device_attr(const struct nlattr *attr, void *data)
{
	struct wgdevice *dev = data;

	switch (mnl_attr_get_type(attr)) {
	case WGDEVICE_A_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32))
			return -EINVAL;
		dev->ifindex = mnl_attr_get_u32(attr);
		return 0;
	case WGDEVICE_A_IFNAME:
		return get_ifname(attr, dev->name) ? 0 : -EINVAL;
	case WGDEVICE_A_PRIVATE_KEY:
		dev->flags |= WGDEVICE_HAS_PRIVATE_KEY;
		return get_key(attr, dev->private_key) ? 0 : -EINVAL;
	case WGDEVICE_A_PUBLIC_KEY:
		dev->flags |= WGDEVICE_HAS_PUBLIC_KEY;
		return get_key(attr, dev->public_key) ? 0 : -EINVAL;
	case WGDEVICE_A_LISTEN_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16))
			return -EINVAL;
		dev->listen_port = mnl_attr_get_u16(attr);
		dev->flags |= WGDEVICE_HAS_LISTEN_PORT;
		return 0;
	case WGDEVICE_A_FWMARK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32))
			return -EINVAL;
		dev->fwmark = mnl_attr_get_u32(attr);
		dev->flags |= WGDEVICE_HAS_FWMARK;
		return 0;
	case WGDEVICE_A_PEERS:
		return nl_attr_walk_nested(attr, parse_peer, dev);
	default:
		return 0;
	}
}

int ipc_netlink_parse_device(const struct nlmsghdr *nlh, struct wgdevice *dev)
{
	return nl_attr_walk(nlh, sizeof(struct genlmsghdr), parse_device_attr, dev);
}

static int error_of(const struct nlmsghdr *nlh)
{
	int err;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(err)))
		return nlh->nlmsg_type == NLMSG_DONE ? 0 : -EINVAL;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err > 0 || err < -4095)
		return -EPROTO;
	return err;
}

static int fold_message(const struct nlmsghdr *nlh, int (*fn)(const struct nlmsghdr *, void *),
			void *data)
{
	int ret;

	/* The object changed during the dump (DONE may say so too): start over. */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		return -EINTR;
	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
		return 1;
	case NLMSG_DONE:
	case NLMSG_ERROR:
		return error_of(nlh);
	case NLMSG_OVERRUN:
		return -EOVERFLOW;
	default:
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			return -EINVAL;
		ret = fn ? fn(nlh, data) : 0;
		return ret ? ret : 1;
	}
}

int ipc_netlink_walk(const void *buf, size_t len, int (*fn)(const struct nlmsghdr *, void *),
		     void *data)
{
	const char *p = buf;
	const struct nlmsghdr *nlh;
	int ret;

	/* libmnl's mnl_nlmsg_ok() trusts a length above INT_MAX: check here. */
	while (len >= sizeof(*nlh)) {
		nlh = (const struct nlmsghdr *)p;
		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len)
			return -EINVAL;
		ret = fold_message(nlh, fn, data);
		if (ret <= 0)
			return ret;
		if (NLMSG_ALIGN(nlh->nlmsg_len) >= len)
			return 1;
		len -= NLMSG_ALIGN(nlh->nlmsg_len);
		p += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return len ? -EINVAL : 1;
}

static int fold_device(const struct nlmsghdr *nlh, void *dev)
{
	return ipc_netlink_parse_device(nlh, dev);
}

int ipc_netlink_parse_dump(const void *buf, size_t len, struct wgdevice *dev)
{
	return ipc_netlink_walk(buf, len, fold_device, dev);
}
