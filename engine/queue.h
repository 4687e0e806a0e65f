/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded rings, per-peer ordered FIFOs and buffer pools for the data path.
 * A batch of packets is queued twice: on the crypto ring, where any worker
 * takes it, and on its peer's FIFO, which releases batches only in order and
 * only once a worker has marked them done. Pools are bounded but grow on
 * demand (an object's memory is first touched when first handed out) and give
 * their free objects' pages back after a quiet spell; a full ring or an
 * exhausted pool makes the caller drop and count.
 */
#ifndef ENGINE_QUEUE_H
#define ENGINE_QUEUE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "model.h"
#include "mutex.h"
#include "udp.h"

#define ELEM_HEADROOM 16 /* room for the transport message header */
#define ELEM_SIZE 2048
#define ELEM_MAX_PAYLOAD (ELEM_SIZE - ELEM_HEADROOM - 32)
/*
 * Jumbo buffers, from a smaller pool of their own, hold what does not fit in
 * ELEM_SIZE. Their payload (a multiple of 16, so padding never outgrows it)
 * plus the 32 bytes of header and tag is at most 65507, the largest UDP
 * datagram IPv4 can carry.
 */
#define ELEM_JUMBO_MAX_PAYLOAD 65472
#define ELEM_JUMBO_SIZE (ELEM_JUMBO_MAX_PAYLOAD + ELEM_HEADROOM + 32)
#define BATCH_MAX 64

/* One packet buffer. data points into buf, leaving headroom in front. */
struct elem {
	struct elem *next;
	uint8_t *data;
	uint32_t len;
	bool ok;
	bool jumbo; /* buf holds ELEM_JUMBO_SIZE bytes, not ELEM_SIZE */
	uint64_t counter;
	const uint8_t *src; /* receive: the sealed bytes still in the reader's buffer, or NULL */
	uint8_t buf[] __attribute__((aligned(16)));
};

enum batch_dir {
	BATCH_SEND,
	BATCH_RECEIVE,
};

struct peer;
struct noise_keypair;

/* Packets of one peer under one key, in order. */
struct batch {
	struct batch *next;
	struct peer *peer;
	enum batch_dir dir;
	atomic_bool done;
	unsigned int n;
	struct noise_keypair *kp; /* a reference, dropped when the batch is released */
	union wgendpoint src;	  /* receive: where every packet came from */
	struct udp_local dst;	  /* receive: the local address they were sent to */
	struct elem *e[BATCH_MAX];
};

/*
 * At most count equal objects in one reserved mapping. An object is fresh
 * (never handed out since the pool began or was trimmed: its pages may not
 * exist yet), free (on the free list, its memory in use) or taken.
 */
struct queue_pool {
	pthread_mutex_t lock;
	void *free; /* singly linked through the object's first pointer */
	void *mem;
	uint64_t *fresh;	   /* a bit per object */
	void (*init)(void *obj);   /* run on a fresh object as it is first handed out */
	unsigned int count, avail; /* avail: free + fresh */
	unsigned int n_free, fresh_hint;
	size_t size, map_len;
	unsigned int min_free; /* the low-water mark of n_free in this window */
	uint64_t window_start; /* clock_now_ns of this window of queue_pool_trim; 0 = none yet */
};

/* A bounded multi-producer multi-consumer ring of pointers (batches, messages). */
struct queue_ring {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;
	void **slot;
	unsigned int cap, head, len;
	bool closed;
};

/* A peer's ordered queue of batches. */
struct queue_fifo {
	struct mutex lock;
	struct batch *head, *tail;
	unsigned int len, cap;
};

int queue_pool_init(struct queue_pool *p, size_t size, unsigned int count)
    __attribute__((warn_unused_result));
void queue_pool_free(struct queue_pool *p);
/* Takes n objects into out; returns how many it got (all or none). */
unsigned int queue_pool_get(struct queue_pool *p, void **out, unsigned int n);
void queue_pool_put(struct queue_pool *p, void *const *objs, unsigned int n);
/*
 * Called now and then with the time in ns. The pool's life is cut into
 * windows of window_ns; at the end of each, the free objects that stayed free
 * all through it (the free list's low-water mark: it is LIFO, so they are at
 * its bottom) are wiped, become fresh again, and the pages that hold only
 * fresh objects go back to the system. A keepalive now and then thus keeps
 * the object or two it uses, not the memory a load grew. Returns the bytes
 * given back.
 */
size_t queue_pool_trim(struct queue_pool *p, uint64_t now_ns, uint64_t window_ns);
/* Bytes of the pool's objects that are not fresh (free or taken). */
size_t queue_pool_used_bytes(struct queue_pool *p);

int queue_ring_init(struct queue_ring *r, unsigned int cap) __attribute__((warn_unused_result));
void queue_ring_free(struct queue_ring *r);
/* false when full or closed (the caller drops). */
bool queue_ring_push(struct queue_ring *r, void *b);
/*
 * As queue_ring_push, but wakes a waiting consumer only once more than
 * backlog items are queued: the producer means to take the rest itself.
 */
bool queue_ring_push_lazy(struct queue_ring *r, void *b, unsigned int backlog);
/* The oldest item, or NULL at once when empty. */
void *queue_ring_trypop(struct queue_ring *r);
/* Blocks until a batch arrives; NULL once closed and empty. */
void *queue_ring_pop(struct queue_ring *r);
unsigned int queue_ring_len(struct queue_ring *r);
/* Wakes every waiter; later pushes fail. */
void queue_ring_close(struct queue_ring *r);

void queue_fifo_init(struct queue_fifo *f, unsigned int cap);
/* false when full. */
bool queue_fifo_push(struct queue_fifo *f, struct batch *b);
/* The head if it is done, unlinked; NULL otherwise. */
struct batch *queue_fifo_pop_done(struct queue_fifo *f);
/* Unlinks everything (done or not) and returns the list; used at teardown. */
struct batch *queue_fifo_drain(struct queue_fifo *f);

#endif
