// SPDX-License-Identifier: GPL-2.0
/*
 * Batches between the readers, the crypto workers and the per-peer FIFOs:
 * allocation from the device's pools, queueing on both the FIFO and the
 * crypto ring, and the readers' habit of sealing or opening their own.
 */
#include <stdbool.h>
#include "device.h"
#include "peer.h"
#include "receive.h"
#include "send.h"

/* Set on the TUN and UDP reader threads, which seal and open their own batches. */
static __thread bool is_reader;
/* A reader's own batches of this pass, sealed or opened by it in crypt_help. */
static __thread struct batch *mine[DEVICE_INLINE_MAX];
static __thread unsigned int n_mine;

void device_mark_reader(void)
{
	is_reader = true;
}

struct batch *device_batch_new(struct device *dev, struct peer *peer, struct noise_keypair *kp,
			       enum batch_dir dir)
{
	struct batch *b;

	if (!queue_pool_get(&dev->batches, (void **)&b, 1)) {
		noise_keypair_put(kp);
		return NULL;
	}
	b->peer = peer_get(peer);
	b->kp = kp;
	b->dir = dir;
	b->n = 0;
	b->next = NULL;
	atomic_store(&b->done, false);
	return b;
}

void device_elems_put(struct device *dev, struct elem *const *e, unsigned int n)
{
	unsigned int i = 0, j;

	/* Runs of one kind go back together: one lock round trip for an all-small batch. */
	while (i < n) {
		bool jumbo = e[i]->jumbo;

		for (j = i + 1; j < n && e[j]->jumbo == jumbo; ++j)
			;
		queue_pool_put(jumbo ? &dev->jumbo : &dev->elems, (void *const *)(e + i), j - i);
		i = j;
	}
}

void device_batch_release(struct device *dev, struct batch *b)
{
	if (b->n)
		device_elems_put(dev, b->e, b->n);
	noise_keypair_put(b->kp);
	peer_put(b->peer);
	b->n = 0;
	queue_pool_put(&dev->batches, (void **)&b, 1);
}

/* The counter for a batch that found its queue full: it is going out or coming in. */
static enum device_drop queue_full(const struct batch *b)
{
	return b->dir == BATCH_SEND ? DROP_tx_queue_full : DROP_rx_queue_full;
}

void device_batch_queue(struct device *dev, struct batch *b, struct queue_fifo *fifo)
{
	if (!queue_fifo_push(fifo, b)) {
		device_drop(&dev->stats, queue_full(b), b->peer, b->n);
		device_batch_release(dev, b);
		return;
	}
	/* A reader keeps the first few batches of each pass; the rest go to the workers. */
	if (is_reader && n_mine < dev->wake_backlog && n_mine < DEVICE_INLINE_MAX) {
		mine[n_mine++] = b;
		return;
	}
	if (b->dir == BATCH_RECEIVE)
		receive_take_copies(b);
	if (queue_ring_push(&dev->crypt, b))
		return;
	/* Already in the FIFO: leave it there empty and done so order is kept. */
	device_drop(&dev->stats, queue_full(b), b->peer, b->n);
	device_elems_put(dev, b->e, b->n);
	b->n = 0;
	atomic_store_explicit(&b->done, true, memory_order_release);
	if (b->dir == BATCH_SEND)
		send_flush(b->peer);
	else
		receive_flush(b->peer);
}

void device_crypt_batch(struct batch *b)
{
	if (b->dir == BATCH_SEND)
		send_crypt_batch(b);
	else
		receive_crypt_batch(b);
}

/*
 * The reader threads take queued batches themselves until the ring is empty:
 * on a busy 2-core machine a hand-off to a worker costs a wake-up and a
 * context switch per batch, so workers are only woken for a backlog.
 */
void device_crypt_help(struct device *dev)
{
	struct batch *b;

	for (unsigned int i = 0; i < n_mine; ++i)
		device_crypt_batch(mine[i]);
	n_mine = 0;
	while ((b = queue_ring_trypop(&dev->crypt)))
		device_crypt_batch(b);
}
