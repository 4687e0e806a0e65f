// SPDX-License-Identifier: GPL-2.0
/*
 * Socket side of the kernel back end: finds the WireGuard family, sends the
 * requests lib/nl-build.c writes and feeds the answers to lib/nl-parse.c.
 * Every buffer that may have carried a key is wiped before it is released.
 */
#include "ipc-netlink.h"
#include "nl-attr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <linux/wireguard.h>
#include <sodium.h>

/* The kernel caps a dump's messages at 32 KiB; receive them whole. */
#define RX_SIZE 32768
/* How often a dump interrupted by a concurrent change is started over. */
#define MAX_TRIES 64
/* Far beyond IFNAMSIZ, well within one request buffer. */
#define MAX_NAME 1024

struct conn {
	struct mnl_socket *nl;
	uint32_t seq;
	void *rx, *tx;
	size_t txlen;
};

static int forced_flags = -1;
static int probed_flags = -1;

static void conn_close(struct conn *c)
{
	if (c->nl)
		mnl_socket_close(c->nl);
	if (c->rx)
		sodium_memzero(c->rx, RX_SIZE);
	if (c->tx)
		sodium_memzero(c->tx, c->txlen);
	free(c->rx);
	free(c->tx);
	memset(c, 0, sizeof(*c));
}

static int conn_open(struct conn *c, int bus)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->txlen = MNL_SOCKET_BUFFER_SIZE;
	c->rx = malloc(RX_SIZE);
	c->tx = calloc(1, c->txlen);
	c->nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!c->rx || !c->tx || !c->nl)
		goto fail;
	if (mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	return 0;
fail:
	ret = errno ? -errno : -ENOMEM;
	conn_close(c);
	return ret;
}

/* Sends one request and folds every answer through FN until it is done. */
static int conn_talk(struct conn *c, const struct nlmsghdr *nlh,
		     int (*fn)(const struct nlmsghdr *, void *), void *data)
{
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(c->nl, c->rx, RX_SIZE);
		if (n < 0)
			return -errno;
		ret = ipc_netlink_walk(c->rx, (size_t)n, fn, data);
	} while (ret > 0);
	return ret;
}

static struct nlmsghdr *put_ctrl(struct conn *c, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(c->tx);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++c->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = 1;
	return nlh;
}

static int family_id_attr(const struct nlattr *attr, void *family)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    !mnl_attr_validate(attr, MNL_TYPE_U16))
		*(uint16_t *)family = mnl_attr_get_u16(attr);
	return 0;
}

static int family_id_of(const struct nlmsghdr *nlh, void *family)
{
	return nl_attr_walk(nlh, sizeof(struct genlmsghdr), family_id_attr, family);
}

/* The family's number; asking also makes the kernel load the module. */
static int resolve_family(struct conn *c, uint16_t *family)
{
	struct nlmsghdr *nlh = put_ctrl(c, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	int ret;

	*family = 0;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	ret = conn_talk(c, nlh, family_id_of, family);
	if (ret == -ENOENT)
		return -EPROTONOSUPPORT;
	if (!ret && !*family)
		return -EPROTONOSUPPORT;
	return ret;
}

static int open_family(struct conn *c, uint16_t *family)
{
	int ret = conn_open(c, NETLINK_GENERIC);

	if (ret)
		return ret;
	ret = resolve_family(c, family);
	if (ret)
		conn_close(c);
	return ret;
}

static int fold_policy(const struct nlmsghdr *nlh, void *scan)
{
	return ipc_netlink_parse_policy(nlh, scan);
}

/* Linux 6.16 to 6.18 know the flag but export only the device's policy. */
static bool release_has_flags(void)
{
	struct utsname u;
	unsigned int major, minor;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 16);
}

static bool probe_flags(void)
{
	struct ipc_netlink_policy_scan scan;
	struct nlmsghdr *nlh;
	struct conn c;
	uint16_t family;
	int ret;

	if (open_family(&c, &family))
		return false;
	ipc_netlink_policy_scan_init(&scan);
	nlh = put_ctrl(&c, CTRL_CMD_GETPOLICY, NLM_F_DUMP);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, family);
	ret = conn_talk(&c, nlh, fold_policy, &scan);
	conn_close(&c);
	if (ret)
		return false;
	ret = ipc_netlink_policy_verdict(&scan);
	return ret < 0 ? release_has_flags() : ret;
}

bool ipc_netlink_has_allowedip_flags(void)
{
	if (forced_flags >= 0)
		return forced_flags;
	if (probed_flags < 0)
		probed_flags = probe_flags();
	return probed_flags;
}

void ipc_netlink_override_allowedip_flags(int state)
{
	forced_flags = state < 0 ? -1 : !!state;
}

static int fold_device(const struct nlmsghdr *nlh, void *dev)
{
	return ipc_netlink_parse_device(nlh, dev);
}

/* One attempt at reading IFACE; -EINTR when it changed during the dump. */
static int get_once(struct wgdevice **out, const char *iface)
{
	struct wgdevice *dev = NULL;
	struct conn c;
	uint16_t family;
	int ret;

	ret = open_family(&c, &family);
	if (ret)
		return ret;
	dev = model_device_new();
	ret = -ENOMEM;
	if (!dev)
		goto out;
	ret = conn_talk(&c, ipc_netlink_build_get(c.tx, family, ++c.seq, iface), fold_device, dev);
	if (ret)
		goto out;
	if (!dev->name[0] && strlen(iface) < IFNAMSIZ)
		memcpy(dev->name, iface, strlen(iface) + 1);
	*out = dev;
	dev = NULL;
out:
	model_device_free(dev);
	conn_close(&c);
	return ret;
}

int ipc_netlink_get(struct wgdevice **out, const char *iface)
{
	int ret, tries = 0;

	*out = NULL;
	/*
	 * A name too long for a link still goes to the kernel, which refuses it
	 * the way wireguard-tools reports (EINVAL); only one that cannot fit in
	 * a request is refused here.
	 */
	if (strlen(iface) > MAX_NAME)
		return -EINVAL;
	do
		ret = get_once(out, iface);
	while (ret == -EINTR && ++tries < MAX_TRIES);
	return ret;
}

static bool removes_allowedips(const struct wgdevice *dev)
{
	const struct wgpeer *peer;
	const struct wgallowedip *aip;

	for_each_wgpeer (dev, peer)
		for_each_wgallowedip (peer, aip)
			if (aip->flags & WGALLOWEDIP_REMOVE_ME)
				return true;
	return false;
}

int ipc_netlink_set(struct wgdevice *dev)
{
	struct ipc_netlink_cursor cur;
	struct conn c;
	uint16_t family;
	int ret;

	/* An older kernel would add what we mean to remove: refuse it all. */
	if (removes_allowedips(dev) && !ipc_netlink_has_allowedip_flags())
		return -EOPNOTSUPP;
	ret = open_family(&c, &family);
	if (ret)
		return ret;
	ipc_netlink_cursor_init(&cur, dev);
	do {
		ret = ipc_netlink_build_set(c.tx, c.txlen, family, ++c.seq, dev, &cur);
		if (!ret)
			ret = conn_talk(&c, c.tx, NULL, NULL);
		sodium_memzero(c.tx, c.txlen);
	} while (!ret && !ipc_netlink_cursor_done(&cur));
	conn_close(&c);
	return ret;
}

static int fold_link(const struct nlmsghdr *nlh, void *data)
{
	void **out = data;

	return ipc_netlink_parse_link(nlh, out[0], out[1]);
}

static int list_once(char **buf, size_t *len)
{
	void *out[2] = {buf, len};
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct conn c;
	int ret;

	ret = conn_open(&c, NETLINK_ROUTE);
	if (ret)
		return ret;
	nlh = mnl_nlmsg_put_header(c.tx);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++c.seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ret = conn_talk(&c, nlh, fold_link, out);
	conn_close(&c);
	return ret;
}

int ipc_netlink_list(char **buf, size_t *len)
{
	size_t start = *len;
	int ret, tries = 0;

	do {
		/* Links changed during the dump: forget this attempt's names. */
		*len = start;
		ret = list_once(buf, len);
	} while (ret == -EINTR && ++tries < MAX_TRIES);
	return ret;
}
