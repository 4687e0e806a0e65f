// SPDX-License-Identifier: GPL-2.0
/*
 * Simple locked structures: the data path takes and returns whole batches,
 * so one lock round trip is paid per batch of up to 64 packets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sodium.h>
#include "queue.h"

static void *obj_at(const struct queue_pool *p, unsigned int i)
{
	return (uint8_t *)p->mem + (size_t)i * p->size;
}

static bool is_fresh(const struct queue_pool *p, unsigned int i)
{
	return p->fresh[i / 64] >> (i % 64) & 1;
}

static void mark_fresh(struct queue_pool *p, unsigned int i)
{
	p->fresh[i / 64] |= 1ULL << (i % 64);
	if (i < p->fresh_hint)
		p->fresh_hint = i;
}

int queue_pool_init(struct queue_pool *p, size_t size, unsigned int count)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	memset(p, 0, sizeof(*p));
	p->size = (size + 63) & ~(size_t)63;
	p->map_len = (p->size * count + page - 1) & ~(page - 1);
	/* Reserved, not touched: the kernel backs a page when an object first uses it. */
	p->mem = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		return -ENOMEM;
	}
	p->fresh = calloc((count + 63) / 64, sizeof(*p->fresh));
	if (!p->fresh) {
		munmap(p->mem, p->map_len);
		p->mem = NULL;
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < count; ++i)
		p->fresh[i / 64] |= 1ULL << (i % 64);
	pthread_mutex_init(&p->lock, NULL);
	p->count = p->avail = count;
	return 0;
}

void queue_pool_free(struct queue_pool *p)
{
	if (!p->mem)
		return;
	/* Fresh objects are untouched or were wiped when trimmed. */
	for (unsigned int i = 0; i < p->count; ++i)
		if (!is_fresh(p, i))
			sodium_memzero(obj_at(p, i), p->size);
	munmap(p->mem, p->map_len);
	free(p->fresh);
	p->mem = NULL;
	p->fresh = NULL;
	pthread_mutex_destroy(&p->lock);
}

/* The lowest fresh object, no longer fresh. Caller holds p->lock and knows there is one. */
static void *take_fresh(struct queue_pool *p)
{
	unsigned int w = p->fresh_hint / 64, i;

	while (!p->fresh[w])
		++w;
	i = w * 64 + (unsigned int)__builtin_ctzll(p->fresh[w]);
	p->fresh[w] &= p->fresh[w] - 1;
	p->fresh_hint = i + 1;
	if (p->init)
		p->init(obj_at(p, i));
	return obj_at(p, i);
}

unsigned int queue_pool_get(struct queue_pool *p, void **out, unsigned int n)
{
	pthread_mutex_lock(&p->lock);
	if (p->avail < n) {
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	for (unsigned int i = 0; i < n; ++i) {
		if (!p->free) {
			out[i] = take_fresh(p);
			continue;
		}
		out[i] = p->free;
		p->free = *(void **)p->free;
		--p->n_free;
	}
	if (p->n_free < p->min_free)
		p->min_free = p->n_free;
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
	p->n_free += n;
	pthread_mutex_unlock(&p->lock);
}

/* Whether every object that overlaps bytes [from, to) of the mapping is fresh. */
static bool only_fresh(const struct queue_pool *p, size_t from, size_t to)
{
	unsigned int last = (unsigned int)((to - 1) / p->size);

	for (unsigned int i = (unsigned int)(from / p->size); i <= last && i < p->count; ++i)
		if (!is_fresh(p, i))
			return false;
	return true;
}

/* Gives back the pages that hold fresh objects only; caller holds p->lock. */
static size_t release_fresh_pages(struct queue_pool *p)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), run = 0, released = 0;

	for (size_t off = 0; off <= p->map_len; off += page) {
		if (off < p->map_len && only_fresh(p, off, off + page)) {
			++run;
			continue;
		}
		if (run &&
		    !madvise((uint8_t *)p->mem + off - run * page, run * page, MADV_DONTNEED))
			released += run * page;
		run = 0;
	}
	return released;
}

/* Wipes the last n objects of the free list and marks them fresh; caller holds p->lock. */
static void freshen_bottom(struct queue_pool *p, unsigned int n)
{
	void **link = &p->free, *o, *next;

	for (unsigned int i = n; i < p->n_free; ++i)
		link = (void **)*link;
	for (o = *link, *link = NULL; o; o = next) {
		next = *(void **)o;
		/* Wiped first: a page shared with a taken object stays, and so would the bytes. */
		sodium_memzero(o, p->size);
		mark_fresh(p, (unsigned int)(((uint8_t *)o - (uint8_t *)p->mem) / p->size));
	}
	p->n_free -= n;
}

size_t queue_pool_trim(struct queue_pool *p, uint64_t now_ns, uint64_t window_ns)
{
	size_t released = 0;

	pthread_mutex_lock(&p->lock);
	if (p->window_start && now_ns - p->window_start >= window_ns && p->min_free) {
		freshen_bottom(p, p->min_free);
		released = release_fresh_pages(p);
	}
	if (!p->window_start || now_ns - p->window_start >= window_ns) {
		p->window_start = now_ns;
		p->min_free = p->n_free;
	}
	pthread_mutex_unlock(&p->lock);
	return released;
}

size_t queue_pool_used_bytes(struct queue_pool *p)
{
	size_t used;

	pthread_mutex_lock(&p->lock);
	used = (size_t)(p->count - (p->avail - p->n_free)) * p->size;
	pthread_mutex_unlock(&p->lock);
	return used;
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
	mutex_init(&f->lock);
	f->cap = cap;
}

bool queue_fifo_push(struct queue_fifo *f, struct batch *b)
{
	bool ok;

	mutex_lock(&f->lock);
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
	mutex_unlock(&f->lock);
	return ok;
}

struct batch *queue_fifo_pop_done(struct queue_fifo *f)
{
	struct batch *b;

	mutex_lock(&f->lock);
	b = f->head;
	if (b && atomic_load_explicit(&b->done, memory_order_acquire)) {
		f->head = b->next;
		if (!f->head)
			f->tail = NULL;
		--f->len;
	} else {
		b = NULL;
	}
	mutex_unlock(&f->lock);
	return b;
}

struct batch *queue_fifo_drain(struct queue_fifo *f)
{
	struct batch *b;

	mutex_lock(&f->lock);
	b = f->head;
	f->head = f->tail = NULL;
	f->len = 0;
	mutex_unlock(&f->lock);
	return b;
}
