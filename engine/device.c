// SPDX-License-Identifier: GPL-2.0
/*
 * Device lifetime and threads, and the glue the data path uses: batch
 * allocation and queueing, socket sends, routing lookups. Configuration
 * (UAPI get and set, applied atomically) is the second half.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "clock.h"
#include "key.h"
#include "device.h"
#include "log.h"
#include "peer.h"
#include "receive.h"
#include "send.h"

/* Public keys are uniformly random, so their first bytes make a fine hash. */
static struct peer **hash_bucket(struct device *dev, const uint8_t *pub)
{
	uint32_t h;

	memcpy(&h, pub, sizeof(h));
	return &dev->peer_hash[h % DEVICE_PEER_HASH];
}

/* Caller holds dev->cfg_lock. */
static struct peer *find_peer(struct device *dev, const uint8_t *pub)
{
	for (struct peer *p = *hash_bucket(dev, pub); p; p = p->hash_next) {
		if (!sodium_memcmp(p->public_key, pub, NOISE_PUBLIC_KEY_LEN))
			return p;
	}
	return NULL;
}

static struct noise_remote *lookup_remote(void *ctx, const uint8_t *pub)
{
	/* Caller holds dev->cfg_lock (read): the handshake thread takes it. */
	struct peer *p = find_peer(ctx, pub);

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

/* A pool of count elems with size bytes of buffer each, marked jumbo or not. */
static int init_elem_pool(struct queue_pool *p, size_t size, unsigned int count, bool jumbo)
{
	int ret = queue_pool_init(p, sizeof(struct elem) + size, count);

	for (unsigned int i = 0; !ret && i < count; ++i)
		((struct elem *)((uint8_t *)p->mem + i * p->size))->jumbo = jumbo;
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

void device_batch_queue(struct device *dev, struct batch *b, struct queue_fifo *fifo)
{
	if (!queue_fifo_push(fifo, b)) {
		atomic_fetch_add(&dev->stats.tx_queue_full, b->n);
		device_batch_release(dev, b);
		return;
	}
	/* A reader keeps the first few batches of each pass; the rest go to the workers. */
	if (is_reader && n_mine < dev->wake_backlog && n_mine < DEVICE_INLINE_MAX) {
		mine[n_mine++] = b;
		return;
	}
	if (queue_ring_push(&dev->crypt, b))
		return;
	/* Already in the FIFO: leave it there empty and done so order is kept. */
	atomic_fetch_add(&dev->stats.tx_queue_full, b->n);
	device_elems_put(dev, b->e, b->n);
	b->n = 0;
	atomic_store_explicit(&b->done, true, memory_order_release);
	if (b->dir == BATCH_SEND)
		send_flush(b->peer);
	else
		receive_flush(b->peer);
}

int device_send_to(struct device *dev, const union wgendpoint *ep, const struct udp_local *local,
		   void *buf, size_t len)
{
	struct udp_local from = {0};
	struct iovec iov = {buf, len};

	if (local)
		from = *local;
	return device_send_iov(dev, ep, &from, &iov, 1);
}

int device_send_iov(struct device *dev, const union wgendpoint *ep, struct udp_local *local,
		    struct iovec *iov, unsigned int n)
{
	int ret;

	pthread_rwlock_rdlock(&dev->udp_lock);
	ret = udp_send_batch(&dev->udp, ep, local, iov, n);
	pthread_rwlock_unlock(&dev->udp_lock);
	return ret;
}

struct peer *device_peer_by_dst(struct device *dev, const uint8_t *pkt, size_t len)
{
	struct peer *peer;

	pthread_rwlock_rdlock(&dev->cfg_lock);
	peer = allowedips_lookup_dst(&dev->aips, pkt, len);
	if (peer)
		peer_get(peer);
	pthread_rwlock_unlock(&dev->cfg_lock);
	return peer;
}

/* Closes sockets replaced by a listen-port change; the UDP thread's job. */
void device_close_stale(struct device *dev)
{
	pthread_rwlock_wrlock(&dev->udp_lock);
	for (int i = 0; i < 2; ++i) {
		if (dev->udp_stale[i] >= 0)
			close(dev->udp_stale[i]);
		dev->udp_stale[i] = -1;
	}
	pthread_rwlock_unlock(&dev->udp_lock);
}

static void crypt_batch(struct batch *b)
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
		crypt_batch(mine[i]);
	n_mine = 0;
	while ((b = queue_ring_trypop(&dev->crypt)))
		crypt_batch(b);
}

static void *worker_thread(void *arg)
{
	struct device *dev = arg;
	struct batch *b;

	while ((b = queue_ring_pop(&dev->crypt)))
		crypt_batch(b);
	return NULL;
}

static void *handshake_thread(void *arg)
{
	struct device *dev = arg;
	struct hs_msg *m;

	while ((m = queue_ring_pop(&dev->handshakes))) {
		receive_handshake(dev, m);
		sodium_memzero(m->buf, sizeof(m->buf));
		queue_pool_put(&dev->hs_pool, (void **)&m, 1);
	}
	return NULL;
}

/* Carries out what a peer's timers asked for. Caller holds dev->cfg_lock (read). */
static void timer_actions(struct peer *peer, unsigned int act)
{
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

static void timers_run(struct device *dev)
{
	uint64_t now = clock_now_ns(), due;
	unsigned int act;

	pthread_rwlock_rdlock(&dev->cfg_lock);
	for (struct peer *p = dev->peers; p; p = p->next) {
		pthread_mutex_lock(&p->lock);
		due = timers_next_deadline(&p->timers);
		act = due && due <= now ? timers_tick(&p->timers, now) : 0;
		pthread_mutex_unlock(&p->lock);
		if (act)
			timer_actions(p, act);
	}
	pthread_rwlock_unlock(&dev->cfg_lock);
}

/* Once a second: the MTU (wg-quick sets it after we start) and the link's existence. */
static void housekeeping(struct device *dev)
{
	atomic_store(&dev->mtu, (unsigned int)tun_mtu(dev->tun));
	if (dev->rl)
		ratelimiter_gc(dev->rl, clock_now_ns());
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
		timers_run(dev);
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

/* Caller holds dev->cfg_lock (write). */
static void remove_peer(struct device *dev, struct peer *peer)
{
	struct peer **pp = &dev->peers;

	while (*pp && *pp != peer)
		pp = &(*pp)->next;
	if (*pp)
		*pp = peer->next;
	for (pp = hash_bucket(dev, peer->public_key); *pp && *pp != peer;)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = peer->hash_next;
	--dev->n_peers;
	allowedips_remove_by_peer(&dev->aips, peer);
	peer_kill(peer);
	peer_put(peer);
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
	pthread_rwlock_wrlock(&dev->cfg_lock);
	while (dev->peers) {
		release_fifo(dev, &dev->peers->tx_fifo);
		release_fifo(dev, &dev->peers->rx_fifo);
		remove_peer(dev, dev->peers);
	}
	pthread_rwlock_unlock(&dev->cfg_lock);
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

/* ------------------------------------------------------------ UAPI get/set */

static int get_interface(struct device *dev, struct wgdevice *m)
{
	pthread_rwlock_rdlock(&dev->noise.lock);
	if (dev->noise.has_identity) {
		memcpy(m->private_key, dev->noise.static_private, WG_KEY_LEN);
		memcpy(m->public_key, dev->noise.static_public, WG_KEY_LEN);
		m->flags |= WGDEVICE_HAS_PRIVATE_KEY | WGDEVICE_HAS_PUBLIC_KEY;
	}
	pthread_rwlock_unlock(&dev->noise.lock);
	pthread_rwlock_rdlock(&dev->udp_lock);
	m->listen_port = dev->udp.port;
	pthread_rwlock_unlock(&dev->udp_lock);
	m->fwmark = dev->fwmark;
	m->flags |= WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK;
	snprintf(m->name, sizeof(m->name), "%s", dev->tun->name);
	return 0;
}

int device_uapi_get(struct device *dev, struct wgdevice **out)
{
	struct wgdevice *m = model_device_new();
	int ret = m ? get_interface(dev, m) : -ENOMEM;

	pthread_rwlock_rdlock(&dev->cfg_lock);
	for (struct peer *p = dev->peers; !ret && p; p = p->next) {
		struct wgpeer *mp = model_peer_append(m);

		ret = mp ? peer_to_model(p, mp) : -ENOMEM;
	}
	pthread_rwlock_unlock(&dev->cfg_lock);
	if (ret) {
		model_device_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

/* What a set needs allocated before anything changes. */
struct set_plan {
	struct peer **fresh; /* per peer of the change: a new peer to add, or NULL */
	struct peer **kick;  /* peers to send a keepalive once the lock is dropped */
	unsigned int n, n_kick;
	struct udp udp; /* new sockets when the port changes */
	bool rebind;
};

static int validate(const struct wgdevice *c)
{
	const struct wgallowedip *a;
	const struct wgpeer *p;

	for_each_wgpeer (c, p) {
		if (!(p->flags & WGPEER_HAS_PUBLIC_KEY))
			return -EINVAL;
		for_each_wgallowedip (p, a) {
			if ((a->family != AF_INET && a->family != AF_INET6) ||
			    a->cidr > (a->family == AF_INET ? 32 : 128))
				return -EINVAL;
		}
	}
	return 0;
}

/* True if an earlier peer of the change already creates this one. */
static bool planned_before(const struct wgdevice *c, const struct set_plan *plan,
			   const struct wgpeer *until, const uint8_t *pub)
{
	unsigned int i = 0;

	for (const struct wgpeer *p = c->first_peer; p != until; p = p->next_peer, ++i) {
		if (plan->fresh[i] && !memcmp(p->public_key, pub, WG_KEY_LEN))
			return true;
	}
	return false;
}

static bool needs_fresh(struct device *dev, const struct wgdevice *c, struct set_plan *plan,
			const struct wgpeer *p)
{
	if (p->flags & (WGPEER_REMOVE_ME | WGPEER_UPDATE_ONLY))
		return false;
	if (!(c->flags & WGDEVICE_REPLACE_PEERS) && find_peer(dev, p->public_key))
		return false;
	return !planned_before(c, plan, p, p->public_key);
}

/*
 * Opens the sockets for a new port. Sockets replaced just before may still
 * hold the port we go back to: they are closed now, but the UDP thread's poll
 * keeps them alive until it returns (200 ms at most), so a taken port is
 * retried for a little longer than that.
 */
static int rebind(struct device *dev, const struct wgdevice *c, struct set_plan *plan)
{
	uint32_t mark = c->flags & WGDEVICE_HAS_FWMARK ? c->fwmark : dev->fwmark;
	bool had_stale;
	int ret;

	pthread_rwlock_rdlock(&dev->udp_lock);
	had_stale = dev->udp_stale[0] >= 0 || dev->udp_stale[1] >= 0;
	pthread_rwlock_unlock(&dev->udp_lock);
	device_close_stale(dev);
	ret = udp_open(&plan->udp, c->listen_port, mark);
	for (int i = 0; had_stale && ret == -EADDRINUSE && i < 6; ++i) {
		usleep(50 * 1000);
		ret = udp_open(&plan->udp, c->listen_port, mark);
	}
	return ret;
}

/* Caller holds dev->cfg_lock (write). Allocates everything; changes nothing. */
static int plan_set(struct device *dev, const struct wgdevice *c, struct set_plan *plan)
{
	const struct wgpeer *p;
	unsigned int i = 0;
	int ret = validate(c);

	for_each_wgpeer (c, p)
		++plan->n;
	plan->fresh = calloc(plan->n + 1, sizeof(*plan->fresh));
	plan->kick = calloc(plan->n + 1, sizeof(*plan->kick));
	if (!ret && (!plan->fresh || !plan->kick))
		ret = -ENOMEM;
	if (!ret && (c->flags & WGDEVICE_HAS_LISTEN_PORT) && c->listen_port != dev->udp.port) {
		ret = rebind(dev, c, plan);
		plan->rebind = !ret;
	}
	for (p = c->first_peer; !ret && p; p = p->next_peer, ++i) {
		if (!needs_fresh(dev, c, plan, p))
			continue;
		plan->fresh[i] =
		    peer_new(dev, p->public_key,
			     p->flags & WGPEER_HAS_PRESHARED_KEY ? p->preshared_key : NULL);
		if (!plan->fresh[i])
			ret = -ENOMEM;
	}
	return ret;
}

static void plan_free(struct set_plan *plan)
{
	for (unsigned int i = 0; plan->fresh && i < plan->n; ++i)
		peer_put(plan->fresh[i]);
	if (plan->rebind)
		udp_close(&plan->udp);
	free(plan->fresh);
	free(plan->kick);
}

/* Caller holds dev->cfg_lock (write). */
static void commit_private_key(struct device *dev, const uint8_t *priv)
{
	struct peer *p, *next;

	if (dev->noise.has_identity && !sodium_memcmp(dev->noise.static_private, priv, WG_KEY_LEN))
		return;
	noise_local_set_private_key(&dev->noise, key_is_zero(priv) ? NULL : priv);
	cookie_checker_precompute(&dev->cookie,
				  dev->noise.has_identity ? dev->noise.static_public : NULL);
	for (p = dev->peers; p; p = next) {
		next = p->next;
		if (dev->noise.has_identity &&
		    !sodium_memcmp(p->public_key, dev->noise.static_public, WG_KEY_LEN)) {
			remove_peer(dev, p);
			continue;
		}
		noise_remote_precompute(&p->noise);
		noise_keypairs_expire_current(&p->noise);
	}
}

/* Caller holds dev->cfg_lock (write). */
static void commit_port(struct device *dev, struct set_plan *plan)
{
	pthread_rwlock_wrlock(&dev->udp_lock);
	for (int i = 0; i < 2; ++i) {
		if (dev->udp_stale[i] >= 0)
			close(dev->udp_stale[i]);
	}
	dev->udp_stale[0] = dev->udp.fd4;
	dev->udp_stale[1] = dev->udp.fd6;
	dev->udp = plan->udp;
	pthread_rwlock_unlock(&dev->udp_lock);
	plan->rebind = false;
}

static void link_peer(struct device *dev, struct peer *peer)
{
	struct peer **pp = &dev->peers;

	while (*pp)
		pp = &(*pp)->next;
	*pp = peer;
	pp = hash_bucket(dev, peer->public_key);
	peer->hash_next = *pp;
	*pp = peer;
	++dev->n_peers;
}

/* Caller holds dev->cfg_lock (write). */
static void commit_allowedips(struct device *dev, struct peer *peer, const struct wgpeer *c)
{
	const struct wgallowedip *a;

	if (c->flags & WGPEER_REPLACE_ALLOWEDIPS)
		allowedips_remove_by_peer(&dev->aips, peer);
	for_each_wgallowedip (c, a) {
		if (a->flags & WGALLOWEDIP_REMOVE_ME)
			allowedips_remove(&dev->aips, a->family, &a->ip4, a->cidr, peer);
		else if (allowedips_insert(&dev->aips, a->family, &a->ip4, a->cidr, peer) < 0)
			log_err("Unable to add an allowed IP: out of memory");
	}
}

/* Caller holds dev->cfg_lock (write). fresh is the planned new peer or NULL. */
static void commit_peer(struct device *dev, const struct wgpeer *c, struct peer *fresh,
			struct set_plan *plan)
{
	struct peer *peer = fresh ? fresh : find_peer(dev, c->public_key);
	unsigned int act = 0;

	if (c->flags & WGPEER_REMOVE_ME) {
		if (peer)
			remove_peer(dev, peer);
		return;
	}
	if (!peer || (dev->noise.has_identity &&
		      !sodium_memcmp(c->public_key, dev->noise.static_public, WG_KEY_LEN)))
		return;
	if (fresh) {
		/* Created before a key change in this same set: derive DH(S, S_remote) now. */
		noise_remote_precompute(&fresh->noise);
		link_peer(dev, peer_get(fresh));
	} else if (c->flags & WGPEER_HAS_PRESHARED_KEY)
		noise_remote_set_psk(&peer->noise, c->preshared_key);
	if (c->endpoint.addr.sa_family)
		peer_endpoint_set(peer, &c->endpoint, NULL);
	commit_allowedips(dev, peer, c);
	if (c->flags & WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL) {
		pthread_mutex_lock(&peer->lock);
		act = timers_set_persistent_keepalive(
		    &peer->timers, c->persistent_keepalive_interval, clock_now_ns());
		pthread_mutex_unlock(&peer->lock);
	}
	if (act)
		plan->kick[plan->n_kick++] = peer_get(peer);
}

static void commit_set(struct device *dev, const struct wgdevice *c, struct set_plan *plan)
{
	const struct wgpeer *p;
	unsigned int i = 0;

	if (c->flags & WGDEVICE_HAS_PRIVATE_KEY)
		commit_private_key(dev, c->private_key);
	if (plan->rebind)
		commit_port(dev, plan);
	if (c->flags & WGDEVICE_HAS_FWMARK) {
		dev->fwmark = c->fwmark;
		pthread_rwlock_wrlock(&dev->udp_lock);
		if (udp_set_fwmark(&dev->udp, c->fwmark) < 0)
			log_err("Unable to set fwmark: %s", strerror(errno));
		pthread_rwlock_unlock(&dev->udp_lock);
	}
	if (c->flags & WGDEVICE_REPLACE_PEERS) {
		while (dev->peers)
			remove_peer(dev, dev->peers);
	}
	for (p = c->first_peer; p; p = p->next_peer, ++i)
		commit_peer(dev, p, plan->fresh[i], plan);
}

int device_uapi_set(struct device *dev, const struct wgdevice *change)
{
	struct set_plan plan = {0};
	int ret;

	udp_init(&plan.udp);
	pthread_rwlock_wrlock(&dev->cfg_lock);
	ret = plan_set(dev, change, &plan);
	if (!ret)
		commit_set(dev, change, &plan);
	pthread_rwlock_unlock(&dev->cfg_lock);
	for (unsigned int i = 0; i < plan.n_kick; ++i) {
		send_keepalive(plan.kick[i]);
		peer_put(plan.kick[i]);
	}
	plan_free(&plan);
	return ret;
}
