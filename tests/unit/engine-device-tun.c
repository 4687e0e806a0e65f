// SPDX-License-Identifier: GPL-2.0
/*
 * The TUN offload helpers: the checksum against a naive RFC 1071 sum, TSO
 * super-packets (IPv4 and IPv6 TCP, IPv4 UDP) split into segments whose
 * headers and checksums verify, malformed vnet headers refused, and the GRO
 * write that coalesces consecutive segments of one flow into one super-packet:
 * TCP always, equal UDP datagrams where the kernel takes USO.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "tun.h"

static uint16_t naive_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void test_csum(void)
{
	uint8_t buf[3000];
	int good = 0;

	for (int i = 0; i < 500; ++i) {
		size_t len = randombytes_uniform(2999) + 1, off = randombytes_uniform(2);
		uint16_t c;

		randombytes_buf(buf, sizeof(buf));
		c = tun_csum_fold(tun_csum_add(0, buf + off, len));
		good += ntohs(c) == naive_csum(buf + off, len);
	}
	is_int(good, 500, "checksum equals the naive sum for 500 random buffers");
	memset(buf, 0xff, 64);
	ok(tun_csum_fold(tun_csum_add(0, buf, 64)) == 0, "all-ones data folds to zero");
}

/* Verifies the transport checksum of an IPv4 (v6 false) or IPv6 segment. */
static bool l4_ok(const uint8_t *p, size_t len, bool v6, uint8_t proto)
{
	uint8_t pseudo[40] = {0};
	size_t l3 = v6 ? 40 : 20, plen = v6 ? 40 : 12, l4 = len - l3;
	uint8_t tmp[1600 + 40];

	if (v6) {
		memcpy(pseudo, p + 8, 32);
		pseudo[34] = (uint8_t)(l4 >> 8);
		pseudo[35] = (uint8_t)l4;
		pseudo[39] = proto;
	} else {
		memcpy(pseudo, p + 12, 8);
		pseudo[9] = proto;
		pseudo[10] = (uint8_t)(l4 >> 8);
		pseudo[11] = (uint8_t)l4;
	}
	memcpy(tmp, pseudo, plen);
	memcpy(tmp + plen, p + l3, l4);
	return naive_csum(tmp, plen + l4) == 0;
}

/* A TCP (or UDP) super-packet of payload bytes; returns its length. */
static size_t make_super(uint8_t *p, bool v6, uint8_t proto, size_t payload)
{
	size_t l3 = v6 ? 40 : 20, l4 = proto == 6 ? 32 : 8, len = l3 + l4 + payload;

	memset(p, 0, l3 + l4);
	if (v6) {
		p[0] = 0x60;
		p[4] = (uint8_t)((len - 40) >> 8);
		p[5] = (uint8_t)(len - 40);
		p[6] = proto;
		p[7] = 64;
		inet_pton(AF_INET6, "fd00::1", p + 8);
		inet_pton(AF_INET6, "fd00::2", p + 24);
	} else {
		p[0] = 0x45;
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		p[8] = 64;
		p[9] = proto;
		inet_pton(AF_INET, "10.0.0.1", p + 12);
		inet_pton(AF_INET, "10.0.0.2", p + 16);
	}
	p[l3 + 1] = 80;
	p[l3 + 3] = 81;
	if (proto == 6) {
		p[l3 + 7] = 100;   /* seq */
		p[l3 + 12] = 0x80; /* 32-byte header: 12 bytes of options */
		p[l3 + 13] = 0x18; /* ACK|PSH */
		p[l3 + 20] = 1;
	}
	randombytes_buf(p + l3 + l4, payload);
	return len;
}

static void test_split(bool v6, uint8_t proto, const char *what)
{
	static uint8_t pkt[65536], seg[64][1600];
	uint8_t *outs[64];
	uint32_t lens[64];
	size_t len = make_super(pkt, v6, proto, 20000), l3 = v6 ? 40 : 20, l4 = proto == 6 ? 32 : 8;
	struct virtio_net_hdr h = {
	    .gso_type = proto == 6 ? (v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4) : 5,
	    .gso_size = 1388};
	int n = tun_gso_count(&h, pkt, len), good = 0;
	size_t total = 0;

	for (int i = 0; i < 64; ++i)
		outs[i] = seg[i];
	is_int(n, 15, "%s: 20000 bytes at MSS 1388 make 15 segments", what);
	is_int(tun_gso_split(&h, pkt, len, outs, 1600, lens), 15, "%s: split", what);
	for (int i = 0; i < n; ++i) {
		bool ok4 = v6 || naive_csum(seg[i], 20) == 0;

		good += ok4 && l4_ok(seg[i], lens[i], v6, proto) &&
			!memcmp(seg[i] + l3 + l4, pkt + l3 + l4 + total, lens[i] - l3 - l4);
		total += lens[i] - l3 - l4;
	}
	is_int(good, n, "%s: every segment's checksums verify and payload is in order", what);
	is_int(total, 20000, "%s: no byte lost", what);
	if (proto == 6)
		ok(seg[1][l3 + 7] == (uint8_t)(100 + 1388) && !(seg[0][l3 + 13] & 0x08) &&
		       (seg[n - 1][l3 + 13] & 0x08),
		   "%s: sequence numbers advance, PSH only on the last", what);
}

static void test_malformed(void)
{
	uint8_t pkt[100] = {0x45};
	struct virtio_net_hdr h = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 0};

	is_int(tun_gso_count(&h, pkt, sizeof(pkt)), -22, "gso_size 0 is refused");
	h.gso_size = 100;
	is_int(tun_gso_count(&h, pkt, 10), -22, "a truncated header is refused");
	pkt[0] = 0x75;
	is_int(tun_gso_count(&h, pkt, sizeof(pkt)), -22, "IP version 7 is refused");
	is_int(tun_gso_count(NULL, pkt, 0), -22, "an empty packet is refused");
}

static void test_gro(void)
{
	static uint8_t pkt[65536], seg[8][1600], back[70000];
	uint8_t *outs[8];
	uint32_t lens[8];
	size_t len = make_super(pkt, false, 6, 8 * 1000);
	struct virtio_net_hdr h = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1000}, *rh;
	struct tun t;
	int fds[2];
	ssize_t got;

	for (int i = 0; i < 8; ++i)
		outs[i] = seg[i];
	tun_gso_split(&h, pkt, len, outs, 1600, lens);
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds);
	tun_from_packet_fd(&t, fds[0], "engt");
	t.vnet = true;
	is_int(tun_write_batch(&t, outs, lens, 8), 0, "GRO write of 8 segments");
	got = read(fds[1], back, sizeof(back));
	rh = (struct virtio_net_hdr *)back;
	is_int(got, (ssize_t)(sizeof(*rh) + len), "they leave as one super-packet");
	ok(rh->gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && rh->gso_size == 1000 && rh->hdr_len == 52,
	   "with a TSO vnet header");
	ok(!memcmp(back + sizeof(*rh) + 52, pkt + 52, 8000), "and the payload in order");
	ok(back[sizeof(*rh) + 2] == pkt[2] && back[sizeof(*rh) + 3] == pkt[3],
	   "the IPv4 total length covers them all");
	close(fds[0]);
	close(fds[1]);
}

/* Splits a USO super-packet of payload bytes into segs datagrams of 1392 (the last shorter). */
static int udp_datagrams(uint8_t *pkt, bool v6, size_t payload, uint8_t seg[][1600], uint8_t **outs,
			 uint32_t *lens)
{
	size_t len = make_super(pkt, v6, 17, payload);
	struct virtio_net_hdr h = {.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4, .gso_size = 1392};

	for (int i = 0; i < 16; ++i)
		outs[i] = seg[i];
	return tun_gso_split(&h, pkt, len, outs, 1600, lens);
}

/* How many packets wait on fd (read without blocking), the first into buf. */
static int drain(int fd, uint8_t *buf, size_t size, ssize_t *first)
{
	int n = 0;
	ssize_t r;

	*first = -1;
	while ((r = recv(fd, n ? buf + size / 2 : buf, size / 2, MSG_DONTWAIT)) >= 0)
		if (!n++)
			*first = r;
	return n;
}

/* Equal UDP datagrams of one flow leave as one USO super-packet, but only where USO is on. */
static void test_gro_udp(bool v6)
{
	static uint8_t pkt[65536], seg[16][1600], back[140000];
	const char *what = v6 ? "UDPv6" : "UDPv4";
	unsigned int l3 = v6 ? 40 : 20, total = 9 * 1392 + 500;
	struct virtio_net_hdr *rh = (struct virtio_net_hdr *)back;
	const uint8_t *ip = back + sizeof(*rh);
	uint8_t *outs[16];
	uint32_t lens[16];
	int n = udp_datagrams(pkt, v6, total, seg, outs, lens), fds[2];
	struct tun t;
	ssize_t got;

	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds);
	tun_from_packet_fd(&t, fds[0], "engt");
	t.vnet = t.uso = true;
	is_int(tun_write_batch(&t, outs, lens, (unsigned int)n), 0, "%s: GRO write of %d", what, n);
	is_int(drain(fds[1], back, sizeof(back), &got), 1, "%s: one super-packet", what);
	is_int(got, (ssize_t)(sizeof(*rh) + l3 + 8 + total), "%s: of all the datagrams", what);
	ok(rh->gso_type == VIRTIO_NET_HDR_GSO_UDP_L4 && rh->gso_size == 1392 &&
	       rh->hdr_len == l3 + 8 && rh->csum_start == l3 && rh->csum_offset == 6 &&
	       rh->flags == VIRTIO_NET_HDR_F_NEEDS_CSUM,
	   "%s: with a USO vnet header", what);
	is_int(ip[l3 + 4] << 8 | ip[l3 + 5], 8 + total, "%s: the UDP length covers them all", what);
	is_int(v6 ? ip[4] << 8 | ip[5] : ip[2] << 8 | ip[3], v6 ? 8 + total : l3 + 8 + total,
	       "%s: and so does the IP length", what);
	ok(!memcmp(ip + l3 + 8, pkt + l3 + 8, total), "%s: the payload in order", what);
	seg[4][l3 + 1] ^= 1; /* another source port: the run breaks around it */
	is_int(tun_write_batch(&t, outs, lens, (unsigned int)n), 0, "%s: write, one port changed",
	       what);
	is_int(drain(fds[1], back, sizeof(back), &got), 3, "%s: three writes", what);
	t.uso = false;
	is_int(tun_write_batch(&t, outs, lens, (unsigned int)n), 0, "%s: write without USO", what);
	is_int(drain(fds[1], back, sizeof(back), &got), n, "%s: one datagram a write", what);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_csum();
	test_split(false, 6, "TCPv4");
	test_split(true, 6, "TCPv6");
	test_split(false, 17, "UDPv4");
	test_malformed();
	test_gro();
	test_gro_udp(false);
	test_gro_udp(true);
	return tap_done();
}
