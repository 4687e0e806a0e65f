// SPDX-License-Identifier: GPL-2.0
/*
 * Device lifetime and threads: creation, the crypto workers, the handshake
 * and timer threads, and the orderly stop that frees everything. The data
 * path's glue lives beside it (queueing, socket, peerlookup) and the UAPI
 * get/set in device-uapi.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "clock.h"
#include "device.h"
#include "log.h"
#include "peer.h"
#include "receive.h"
#include "send.h"

static struct noise_remote *lookup_remote(void *ctx, const uint8_t *pub)
{
	/* Caller holds dev->cfg_lock (read): the handshake thread takes it. */
	struct peer *p = device_peer_find(ctx, pub);

	return p ? &p->noise : NULL;
}

static int init_locks(struct device *dev)
{
	pthread_rwlockattr_t a;

	pthread_rwlockattr_init(&a);
	/* Writers (UAPI set) must not starve behind a steady stream of batches. */
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&dev->cfg_lock, &a);
	pthread_rwlock_init(&dev->udp_lock, &a);
	pthread_rwlockattr_destroy(&a);
	pthread_mutex_init(&dev->stop_lock, NULL);
	pthread_cond_init(&dev->stop_cond, NULL);
	return 0;
}

static void mark_jumbo(void *obj)
{
	((struct elem *)obj)->jumbo = true;
}

/*
 * A pool of count elems with size bytes of buffer each, marked jumbo or not
 * as each is first handed out (a fresh elem is all zeros: not jumbo).
 */
static int init_elem_pool(struct queue_pool *p, size_t size, unsigned int count, bool jumbo)
{
	int ret = queue_pool_init(p, sizeof(struct elem) + size, count);

	if (!ret && jumbo)
		p->init = mark_jumbo;
	return ret;
}

static int init_queues(struct device *dev)
{
	int ret = init_elem_pool(&dev->elems, ELEM_SIZE, DEVICE_ELEMS, false);

	if (!ret)
		ret = init_elem_pool(&dev->jumbo, ELEM_JUMBO_SIZE, DEVICE_JUMBO_ELEMS, true);
	if (!ret)
		ret = queue_pool_init(&dev->batches, sizeof(struct batch), DEVICE_BATCHES);
	if (!ret)
		ret = queue_pool_init(&dev->hs_pool, sizeof(struct hs_msg), DEVICE_HANDSHAKE_QUEUE);
	if (!ret)
		ret = queue_ring_init(&dev->crypt, DEVICE_BATCHES);
	if (!ret)
		ret = queue_ring_init(&dev->handshakes, DEVICE_HANDSHAKE_QUEUE);
	return ret;
}

static int init_core(struct device *dev)
{
	struct index_ops ops;
	int ret;

	dev->index = index_table_new(1U << 16);
	if (!dev->index)
		return -ENOMEM;
	/* Without a limiter handshakes under load are only checked for mac2. */
	dev->rl = ratelimiter_new(1U << 16);
	if (!dev->rl)
		log_err("Unable to create the handshake rate limiter");
	index_table_ops(dev->index, &ops);
	ret = noise_local_init(&dev->noise, &ops, lookup_remote, dev);
	if (!ret)
		ret = cookie_checker_init(&dev->cookie);
	allowedips_init(&dev->aips);
	return ret;
}

struct device *device_new(struct tun *tun, struct uapi_server *uapi)
{
	struct device *dev = calloc(1, sizeof(*dev));
	int ret;

	if (!dev)
		return NULL;
	dev->tun = tun;
	dev->uapi = uapi;
	udp_init(&dev->udp);
	dev->udp_stale[0] = dev->udp_stale[1] = -1;
	atomic_init(&dev->mtu, (unsigned int)tun_mtu(tun));
	dev->wake_backlog =
	    getenv("WG_ENGINE_WAKE") ? (unsigned int)atoi(getenv("WG_ENGINE_WAKE")) : 8;
	ret = noise_init();
	if (!ret)
		ret = init_locks(dev);
	if (!ret)
		ret = init_queues(dev);
	if (!ret)
		ret = init_core(dev);
	if (ret) {
		device_free(dev);
		errno = -ret;
		return NULL;
	}
	return dev;
}

struct uapi_server *device_uapi(struct device *dev)
{
	return dev->uapi;
}

void device_request_stop(struct device *dev)
{
	pthread_mutex_lock(&dev->stop_lock);
	atomic_store(&dev->stopping, true);
	pthread_cond_broadcast(&dev->stop_cond);
	pthread_mutex_unlock(&dev->stop_lock);
	queue_ring_close(&dev->crypt);
	queue_ring_close(&dev->handshakes);
}

bool device_is_stopping(struct device *dev)
{
	return atomic_load(&dev->stopping);
}

unsigned int device_mtu(struct device *dev)
{
	return atomic_load(&dev->mtu);
}

bool device_is_under_load(struct device *dev)
{
	uint64_t now = clock_now_ns();

	/* As the kernel: once loaded, stay so for a second after the queue drains. */
	if (queue_ring_len(&dev->handshakes) >= DEVICE_HANDSHAKE_QUEUE / 8) {
		atomic_store(&dev->last_under_load, now);
		return true;
	}
	return atomic_load(&dev->last_under_load) + NSEC_PER_SEC > now &&
	       atomic_load(&dev->last_under_load);
}
static void *worker_thread(void *arg)
{
	struct device *dev = arg;
	struct batch *b;

	while ((b = queue_ring_pop(&dev->crypt)))
		device_crypt_batch(b);
	return NULL;
}

static void *handshake_thread(void *arg)
{
	struct device *dev = arg;
	struct hs_msg *m[NOISE_BATCH_MAX];
	unsigned int n;

	/* Waits for one message, then takes what else is queued: one batch of DH for them all. */
	while ((m[0] = queue_ring_pop(&dev->handshakes))) {
		for (n = 1; n < NOISE_BATCH_MAX && (m[n] = queue_ring_trypop(&dev->handshakes));
		     ++n)
			;
		receive_handshakes(dev, m, n);
		for (unsigned int i = 0; i < n; ++i)
			sodium_memzero(m[i]->buf, sizeof(m[i]->buf));
		queue_pool_put(&dev->hs_pool, (void **)m, n);
	}
	return NULL;
}

/* Carries out what a peer's timers asked for. Caller holds dev->cfg_lock (read). */
static void timer_actions(struct peer *peer, unsigned int act)
{
	rwlock_assert_held(&peer->dev->cfg_lock);
	if (act & TIMERS_ZERO_KEYS) {
		noise_keypairs_clear(&peer->noise);
		noise_handshake_clear(&peer->noise);
	}
	if (act & TIMERS_GIVE_UP)
		peer_drop_staged(peer);
	if (act & (TIMERS_RETRANSMIT_HANDSHAKE | TIMERS_NEW_HANDSHAKE))
		send_handshake_initiation(peer, act & TIMERS_RETRANSMIT_HANDSHAKE);
	if (act & (TIMERS_SEND_KEEPALIVE | TIMERS_PERSISTENT_KEEPALIVE))
		send_keepalive(peer);
}

/*
 * Every timer is armed at least TIMERS_MIN_DELAY ahead (timers.h), so a full
 * walk of the peers is needed only when the earliest deadline the last walk
 * saw is due, or TIMERS_MIN_DELAY after it: then no timer armed since can be
 * due yet. An idle device with 100,000 peers walked them 20 times a second
 * (9% of a core); now once.
 */
static uint64_t timers_run(struct device *dev, uint64_t now)
{
	uint64_t due, next = now + TIMERS_MIN_DELAY;
	unsigned int act;

	rwlock_rdlock(&dev->cfg_lock);
	for (struct peer *p = dev->peers; p; p = p->next) {
		mutex_lock(&p->lock);
		due = timers_next_deadline(&p->timers);
		act = due && due <= now ? timers_tick(&p->timers, now) : 0;
		due = timers_next_deadline(&p->timers);
		mutex_unlock(&p->lock);
		if (due && due < next)
			next = due;
		if (act)
			timer_actions(p, act);
	}
	rwlock_unlock(&dev->cfg_lock);
	return next;
}

/*
 * Within a minute without traffic, the pools give the memory the load grew
 * back; then so does malloc, whose per-thread arenas grew with the load (the
 * crypto library's contexts, the UAPI's buffers) and keep their free pages.
 */
static void trim_pools(struct device *dev, uint64_t now)
{
	size_t released = queue_pool_trim(&dev->elems, now, DEVICE_POOL_WINDOW_NS);

	released += queue_pool_trim(&dev->jumbo, now, DEVICE_POOL_WINDOW_NS);
	released += queue_pool_trim(&dev->batches, now, DEVICE_POOL_WINDOW_NS);
	released += queue_pool_trim(&dev->hs_pool, now, DEVICE_POOL_WINDOW_NS);
	if (released)
		malloc_trim(0);
}

/*
 * Once a second: the MTU (wg-quick sets it after we start), the link's
 * existence and the pools' idle memory.
 */
static void housekeeping(struct device *dev)
{
	atomic_store(&dev->mtu, (unsigned int)tun_mtu(dev->tun));
	if (dev->rl)
		ratelimiter_gc(dev->rl, clock_now_ns());
	trim_pools(dev, clock_now_ns());
	if (!tun_is_alive(dev->tun)) {
		log_info("Interface %s was removed, shutting down", dev->tun->name);
		device_request_stop(dev);
	}
}

static void *timer_thread(void *arg)
{
	struct device *dev = arg;
	struct timespec ts;
	unsigned int ticks = 0;
	uint64_t next_walk = 0, now;

	pthread_mutex_lock(&dev->stop_lock);
	while (!device_is_stopping(dev)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_nsec -= 1000000000;
			++ts.tv_sec;
		}
		pthread_cond_timedwait(&dev->stop_cond, &dev->stop_lock, &ts);
		pthread_mutex_unlock(&dev->stop_lock);
		now = clock_now_ns();
		if (now >= next_walk)
			next_walk = timers_run(dev, now);
		if (++ticks % 20 == 0)
			housekeeping(dev);
		pthread_mutex_lock(&dev->stop_lock);
	}
	pthread_mutex_unlock(&dev->stop_lock);
	return NULL;
}

static int spawn(struct device *dev, void *(*fn)(void *))
{
	if (pthread_create(&dev->threads[dev->n_threads], NULL, fn, dev))
		return -EAGAIN;
	++dev->n_threads;
	return 0;
}

int device_start(struct device *dev)
{
	int ret = udp_open(&dev->udp, 0, 0);

	if (ret < 0)
		return ret;
	ret = spawn(dev, send_tun_thread);
	if (!ret)
		ret = spawn(dev, receive_udp_thread);
	for (int i = 0; !ret && i < DEVICE_WORKERS; ++i)
		ret = spawn(dev, worker_thread);
	/* Handshakes are DH-bound: one thread per core, like the crypto workers. */
	for (int i = 0; !ret && i < DEVICE_WORKERS; ++i)
		ret = spawn(dev, handshake_thread);
	if (!ret)
		ret = spawn(dev, timer_thread);
	return ret;
}
static void release_fifo(struct device *dev, struct queue_fifo *f)
{
	struct batch *b = queue_fifo_drain(f), *next;

	for (; b; b = next) {
		next = b->next;
		device_batch_release(dev, b);
	}
}

void device_free(struct device *dev)
{
	if (!dev)
		return;
	device_request_stop(dev);
	for (unsigned int i = 0; i < dev->n_threads; ++i)
		pthread_join(dev->threads[i], NULL);
	rwlock_wrlock(&dev->cfg_lock);
	while (dev->peers) {
		release_fifo(dev, &dev->peers->tx_fifo);
		release_fifo(dev, &dev->peers->rx_fifo);
		device_peer_remove(dev, dev->peers);
	}
	rwlock_unlock(&dev->cfg_lock);
	allowedips_free(&dev->aips);
	cookie_checker_free(&dev->cookie);
	noise_local_free(&dev->noise);
	index_table_free(dev->index);
	if (dev->rl)
		ratelimiter_free(dev->rl);
	udp_close(&dev->udp);
	device_close_stale(dev);
	queue_ring_free(&dev->crypt);
	queue_ring_free(&dev->handshakes);
	queue_pool_free(&dev->elems);
	queue_pool_free(&dev->jumbo);
	queue_pool_free(&dev->batches);
	queue_pool_free(&dev->hs_pool);
	sodium_memzero(dev, sizeof(*dev));
	free(dev);
}
