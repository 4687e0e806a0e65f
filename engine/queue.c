// SPDX-License-Identifier: GPL-2.0
/*
 * Simple locked structures: the data path takes and returns whole batches,
 * so one lock round trip is paid per batch of up to 64 packets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "queue.h"

int queue_pool_init(struct queue_pool *p, size_t size, unsigned int count)
{
	memset(p, 0, sizeof(*p));
	size = (size + 63) & ~(size_t)63;
	if (posix_memalign(&p->mem, 64, size * count))
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	p->size = size;
	p->count = p->avail = count;
	for (unsigned int i = count; i-- > 0;) {
		void **obj = (void **)((uint8_t *)p->mem + i * size);

		*obj = p->free;
		p->free = obj;
	}
	return 0;
}

void queue_pool_free(struct queue_pool *p)
{
	if (!p->mem)
		return;
	sodium_memzero(p->mem, p->size * p->count);
	free(p->mem);
	p->mem = NULL;
	pthread_mutex_destroy(&p->lock);
}

unsigned int queue_pool_get(struct queue_pool *p, void **out, unsigned int n)
{
	pthread_mutex_lock(&p->lock);
	if (p->avail < n) {
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	for (unsigned int i = 0; i < n; ++i) {
		out[i] = p->free;
		p->free = *(void **)p->free;
	}
	p->avail -= n;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void queue_pool_put(struct queue_pool *p, void *const *objs, unsigned int n)
{
	pthread_mutex_lock(&p->lock);
	for (unsigned int i = 0; i < n; ++i) {
		*(void **)objs[i] = p->free;
		p->free = objs[i];
	}
	p->avail += n;
	pthread_mutex_unlock(&p->lock);
}

int queue_ring_init(struct queue_ring *r, unsigned int cap)
{
	memset(r, 0, sizeof(*r));
	r->slot = calloc(cap, sizeof(*r->slot));
	if (!r->slot)
		return -ENOMEM;
	r->cap = cap;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->nonempty, NULL);
	return 0;
}

void queue_ring_free(struct queue_ring *r)
{
	if (!r->slot)
		return;
	free(r->slot);
	r->slot = NULL;
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->nonempty);
}

bool queue_ring_push_lazy(struct queue_ring *r, void *b, unsigned int backlog)
{
	bool ok;

	pthread_mutex_lock(&r->lock);
	ok = !r->closed && r->len < r->cap;
	if (ok) {
		r->slot[(r->head + r->len) % r->cap] = b;
		++r->len;
		if (r->len > backlog)
			pthread_cond_signal(&r->nonempty);
	}
	pthread_mutex_unlock(&r->lock);
	return ok;
}

bool queue_ring_push(struct queue_ring *r, void *b)
{
	return queue_ring_push_lazy(r, b, 0);
}

void *queue_ring_trypop(struct queue_ring *r)
{
	void *b = NULL;

	pthread_mutex_lock(&r->lock);
	if (r->len) {
		b = r->slot[r->head];
		r->head = (r->head + 1) % r->cap;
		--r->len;
	}
	pthread_mutex_unlock(&r->lock);
	return b;
}

void *queue_ring_pop(struct queue_ring *r)
{
	void *b = NULL;

	pthread_mutex_lock(&r->lock);
	while (!r->len && !r->closed)
		pthread_cond_wait(&r->nonempty, &r->lock);
	if (r->len) {
		b = r->slot[r->head];
		r->head = (r->head + 1) % r->cap;
		--r->len;
	}
	pthread_mutex_unlock(&r->lock);
	return b;
}

unsigned int queue_ring_len(struct queue_ring *r)
{
	unsigned int len;

	pthread_mutex_lock(&r->lock);
	len = r->len;
	pthread_mutex_unlock(&r->lock);
	return len;
}

void queue_ring_close(struct queue_ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->closed = true;
	pthread_cond_broadcast(&r->nonempty);
	pthread_mutex_unlock(&r->lock);
}

void queue_fifo_init(struct queue_fifo *f, unsigned int cap)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	f->cap = cap;
}

bool queue_fifo_push(struct queue_fifo *f, struct batch *b)
{
	bool ok;

	pthread_mutex_lock(&f->lock);
	ok = f->len < f->cap;
	if (ok) {
		b->next = NULL;
		if (f->tail)
			f->tail->next = b;
		else
			f->head = b;
		f->tail = b;
		++f->len;
	}
	pthread_mutex_unlock(&f->lock);
	return ok;
}

struct batch *queue_fifo_pop_done(struct queue_fifo *f)
{
	struct batch *b;

	pthread_mutex_lock(&f->lock);
	b = f->head;
	if (b && atomic_load_explicit(&b->done, memory_order_acquire)) {
		f->head = b->next;
		if (!f->head)
			f->tail = NULL;
		--f->len;
	} else {
		b = NULL;
	}
	pthread_mutex_unlock(&f->lock);
	return b;
}

struct batch *queue_fifo_drain(struct queue_fifo *f)
{
	struct batch *b;

	pthread_mutex_lock(&f->lock);
	b = f->head;
	f->head = f->tail = NULL;
	f->len = 0;
	pthread_mutex_unlock(&f->lock);
	return b;
}
