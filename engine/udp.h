/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The outer UDP sockets: one IPv4 and one IPv6 (v6-only) socket on the same
 * port, with the fwmark as SO_MARK, big buffers, batched receive (recvmmsg
 * with UDP_GRO) and batched send (one sendmsg per train of equal-sized
 * datagrams with UDP_SEGMENT).
 */
#ifndef ENGINE_UDP_H
#define ENGINE_UDP_H

#include <stdbool.h>
#include <stdint.h>
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
};

/* One received datagram, or a GRO train of gso-byte datagrams (gso 0: one). */
struct udp_rx {
	uint8_t *buf;
	uint32_t len;
	uint16_t gso;
	union wgendpoint src;
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
 * Sends iov[0..n) to ep, each element one datagram. All but the last must be
 * the same size for GSO; otherwise they go one by one. 0 or -errno.
 */
int udp_send_batch(struct udp *u, const union wgendpoint *ep, struct iovec *iov, unsigned int n);

#endif
