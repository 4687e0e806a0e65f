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
#include "index.h"
#include "model.h"
#include "noise.h"
#include "queue.h"
#include "ratelimiter.h"
#include "tun.h"
#include "udp.h"

struct peer;
struct uapi_server;

#define DEVICE_WORKERS 2
#define DEVICE_ELEMS 8192
#define DEVICE_JUMBO_ELEMS 1024 /* 64 MiB of address space, touched only when used */
#define DEVICE_BATCHES 1024
#define DEVICE_HANDSHAKE_QUEUE 4096 /* MAX_QUEUED_INCOMING_HANDSHAKES */
#define DEVICE_PEER_HASH 1024
#define DEVICE_INLINE_MAX 64

/* Why packets were dropped; read by tests and the log. */
struct device_stats {
	atomic_ulong rx_bad_size, rx_bad_type, rx_unknown_index, rx_expired_key, rx_no_buffer,
	    rx_bad_auth, rx_replay, rx_bad_inner, rx_bad_source, rx_handshake_dropped,
	    rx_handshake_bad, rx_cookie_sent, tx_no_peer, tx_no_buffer, tx_queue_full,
	    tx_staged_drop, handshakes_done;
};

/* A handshake message waiting for the handshake thread. */
struct hs_msg {
	struct hs_msg *next;
	union wgendpoint src;
	struct udp_local dst; /* the local address it was sent to: answers leave from it */
	uint32_t len;
	uint8_t buf[sizeof(struct message_handshake_initiation)];
};

struct device {
	pthread_rwlock_t cfg_lock;
	struct peer *peers;			  /* caller holds cfg_lock */
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

/* The current state as a model for a UAPI get. 0 or -errno. */
int device_uapi_get(struct device *dev, struct wgdevice **out) __attribute__((warn_unused_result));
/* Applies a parsed UAPI set atomically: all of it, or nothing and -errno. */
int device_uapi_set(struct device *dev, const struct wgdevice *change)
    __attribute__((warn_unused_result));

/* Sends bytes to ep from local (NULL: any) on the device's sockets (handshakes). 0 or -errno. */
int device_send_to(struct device *dev, const union wgendpoint *ep, const struct udp_local *local,
		   void *buf, size_t len);
/*
 * Sends each iov element as one datagram to ep (a GSO train when sizes allow)
 * from local (NULL: any), which is cleared if the address is no longer usable.
 */
int device_send_iov(struct device *dev, const union wgendpoint *ep, struct udp_local *local,
		    struct iovec *iov, unsigned int n);
/* The peer routed to by an IP packet's destination, with a reference, or NULL. */
struct peer *device_peer_by_dst(struct device *dev, const uint8_t *pkt, size_t len);
/* True when the decrypted packet's source belongs to peer's allowed IPs. */
bool device_source_allowed(struct device *dev, struct peer *peer, const uint8_t *pkt, size_t len);
/* A batch from the pool for peer (a reference is taken) under kp (reference passed in). */
struct batch *device_batch_new(struct device *dev, struct peer *peer, struct noise_keypair *kp,
			       enum batch_dir dir);
/* Returns elems to their pools (small or jumbo). */
void device_elems_put(struct device *dev, struct elem *const *e, unsigned int n);
/* Returns a batch's elems, keypair, peer reference and the batch itself to their pools. */
void device_batch_release(struct device *dev, struct batch *b);
/* Queues b on the peer's FIFO and the crypto ring; on a full queue it is dropped. */
void device_batch_queue(struct device *dev, struct batch *b, struct queue_fifo *fifo);
/* Marks the calling thread as a reader that seals and opens its own batches. */
void device_mark_reader(void);
/* A reader's part: seals or opens the batches it queued in this pass. */
void device_crypt_help(struct device *dev);
/* Closes sockets replaced by a listen-port change; the UDP thread calls it. */
void device_close_stale(struct device *dev);
/* The interface MTU, refreshed by the timer thread. */
unsigned int device_mtu(struct device *dev);
/* True when the handshake queue is at least 1/8 full. */
bool device_is_under_load(struct device *dev);

#endif
