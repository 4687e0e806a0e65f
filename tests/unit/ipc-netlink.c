// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel back end's message building, without a kernel: WG_CMD_SET_DEVICE
 * messages for a big model are walked back with libmnl's own parser and
 * checked against the model. Last, the live host (no WireGuard module) must
 * fail cleanly, and removal must be refused where the kernel cannot do it.
 */
#include "ipc-netlink.h"
#include "tests/lib/tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#define BUF 8192
#define FAMILY 0x1b

/* A fixed seed: the same model, and so the same split, on every run. */
static unsigned int seed = 1;

static uint32_t next_rand(void)
{
	return (uint32_t)rand_r(&seed) << 1 ^ (uint32_t)rand_r(&seed);
}

static void fill_aip(struct wgallowedip *aip, unsigned int n)
{
	uint32_t r = next_rand();

	aip->family = n % 3 ? AF_INET : AF_INET6;
	if (aip->family == AF_INET) {
		aip->ip4.s_addr = htonl(r);
		aip->cidr = r % 33;
	} else {
		memset(&aip->ip6, (int)(r & 0xff), sizeof(aip->ip6));
		memcpy(&aip->ip6, &n, sizeof(n));
		aip->cidr = r % 129;
	}
}

static struct wgpeer *add_peer(struct wgdevice *dev, unsigned int i, unsigned int aips)
{
	struct wgpeer *peer = model_peer_append(dev);
	unsigned int n;

	memset(peer->public_key, 0, WG_KEY_LEN);
	memcpy(peer->public_key, &i, sizeof(i));
	peer->public_key[31] = 0x5a;
	peer->flags = WGPEER_HAS_PUBLIC_KEY | (i % 2 ? WGPEER_REPLACE_ALLOWEDIPS : 0);
	if (i % 5 == 0) {
		peer->flags |= WGPEER_HAS_PRESHARED_KEY | WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
		memset(peer->preshared_key, (int)i, WG_KEY_LEN);
		peer->persistent_keepalive_interval = (uint16_t)(i % 65);
	}
	if (i % 3 == 0) {
		peer->endpoint.addr4.sin_family = AF_INET;
		peer->endpoint.addr4.sin_port = htons((uint16_t)i);
		peer->endpoint.addr4.sin_addr.s_addr = htonl(0x0a000000 + i);
	} else if (i % 3 == 1) {
		peer->endpoint.addr6.sin6_family = AF_INET6;
		peer->endpoint.addr6.sin6_port = htons((uint16_t)i);
		peer->endpoint.addr6.sin6_addr.s6_addr[15] = (uint8_t)i;
	}
	for (n = 0; n < aips; ++n)
		fill_aip(model_allowedip_append(peer), n);
	return peer;
}

static struct wgdevice *big_model(void)
{
	struct wgdevice *dev = model_device_new();
	unsigned int i;

	strcpy(dev->name, "wg-big");
	dev->flags = WGDEVICE_REPLACE_PEERS | WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_LISTEN_PORT |
		     WGDEVICE_HAS_FWMARK;
	memset(dev->private_key, 0x42, WG_KEY_LEN);
	dev->listen_port = 51820;
	dev->fwmark = 0xca6c;
	for (i = 0; i < 2000; ++i)
		add_peer(dev, i, 1 + next_rand() % 20);
	add_peer(dev, 2000, 5000)->flags |= WGPEER_REPLACE_ALLOWEDIPS;
	add_peer(dev, 2001, 0);
	return dev;
}

/* ---- An independent reader of the built messages, on mnl_attr_parse(). ---- */

struct walk {
	const struct wgdevice *dev;
	const struct wgpeer *peer;     /* the peer of the last fragment seen */
	const struct wgallowedip *aip; /* its next expected allowed IP */
	bool mid_peer;		       /* that peer still has allowed IPs to come */
	bool peer_in_msg;	       /* a peer fragment was already seen in this message */
	unsigned int messages, peers, aips, errors;
};

static int table_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type < 16)
		tb[type] = attr;
	return MNL_CB_OK;
}

static bool same_aip(const struct nlattr *nest, const struct wgallowedip *want)
{
	const struct nlattr *tb[16] = {0};
	size_t len = want->family == AF_INET ? 4 : 16;
	bool remove;

	if (mnl_attr_parse_nested(nest, table_cb, tb) != MNL_CB_OK)
		return false;
	remove = tb[4] && mnl_attr_get_u32(tb[4]) == 1;
	return tb[WGALLOWEDIP_A_FAMILY] && tb[WGALLOWEDIP_A_IPADDR] &&
	       tb[WGALLOWEDIP_A_CIDR_MASK] &&
	       mnl_attr_get_u16(tb[WGALLOWEDIP_A_FAMILY]) == want->family &&
	       mnl_attr_get_payload_len(tb[WGALLOWEDIP_A_IPADDR]) == len &&
	       !memcmp(mnl_attr_get_payload(tb[WGALLOWEDIP_A_IPADDR]), &want->ip6, len) &&
	       mnl_attr_get_u8(tb[WGALLOWEDIP_A_CIDR_MASK]) == want->cidr &&
	       remove == !!(want->flags & WGALLOWEDIP_REMOVE_ME);
}

static void walk_aips(struct walk *w, const struct nlattr *nest)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest)
	{
		if (!w->aip || !same_aip(attr, w->aip)) {
			w->errors++;
			return;
		}
		w->aip = w->aip->next_allowedip;
		w->aips++;
	}
}

static uint32_t want_flags(const struct wgpeer *peer, bool continued)
{
	uint32_t f = 0;

	if (!continued && peer->flags & WGPEER_REPLACE_ALLOWEDIPS)
		f |= WGPEER_F_REPLACE_ALLOWEDIPS;
	if (!continued && peer->flags & WGPEER_REMOVE_ME)
		f |= WGPEER_F_REMOVE_ME;
	if (peer->flags & WGPEER_UPDATE_ONLY)
		f |= WGPEER_F_UPDATE_ONLY;
	return f;
}

/* The head fields go with a peer's first fragment only. */
static bool head_ok(const struct nlattr **tb, const struct wgpeer *peer, bool continued)
{
	bool head = !continued && !(peer->flags & WGPEER_REMOVE_ME);
	bool psk = head && peer->flags & WGPEER_HAS_PRESHARED_KEY;
	bool ka = head && peer->flags & WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	bool ep = head && peer->endpoint.addr.sa_family;
	uint32_t flags = tb[WGPEER_A_FLAGS] ? mnl_attr_get_u32(tb[WGPEER_A_FLAGS]) : 0;

	if (flags != want_flags(peer, continued) || !!tb[WGPEER_A_PRESHARED_KEY] != psk ||
	    !!tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL] != ka || !!tb[WGPEER_A_ENDPOINT] != ep)
		return false;
	if (psk && memcmp(mnl_attr_get_payload(tb[WGPEER_A_PRESHARED_KEY]), peer->preshared_key,
			  WG_KEY_LEN))
		return false;
	if (ka && mnl_attr_get_u16(tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]) !=
		      peer->persistent_keepalive_interval)
		return false;
	return !ep || !memcmp(mnl_attr_get_payload(tb[WGPEER_A_ENDPOINT]), &peer->endpoint,
			      mnl_attr_get_payload_len(tb[WGPEER_A_ENDPOINT]));
}

static void walk_peer(struct walk *w, const struct nlattr *nest)
{
	const struct nlattr *tb[16] = {0};
	bool continued = w->mid_peer;

	if (mnl_attr_parse_nested(nest, table_cb, tb) != MNL_CB_OK || !tb[WGPEER_A_PUBLIC_KEY])
		goto bad;
	/* Only the first peer of a message may continue one cut short. */
	if (continued && w->peer_in_msg)
		goto bad;
	if (!continued) {
		w->peer = w->peer ? w->peer->next_peer : w->dev->first_peer;
		if (!w->peer)
			goto bad;
		w->aip = w->peer->flags & WGPEER_REMOVE_ME ? NULL : w->peer->first_allowedip;
		w->peers++;
	}
	if (memcmp(mnl_attr_get_payload(tb[WGPEER_A_PUBLIC_KEY]), w->peer->public_key,
		   WG_KEY_LEN) ||
	    !head_ok(tb, w->peer, continued))
		goto bad;
	if (tb[WGPEER_A_ALLOWEDIPS])
		walk_aips(w, tb[WGPEER_A_ALLOWEDIPS]);
	w->mid_peer = w->aip != NULL;
	w->peer_in_msg = true;
	return;
bad:
	w->errors++;
}

static void walk_device(struct walk *w, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[16] = {0}, *attr;
	bool first = !w->messages++;
	uint32_t flags;

	w->peer_in_msg = false;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), table_cb, tb) != MNL_CB_OK ||
	    !tb[WGDEVICE_A_IFNAME] || strcmp(mnl_attr_get_str(tb[WGDEVICE_A_IFNAME]), w->dev->name))
		w->errors++;
	flags = tb[WGDEVICE_A_FLAGS] ? mnl_attr_get_u32(tb[WGDEVICE_A_FLAGS]) : 0;
	if ((first && w->dev->flags & WGDEVICE_REPLACE_PEERS) !=
		(flags == WGDEVICE_F_REPLACE_PEERS) ||
	    (first && w->dev->flags & WGDEVICE_HAS_PRIVATE_KEY) != !!tb[WGDEVICE_A_PRIVATE_KEY] ||
	    (first && w->dev->flags & WGDEVICE_HAS_LISTEN_PORT) != !!tb[WGDEVICE_A_LISTEN_PORT] ||
	    (first && w->dev->flags & WGDEVICE_HAS_FWMARK) != !!tb[WGDEVICE_A_FWMARK])
		w->errors++;
	if (tb[WGDEVICE_A_LISTEN_PORT] &&
	    mnl_attr_get_u16(tb[WGDEVICE_A_LISTEN_PORT]) != w->dev->listen_port)
		w->errors++;
	if (tb[WGDEVICE_A_FWMARK] && mnl_attr_get_u32(tb[WGDEVICE_A_FWMARK]) != w->dev->fwmark)
		w->errors++;
	if (tb[WGDEVICE_A_PRIVATE_KEY] && memcmp(mnl_attr_get_payload(tb[WGDEVICE_A_PRIVATE_KEY]),
						 w->dev->private_key, WG_KEY_LEN))
		w->errors++;
	if (!tb[WGDEVICE_A_PEERS])
		return;
	mnl_attr_for_each_nested(attr, tb[WGDEVICE_A_PEERS]) walk_peer(w, attr);
}

static unsigned int count_aips(const struct wgdevice *dev, unsigned int *peers)
{
	const struct wgpeer *peer;
	const struct wgallowedip *aip;
	unsigned int n = 0;

	*peers = 0;
	for_each_wgpeer (dev, peer) {
		++*peers;
		for_each_wgallowedip (peer, aip)
			++n;
	}
	return n;
}

/* Builds every message for DEV into BUFLEN-byte buffers, walking each back. */
static int build_all(const struct wgdevice *dev, size_t buflen, struct walk *w,
		     struct wgdevice *reparsed)
{
	struct ipc_netlink_cursor cur;
	char *buf = malloc(buflen);
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int ret = 0;

	memset(w, 0, sizeof(*w));
	w->dev = dev;
	ipc_netlink_cursor_init(&cur, dev);
	while (!ipc_netlink_cursor_done(&cur) && cur.messages < 100000) {
		ret = ipc_netlink_build_set(buf, buflen, FAMILY, cur.messages + 1, dev, &cur);
		if (ret)
			break;
		if (nlh->nlmsg_len > buflen || nlh->nlmsg_type != FAMILY ||
		    !(nlh->nlmsg_flags & NLM_F_ACK))
			w->errors++;
		walk_device(w, nlh);
		if (reparsed && ipc_netlink_parse_device(nlh, reparsed))
			w->errors++;
	}
	free(buf);
	return ret;
}

static void test_build_big(void)
{
	unsigned int peers, aips;
	struct wgdevice *dev = big_model(), *back = model_device_new();
	struct walk w;
	const struct wgpeer *a, *b;
	const struct wgallowedip *x, *y;
	bool same = true;

	aips = count_aips(dev, &peers);
	is_int(build_all(dev, BUF, &w, back), 0, "a model of %u peers, %u allowed IPs builds",
	       peers, aips);
	ok(w.messages > 10, "it needs many messages (%u)", w.messages);
	is_int(w.errors, 0, "every message fits, flags only where due, everything in order");
	is_int(w.peers, peers, "every peer appears once");
	is_int(w.aips, aips, "every allowed IP appears once");
	ok(!w.mid_peer, "the last peer was finished");
	/* The dump parser reads the same attributes and coalesces repeated peers. */
	for (a = dev->first_peer, b = back->first_peer; a && b; a = a->next_peer, b = b->next_peer)
		for (x = a->first_allowedip, y = b->first_allowedip; x || y;
		     x = x->next_allowedip, y = y->next_allowedip)
			if (!x || !y || x->cidr != y->cidr ||
			    memcmp(&x->ip6, &y->ip6, x->family == AF_INET ? 4 : 16))
				same = false;
	ok(same && !a && !b, "folding the messages back gives the same peers and allowed IPs");
	model_device_free(back);
	model_device_free(dev);
}

/* Small buffers: a peer cut after its head, and a buffer too small for any. */
static void test_build_small(void)
{
	struct wgdevice *dev = model_device_new();
	struct ipc_netlink_cursor cur;
	struct walk w;
	size_t len;
	char buf[256];

	strcpy(dev->name, "wg0");
	add_peer(dev, 1, 40);
	add_peer(dev, 3, 3)->flags |= WGPEER_UPDATE_ONLY;
	/* A removed peer goes out as its key and flags: its allowed IPs stay home. */
	add_peer(dev, 5, 30)->flags |= WGPEER_REMOVE_ME;
	for (len = 160; len <= 320; len += 8) {
		is_int(build_all(dev, len, &w, NULL), 0, "%zu-byte messages: the build succeeds",
		       len);
		ok(!w.errors && w.peers == 3 && w.aips == 43,
		   "%zu-byte messages: %u of them carry it all", len, w.messages);
	}
	ipc_netlink_cursor_init(&cur, dev);
	is_int(ipc_netlink_build_set(buf, 24, FAMILY, 1, dev, &cur), -EMSGSIZE,
	       "a buffer that cannot hold the name is refused");
	ipc_netlink_cursor_init(&cur, dev);
	cur.messages = 1;
	is_int(ipc_netlink_build_set(buf, 60, FAMILY, 2, dev, &cur), -EMSGSIZE,
	       "a later message that cannot hold one peer is refused");
	model_device_free(dev);
}

static void test_build_remove(void)
{
	struct wgdevice *dev = model_device_new();
	struct wgpeer *peer;
	struct walk w;

	strcpy(dev->name, "wg0");
	peer = add_peer(dev, 9, 3);
	peer->first_allowedip->next_allowedip->flags |= WGALLOWEDIP_REMOVE_ME;
	is_int(build_all(dev, BUF, &w, NULL), 0, "a model removing one allowed IP builds");
	ok(!w.errors && w.aips == 3 && w.messages == 1,
	   "the removal carries WGALLOWEDIP_A_FLAGS = REMOVE_ME, the others none");
	model_device_free(dev);
}
/* ---- The live host, whose kernel has no WireGuard. ---- */

static bool host_has_wireguard(void)
{
	return !access("/sys/module/wireguard", F_OK);
}

static void test_live(void)
{
	struct wgdevice *dev = (struct wgdevice *)&dev, *change = model_device_new();
	char *names = NULL;
	size_t len = 0;
	int ret;

	ret = ipc_netlink_get(&dev, "lo");
	ok(ret == -EPROTONOSUPPORT || ret == -ENODEV || ret == -EOPNOTSUPP,
	   "reading lo fails cleanly (%s)", strerror(-ret));
	ok(dev == NULL, "and returns no model");
	ret = ipc_netlink_get(&dev, "a-name-far-too-long-for-a-link");
	ok(ret < 0 && !dev, "a name too long for a link fails (%s)", strerror(-ret));
	if (!host_has_wireguard())
		is_int(ret, -EPROTONOSUPPORT, "first of all for want of WireGuard, as in wg");
	is_int(ipc_netlink_list(&names, &len), 0, "listing the links works");
	if (!host_has_wireguard())
		ok(len == 0 && names == NULL, "and finds no WireGuard link without the module");
	free(names);
	strcpy(change->name, "lo");
	add_peer(change, 1, 2)->first_allowedip->flags |= WGALLOWEDIP_REMOVE_ME;
	ipc_netlink_override_allowedip_flags(0);
	is_int(ipc_netlink_set(change), -EOPNOTSUPP, "removal is refused when unsupported");
	ipc_netlink_override_allowedip_flags(1);
	ret = ipc_netlink_set(change);
	ok(ret != -EOPNOTSUPP && ret < 0, "with support, the kernel is asked (%s)", strerror(-ret));
	ipc_netlink_override_allowedip_flags(-1);
	if (!host_has_wireguard()) {
		ok(!ipc_netlink_has_allowedip_flags(), "no WireGuard, no allowed-IP flags");
		is_int(ipc_netlink_set(change), -EOPNOTSUPP, "so the probe refuses removal too");
	}
	model_device_free(change);
}
int main(void)
{
	test_build_big();
	test_build_small();
	test_build_remove();
	test_live();
	return tap_done();
}
