// SPDX-License-Identifier: GPL-2.0
/*
 * Outgoing packets. Nonces are taken under the peer's tx_order_lock in the
 * same order as batches enter its FIFO, so the receiver's replay window sees
 * them in order; equal-sized sealed packets leave as one UDP GSO train.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <endian.h>
#include <sodium.h>
#include "aead.h"
#include "clock.h"
#include "device.h"
#include "log.h"
#include "peer.h"
#include "send.h"

static unsigned int padded_len(unsigned int len, unsigned int mtu)
{
	unsigned int p = (len + MESSAGE_PADDING_MULTIPLE - 1) & ~(MESSAGE_PADDING_MULTIPLE - 1u);

	if (len >= mtu)
		return len;
	return p > mtu ? mtu : p;
}

/*
 * An authenticated packet is about to leave; caller holds nothing. Noted
 * before the send, as the kernel does: an answer that overtakes this thread
 * must not have its keepalive request cancelled by a late "sent".
 */
static void timers_sending(struct peer *peer)
{
	uint64_t now = clock_now_ns();

	mutex_lock(&peer->lock);
	timers_any_authenticated_packet_traversal(&peer->timers, now);
	timers_any_authenticated_packet_sent(&peer->timers, now);
	mutex_unlock(&peer->lock);
}

/* Data (not only keepalives) left: expect an answer. Caller holds nothing. */
static void timers_sent_data(struct peer *peer)
{
	uint64_t now = clock_now_ns();

	mutex_lock(&peer->lock);
	timers_data_sent(&peer->timers, now);
	mutex_unlock(&peer->lock);
}

/*
 * Numbers and queues e[0..n) (n <= BATCH_MAX) under kp. Returns how many it
 * took (queued, or dropped for want of a batch); fewer than n means kp's
 * counters ran out and e[ret..n) are still the caller's.
 */
static unsigned int queue_one_batch(struct peer *peer, struct noise_keypair *kp, struct elem **e,
				    unsigned int n)
{
	struct device *dev = peer->dev;
	struct batch *b = device_batch_new(dev, peer, noise_keypair_get(kp), BATCH_SEND);
	unsigned int mtu = device_mtu(dev), i;

	if (!b) {
		device_drop(&dev->stats, DROP_tx_no_buffer, peer, n);
		device_elems_put(dev, e, n);
		return n;
	}
	mutex_lock(&peer->tx_order_lock);
	for (i = 0; i < n; ++i) {
		if (!noise_keypair_next_counter(kp, &e[i]->counter))
			break;
		unsigned int plen = padded_len(e[i]->len, mtu);

		memset(e[i]->data + e[i]->len, 0, plen - e[i]->len);
		e[i]->len = plen;
		b->e[b->n++] = e[i];
	}
	if (i)
		device_batch_queue(dev, b, &peer->tx_fifo);
	mutex_unlock(&peer->tx_order_lock);
	if (!i)
		device_batch_release(dev, b);
	return i;
}

void send_packets(struct peer *peer, struct elem **e, unsigned int n)
{
	uint64_t now = clock_now_ns();
	struct noise_keypair *kp = noise_keypair_current_get(&peer->noise);
	unsigned int i, m, took;
	bool rekey;

	if (!kp || !noise_keypair_can_send(kp, now)) {
		noise_keypair_put(kp);
		peer_stage(peer, e, n);
		send_handshake_initiation(peer, false);
		return;
	}
	for (i = 0; i < n;) {
		m = n - i < BATCH_MAX ? n - i : BATCH_MAX;
		took = queue_one_batch(peer, kp, e + i, m);
		i += took;
		if (took < m)
			break;
	}
	rekey = noise_keypair_wants_rekey_send(kp, now);
	noise_keypair_put(kp);
	if (i < n) {
		/* The keypair is used up (REJECT_AFTER_MESSAGES): the rest waits for new keys. */
		peer_stage(peer, e + i, n - i);
		rekey = true;
	}
	if (rekey)
		send_handshake_initiation(peer, false);
}

void send_keepalive(struct peer *peer)
{
	struct elem *e;
	bool staged;

	mutex_lock(&peer->lock);
	staged = peer->n_staged > 0;
	mutex_unlock(&peer->lock);
	if (staged) {
		send_staged(peer);
		return;
	}
	if (!queue_pool_get(&peer->dev->elems, (void **)&e, 1))
		return;
	e->data = e->buf + ELEM_HEADROOM;
	e->len = 0;
	send_packets(peer, &e, 1);
}

void send_staged(struct peer *peer)
{
	struct elem *e[MAX_STAGED_PACKETS];
	unsigned int n = peer_unstage(peer, e, MAX_STAGED_PACKETS);

	if (n)
		send_packets(peer, e, n);
}

void send_handshake_initiation(struct peer *peer, bool is_retry)
{
	struct message_handshake_initiation msg;
	struct iovec iov = {&msg, sizeof(msg)};
	struct udp_local local, from;
	union wgendpoint ep;
	uint64_t now = clock_now_ns();
	bool may;

	if (atomic_load(&peer->is_dead))
		return;
	mutex_lock(&peer->lock);
	may = timers_may_send_initiation(&peer->timers, now);
	ep = peer->endpoint;
	local = from = peer->local;
	if (may)
		timers_handshake_initiated(&peer->timers, now, is_retry);
	mutex_unlock(&peer->lock);
	if (!may || noise_create_initiation(&peer->noise, &msg, clock_wall_ns()) < 0)
		return;
	cookie_maker_add_macs(&peer->cookie, &msg, sizeof(msg), now);
	mutex_lock(&peer->lock);
	timers_ephemeral_key_created(&peer->timers, now);
	mutex_unlock(&peer->lock);
	timers_sending(peer);
	if (ep.addr.sa_family && device_send_iov(peer->dev, &ep, &from, &iov, 1) == 0)
		atomic_fetch_add(&peer->tx_bytes, sizeof(msg));
	if (from.family != local.family)
		peer_local_clear(peer, &local);
	sodium_memzero(&msg, sizeof(msg));
}

void send_crypt_batch(struct batch *b)
{
	struct noise_keypair *kp = b->kp;
	uint32_t type = htole32(MESSAGE_DATA), idx = htole32(kp->remote_index);

	for (unsigned int i = 0; i < b->n; ++i) {
		struct elem *e = b->e[i];
		uint8_t *hdr = e->data - MESSAGE_DATA_HEADER_LEN;
		uint64_t ctr = htole64(e->counter);

		memcpy(hdr, &type, 4);
		memcpy(hdr + 4, &idx, 4);
		memcpy(hdr + 8, &ctr, 8);
		aead_seal(e->data, e->data, e->len, e->counter, kp->send_key);
		e->len += AEAD_TAG_LEN;
	}
	atomic_store_explicit(&b->done, true, memory_order_release);
	send_flush(b->peer);
}

/* The end of the GSO train starting at i: equal sizes, a shorter one may close it. */
static unsigned int train_end(const struct iovec *iov, unsigned int i, unsigned int n)
{
	size_t size = iov[i].iov_len, total = size;
	unsigned int j = i + 1;

	while (j < n && iov[j].iov_len == size && total + size <= UDP_GSO_MAX_BYTES) {
		total += size;
		++j;
	}
	if (j < n && iov[j].iov_len < size && total + iov[j].iov_len <= UDP_GSO_MAX_BYTES)
		++j;
	return j;
}

/* Transmits one finished batch as GSO trains of equal-sized packets. */
static void transmit(struct peer *peer, struct batch *b, const union wgendpoint *ep,
		     const struct udp_local *local)
{
	struct udp_local from = *local;
	struct iovec iov[BATCH_MAX];
	uint64_t bytes = 0;
	unsigned int data = 0, i, j;

	for (i = 0; i < b->n; ++i) {
		iov[i].iov_base = b->e[i]->data - MESSAGE_DATA_HEADER_LEN;
		iov[i].iov_len = b->e[i]->len + MESSAGE_DATA_HEADER_LEN;
		bytes += iov[i].iov_len;
		data += b->e[i]->len > AEAD_TAG_LEN;
	}
	timers_sending(peer);
	for (i = 0; i < b->n; i = j) {
		j = train_end(iov, i, b->n);
		device_send_iov(peer->dev, ep, &from, iov + i, j - i);
	}
	/* The address we sent from is gone: replies go from the kernel's choice now. */
	if (from.family != local->family)
		peer_local_clear(peer, local);
	atomic_fetch_add(&peer->tx_bytes, bytes);
	if (data)
		timers_sent_data(peer);
}

void send_flush(struct peer *peer)
{
	struct device *dev = peer->dev;
	struct udp_local local;
	union wgendpoint ep;
	struct batch *b;

	mutex_lock(&peer->tx_flush_lock);
	while ((b = queue_fifo_pop_done(&peer->tx_fifo))) {
		peer_endpoint_get(peer, &ep, &local);
		if (b->n && ep.addr.sa_family)
			transmit(peer, b, &ep, &local);
		device_batch_release(dev, b);
	}
	mutex_unlock(&peer->tx_flush_lock);
}

/*
 * Splits one TUN read into n segments in elems of the jumbo pool or the small
 * one; returns the count, -EMSGSIZE when they do not fit, or -ENOBUFS.
 */
static int split_into(struct device *dev, const struct virtio_net_hdr *h, const uint8_t *pkt,
		      size_t plen, struct elem **e, int n, bool jumbo)
{
	/* A 64 KiB burst at a small MSS has many segments: too big for the stack. */
	static __thread uint8_t *outs[TUN_MAX_SEGS];
	static __thread uint32_t lens[TUN_MAX_SEGS];
	struct queue_pool *pool = jumbo ? &dev->jumbo : &dev->elems;
	int got;

	if (!queue_pool_get(pool, (void **)e, (unsigned int)n))
		return -ENOBUFS;
	for (int i = 0; i < n; ++i)
		outs[i] = e[i]->data = e[i]->buf + ELEM_HEADROOM;
	got = tun_gso_split(h, pkt, plen, outs, jumbo ? ELEM_JUMBO_MAX_PAYLOAD : ELEM_MAX_PAYLOAD,
			    lens);
	if (got != n) {
		queue_pool_put(pool, (void **)e, (unsigned int)n);
		return got < 0 ? got : -EINVAL;
	}
	for (int i = 0; i < n; ++i)
		e[i]->len = lens[i];
	return n;
}

/*
 * Reads of one pass that go to the same peer, sent together: a burst of
 * small packets (UDP, ACKs) then leaves as one batch and one GSO train
 * instead of a sendmsg each.
 */
struct tx_pending {
	struct peer *peer; /* a reference, or NULL when empty */
	unsigned int n;
	struct elem *e[BATCH_MAX + TUN_MAX_SEGS];
};

static void pending_flush(struct tx_pending *p)
{
	if (!p->peer)
		return;
	send_packets(p->peer, p->e, p->n);
	peer_put(p->peer);
	p->peer = NULL;
	p->n = 0;
}

/* Adds n elems for peer (taking its reference); a full or other peer's run goes first. */
static void pending_add(struct tx_pending *p, struct peer *peer, struct elem **e, unsigned int n)
{
	if (p->peer && (p->peer != peer || p->n >= BATCH_MAX))
		pending_flush(p);
	if (p->peer)
		peer_put(peer);
	else
		p->peer = peer;
	memcpy(p->e + p->n, e, n * sizeof(*e));
	p->n += n;
}

/* Splits one TUN read into segments and adds them to their peer's pending run; the count. */
static unsigned int tun_packet(struct device *dev, uint8_t *buf, size_t len,
			       struct tx_pending *pend)
{
	const struct virtio_net_hdr *h = dev->tun->vnet ? (const void *)buf : NULL;
	uint8_t *pkt = buf + (h ? TUN_VNET_HDR_LEN : 0);
	size_t plen = len - (h ? TUN_VNET_HDR_LEN : 0);
	static __thread struct elem *e[TUN_MAX_SEGS];
	int n = tun_gso_count(h, pkt, plen);
	struct peer *peer;

	if (n <= 0 || n > TUN_MAX_SEGS) {
		device_drop(&dev->stats, DROP_tx_bad_packet, NULL, 1);
		return 0;
	}
	/* Small buffers first; segments too big for them (jumbo MTUs) take jumbo ones. */
	n = split_into(dev, h, pkt, plen, e, n, false);
	if (n == -EMSGSIZE)
		n = split_into(dev, h, pkt, plen, e, tun_gso_count(h, pkt, plen), true);
	if (n <= 0) {
		device_drop(&dev->stats, n == -ENOBUFS ? DROP_tx_no_buffer : DROP_tx_bad_packet,
			    NULL, 1);
		return 0;
	}
	peer = device_peer_by_dst(dev, e[0]->data, e[0]->len);
	if (!peer) {
		device_drop(&dev->stats, DROP_tx_no_peer, NULL, 1);
		device_elems_put(dev, e, (unsigned int)n);
		return 0;
	}
	pending_add(pend, peer, e, (unsigned int)n);
	return (unsigned int)n;
}

static bool fd_gone(int err)
{
	return err == EBADFD || err == EBADF || err == EIO || err == ENXIO || err == ENODEV;
}

/* Waits for the TUN device to be readable; false once it is gone. */
static bool tun_wait(struct device *dev)
{
	struct pollfd p = {.fd = dev->tun->fd, .events = POLLIN};

	device_crypt_help(dev);
	if (poll(&p, 1, 200) > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
		return false;
	return true;
}

/*
 * One pass: reads until the device is empty or a batch's worth of packets
 * (BATCH_MAX) was taken, then sends them and seals. Only what is already waiting
 * joins a pass, so a lone packet leaves at once. Returns 1 after a full
 * pass, else what the last read said: 0 (end of file) or -errno.
 */
static int tun_pass(struct device *dev, uint8_t *buf, struct tx_pending *pend)
{
	unsigned int segs = 0;
	int ret = 1;
	ssize_t r;

	while (segs < BATCH_MAX) {
		r = read(dev->tun->fd, buf, TUN_READ_MAX);
		if (r <= 0) {
			ret = r < 0 ? -errno : 0;
			break;
		}
		segs += tun_packet(dev, buf, (size_t)r, pend);
	}
	pending_flush(pend);
	device_crypt_help(dev);
	return ret;
}

void *send_tun_thread(void *arg)
{
	struct device *dev = arg;
	uint8_t *buf = malloc(TUN_READ_MAX);
	struct tx_pending *pend = calloc(1, sizeof(*pend));
	int r;

	device_mark_reader();
	/* Read until empty, poll only then: a busy tunnel costs no poll per packet. */
	fcntl(dev->tun->fd, F_SETFL, fcntl(dev->tun->fd, F_GETFL) | O_NONBLOCK);
	while (buf && pend && !device_is_stopping(dev)) {
		r = tun_pass(dev, buf, pend);
		if (r > 0 || (r < 0 && !fd_gone(-r) && tun_wait(dev)))
			continue;
		log_info("TUN device %s is gone, shutting down", dev->tun->name);
		device_request_stop(dev);
		break;
	}
	free(pend);
	free(buf);
	return NULL;
}
