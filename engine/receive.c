// SPDX-License-Identifier: GPL-2.0
/*
 * Incoming packets. Authentication comes first (the workers), then, in order
 * per peer, the replay window, key confirmation, roaming and the check that
 * the inner source address is one the peer may use.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <sys/mman.h>
#include <sodium.h>
#include "aead.h"
#include "clock.h"
#include "device.h"
#include "log.h"
#include "peer.h"
#include "receive.h"
#include "send.h"

#define FLUSH_MAX_BATCHES 16
#define RX_CACHE 32

/* The batch being filled while one recvmmsg result is classified. */
struct rx_ctx {
	struct device *dev;
	struct batch *b;
	/* Elems taken from the pool in bulk: one lock round trip per RX_CACHE packets. */
	struct elem *cache[RX_CACHE];
	unsigned int n_cache;
};

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static void ctx_flush(struct rx_ctx *c)
{
	if (c->b)
		device_batch_queue(c->dev, c->b, &c->b->peer->rx_fifo);
	c->b = NULL;
}

/*
 * A new batch for the keypair with our index idx. False, with the drop
 * counted, if there is none or it may no longer receive: older than
 * REJECT_AFTER_TIME or its counters used up (whitepaper 6.1), as the kernel
 * refuses such packets before decrypting them.
 */
static bool ctx_start(struct rx_ctx *c, uint32_t idx, const struct udp_rx *rx)
{
	struct device *dev = c->dev;
	struct index_entry *ent;
	struct noise_keypair *kp;
	struct peer *peer;

	rwlock_rdlock(&dev->cfg_lock);
	ent = index_lookup(dev->index, idx, INDEX_KEYPAIR);
	kp = ent ? (struct noise_keypair *)ent : NULL;
	peer = kp ? peer_get(kp->entry.peer) : NULL;
	rwlock_unlock(&dev->cfg_lock);
	if (!kp) {
		device_drop(&dev->stats, DROP_rx_unknown_index, NULL, 1);
		return false;
	}
	if (!noise_keypair_can_receive(kp, clock_now_ns())) {
		device_drop(&dev->stats, DROP_rx_expired_key, peer, 1);
		noise_keypair_put(kp);
		peer_put(peer);
		return false;
	}
	c->b = device_batch_new(dev, peer, kp, BATCH_RECEIVE);
	if (!c->b)
		device_drop(&dev->stats, DROP_rx_no_buffer, peer, 1);
	peer_put(peer);
	if (!c->b)
		return false;
	c->b->src = rx->src;
	c->b->dst = rx->dst;
	return true;
}

/* Same sender and same local address: the packets may share a batch. */
static bool same_path(const struct batch *batch, const struct udp_rx *rx)
{
	const union wgendpoint *a = &batch->src, *b = &rx->src;

	if (memcmp(&batch->dst, &rx->dst, sizeof(rx->dst)))
		return false;
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr;
	return a->addr6.sin6_port == b->addr6.sin6_port &&
	       !memcmp(&a->addr6.sin6_addr, &b->addr6.sin6_addr, 16);
}

/* A buffer for a message of len bytes: from the bulk cache, or a jumbo one. */
static struct elem *rx_elem(struct rx_ctx *c, uint32_t len)
{
	struct device *dev = c->dev;
	struct elem *e;

	if (len > ELEM_SIZE - 16)
		return queue_pool_get(&dev->jumbo, (void **)&e, 1) ? e : NULL;
	if (!c->n_cache)
		c->n_cache = queue_pool_get(&dev->elems, (void **)c->cache, RX_CACHE)
				 ?: queue_pool_get(&dev->elems, (void **)c->cache, 1);
	return c->n_cache ? c->cache[--c->n_cache] : NULL;
}

/* A data message (classified) joins the batch of its keypair. */
static void rx_data(struct rx_ctx *c, const uint8_t *msg, uint32_t len,
		    const struct receive_header *h, const struct udp_rx *rx)
{
	struct device *dev = c->dev;
	uint32_t idx = h->index;
	struct elem *e;

	if (c->b && (c->b->kp->entry.index != idx || c->b->n == BATCH_MAX || !same_path(c->b, rx)))
		ctx_flush(c);
	if (!c->b && !ctx_start(c, idx, rx))
		return;
	e = rx_elem(c, len);
	if (!e) {
		/* Receive buffers, not send ones: the pools are shared, the direction is not. */
		device_drop(&dev->stats, DROP_rx_no_buffer, c->b->peer, 1);
		return;
	}
	/* Opened from the receive buffer into the elem: no copy unless a worker takes it. */
	e->src = msg + MESSAGE_DATA_HEADER_LEN;
	e->counter = h->counter;
	e->data = e->buf + MESSAGE_DATA_HEADER_LEN;
	e->len = len - MESSAGE_DATA_HEADER_LEN;
	c->b->e[c->b->n++] = e;
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

/* The class a message of a known type has at length len. */
static enum receive_class class_by_size(uint32_t type, uint32_t len)
{
	switch (type) {
	case MESSAGE_HANDSHAKE_INITIATION:
		return len == sizeof(struct message_handshake_initiation) ? RECEIVE_INITIATION
									  : RECEIVE_BAD_SIZE;
	case MESSAGE_HANDSHAKE_RESPONSE:
		return len == sizeof(struct message_handshake_response) ? RECEIVE_RESPONSE
									: RECEIVE_BAD_SIZE;
	case MESSAGE_HANDSHAKE_COOKIE:
		return len == sizeof(struct message_handshake_cookie) ? RECEIVE_COOKIE
								      : RECEIVE_BAD_SIZE;
	case MESSAGE_DATA:
		/* A jumbo buffer holds the message after 16 bytes of room for the inner header. */
		return len >= MESSAGE_MINIMUM_LENGTH && len <= ELEM_JUMBO_SIZE - 16
			   ? RECEIVE_DATA
			   : RECEIVE_BAD_SIZE;
	default:
		return RECEIVE_BAD_TYPE;
	}
}

enum receive_class receive_classify(const uint8_t *msg, uint32_t len, struct receive_header *h)
{
	enum receive_class c = len >= 4 ? class_by_size(get_le32(msg), len) : RECEIVE_BAD_TYPE;

	h->index = 0;
	h->counter = 0;
	/* Every class but the initiation names our index at offset 4; data its counter at 8. */
	if (c == RECEIVE_RESPONSE)
		h->index = get_le32(msg + 8);
	else if (c == RECEIVE_COOKIE || c == RECEIVE_DATA)
		h->index = get_le32(msg + 4);
	if (c == RECEIVE_DATA)
		h->counter = get_le64(msg + 8);
	return c;
}

/*
 * The cookie replies the reader makes in one receive pass, sent together:
 * consecutive replies to one source (a flood from one socket) leave as one
 * UDP GSO train, so neither end pays a system call and a wake-up for each.
 */
struct cookie_train {
	union wgendpoint ep;
	struct udp_local local;
	unsigned int n;
	struct message_handshake_cookie reply[UDP_GSO_MAX_SEGS];
	struct iovec iov[UDP_GSO_MAX_SEGS];
};

/* The reader's train (too big for its stack). */
static __thread struct cookie_train rx_train;

static void train_flush(struct device *dev, struct cookie_train *t)
{
	if (t->n)
		device_send_iov(dev, &t->ep, &t->local, t->iov, t->n);
	t->n = 0;
}

/* Where the next reply goes: the train's next slot, after sending it if it is full or elsewhere. */
static struct message_handshake_cookie *train_slot(struct device *dev, struct cookie_train *t,
						   const union wgendpoint *src,
						   const struct udp_local *dst)
{
	/* memcmp: the bytes past a sockaddr may differ, which only sends the train early. */
	if (t->n == UDP_GSO_MAX_SEGS ||
	    (t->n && (memcmp(&t->ep, src, sizeof(*src)) || memcmp(&t->local, dst, sizeof(*dst)))))
		train_flush(dev, t);
	t->ep = *src;
	t->local = *dst;
	return &t->reply[t->n];
}

/* Answers msg, which came from src to dst, with a cookie reply: on train t, or at once. */
static void send_cookie(struct device *dev, struct cookie_train *t, const uint8_t *msg,
			uint32_t len, const union wgendpoint *src, const struct udp_local *dst)
{
	struct message_handshake_cookie one, *reply = t ? train_slot(dev, t, src, dst) : &one;

	if (cookie_reply_create(&dev->cookie, reply, msg, len, get_le32(msg + 4), &src->addr,
				clock_now_ns()) < 0)
		return;
	atomic_fetch_add(&dev->stats.rx_cookie_sent, 1);
	if (!t) {
		device_send_to(dev, src, dst, reply, sizeof(*reply));
		return;
	}
	t->iov[t->n] = (struct iovec){reply, sizeof(*reply)};
	++t->n;
}

/*
 * The MAC checks and load shedding of an initiation or response: true if it
 * goes on to Noise. Under load one without a valid mac2 is answered with a
 * cookie reply instead, on train t (the reader's) or at once (t NULL).
 */
static bool hs_screen(struct device *dev, struct cookie_train *t, const uint8_t *msg, uint32_t len,
		      const union wgendpoint *src, const struct udp_local *dst, bool under_load)
{
	enum cookie_verdict v = cookie_checker_validate(&dev->cookie, msg, len, &src->addr,
							under_load, dev->rl, clock_now_ns());

	if (v == COOKIE_SEND_REPLY)
		send_cookie(dev, t, msg, len, src, dst);
	if (v == COOKIE_ACCEPT)
		return true;
	/* A wrong mac1 is a bad message; the rest is load shedding. */
	device_drop(&dev->stats,
		    v == COOKIE_DROP ? DROP_rx_handshake_bad : DROP_rx_handshake_dropped, NULL, 1);
	return false;
}

static void rx_handshake(struct device *dev, const uint8_t *msg, uint32_t len,
			 const struct udp_rx *rx)
{
	bool screened = false;
	struct hs_msg *m;

	/*
	 * Under load the reader itself checks the MACs and answers a flood with
	 * cookie replies: queueing each message would cost more (a copy, a
	 * hand-off, a handshake thread woken) than the reply. Only what passes
	 * mac2 and the rate limit is queued.
	 */
	if (get_le32(msg) != MESSAGE_HANDSHAKE_COOKIE && device_is_under_load(dev)) {
		if (!hs_screen(dev, &rx_train, msg, len, &rx->src, &rx->dst, true))
			return;
		screened = true;
	}
	if (!queue_pool_get(&dev->hs_pool, (void **)&m, 1)) {
		device_drop(&dev->stats, DROP_rx_handshake_dropped, NULL, 1);
		return;
	}
	memcpy(m->buf, msg, len);
	m->len = len;
	m->src = rx->src;
	m->dst = rx->dst;
	m->screened = screened;
	if (!queue_ring_push(&dev->handshakes, m)) {
		device_drop(&dev->stats, DROP_rx_handshake_dropped, NULL, 1);
		queue_pool_put(&dev->hs_pool, (void **)&m, 1);
	}
}

static void rx_one(struct rx_ctx *c, const uint8_t *msg, uint32_t len, const struct udp_rx *rx)
{
	struct receive_header h;

	switch (receive_classify(msg, len, &h)) {
	case RECEIVE_DATA:
		rx_data(c, msg, len, &h, rx);
		break;
	case RECEIVE_INITIATION:
	case RECEIVE_RESPONSE:
	case RECEIVE_COOKIE:
		rx_handshake(c->dev, msg, len, rx);
		break;
	case RECEIVE_BAD_SIZE:
		device_drop(&c->dev->stats, DROP_rx_bad_size, NULL, 1);
		break;
	case RECEIVE_BAD_TYPE:
		device_drop(&c->dev->stats, DROP_rx_bad_type, NULL, 1);
		break;
	}
}

void receive_datagrams(struct device *dev, struct udp_rx *rx, unsigned int n)
{
	struct rx_ctx c = {.dev = dev};

	for (unsigned int i = 0; i < n; ++i) {
		uint32_t seg = rx[i].gso ? rx[i].gso : rx[i].len;

		if (!seg) {
			device_drop(&dev->stats, DROP_rx_bad_size, NULL, 1);
			continue;
		}
		for (uint32_t off = 0; off < rx[i].len; off += seg) {
			uint32_t len = rx[i].len - off < seg ? rx[i].len - off : seg;

			rx_one(&c, rx[i].buf + off, len, &rx[i]);
		}
	}
	ctx_flush(&c);
	train_flush(dev, &rx_train);
	if (c.n_cache)
		queue_pool_put(&dev->elems, (void **)c.cache, c.n_cache);
}

void receive_take_copies(struct batch *b)
{
	for (unsigned int i = 0; i < b->n; ++i) {
		struct elem *e = b->e[i];

		if (e->src)
			memcpy(e->data, e->src, e->len);
		e->src = NULL;
	}
}

void receive_crypt_batch(struct batch *b)
{
	const uint8_t *key = b->kp->recv_key;

	for (unsigned int i = 0; i < b->n; ++i) {
		struct elem *e = b->e[i];

		e->ok = aead_open(e->data, e->src ? e->src : e->data, e->len, e->counter, key);
		e->src = NULL;
		if (e->ok)
			e->len -= AEAD_TAG_LEN;
	}
	atomic_store_explicit(&b->done, true, memory_order_release);
	receive_flush(b->peer);
}

uint32_t receive_inner_len(const uint8_t *p, uint32_t len)
{
	uint32_t l;

	if (len >= 20 && (p[0] >> 4) == 4) {
		l = (uint32_t)p[2] << 8 | p[3];
		return l >= 20 && l <= len ? l : 0;
	}
	if (len >= 40 && (p[0] >> 4) == 6) {
		l = ((uint32_t)p[4] << 8 | p[5]) + 40;
		return l <= len ? l : 0;
	}
	return 0;
}

/* What one flush pass gathered to write out. */
struct rx_out {
	uint8_t *pkts[FLUSH_MAX_BATCHES * BATCH_MAX];
	uint32_t lens[FLUSH_MAX_BATCHES * BATCH_MAX];
	unsigned int n;
	bool confirmed;
};

/* Marks key confirmation, timers and roaming for a batch with ok authenticated packets. */
static void rx_authenticated(struct peer *peer, struct batch *b, unsigned int data, uint64_t bytes,
			     struct rx_out *out)
{
	uint64_t now = clock_now_ns();

	if (noise_received_with_keypair(&peer->noise, b->kp)) {
		out->confirmed = true;
		atomic_fetch_add(&peer->dev->stats.handshakes_done, 1);
	}
	peer_endpoint_set(peer, &b->src, &b->dst);
	atomic_fetch_add(&peer->rx_bytes, bytes);
	mutex_lock(&peer->lock);
	if (out->confirmed) {
		timers_handshake_complete(&peer->timers, now);
		clock_gettime(CLOCK_REALTIME, &peer->last_handshake);
	}
	timers_any_authenticated_packet_received(&peer->timers, now);
	timers_any_authenticated_packet_traversal(&peer->timers, now);
	if (data)
		timers_data_received(&peer->timers, now);
	mutex_unlock(&peer->lock);
}

/* Why a packet was refused after opening: bad tag, replayed, or keys used up. */
static enum device_drop rx_refusal(struct noise_keypair *kp, bool opened)
{
	if (!opened)
		return DROP_rx_bad_auth;
	return atomic_load(&kp->can_receive) ? DROP_rx_replay : DROP_rx_expired_key;
}

/* Checks each opened packet of b and gathers the good ones into out. */
static void rx_check_batch(struct peer *peer, struct batch *b, struct rx_out *out)
{
	struct device *dev = peer->dev;
	unsigned int good = 0, data = 0;
	uint64_t bytes = 0;

	rwlock_rdlock(&dev->cfg_lock);
	for (unsigned int i = 0; i < b->n; ++i) {
		struct elem *e = b->e[i];
		uint32_t len;

		if (!e->ok || !noise_keypair_check_counter(b->kp, e->counter)) {
			device_drop(&dev->stats, rx_refusal(b->kp, e->ok), peer, 1);
			continue;
		}
		++good;
		bytes += e->len + MESSAGE_MINIMUM_LENGTH;
		if (!e->len)
			continue;
		len = receive_inner_len(e->data, e->len);
		if (!len) {
			device_drop(&dev->stats, DROP_rx_bad_inner, peer, 1);
		} else if (allowedips_lookup_src(&dev->aips, e->data, len) != peer) {
			device_drop(&dev->stats, DROP_rx_bad_source, peer, 1);
		} else {
			out->pkts[out->n] = e->data;
			out->lens[out->n++] = len;
			++data;
		}
	}
	rwlock_unlock(&dev->cfg_lock);
	if (good)
		rx_authenticated(peer, b, data, bytes, out);
}

/* Asks for a new handshake once when the current keypair grows old on receive. */
static void keep_key_fresh(struct peer *peer, struct noise_keypair *kp)
{
	bool send;

	if (!noise_keypair_wants_rekey_receive(kp, clock_now_ns()))
		return;
	mutex_lock(&peer->lock);
	send = timers_lastminute_handshake(&peer->timers);
	mutex_unlock(&peer->lock);
	if (send)
		send_handshake_initiation(peer, false);
}

void receive_flush(struct peer *peer)
{
	struct device *dev = peer->dev;
	/* Too big for the stack; one per thread, used under rx_flush_lock only. */
	static __thread struct rx_out out;
	struct batch *done[FLUSH_MAX_BATCHES];
	unsigned int n;
	bool confirmed;

	mutex_lock(&peer->rx_flush_lock);
	do {
		out.n = 0;
		out.confirmed = false;
		for (n = 0; n < FLUSH_MAX_BATCHES; ++n) {
			done[n] = queue_fifo_pop_done(&peer->rx_fifo);
			if (!done[n])
				break;
			rx_check_batch(peer, done[n], &out);
		}
		if (out.n)
			tun_write_batch(dev->tun, out.pkts, out.lens, out.n);
		confirmed = out.confirmed;
		for (unsigned int i = 0; i < n; ++i) {
			keep_key_fresh(peer, done[i]->kp);
			device_batch_release(dev, done[i]);
		}
		if (confirmed)
			send_staged(peer);
	} while (n == FLUSH_MAX_BATCHES);
	mutex_unlock(&peer->rx_flush_lock);
}

/* The peer owning our index idx (handshake or keypair), with a reference, or NULL. */
static struct peer *peer_by_index(struct device *dev, uint32_t idx)
{
	struct index_entry *ent;
	struct peer *peer = NULL;

	rwlock_rdlock(&dev->cfg_lock);
	ent = index_lookup(dev->index, idx, INDEX_HANDSHAKE | INDEX_KEYPAIR);
	if (ent) {
		peer = peer_get(ent->peer);
		if (ent->kind == INDEX_KEYPAIR)
			noise_keypair_put((struct noise_keypair *)ent);
	}
	rwlock_unlock(&dev->cfg_lock);
	return peer;
}

static void rx_cookie(struct device *dev, struct hs_msg *m)
{
	const struct message_handshake_cookie *msg = (const void *)m->buf;
	struct peer *peer = peer_by_index(dev, le32toh(msg->receiver_index));

	if (!peer || cookie_reply_consume(&peer->cookie, msg, clock_now_ns()) < 0)
		device_drop(&dev->stats, DROP_rx_handshake_bad, peer, 1);
	peer_put(peer);
}

/* Timer events and counters for a handshake message received from peer. */
static void hs_received(struct peer *peer, struct hs_msg *m)
{
	uint64_t now = clock_now_ns();

	peer_endpoint_set(peer, &m->src, &m->dst);
	atomic_fetch_add(&peer->rx_bytes, m->len);
	mutex_lock(&peer->lock);
	timers_any_authenticated_packet_received(&peer->timers, now);
	timers_any_authenticated_packet_traversal(&peer->timers, now);
	mutex_unlock(&peer->lock);
}

/* Sends msg, the response to peer's initiation m: MACs, the session, timers. */
static void send_response(struct peer *peer, const struct hs_msg *m,
			  struct message_handshake_response *msg)
{
	uint64_t now = clock_now_ns();
	bool derived;

	cookie_maker_add_macs(&peer->cookie, msg, sizeof(*msg), now);
	/* The keypair must exist before the initiator can answer with data. */
	derived = noise_begin_session(&peer->noise, now) == 0;
	mutex_lock(&peer->lock);
	timers_ephemeral_key_created(&peer->timers, now);
	if (derived)
		timers_session_derived(&peer->timers, now);
	timers_any_authenticated_packet_traversal(&peer->timers, now);
	timers_any_authenticated_packet_sent(&peer->timers, now);
	mutex_unlock(&peer->lock);
	if (device_send_to(peer->dev, &m->src, &m->dst, msg, sizeof(*msg)) == 0)
		atomic_fetch_add(&peer->tx_bytes, sizeof(*msg));
}

/* Answers peers[i], whose initiation m[i] was consumed, their DH in one batch. */
static void respond_all(struct peer *const peers[], struct hs_msg *const m[], unsigned int n)
{
	struct message_handshake_response msg[NOISE_BATCH_MAX], *mp[NOISE_BATCH_MAX];
	struct noise_remote *remote[NOISE_BATCH_MAX];
	int ret[NOISE_BATCH_MAX];

	for (unsigned int i = 0; i < n; ++i) {
		mp[i] = &msg[i];
		remote[i] = &peers[i]->noise;
	}
	noise_create_responses(remote, mp, n, ret);
	for (unsigned int i = 0; i < n; ++i)
		if (!ret[i])
			send_response(peers[i], m[i], &msg[i]);
	sodium_memzero(msg, sizeof(msg));
}

/* Caller holds dev->cfg_lock (read), which keeps the remotes' peers alive. */
static void rx_initiations(struct device *dev, struct hs_msg *const m[], unsigned int n)
{
	const struct message_handshake_initiation *msg[NOISE_BATCH_MAX];
	struct noise_remote *remote[NOISE_BATCH_MAX];
	struct peer *peers[NOISE_BATCH_MAX];
	struct hs_msg *from[NOISE_BATCH_MAX];
	int ret[NOISE_BATCH_MAX];
	unsigned int k = 0;

	rwlock_assert_held(&dev->cfg_lock);
	for (unsigned int i = 0; i < n; ++i)
		msg[i] = (const void *)m[i]->buf;
	noise_consume_initiations(&dev->noise, msg, n, remote, ret, clock_now_ns());
	for (unsigned int i = 0; i < n; ++i) {
		if (ret[i] < 0) {
			device_drop(&dev->stats, DROP_rx_handshake_bad, NULL, 1);
			continue;
		}
		peers[k] = remote[i]->peer;
		if (atomic_load(&peers[k]->is_dead))
			continue;
		from[k] = m[i];
		hs_received(peers[k++], m[i]);
	}
	if (k)
		respond_all(peers, from, k);
}

/* Caller holds dev->cfg_lock (read). */
static void rx_response(struct device *dev, struct hs_msg *m)
{
	struct noise_remote *remote;
	struct peer *peer;
	uint64_t now = clock_now_ns();

	rwlock_assert_held(&dev->cfg_lock);
	if (noise_consume_response(&dev->noise, (const void *)m->buf, &remote) < 0) {
		device_drop(&dev->stats, DROP_rx_handshake_bad, NULL, 1);
		return;
	}
	peer = remote->peer;
	if (atomic_load(&peer->is_dead) || noise_begin_session(&peer->noise, now) < 0)
		return;
	hs_received(peer, m);
	atomic_fetch_add(&dev->stats.handshakes_done, 1);
	mutex_lock(&peer->lock);
	timers_session_derived(&peer->timers, now);
	timers_handshake_complete(&peer->timers, now);
	clock_gettime(CLOCK_REALTIME, &peer->last_handshake);
	mutex_unlock(&peer->lock);
	send_keepalive(peer);
}

/* Consumes a cookie reply; passes what the reader screened, and the rest through hs_screen. */
static bool hs_admit(struct device *dev, struct hs_msg *m)
{
	if (get_le32(m->buf) == MESSAGE_HANDSHAKE_COOKIE) {
		rx_cookie(dev, m);
		return false;
	}
	return m->screened ||
	       hs_screen(dev, NULL, m->buf, m->len, &m->src, &m->dst, device_is_under_load(dev));
}

void receive_handshakes(struct device *dev, struct hs_msg *const m[], unsigned int n)
{
	struct hs_msg *admitted[NOISE_BATCH_MAX], *init[NOISE_BATCH_MAX];
	unsigned int k = 0, n_init = 0;

	for (unsigned int i = 0; i < n && i < NOISE_BATCH_MAX; ++i)
		if (hs_admit(dev, m[i]))
			admitted[k++] = m[i];
	rwlock_rdlock(&dev->cfg_lock);
	/* Responses one by one; the initiations together, which batches their DH. */
	for (unsigned int i = 0; i < k; ++i)
		if (get_le32(admitted[i]->buf) == MESSAGE_HANDSHAKE_INITIATION)
			init[n_init++] = admitted[i];
		else
			rx_response(dev, admitted[i]);
	if (n_init)
		rx_initiations(dev, init, n_init);
	rwlock_unlock(&dev->cfg_lock);
}

/* One poll of both sockets and what they hold; false if it timed out (nothing came). */
static bool udp_poll_once(struct device *dev, struct udp_rx *rx)
{
	struct pollfd p[2];
	bool stale;
	int n;

	rwlock_rdlock(&dev->udp_lock);
	p[0] = (struct pollfd){.fd = dev->udp.fd4, .events = POLLIN};
	p[1] = (struct pollfd){.fd = dev->udp.fd6, .events = POLLIN};
	stale = dev->udp_stale[0] >= 0 || dev->udp_stale[1] >= 0;
	rwlock_unlock(&dev->udp_lock);
	if (stale)
		device_close_stale(dev);
	if (poll(p, 2, 200) <= 0)
		return false;
	for (int i = 0; i < 2; ++i) {
		if (!(p[i].revents & POLLIN))
			continue;
		/*
		 * Read again before polling while reads find anything: what came
		 * in meanwhile costs one more recvmmsg instead of a sleep and a
		 * wake-up, the dearer part of a small packet under load.
		 */
		do {
			n = udp_recv_batch(p[i].fd, rx, UDP_RX_BATCH);
			if (n > 0)
				receive_datagrams(dev, rx, (unsigned int)n);
			device_crypt_help(dev);
		} while (n > 0 && !device_is_stopping(dev));
	}
	return true;
}

void *receive_udp_thread(void *arg)
{
	struct device *dev = arg;
	struct udp_rx rx[UDP_RX_BATCH];
	size_t size = (size_t)UDP_RX_BUF * UDP_RX_BATCH;
	uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t trimmed = clock_now_ns();

	device_mark_reader();
	if (mem == MAP_FAILED)
		return NULL;
	for (int i = 0; i < UDP_RX_BATCH; ++i)
		rx[i].buf = mem + (size_t)i * UDP_RX_BUF;
	while (!device_is_stopping(dev)) {
		if (udp_poll_once(dev, rx) || clock_now_ns() - trimmed < DEVICE_POOL_WINDOW_NS)
			continue;
		/*
		 * Quiet now, and a window since the last time: under load the kernel
		 * filled these 1 MiB with GRO batches; give the pages back as the
		 * pools do (the next datagrams touch a page or two again).
		 */
		madvise(mem, size, MADV_DONTNEED);
		trimmed = clock_now_ns();
	}
	munmap(mem, size);
	return NULL;
}
