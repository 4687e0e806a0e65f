// SPDX-License-Identifier: GPL-2.0
/*
 * TUN device setup, TSO/USO segmentation of what the kernel hands us, and TCP
 * and UDP coalescing (GRO) of what we hand back, so that a 64 KiB TCP burst
 * costs one read and one write instead of forty-five of each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <linux/if_tun.h>
#include "tun.h"

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_CWR 0x80
#define GRO_MAX_SEGS 64

/* Where the headers of an IP packet are. */
struct l34 {
	unsigned int l3len, l4len, hdrlen;
	uint8_t proto;
	bool v6;
};

static int tun_open_flags(struct tun *tun, const char *name, short flags)
{
	struct ifreq ifr = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ifr.ifr_flags = flags;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	tun->fd = fd;
	snprintf(tun->name, sizeof(tun->name), "%s", ifr.ifr_name);
	tun->ifindex = (int)if_nametoindex(tun->name);
	return 0;
}

/*
 * Turns on the offloads; false if vnet headers cannot be used. A kernel that
 * takes USO (6.2 and later) also takes the UDP super-packets we write.
 */
static bool tun_offload(struct tun *tun, int fd)
{
	int hdrsz = TUN_VNET_HDR_LEN;
	unsigned int base = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

	tun->uso = false;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) < 0)
		return false;
	if (ioctl(fd, TUNSETOFFLOAD, base | TUN_F_USO4 | TUN_F_USO6) == 0) {
		tun->uso = true;
		return true;
	}
	return ioctl(fd, TUNSETOFFLOAD, base) == 0;
}

/* Sets the interface's MTU (SIOCSIFMTU) or transmit queue length (SIOCSIFTXQLEN); 0 or -errno. */
static int if_set(const struct tun *tun, unsigned long req, int value)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tun->name);
	if (req == SIOCSIFMTU)
		ifr.ifr_mtu = value;
	else
		ifr.ifr_qlen = value;
	if (ioctl(s, req, &ifr) < 0)
		ret = -errno;
	close(s);
	return ret;
}

static int create_flags(struct tun *tun, const char *name)
{
	int ret = tun_open_flags(tun, name, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR);

	if (ret == 0 && tun_offload(tun, tun->fd)) {
		tun->vnet = true;
		return 0;
	}
	if (ret == 0)
		close(tun->fd);
	return tun_open_flags(tun, name, IFF_TUN | IFF_NO_PI);
}

int tun_create(struct tun *tun, const char *name)
{
	int ret;

	memset(tun, 0, sizeof(*tun));
	ret = create_flags(tun, name);
	if (ret)
		return ret;
	/* As wireguard-go: a new interface starts at 1420, room for the outer IPv6 and UDP. */
	if_set(tun, SIOCSIFMTU, TUN_DEFAULT_MTU);
	/*
	 * The kernel drops what arrives while the TUN's ring is full, and its
	 * default of 500 packets is under 3 ms at 2 Gbit/s: a UDP burst outlasts
	 * it whenever the reading thread waits for a core. The kernel's own
	 * WireGuard queues 1024 packets per peer. TCP does not fill the longer
	 * ring (TCP small queues bound each socket), so latency under load stays.
	 */
	if_set(tun, SIOCSIFTXQLEN, TUN_TX_QUEUE_LEN);
	return 0;
}

int tun_from_fd(struct tun *tun, int fd)
{
	struct ifreq ifr = {0};

	memset(tun, 0, sizeof(*tun));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	tun->fd = fd;
	snprintf(tun->name, sizeof(tun->name), "%s", ifr.ifr_name);
	tun->ifindex = (int)if_nametoindex(tun->name);
	tun->vnet = (ifr.ifr_flags & IFF_VNET_HDR) && tun_offload(tun, fd);
	return 0;
}

void tun_from_packet_fd(struct tun *tun, int fd, const char *name)
{
	memset(tun, 0, sizeof(*tun));
	tun->fd = fd;
	tun->ifindex = -1;
	snprintf(tun->name, sizeof(tun->name), "%s", name);
}

void tun_close(struct tun *tun)
{
	if (tun->fd >= 0)
		close(tun->fd);
	tun->fd = -1;
}

bool tun_is_alive(const struct tun *tun)
{
	if (tun->ifindex < 0)
		return true;
	return if_nametoindex(tun->name) == (unsigned int)tun->ifindex;
}

int tun_mtu(const struct tun *tun)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int mtu = 1420;

	if (s < 0)
		return mtu;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tun->name);
	if (ioctl(s, SIOCGIFMTU, &ifr) == 0)
		mtu = ifr.ifr_mtu;
	close(s);
	return mtu;
}

/* Sums 8-byte words into a 128-bit accumulator: the carries stay in its top half. */
static uint64_t csum_words(const uint8_t *buf, size_t n8)
{
	unsigned __int128 acc = 0;
	uint64_t w[4];

	for (; n8 >= 4; n8 -= 4, buf += 32) {
		memcpy(w, buf, 32);
		acc += (unsigned __int128)w[0] + w[1] + w[2] + w[3];
	}
	for (; n8; --n8, buf += 8) {
		memcpy(w, buf, 8);
		acc += w[0];
	}
	acc = (acc & UINT64_MAX) + (acc >> 64);
	return (uint64_t)acc + (uint64_t)(acc >> 64);
}

uint32_t tun_csum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
	uint64_t acc = sum, part = csum_words(buf, len / 8);
	uint16_t w16 = 0;

	/* Fold the 64-bit word sum to 32 bits (end-around carry), then add the tail. */
	part = (part & 0xffffffff) + (part >> 32);
	acc += (part & 0xffffffff) + (part >> 32);
	buf += len & ~(size_t)7;
	len &= 7;
	for (; len >= 2; buf += 2, len -= 2) {
		memcpy(&w16, buf, 2);
		acc += w16;
	}
	if (len) {
		w16 = 0;
		memcpy(&w16, buf, 1);
		acc += w16;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

uint16_t tun_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The pseudo-header sum of a TCP or UDP segment of l4len bytes. */
static uint32_t pseudo_sum(const uint8_t *pkt, const struct l34 *l, unsigned int l4len)
{
	uint8_t tail[8] = {0};
	uint32_t sum;

	if (l->v6) {
		sum = tun_csum_add(0, pkt + 8, 32);
		tail[0] = (uint8_t)(l4len >> 24);
		tail[1] = (uint8_t)(l4len >> 16);
		tail[2] = (uint8_t)(l4len >> 8);
		tail[3] = (uint8_t)l4len;
		tail[7] = l->proto;
		return tun_csum_add(sum, tail, 8);
	}
	sum = tun_csum_add(0, pkt + 12, 8);
	tail[1] = l->proto;
	tail[2] = (uint8_t)(l4len >> 8);
	tail[3] = (uint8_t)l4len;
	return tun_csum_add(sum, tail, 4);
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static void ip4_fix_csum(uint8_t *pkt, unsigned int l3len)
{
	uint16_t c;

	pkt[10] = pkt[11] = 0;
	c = tun_csum_fold(tun_csum_add(0, pkt, l3len));
	memcpy(pkt + 10, &c, 2);
}

/* Finds the IP and TCP/UDP headers; false unless the packet is whole and simple. */
static bool l34_parse(struct l34 *l, const uint8_t *pkt, size_t len)
{
	if (len < 20)
		return false;
	l->v6 = (pkt[0] >> 4) == 6;
	if (l->v6) {
		if (len < 40)
			return false;
		l->l3len = 40;
		l->proto = pkt[6];
	} else {
		if ((pkt[0] >> 4) != 4 || (pkt[0] & 15) < 5)
			return false;
		l->l3len = (pkt[0] & 15) * 4u;
		l->proto = pkt[9];
	}
	if (l->proto == IPPROTO_TCP && len >= l->l3len + 20)
		l->l4len = (pkt[l->l3len + 12] >> 4) * 4u;
	else if (l->proto == IPPROTO_UDP)
		l->l4len = 8;
	else
		return false;
	l->hdrlen = l->l3len + l->l4len;
	return l->l4len >= 8 && l->hdrlen <= len;
}

int tun_gso_count(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len)
{
	struct l34 l;

	if (!h || h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return len ? 1 : -EINVAL;
	if (!h->gso_size || !l34_parse(&l, pkt, len) || len <= l.hdrlen)
		return -EINVAL;
	return (int)((len - l.hdrlen + h->gso_size - 1) / h->gso_size);
}

/* Completes a CHECKSUM_PARTIAL packet: the field holds the pseudo-header sum. */
static int csum_complete(const struct virtio_net_hdr *h, uint8_t *pkt, size_t len)
{
	unsigned int start = h->csum_start, off = h->csum_offset;
	uint16_t c;

	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if (start + off + 2 > len)
		return -EINVAL;
	c = tun_csum_fold(tun_csum_add(0, pkt + start, len - start));
	memcpy(pkt + start + off, &c, 2);
	return 0;
}

/* Where the transport checksum sits in the TCP or UDP header. */
static unsigned int l4_csum_offset(const struct l34 *l)
{
	return l->proto == IPPROTO_TCP ? 16 : 6;
}

/* The IP length field, and UDP's, of a packet whose transport part is l4total bytes. */
static void lengths_set(uint8_t *pkt, const struct l34 *l, unsigned int l4total)
{
	if (l->v6)
		put16(pkt + 4, l4total);
	else
		put16(pkt + 2, l->l3len + l4total);
	if (l->proto == IPPROTO_UDP)
		put16(pkt + l->l3len + 4, l4total);
}

/* Rewrites the headers of segment i (payload bytes chunk) copied to out. */
static void seg_fix(uint8_t *out, const struct l34 *l, unsigned int i, unsigned int n,
		    unsigned int chunk, unsigned int mss)
{
	uint8_t *l4 = out + l->l3len;
	unsigned int l4total = l->l4len + chunk;
	uint16_t c;

	lengths_set(out, l, l4total);
	if (!l->v6) {
		put16(out + 4, (get16(out + 4) + i) & 0xffff);
		ip4_fix_csum(out, l->l3len);
	}
	if (l->proto == IPPROTO_TCP) {
		put32(l4 + 4, get32(l4 + 4) + i * mss);
		if (i + 1 < n)
			l4[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		if (i)
			l4[13] &= (uint8_t)~TCP_CWR;
	}
	l4[l4_csum_offset(l)] = l4[l4_csum_offset(l) + 1] = 0;
	c = tun_csum_fold(tun_csum_add(pseudo_sum(out, l, l4total), l4, l4total));
	if (l->proto == IPPROTO_UDP && c == 0)
		c = 0xffff;
	memcpy(l4 + l4_csum_offset(l), &c, 2);
}

int tun_gso_split(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
		  uint8_t *const outs[], size_t out_cap, uint32_t lens[])
{
	int n = tun_gso_count(h, pkt, len);
	unsigned int mss, off;
	struct l34 l;

	if (n < 0)
		return n;
	if (!h || h->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (len > out_cap)
			return -EMSGSIZE;
		memcpy(outs[0], pkt, len);
		lens[0] = (uint32_t)len;
		return h ? (csum_complete(h, outs[0], len) ?: 1) : 1;
	}
	l34_parse(&l, pkt, len);
	mss = h->gso_size;
	if (l.hdrlen + mss > out_cap)
		return -EMSGSIZE;
	off = l.hdrlen;
	for (int i = 0; i < n; ++i, off += mss) {
		unsigned int chunk = (unsigned int)len - off < mss ? (unsigned int)len - off : mss;

		memcpy(outs[i], pkt, l.hdrlen);
		memcpy(outs[i] + l.hdrlen, pkt + off, chunk);
		seg_fix(outs[i], &l, (unsigned int)i, (unsigned int)n, chunk, mss);
		lens[i] = l.hdrlen + chunk;
	}
	return n;
}

/*
 * A TCP segment, or with USO a UDP datagram, that may start or continue a
 * coalesced run: IPv4 without options or fragments, a payload, and for TCP
 * nothing but ACK (and PSH) set.
 */
static bool gro_candidate(const struct tun *tun, struct l34 *l, const uint8_t *pkt, uint32_t len)
{
	if (!l34_parse(l, pkt, len) || len <= l->hdrlen)
		return false;
	if (!l->v6 && (l->l3len != 20 || (get16(pkt + 6) & 0x3fff)))
		return false;
	if (l->proto == IPPROTO_UDP)
		return tun->uso && get16(pkt + l->l3len + 4) == len - l->l3len;
	return (pkt[l->l3len + 13] & ~TCP_PSH) == TCP_ACK;
}

/* The IP headers of a and b agree on all that one super-packet header carries for both. */
static bool same_ip(const uint8_t *a, const uint8_t *b, const struct l34 *la, const struct l34 *lb)
{
	if (la->v6 != lb->v6 || la->proto != lb->proto || la->hdrlen != lb->hdrlen)
		return false;
	if (la->v6)
		return !memcmp(a + 8, b + 8, 32) && a[7] == b[7] && !memcmp(a, b, 4);
	return !memcmp(a + 12, b + 12, 8) && a[1] == b[1] && a[6] == b[6] && a[8] == b[8];
}

/* TCP: same flow and options, b's sequence number right after a's payload, a not pushed. */
static bool tcp_follows(const uint8_t *ta, const uint8_t *tb, unsigned int pa, unsigned int l4len)
{
	if (ta[13] & TCP_PSH)
		return false;
	if (memcmp(ta, tb, 4) || memcmp(ta + 8, tb + 8, 4) || memcmp(ta + 14, tb + 14, 2))
		return false;
	if (get32(tb + 4) != get32(ta + 4) + pa)
		return false;
	return !memcmp(ta + 20, tb + 20, l4len - 20);
}

/* Whether b (parsed as lb) can follow a in a run of segments of a's payload size. */
static bool gro_follows(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen,
			const struct l34 *la, const struct l34 *lb)
{
	const uint8_t *ta = a + la->l3len, *tb = b + lb->l3len;
	unsigned int pa = alen - la->hdrlen, pb = blen - lb->hdrlen;

	if (!same_ip(a, b, la, lb) || pb > pa)
		return false;
	if (la->proto == IPPROTO_UDP)
		return !memcmp(ta, tb, 4); /* the same ports */
	return tcp_follows(ta, tb, pa, la->l4len);
}

static int write_plain(struct tun *tun, uint8_t *pkt, uint32_t len)
{
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_DATA_VALID};
	struct iovec iov[2] = {{&h, sizeof(h)}, {pkt, len}};
	ssize_t r = tun->vnet ? writev(tun->fd, iov, 2) : write(tun->fd, pkt, len);

	return r < 0 ? -errno : 0;
}

/*
 * The vnet header and the first segment's headers, rewritten to describe a
 * super-packet of total payload bytes: lengths, the IPv4 checksum, and the
 * pseudo-header sum the kernel completes (VIRTIO_NET_HDR_F_NEEDS_CSUM).
 */
static void super_header(struct virtio_net_hdr *h, uint8_t *hdr, const struct l34 *l,
			 unsigned int total, unsigned int gso_size)
{
	uint16_t c;

	lengths_set(hdr, l, l->l4len + total);
	if (!l->v6)
		ip4_fix_csum(hdr, l->l3len);
	c = (uint16_t)~tun_csum_fold(pseudo_sum(hdr, l, l->l4len + total));
	memcpy(hdr + l->l3len + l4_csum_offset(l), &c, 2);
	*h = (struct virtio_net_hdr){.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM};
	if (l->proto == IPPROTO_UDP)
		h->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	else
		h->gso_type = l->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	h->hdr_len = (uint16_t)l->hdrlen;
	h->gso_size = (uint16_t)gso_size;
	h->csum_start = (uint16_t)l->l3len;
	h->csum_offset = (uint16_t)l4_csum_offset(l);
}

/* Writes pkts[0..n) (a run found by tun_write_batch) as one TSO or USO super-packet. */
static int write_run(struct tun *tun, uint8_t *const pkts[], const uint32_t lens[], unsigned int n,
		     const struct l34 *l)
{
	struct virtio_net_hdr h;
	struct iovec iov[GRO_MAX_SEGS + 2];
	uint8_t hdr[128];
	unsigned int total = 0;

	for (unsigned int i = 0; i < n; ++i) {
		iov[i + 2].iov_base = pkts[i] + l->hdrlen;
		iov[i + 2].iov_len = lens[i] - l->hdrlen;
		total += lens[i] - l->hdrlen;
	}
	memcpy(hdr, pkts[0], l->hdrlen);
	if (l->proto == IPPROTO_TCP)
		hdr[l->l3len + 13] |= pkts[n - 1][l->l3len + 13] & TCP_PSH;
	super_header(&h, hdr, l, total, lens[0] - l->hdrlen);
	iov[0] = (struct iovec){&h, sizeof(h)};
	iov[1] = (struct iovec){hdr, l->hdrlen};
	return writev(tun->fd, iov, (int)n + 2) < 0 ? -errno : 0;
}

/* Length of the coalescable run starting at pkts[0] (at least 1). */
static unsigned int run_length(const struct tun *tun, uint8_t *const pkts[], const uint32_t lens[],
			       unsigned int n, struct l34 *l)
{
	unsigned int i, total;
	struct l34 prev, cur;

	if (!gro_candidate(tun, l, pkts[0], lens[0]))
		return 1;
	prev = *l;
	total = lens[0];
	for (i = 1; i < n && i < GRO_MAX_SEGS; ++i) {
		if (!gro_candidate(tun, &cur, pkts[i], lens[i]) ||
		    total + lens[i] - l->hdrlen > 65535)
			break;
		if (!gro_follows(pkts[i - 1], lens[i - 1], pkts[i], lens[i], &prev, &cur))
			break;
		if (lens[i - 1] != lens[0])
			break;
		total += lens[i] - l->hdrlen;
		prev = cur;
	}
	return i;
}

int tun_write_batch(struct tun *tun, uint8_t *const pkts[], const uint32_t lens[], unsigned int n)
{
	int ret = 0, r;
	struct l34 l;

	for (unsigned int i = 0, run; i < n; i += run) {
		run = tun->vnet ? run_length(tun, pkts + i, lens + i, n - i, &l) : 1;
		if (run == 1)
			r = write_plain(tun, pkts[i], lens[i]);
		else
			r = write_run(tun, pkts + i, lens + i, run, &l);
		if (r < 0)
			ret = r;
	}
	return ret;
}
