/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Batches on their way through the device: taken from the pools, queued on
 * the peer's FIFO and the crypto ring at once, sealed or opened by a worker
 * or by the reader that queued them, and given back.
 */
#ifndef ENGINE_QUEUEING_H
#define ENGINE_QUEUEING_H

#include "noise.h"
#include "queue.h"

struct device;
struct peer;

/* A batch from the pool for peer (a reference is taken) under kp (reference passed in). */
struct batch *device_batch_new(struct device *dev, struct peer *peer, struct noise_keypair *kp,
			       enum batch_dir dir);
/* Returns elems to their pools (small or jumbo). */
void device_elems_put(struct device *dev, struct elem *const *e, unsigned int n);
/* Returns a batch's elems, keypair, peer reference and the batch itself to their pools. */
void device_batch_release(struct device *dev, struct batch *b);
/* Queues b on the peer's FIFO and the crypto ring; on a full queue it is dropped. */
void device_batch_queue(struct device *dev, struct batch *b, struct queue_fifo *fifo);
/* Seals or opens one batch, by its direction; the crypto workers call it. */
void device_crypt_batch(struct batch *b);
/* Marks the calling thread as a reader that seals and opens its own batches. */
void device_mark_reader(void);
/* A reader's part: seals or opens the batches it queued in this pass. */
void device_crypt_help(struct device *dev);

#endif
