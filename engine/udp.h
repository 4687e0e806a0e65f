/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outer UDP sockets: one IPv4 and one IPv6 (v6-only) socket on the same
 * port, with the fwmark as SO_MARK, big buffers, batched receive (recvmmsg
 * with UDP_GRO) and batched send (one sendmsg per train of equal-sized
 * datagrams with UDP_SEGMENT). Each datagram's local destination address is
 * received (IP_PKTINFO, IPV6_RECVPKTINFO) so that replies can leave from it.
 */
#ifndef ENGINE_UDP_H
#define ENGINE_UDP_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/uio.h>
#include "model.h"

#define UDP_GSO_MAX_SEGS 64
#define UDP_GSO_MAX_BYTES 65000
#define UDP_RX_BUF 65536
#define UDP_RX_BATCH 16

struct udp {
	int fd4, fd6;
	uint16_t port;
	uint32_t fwmark;
	bool gso; /* cleared when the kernel refuses UDP_SEGMENT */
	/*
	 * Segments of this size or more go one by one (0: no limit): the kernel
	 * refuses a GSO train whose segments exceed the path MTU, where it would
	 * fragment the same datagrams sent alone. Read and lowered locklessly.
	 */
	uint32_t gso_too_big;
};

/*
 * A local address to send from (the sticky source): the one a peer's packets
 * arrived on. family 0: none, the kernel chooses. No padding, so memcmp works.
 */
struct udp_local {
	uint32_t family;
	int ifindex;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* One received datagram, or a GRO train of gso-byte datagrams (gso 0: one). */
struct udp_rx {
	uint8_t *buf;
	uint32_t len;
	uint16_t gso;
	union wgendpoint src;
	struct udp_local dst; /* the local address it was sent to */
};

void udp_init(struct udp *u);
/* Binds both sockets to port (0: any free port, stored in u->port). 0 or -errno. */
int udp_open(struct udp *u, uint16_t port, uint32_t fwmark) __attribute__((warn_unused_result));
void udp_close(struct udp *u);
/* Sets SO_MARK on both sockets. 0 or -errno. */
int udp_set_fwmark(struct udp *u, uint32_t fwmark) __attribute__((warn_unused_result));

/* Receives up to n datagrams on fd into rx[i].buf (UDP_RX_BUF bytes each). Count or -errno. */
int udp_recv_batch(int fd, struct udp_rx *rx, unsigned int n);
/*
 * Sends iov[0..n) to ep from local (NULL or family 0: any address), each
 * element one datagram. All but the last must be the same size for GSO;
 * otherwise they go one by one. When local is no longer usable (EINVAL,
 * EADDRNOTAVAIL, ENETUNREACH) it is cleared and the send retried without it.
 * Datagrams larger than the path MTU are fragmented by the kernel, as Linux's
 * WireGuard does (no DF on outer IPv4 packets). 0 or -errno.
 */
int udp_send_batch(struct udp *u, const union wgendpoint *ep, struct udp_local *local,
		   struct iovec *iov, unsigned int n);

#endif
