// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel back end's parsers, without a kernel: crafted WG_CMD_GET_DEVICE
 * dumps (a peer split over two messages among them) are folded and checked;
 * truncated, malformed and randomly corrupted ones must be refused or parsed
 * without harm. Also the policy scan and the link list.
 */
#include "ipc-netlink.h"
#include "tests/lib/tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>

#define BUF 8192
#define FAMILY 0x1b

/* ---- Crafted dump messages. ---- */

static struct nlmsghdr *dump_msg(char *at, uint8_t dev_index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct genlmsghdr *genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));

	nlh->nlmsg_type = FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	genl->cmd = WG_CMD_GET_DEVICE;
	genl->version = WG_GENL_VERSION;
	mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, dev_index);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0");
	return nlh;
}

static void put_key(struct nlmsghdr *nlh, uint16_t type, uint8_t byte)
{
	uint8_t key[WG_KEY_LEN];

	memset(key, byte, sizeof(key));
	mnl_attr_put(nlh, type, sizeof(key), key);
}

static void put_aip(struct nlmsghdr *nlh, int family, const char *addr, uint8_t cidr)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, 0);
	struct in6_addr a;

	inet_pton(family, addr, &a);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, (uint16_t)family);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, family == AF_INET ? 4 : 16, &a);
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, cidr);
	mnl_attr_nest_end(nlh, nest);
}

static void put_peer_a(struct nlmsghdr *nlh)
{
	struct nlattr *peer = mnl_attr_nest_start(nlh, 0), *aips;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(51820)};
	struct __kernel_timespec ts = {.tv_sec = 1700000000, .tv_nsec = 5};

	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	put_key(nlh, WGPEER_A_PUBLIC_KEY, 0xa1);
	put_key(nlh, WGPEER_A_PRESHARED_KEY, 0);
	mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(sin), &sin);
	mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
	mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), &ts);
	mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 1000);
	mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, 2000);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip(nlh, AF_INET, "10.0.0.1", 32);
	put_aip(nlh, AF_INET6, "fd00::1", 128);
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 1);
	mnl_attr_put_u32(nlh, 99, 7); /* an attribute from the future */
	mnl_attr_nest_end(nlh, peer);
}

/* Peer B's head and first allowed IPs, or (CONTINUED) its key and the rest. */
static void put_peer_b(struct nlmsghdr *nlh, bool continued)
{
	struct nlattr *peer = mnl_attr_nest_start(nlh, 0), *aips;
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(1)};

	put_key(nlh, WGPEER_A_PUBLIC_KEY, 0xb1);
	if (!continued) {
		put_key(nlh, WGPEER_A_PRESHARED_KEY, 0xcc);
		inet_pton(AF_INET6, "2001:db8::2", &sin6.sin6_addr);
		mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(sin6), &sin6);
	}
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	if (continued) {
		put_aip(nlh, AF_INET, "10.3.0.0", 16);
	} else {
		put_aip(nlh, AF_INET, "10.1.0.0", 16);
		put_aip(nlh, AF_INET, "10.2.0.0", 16);
	}
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, peer);
}

/* Writes a three-part dump (two data messages and DONE); returns its length. */
static size_t craft_dump(char *buf)
{
	struct nlmsghdr *nlh = dump_msg(buf, 7);
	struct nlattr *peers, *peer_c;
	size_t len;

	put_key(nlh, WGDEVICE_A_PRIVATE_KEY, 0x11);
	put_key(nlh, WGDEVICE_A_PUBLIC_KEY, 0x22);
	mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
	mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 0);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	put_peer_a(nlh);
	put_peer_b(nlh, false);
	mnl_attr_nest_end(nlh, peers);
	len = NLMSG_ALIGN(nlh->nlmsg_len);
	nlh = dump_msg(buf + len, 7);
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	put_peer_b(nlh, true);
	peer_c = mnl_attr_nest_start(nlh, 0);
	put_key(nlh, WGPEER_A_PUBLIC_KEY, 0xc1);
	mnl_attr_nest_end(nlh, peer_c);
	mnl_attr_nest_end(nlh, peers);
	len += NLMSG_ALIGN(nlh->nlmsg_len);
	nlh = mnl_nlmsg_put_header(buf + len);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	return len + nlh->nlmsg_len;
}

static unsigned int aip_count(const struct wgpeer *peer)
{
	const struct wgallowedip *aip;
	unsigned int n = 0;

	for_each_wgallowedip (peer, aip)
		++n;
	return n;
}

static bool aip4_is(const struct wgallowedip *aip, const char *addr, uint8_t cidr)
{
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	return aip && aip->family == AF_INET && aip->ip4.s_addr == a.s_addr && aip->cidr == cidr;
}

static void check_peer_a(const struct wgpeer *a)
{
	const struct wgallowedip *aip = a->first_allowedip;

	ok(a->flags & WGPEER_HAS_PUBLIC_KEY && a->public_key[0] == 0xa1, "peer A's key");
	ok(!(a->flags & WGPEER_HAS_PRESHARED_KEY), "an all-zero preshared key is no key");
	ok(a->endpoint.addr4.sin_family == AF_INET && ntohs(a->endpoint.addr4.sin_port) == 51820 &&
	       ntohl(a->endpoint.addr4.sin_addr.s_addr) == 0xc0000201,
	   "peer A's IPv4 endpoint");
	is_int(a->persistent_keepalive_interval, 25, "peer A's keepalive");
	ok(a->last_handshake_time.tv_sec == 1700000000 && a->last_handshake_time.tv_nsec == 5,
	   "peer A's last handshake");
	ok(a->rx_bytes == 1000 && a->tx_bytes == 2000, "peer A's transfer counters");
	ok(aip4_is(aip, "10.0.0.1", 32) && aip->next_allowedip &&
	       aip->next_allowedip->family == AF_INET6 && aip->next_allowedip->cidr == 128 &&
	       aip->next_allowedip->ip6.s6_addr[15] == 1 && !aip->next_allowedip->next_allowedip,
	   "peer A's allowed IPs, IPv4 and IPv6");
}

static void check_dump_model(const struct wgdevice *dev)
{
	const struct wgpeer *a = dev->first_peer, *b = a ? a->next_peer : NULL;
	const struct wgpeer *c = b ? b->next_peer : NULL;
	const struct wgallowedip *aip;

	is_str(dev->name, "wg0", "the device's name");
	ok(dev->ifindex == 7 && dev->listen_port == 51820 && dev->fwmark == 0,
	   "index, port and fwmark");
	ok(dev->flags == (WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_PUBLIC_KEY |
			  WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK) &&
	       dev->private_key[0] == 0x11 && dev->public_key[31] == 0x22,
	   "the device's keys and flags");
	if (!ok(a && b && c && !c->next_peer, "three peers: the continued one was coalesced"))
		return;
	check_peer_a(a);
	ok(b->flags & WGPEER_HAS_PRESHARED_KEY && b->preshared_key[5] == 0xcc, "peer B's PSK");
	ok(b->endpoint.addr6.sin6_family == AF_INET6 &&
	       b->endpoint.addr6.sin6_addr.s6_addr[15] == 2,
	   "peer B's IPv6 endpoint");
	aip = b->first_allowedip;
	ok(aip_count(b) == 3 && aip4_is(aip, "10.1.0.0", 16) &&
	       aip4_is(aip->next_allowedip, "10.2.0.0", 16) &&
	       aip4_is(b->last_allowedip, "10.3.0.0", 16),
	   "peer B's allowed IPs continue across messages, in order");
	ok(c->public_key[0] == 0xc1 && !c->first_allowedip, "peer C has none");
}

static void test_parse_dump(void)
{
	char *buf = calloc(1, BUF);
	size_t len = craft_dump(buf), first = NLMSG_ALIGN(((struct nlmsghdr *)buf)->nlmsg_len);
	struct wgdevice *dev = model_device_new();

	is_int(ipc_netlink_parse_dump(buf, len, dev), 0, "a three-part dump folds, DONE ends it");
	check_dump_model(dev);
	model_device_free(dev);
	dev = model_device_new();
	is_int(ipc_netlink_parse_dump(buf, first, dev), 1, "the first receive asks for more");
	is_int(ipc_netlink_parse_dump(buf + first, len - first, dev), 0, "the second one ends");
	ok(dev->first_peer && aip_count(dev->first_peer->next_peer) == 3 &&
	       !dev->last_peer->first_allowedip,
	   "coalescing also works across separate receives");
	model_device_free(dev);
	free(buf);
}

/* ---- Broken input. ---- */

static int parse_fresh(const void *buf, size_t len)
{
	struct wgdevice *dev = model_device_new();
	int ret = ipc_netlink_parse_dump(buf, len, dev);

	model_device_free(dev);
	return ret;
}

static void test_truncated(void)
{
	char *buf = calloc(1, BUF), *copy;
	size_t len = craft_dump(buf), first = NLMSG_ALIGN(((struct nlmsghdr *)buf)->nlmsg_len);
	size_t second = first + NLMSG_ALIGN(((struct nlmsghdr *)(buf + first))->nlmsg_len), cut;
	unsigned int wrong = 0;
	int ret, want;

	for (cut = 0; cut < len; ++cut) {
		/* A copy of exactly CUT bytes, so ASan sees any read past it. */
		copy = malloc(cut ? cut : 1);
		memcpy(copy, buf, cut);
		ret = parse_fresh(copy, cut);
		want = cut == 0 || cut == first || cut == second ? 1 : -EINVAL;
		if (ret != want)
			wrong++;
		free(copy);
	}
	is_int(wrong, 0, "every truncation of the dump is refused (%zu tried)", len);
	free(buf);
}

/* A one-message dump with one peer whose content PUT writes. */
static int parse_peer_with(void (*put)(struct nlmsghdr *))
{
	char *buf = calloc(1, BUF);
	struct nlmsghdr *nlh = dump_msg(buf, 1);
	struct nlattr *peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	struct nlattr *peer = mnl_attr_nest_start(nlh, 0);
	int ret;

	put(nlh);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, peers);
	ret = parse_fresh(buf, nlh->nlmsg_len);
	free(buf);
	return ret;
}

static void put_good(struct nlmsghdr *nlh)
{
	put_key(nlh, WGPEER_A_PUBLIC_KEY, 1);
}

static void put_short_key(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, 31, "0123456789012345678901234567890");
}

static void put_no_key(struct nlmsghdr *nlh)
{
	mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 5);
}

static void put_bad_endpoint(struct nlmsghdr *nlh)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET};

	put_good(nlh);
	mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(sin6), &sin6);
}

static void put_bad_cidr(struct nlmsghdr *nlh)
{
	struct nlattr *aips;

	put_good(nlh);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	put_aip(nlh, AF_INET, "10.0.0.0", 33);
	mnl_attr_nest_end(nlh, aips);
}

static void put_v4_long_addr(struct nlmsghdr *nlh)
{
	struct nlattr *aips, *aip;

	put_good(nlh);
	aips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	aip = mnl_attr_nest_start(nlh, 0);
	mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET);
	mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, 16, "0123456789abcdef");
	mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, 8);
	mnl_attr_nest_end(nlh, aip);
	mnl_attr_nest_end(nlh, aips);
}

static void put_overlong_attr(struct nlmsghdr *nlh)
{
	struct nlattr *attr = mnl_nlmsg_get_payload_tail(nlh);

	put_good(nlh);
	mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 1);
	attr = (struct nlattr *)((char *)attr + MNL_ALIGN(4 + WG_KEY_LEN));
	attr->nla_len = 200;
}

static void put_bad_u64(struct nlmsghdr *nlh)
{
	put_good(nlh);
	mnl_attr_put_u32(nlh, WGPEER_A_TX_BYTES, 1);
}

static void test_malformed_peers(void)
{
	is_int(parse_peer_with(put_good), 1, "the well-formed control case parses");
	is_int(parse_peer_with(put_short_key), -EINVAL, "a 31-byte public key is refused");
	is_int(parse_peer_with(put_no_key), -EINVAL, "a peer without a public key is refused");
	is_int(parse_peer_with(put_bad_endpoint), -EINVAL, "an endpoint of the wrong size");
	is_int(parse_peer_with(put_bad_cidr), -EINVAL, "an IPv4 /33 is refused");
	is_int(parse_peer_with(put_v4_long_addr), -EINVAL, "an IPv4 address of 16 bytes");
	is_int(parse_peer_with(put_overlong_attr), -EINVAL, "an attribute overrunning its peer");
	is_int(parse_peer_with(put_bad_u64), -EINVAL, "a 4-byte transfer counter");
}

static void test_malformed_headers(void)
{
	char buf[64] __attribute__((aligned(8))) = {0};
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *err;

	nlh->nlmsg_len = 0x80000000U;
	nlh->nlmsg_type = FAMILY;
	is_int(parse_fresh(buf, sizeof(buf)), -EINVAL, "a message length above INT_MAX");
	nlh->nlmsg_len = 3;
	is_int(parse_fresh(buf, sizeof(buf)), -EINVAL, "a message length below the header");
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	is_int(parse_fresh(buf, NLMSG_ALIGN(nlh->nlmsg_len)), -EINVAL,
	       "a message too short for its generic netlink header");
	nlh->nlmsg_len = NLMSG_HDRLEN;
	nlh->nlmsg_type = 5;
	is_int(parse_fresh(buf, NLMSG_HDRLEN), -EINVAL, "a reserved message type");
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(*err);
	err = mnl_nlmsg_get_payload(nlh);
	err->error = -ENODEV;
	is_int(parse_fresh(buf, nlh->nlmsg_len), -ENODEV, "an error message gives its errno");
	err->error = 0;
	is_int(parse_fresh(buf, nlh->nlmsg_len), 0, "an acknowledgement ends the exchange");
	err->error = 5;
	is_int(parse_fresh(buf, nlh->nlmsg_len), -EPROTO, "a positive error is nonsense");
	nlh->nlmsg_type = FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_DUMP_INTR;
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	is_int(parse_fresh(buf, nlh->nlmsg_len), -EINTR, "an interrupted dump asks to start over");
}

/* A message length that is not a multiple of 4 must not stretch to the next one. */
static void test_unaligned_end(void)
{
	char *buf = calloc(1, BUF), *exact;
	struct nlmsghdr *nlh = dump_msg(buf, 1);
	uint32_t len;

	put_key(nlh, WGDEVICE_A_PRIVATE_KEY, 9);
	len = nlh->nlmsg_len - 2;
	nlh->nlmsg_len = len;
	exact = malloc(len);
	memcpy(exact, buf, len);
	is_int(parse_fresh(exact, len), -EINVAL,
	       "a key cut by an unaligned message end is refused");
	free(exact);
	free(buf);
}

/* Random corruption of a valid dump: whatever comes out, nothing may break. */
static void test_corrupted(void)
{
	char *buf = calloc(1, BUF), *copy = malloc(BUF);
	size_t len = craft_dump(buf);
	unsigned int i, j, refused = 0, seed = 1;
	int ret;

	for (i = 0; i < 3000; ++i) {
		memcpy(copy, buf, len);
		for (j = 0; j < 1 + i % 4; ++j)
			copy[16 + (size_t)rand_r(&seed) % (len - 16)] ^=
			    (char)(1 + rand_r(&seed) % 255);
		ret = parse_fresh(copy, len);
		if (ret < 0)
			refused++;
		else if (ret > 1)
			break;
	}
	ok(i == 3000, "3000 corrupted dumps parse or are refused (%u refused)", refused);
	free(copy);
	free(buf);
}
/* ---- The controller's policy dump. ---- */

struct pol {
	uint16_t policy, attr;
	int nested; /* index of the nested policy, or -1 */
};

static int scan_policies(const struct pol *p, size_t n)
{
	struct ipc_netlink_policy_scan scan;
	char buf[256] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	struct nlattr *a, *b, *c;
	size_t i;

	ipc_netlink_policy_scan_init(&scan);
	for (i = 0; i < n; ++i) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = GENL_ID_CTRL;
		((struct genlmsghdr *)mnl_nlmsg_put_extra_header(nlh, 4))->cmd = CTRL_CMD_GETPOLICY;
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAMILY);
		a = mnl_attr_nest_start(nlh, CTRL_ATTR_POLICY);
		b = mnl_attr_nest_start(nlh, p[i].policy);
		c = mnl_attr_nest_start(nlh, p[i].attr);
		mnl_attr_put_u32(nlh, NL_POLICY_TYPE_ATTR_TYPE,
				 p[i].nested < 0 ? NL_ATTR_TYPE_U32 : NL_ATTR_TYPE_NESTED_ARRAY);
		if (p[i].nested >= 0)
			mnl_attr_put_u32(nlh, NL_POLICY_TYPE_ATTR_POLICY_IDX,
					 (uint32_t)p[i].nested);
		mnl_attr_nest_end(nlh, c);
		mnl_attr_nest_end(nlh, b);
		mnl_attr_nest_end(nlh, a);
		if (ipc_netlink_parse_policy(nlh, &scan))
			return -2;
	}
	return ipc_netlink_policy_verdict(&scan);
}

static void test_policy(void)
{
	static const struct pol linux61[] = {{0, 1, -1}, {0, 2, -1}, {0, 3, -1}, {0, 4, -1},
					     {0, 5, -1}, {0, 6, -1}, {0, 7, -1}, {0, 8, -1}};
	static const struct pol with[] = {{0, 4, -1},  {0, 8, 1},  {1, 4, -1}, {1, 9, 2},
					  {1, 10, -1}, {2, 1, -1}, {2, 3, -1}, {2, 4, -1}};
	static const struct pol without[] = {{0, 4, -1}, {0, 8, 1},  {1, 4, -1},
					     {1, 9, 2},	 {2, 1, -1}, {2, 3, -1}};
	static const struct pol reordered[] = {{2, 1, -1}, {2, 4, -1}, {1, 9, 2}};

	is_int(scan_policies(linux61, 8), -1, "6.1's device-only policy cannot tell");
	is_int(scan_policies(with, 8), 1, "a nested allowed-IP policy with attribute 4 can");
	is_int(scan_policies(without, 6), 0, "a nested allowed-IP policy without it cannot");
	is_int(scan_policies(reordered, 3), 1, "the order of the policies does not matter");
}

/* ---- rtnetlink links. ---- */

static void put_link(char *buf, const char *name, const char *kind)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *info;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_MULTI;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_u32(nlh, IFLA_MTU, 1420);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (!kind)
		return;
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, info);
}

static void test_links(void)
{
	char msg[512] __attribute__((aligned(8)));
	char *names = NULL;
	size_t len = 0;
	int ret = 0;

	put_link(msg, "wg7", "wireguard");
	ret |= ipc_netlink_parse_link((struct nlmsghdr *)msg, &names, &len);
	put_link(msg, "veth0", "veth");
	ret |= ipc_netlink_parse_link((struct nlmsghdr *)msg, &names, &len);
	put_link(msg, "eth0", NULL);
	ret |= ipc_netlink_parse_link((struct nlmsghdr *)msg, &names, &len);
	put_link(msg, "wg8", "wireguard");
	ret |= ipc_netlink_parse_link((struct nlmsghdr *)msg, &names, &len);
	is_int(ret, 0, "link messages parse");
	ok(len == 8 && !memcmp(names, "wg7\0wg8\0", 8), "only the WireGuard links are listed");
	((struct nlmsghdr *)msg)->nlmsg_len -= 8;
	is_int(ipc_netlink_parse_link((struct nlmsghdr *)msg, &names, &len), -EINVAL,
	       "a link message cut inside an attribute is refused");
	free(names);
}
int main(void)
{
	test_parse_dump();
	test_truncated();
	test_malformed_peers();
	test_malformed_headers();
	test_unaligned_end();
	test_corrupted();
	test_policy();
	test_links();
	return tap_done();
}
