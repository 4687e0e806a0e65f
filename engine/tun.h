/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TUN device. With IFF_VNET_HDR and TSO/USO offloads the kernel hands us
 * up to 64 KiB TCP or UDP super-packets, which tun_gso_split() cuts into MTU
 * sized segments with fixed headers and checksums; going the other way,
 * tun_write_batch() coalesces consecutive TCP segments (and, where the kernel
 * takes USO, equal UDP datagrams) of one flow back into one super-packet per
 * write.
 */
#ifndef ENGINE_TUN_H
#define ENGINE_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/virtio_net.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* UDP segmentation (USO); older headers lack it */
#endif

#define TUN_VNET_HDR_LEN ((unsigned int)sizeof(struct virtio_net_hdr))
#define TUN_READ_MAX (65536 + TUN_VNET_HDR_LEN)
#define TUN_MAX_SEGS 256 /* 64 KiB at an MSS of 256 */
#define TUN_DEFAULT_MTU 1420
#define TUN_TX_QUEUE_LEN 1024 /* packets the kernel holds for us to read */

struct tun {
	int fd;
	bool vnet; /* each packet starts with a struct virtio_net_hdr */
	bool uso;  /* the kernel takes UDP super-packets (VIRTIO_NET_HDR_GSO_UDP_L4) */
	char name[IFNAMSIZ];
	int ifindex;
};

/* Creates (or attaches to) the TUN interface name. 0 or -errno. */
int tun_create(struct tun *tun, const char *name) __attribute__((warn_unused_result));
/* Adopts an inherited TUN fd (WG_TUN_FD), learning its name and flags. */
int tun_from_fd(struct tun *tun, int fd) __attribute__((warn_unused_result));
/* Adopts a plain packet fd (one packet per read/write, no vnet header): tests. */
void tun_from_packet_fd(struct tun *tun, int fd, const char *name);
void tun_close(struct tun *tun);
/* True while the interface still exists (it is gone after `ip link del`). */
bool tun_is_alive(const struct tun *tun);
/* The interface MTU, or 1420 when it cannot be read. */
int tun_mtu(const struct tun *tun);

/*
 * How many segments the packet (after its vnet header h, NULL when none) will
 * split into: 1 for a plain packet, or -EINVAL for a malformed one.
 */
int tun_gso_count(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len);
/*
 * Splits pkt into the n segments announced by tun_gso_count(), writing segment
 * i to outs[i] (each out_cap bytes) and its length to lens[i]. Checksums are
 * completed. Returns n or -errno.
 */
int tun_gso_split(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
		  uint8_t *const outs[], size_t out_cap, uint32_t lens[]);

/*
 * Writes n IP packets, coalescing TCP runs when the device has a vnet header
 * and UDP runs (equal datagrams of one flow) when it also takes USO.
 */
int tun_write_batch(struct tun *tun, uint8_t *const pkts[], const uint32_t lens[], unsigned int n);

/* The Internet checksum helpers the segmenter uses, exposed for tests. */
uint32_t tun_csum_add(uint32_t sum, const uint8_t *buf, size_t len);
uint16_t tun_csum_fold(uint32_t sum);

#endif
