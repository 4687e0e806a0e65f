/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One WireGuard interface: the local identity, the peers and their allowed
 * IPs, the TUN device and UDP sockets, the pools and queues of the data path
 * and the threads that move batches through them (a TUN reader, a UDP reader,
 * two crypto workers, a handshake thread and a timer thread).
 *
 * Locking: cfg_lock (read-write) guards the peer list, the allowed IPs and the
 * device's settings; the data path takes it for reading once per batch, UAPI
 * set takes it for writing. udp_lock guards the sockets (rebinding swaps them).
 */
#ifndef ENGINE_DEVICE_H
#define ENGINE_DEVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "allowedips.h"
#include "cookie.h"
#include "drops.h"
#include "lockassert.h"
#include "index.h"
#include "model.h"
#include "noise.h"
#include "queue.h"
#include "ratelimiter.h"
#include "tun.h"
#include "udp.h"
/* The device's parts, each with its own contract. */
#include "device-uapi.h"
#include "peerlookup.h"
#include "queueing.h"
#include "socket.h"

struct peer;
struct uapi_server;

#define DEVICE_WORKERS 2
#define DEVICE_ELEMS 8192
#define DEVICE_JUMBO_ELEMS 1024 /* 64 MiB of address space, touched only when used */
#define DEVICE_BATCHES 1024
#define DEVICE_HANDSHAKE_QUEUE 4096 /* MAX_QUEUED_INCOMING_HANDSHAKES */
/*
 * The pools' trim window: what stayed free for a whole window goes back at its
 * end, so the memory a load grew is back within two windows of its end: under
 * a minute, housekeeping's second included.
 */
#define DEVICE_POOL_WINDOW_NS (25 * NSEC_PER_SEC)
#define DEVICE_PEER_HASH 1024
#define DEVICE_INLINE_MAX 64

/* A handshake message waiting for the handshake thread. */
struct hs_msg {
	struct hs_msg *next;
	union wgendpoint src;
	struct udp_local dst; /* the local address it was sent to: answers leave from it */
	uint32_t len;
	bool screened; /* its MACs were checked under load when it arrived */
	uint8_t buf[sizeof(struct message_handshake_initiation)];
};

struct device {
	pthread_rwlock_t cfg_lock;
	struct peer *peers;			  /* caller holds cfg_lock */
	struct peer **peers_end;		  /* the last next pointer: linking is O(1) */
	struct peer *peer_hash[DEVICE_PEER_HASH]; /* by public key; caller holds cfg_lock */
	unsigned int n_peers;
	struct allowedips aips; /* caller holds cfg_lock */
	struct noise_local noise;
	struct cookie_checker cookie;
	struct index_table *index;
	struct ratelimiter *rl;
	uint32_t fwmark;
	atomic_uint mtu;
	unsigned int wake_backlog; /* wake a worker only beyond this many queued batches */
	atomic_uint_fast64_t last_under_load; /* clock_now_ns */

	pthread_rwlock_t udp_lock;
	struct udp udp;
	int udp_stale[2]; /* replaced sockets, closed by the UDP thread */
	struct tun *tun;
	struct uapi_server *uapi;

	struct queue_pool elems, jumbo, batches, hs_pool;
	struct queue_ring crypt, handshakes;
	atomic_bool stopping;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	pthread_t threads[8];
	unsigned int n_threads;
	struct device_stats stats;
};

/* A stopped device on tun (not owned); uapi may be NULL. NULL with errno set. */
struct device *device_new(struct tun *tun, struct uapi_server *uapi);
/* Binds the UDP sockets (a random port) and starts the threads. 0 or -errno. */
int device_start(struct device *dev) __attribute__((warn_unused_result));
/* Stops every thread, then wipes and frees everything (tun and uapi stay open). */
void device_free(struct device *dev);
void device_request_stop(struct device *dev);
bool device_is_stopping(struct device *dev);
struct uapi_server *device_uapi(struct device *dev);

/* The interface MTU, refreshed by the timer thread. */
unsigned int device_mtu(struct device *dev);
/* True when the handshake queue is at least 1/8 full. */
bool device_is_under_load(struct device *dev);

#endif
