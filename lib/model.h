/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-memory model of a WireGuard device shared by every parser, printer and
 * back end: `wg` parses into it, lib/ipc writes and reads it, the engine's UAPI
 * server applies it. HAS_* flags say which fields a change actually sets.
 */
#ifndef WG_MODEL_H
#define WG_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define WG_KEY_LEN 32

enum wgdevice_flags {
	WGDEVICE_REPLACE_PEERS = 1U << 0,
	WGDEVICE_HAS_PRIVATE_KEY = 1U << 1,
	WGDEVICE_HAS_PUBLIC_KEY = 1U << 2,
	WGDEVICE_HAS_LISTEN_PORT = 1U << 3,
	WGDEVICE_HAS_FWMARK = 1U << 4,
};

enum wgpeer_flags {
	WGPEER_REMOVE_ME = 1U << 0,
	WGPEER_REPLACE_ALLOWEDIPS = 1U << 1,
	WGPEER_HAS_PUBLIC_KEY = 1U << 2,
	WGPEER_HAS_PRESHARED_KEY = 1U << 3,
	WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL = 1U << 4,
	WGPEER_UPDATE_ONLY = 1U << 5,
};

enum wgallowedip_flags {
	/* Upstream's incremental form: `allowed-ips -10.0.0.0/8`. */
	WGALLOWEDIP_REMOVE_ME = 1U << 0,
};

struct wgallowedip {
	uint16_t family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
	uint8_t cidr;
	uint32_t flags;
	struct wgallowedip *next_allowedip;
};

union wgendpoint {
	struct sockaddr addr;
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
};

struct wgpeer {
	uint32_t flags;
	uint8_t public_key[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];
	union wgendpoint endpoint; /* addr.sa_family == 0 when none */
	struct timespec last_handshake_time;
	uint64_t rx_bytes, tx_bytes;
	uint16_t persistent_keepalive_interval;
	struct wgallowedip *first_allowedip, *last_allowedip;
	struct wgpeer *next_peer;
};

/*
 * A userspace engine's count of packets dropped for one reason: wg-engine's
 * extension of the UAPI get reply ("drop_NAME=N" lines, which other tools
 * skip). The kernel has none.
 */
#define WG_DROPS_MAX 32
struct wgdrop {
	char name[32];
	uint64_t count;
};

struct wgdevice {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t flags;
	uint8_t public_key[WG_KEY_LEN];
	uint8_t private_key[WG_KEY_LEN];
	uint32_t fwmark;
	uint16_t listen_port;
	struct wgpeer *first_peer, *last_peer;
	unsigned int n_drops;
	struct wgdrop drops[WG_DROPS_MAX];
};

#define for_each_wgpeer(__dev, __peer)                                                             \
	for ((__peer) = (__dev)->first_peer; (__peer); (__peer) = (__peer)->next_peer)
#define for_each_wgallowedip(__peer, __allowedip)                                                  \
	for ((__allowedip) = (__peer)->first_allowedip; (__allowedip);                             \
	     (__allowedip) = (__allowedip)->next_allowedip)

/* Allocation helpers: zeroed, or NULL with errno set. */
struct wgdevice *model_device_new(void);
struct wgpeer *model_peer_append(struct wgdevice *dev);
struct wgallowedip *model_allowedip_append(struct wgpeer *peer);

/* Frees a device and everything below it, wiping every key first. NULL is fine. */
void model_device_free(struct wgdevice *dev);
/* Frees one peer (not unlinking it) and its allowed IPs, wiping keys. */
void model_peer_free(struct wgpeer *peer);

#endif
