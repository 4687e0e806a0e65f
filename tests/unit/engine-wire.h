/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two engines on a fake clock with a wire between them that the test can see
 * and cut: each engine has a fake TUN (a SOCK_SEQPACKET socketpair), and A
 * reaches B through a UDP relay on 127.0.0.1 that logs every message (kind,
 * length, fake time), drops the kinds it is told to, holds back data messages
 * and injects crafted ones. For the device-level protocol tests (whitepaper
 * section 6 timers, key expiry).
 */
#ifndef TESTS_ENGINE_WIRE_H
#define TESTS_ENGINE_WIRE_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sodium.h>
#include "clock.h"
#include "device.h"
#include "key.h"
#include "model.h"
#include "peer.h"
#include "tun.h"

/* Message kinds as the relay sees them: the wire types, and a keepalive apart. */
enum wire_kind {
	WIRE_INIT = MESSAGE_HANDSHAKE_INITIATION,
	WIRE_RESP = MESSAGE_HANDSHAKE_RESPONSE,
	WIRE_COOKIE = MESSAGE_HANDSHAKE_COOKIE,
	WIRE_DATA = MESSAGE_DATA,
	WIRE_KEEPALIVE = 5,
	WIRE_KINDS,
};
#define WIRE_BIT(k) (1u << (k))
#define WIRE_HANDSHAKES (WIRE_BIT(WIRE_INIT) | WIRE_BIT(WIRE_RESP) | WIRE_BIT(WIRE_COOKIE))
/* Directions: messages from A to B, and from B to A. */
enum { AB, BA };
#define WIRE_LOG_MAX 4096
#define WIRE_HELD_MAX 8

struct wire_event {
	int dir;
	enum wire_kind kind;
	uint32_t len;
	uint64_t at; /* the fake clock's mono_ns when the relay saw it */
};

struct wire_held {
	uint8_t buf[2048];
	size_t len;
};

struct wire {
	int fd[2]; /* fd[AB]: A sends here; fd[BA]: sends to B and hears B's answers */
	uint16_t port_a;
	struct sockaddr_in a_addr, b_addr;
	bool a_known;
	struct clock_fake *clock;
	pthread_t thread;
	atomic_bool stop;
	atomic_uint passes; /* the relay's loop count, to wait for it to catch up */
	pthread_mutex_t lock;
	unsigned int drop[2]; /* WIRE_BIT masks of kinds not forwarded */
	unsigned int hold[2]; /* data messages to keep a copy of */
	bool hold_forward[2]; /* forward them too (a copy), or keep them back */
	struct wire_held held[2][WIRE_HELD_MAX];
	unsigned int n_held[2];
	struct wire_event log[WIRE_LOG_MAX];
	unsigned int n_log;
};

static inline enum wire_kind wire_kind_of(const uint8_t *buf, size_t len)
{
	if (len == MESSAGE_MINIMUM_LENGTH && buf[0] == MESSAGE_DATA)
		return WIRE_KEEPALIVE;
	return len >= 4 && buf[0] >= 1 && buf[0] <= 4 ? (enum wire_kind)buf[0] : 0;
}

/* Logs one message from direction dir and says whether to forward it. */
static inline bool wire_note(struct wire *w, int dir, const uint8_t *buf, size_t len)
{
	enum wire_kind k = wire_kind_of(buf, len);
	bool fwd;

	pthread_mutex_lock(&w->lock);
	fwd = !(w->drop[dir] & WIRE_BIT(k));
	if (w->n_log < WIRE_LOG_MAX)
		w->log[w->n_log++] = (struct wire_event){dir, k, (uint32_t)len, w->clock->mono_ns};
	if (fwd && k == WIRE_DATA && w->hold[dir] && w->n_held[dir] < WIRE_HELD_MAX &&
	    len <= sizeof(w->held[0][0].buf)) {
		struct wire_held *h = &w->held[dir][w->n_held[dir]++];

		--w->hold[dir];
		memcpy(h->buf, buf, len);
		h->len = len;
		fwd = w->hold_forward[dir];
	}
	pthread_mutex_unlock(&w->lock);
	return fwd;
}

/* Sends bytes on in direction dir as if the sender had sent them (not logged). */
static inline void wire_inject(struct wire *w, int dir, const void *buf, size_t len)
{
	struct sockaddr_in a;
	bool known;

	if (dir == AB) {
		sendto(w->fd[BA], buf, len, 0, (void *)&w->b_addr, sizeof(w->b_addr));
		return;
	}
	pthread_mutex_lock(&w->lock);
	a = w->a_addr;
	known = w->a_known;
	pthread_mutex_unlock(&w->lock);
	if (known)
		sendto(w->fd[AB], buf, len, 0, (void *)&a, sizeof(a));
}

static inline void wire_pump(struct wire *w, int dir)
{
	/* The relay's thread only; too big for the stack. */
	static uint8_t buf[65536];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(w->fd[dir], buf, sizeof(buf), MSG_DONTWAIT, (void *)&from, &fl);

	if (n < 0)
		return;
	if (dir == AB) {
		pthread_mutex_lock(&w->lock);
		w->a_addr = from;
		w->a_known = true;
		pthread_mutex_unlock(&w->lock);
	}
	if (wire_note(w, dir, buf, (size_t)n))
		wire_inject(w, dir, buf, (size_t)n);
}

static inline void *wire_thread(void *arg)
{
	struct wire *w = arg;

	while (!atomic_load(&w->stop)) {
		struct pollfd p[2] = {{.fd = w->fd[AB], .events = POLLIN},
				      {.fd = w->fd[BA], .events = POLLIN}};

		atomic_fetch_add(&w->passes, 1);
		if (poll(p, 2, 5) <= 0)
			continue;
		for (int d = 0; d < 2; ++d)
			if (p[d].revents & POLLIN)
				wire_pump(w, d);
	}
	return NULL;
}

static inline int wire_bind(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (void *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Starts a relay to B's UDP port b_port; A must send to w->port_a. 0 or -errno. */
static inline int wire_start(struct wire *w, struct clock_fake *clock, uint16_t b_port)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	memset(w, 0, sizeof(*w));
	w->clock = clock;
	w->fd[AB] = wire_bind();
	w->fd[BA] = wire_bind();
	if (w->fd[AB] < 0 || w->fd[BA] < 0)
		return -errno;
	getsockname(w->fd[AB], (void *)&sin, &sl);
	w->port_a = ntohs(sin.sin_port);
	w->b_addr.sin_family = AF_INET;
	w->b_addr.sin_port = htons(b_port);
	w->b_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pthread_mutex_init(&w->lock, NULL);
	return -pthread_create(&w->thread, NULL, wire_thread, w);
}

static inline void wire_stop(struct wire *w)
{
	atomic_store(&w->stop, true);
	pthread_join(w->thread, NULL);
	close(w->fd[AB]);
	close(w->fd[BA]);
	pthread_mutex_destroy(&w->lock);
}

/* Which kinds the relay drops in direction dir (WIRE_BIT mask, 0 = none). */
static inline void wire_drop(struct wire *w, int dir, unsigned int mask)
{
	pthread_mutex_lock(&w->lock);
	w->drop[dir] = mask;
	pthread_mutex_unlock(&w->lock);
}

/*
 * Keeps the next n data messages in direction dir for wire_release: held back,
 * or forwarded as well when forward is true (to replay them later).
 */
static inline void wire_hold(struct wire *w, int dir, unsigned int n, bool forward)
{
	pthread_mutex_lock(&w->lock);
	w->hold[dir] = n;
	w->hold_forward[dir] = forward;
	pthread_mutex_unlock(&w->lock);
}

/* Forwards the i-th held-back message of direction dir now; false if there is none. */
static inline bool wire_release(struct wire *w, int dir, unsigned int i)
{
	struct wire_held h;

	pthread_mutex_lock(&w->lock);
	if (i >= w->n_held[dir]) {
		pthread_mutex_unlock(&w->lock);
		return false;
	}
	h = w->held[dir][i];
	pthread_mutex_unlock(&w->lock);
	wire_inject(w, dir, h.buf, h.len);
	return true;
}

/* A position in the log: count what happens after it. */
static inline unsigned int wire_mark(struct wire *w)
{
	unsigned int n;

	pthread_mutex_lock(&w->lock);
	n = w->n_log;
	pthread_mutex_unlock(&w->lock);
	return n;
}

/* How many messages of kind in direction dir the relay saw since mark. */
static inline unsigned int wire_count(struct wire *w, unsigned int mark, int dir,
				      enum wire_kind kind)
{
	unsigned int n = 0;

	pthread_mutex_lock(&w->lock);
	for (unsigned int i = mark; i < w->n_log; ++i)
		n += w->log[i].dir == dir && w->log[i].kind == kind;
	pthread_mutex_unlock(&w->lock);
	return n;
}

/* Copies out the times of up to max messages of kind in dir since mark; returns how many. */
static inline unsigned int wire_times(struct wire *w, unsigned int mark, int dir,
				      enum wire_kind kind, uint64_t *at, unsigned int max)
{
	unsigned int n = 0;

	pthread_mutex_lock(&w->lock);
	for (unsigned int i = mark; i < w->n_log && n < max; ++i)
		if (w->log[i].dir == dir && w->log[i].kind == kind)
			at[n++] = w->log[i].at;
	pthread_mutex_unlock(&w->lock);
	return n;
}

/* Waits up to ms for at least want messages of kind in dir since mark. */
static inline bool wire_wait(struct wire *w, unsigned int mark, int dir, enum wire_kind kind,
			     unsigned int want, int ms)
{
	for (int i = 0; i < ms / 5; ++i) {
		if (wire_count(w, mark, dir, kind) >= want)
			return true;
		usleep(5000);
	}
	return wire_count(w, mark, dir, kind) >= want;
}

/* Prints the log from mark on as TAP comments (for a failing test). */
static inline void wire_dump(struct wire *w, unsigned int mark)
{
	pthread_mutex_lock(&w->lock);
	for (unsigned int i = mark; i < w->n_log; ++i)
		printf("# %s kind %d len %u at %.3f\n", w->log[i].dir == AB ? "AB" : "BA",
		       w->log[i].kind, w->log[i].len,
		       (double)(w->log[i].at % (1000 * NSEC_PER_SEC)) / 1e9);
	pthread_mutex_unlock(&w->lock);
}

/* ------------------------------------------------------------ the engines */

/* libsodium and the core set up, and clock (starting at the real times) installed. */
static inline bool wire_init(struct clock_fake *clock)
{
	if (sodium_init() < 0 || noise_init())
		return false;
	clock->mono_ns = clock_now_ns();
	clock->wall_ns = clock_wall_ns();
	clock_fake_install(clock);
	return true;
}

/* The tunnel addresses of A and B (each owns its /32), and seconds on the fake clock. */
#define A_IP "10.0.0.1"
#define B_IP "10.0.0.2"
#define SEC(x) ((uint64_t)(x)*NSEC_PER_SEC)

struct wire_side {
	int fds[2]; /* [0] the device's TUN end, [1] the test's */
	struct tun tun;
	struct device *dev;
	uint8_t priv[32], pub[32];
};

static inline int wire_side_up(struct wire_side *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s->fds) < 0)
		return -errno;
	tun_from_packet_fd(&s->tun, s->fds[0], name);
	s->dev = device_new(&s->tun, NULL);
	if (!s->dev)
		return -errno;
	key_generate_private(s->priv);
	key_public_from_private(s->pub, s->priv);
	return device_start(s->dev);
}

static inline void wire_side_down(struct wire_side *s)
{
	device_free(s->dev);
	close(s->fds[0]);
	close(s->fds[1]);
}

/*
 * Gives s one peer, other, owning aip/32, reachable at 127.0.0.1:port when
 * port != 0, with a persistent keepalive of keepalive seconds (0 = off).
 */
static inline int wire_side_config(struct wire_side *s, const struct wire_side *other,
				   const char *aip, uint16_t port, uint16_t keepalive)
{
	struct wgdevice *m = model_device_new();
	struct wgpeer *p = model_peer_append(m);
	struct wgallowedip *a = model_allowedip_append(p);
	int ret;

	m->flags = WGDEVICE_HAS_PRIVATE_KEY;
	memcpy(m->private_key, s->priv, 32);
	p->flags = WGPEER_HAS_PUBLIC_KEY | WGPEER_REPLACE_ALLOWEDIPS;
	if (keepalive)
		p->flags |= WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	p->persistent_keepalive_interval = keepalive;
	memcpy(p->public_key, other->pub, 32);
	a->family = AF_INET;
	inet_pton(AF_INET, aip, &a->ip4);
	a->cidr = 32;
	if (port) {
		p->endpoint.addr4.sin_family = AF_INET;
		p->endpoint.addr4.sin_port = htons(port);
		p->endpoint.addr4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	ret = device_uapi_set(s->dev, m);
	model_device_free(m);
	return ret;
}

/* The side's only peer (the device's list holds it while the test runs). */
static inline struct peer *wire_peer(struct wire_side *s)
{
	struct peer *p;

	pthread_rwlock_rdlock(&s->dev->cfg_lock);
	p = s->dev->peers;
	pthread_rwlock_unlock(&s->dev->cfg_lock);
	return p;
}

/* An IPv4/UDP packet from src to dst with a numbered payload; returns its length. */
static inline size_t wire_packet(uint8_t *buf, const char *src, const char *dst, unsigned int seq,
				 size_t payload)
{
	size_t len = 28 + payload;
	uint16_t c;

	memset(buf, 0, len);
	buf[0] = 0x45;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	buf[8] = 64;
	buf[9] = 17;
	inet_pton(AF_INET, src, buf + 12);
	inet_pton(AF_INET, dst, buf + 16);
	c = tun_csum_fold(tun_csum_add(0, buf, 20));
	memcpy(buf + 10, &c, 2);
	buf[24] = (uint8_t)((8 + payload) >> 8);
	buf[25] = (uint8_t)(8 + payload);
	for (size_t i = 0; i < payload; ++i)
		buf[28 + i] = (uint8_t)(seq + i);
	return len;
}

/* Writes a packet from src to dst into s's TUN, as the kernel would. */
static inline bool wire_write(struct wire_side *s, const char *src, const char *dst,
			      unsigned int seq)
{
	uint8_t out[256];
	size_t len = wire_packet(out, src, dst, seq, 64);

	return write(s->fds[1], out, len) == (ssize_t)len;
}

/* True if the packet numbered seq comes out of s's TUN within ms. */
static inline bool wire_read(struct wire_side *s, const char *src, const char *dst,
			     unsigned int seq, int ms)
{
	struct pollfd p = {.fd = s->fds[1], .events = POLLIN};
	uint8_t want[256], in[256];
	size_t len = wire_packet(want, src, dst, seq, 64);
	ssize_t got;

	while (poll(&p, 1, ms) > 0) {
		got = read(s->fds[1], in, sizeof(in));
		if (got == (ssize_t)len && !memcmp(in, want, len))
			return true;
	}
	return false;
}

/* The number of the first packet out of s's TUN within ms, or -1 if none came. */
static inline int wire_read_seq(struct wire_side *s, int ms)
{
	struct pollfd p = {.fd = s->fds[1], .events = POLLIN};
	uint8_t in[2048];

	if (poll(&p, 1, ms) <= 0 || read(s->fds[1], in, sizeof(in)) < 29)
		return -1;
	return in[28];
}

/* Writes packet seq (src to dst) into from's TUN; true if it comes out of to's within ms. */
static inline bool wire_through(struct wire_side *from, struct wire_side *to, const char *src,
				const char *dst, unsigned int seq, int ms)
{
	return wire_write(from, src, dst, seq) && wire_read(to, src, dst, seq, ms);
}

/* Empties s's TUN of anything already delivered. */
static inline void wire_drain(struct wire_side *s)
{
	uint8_t in[2048];

	while (recv(s->fds[1], in, sizeof(in), MSG_DONTWAIT) > 0)
		;
}

/* The earliest armed timer of s's peer (0: none). */
static inline uint64_t wire_next_deadline(struct wire_side *s)
{
	struct peer *p = wire_peer(s);
	uint64_t due;

	mutex_lock(&p->lock);
	due = timers_next_deadline(&p->timers);
	mutex_unlock(&p->lock);
	return due;
}

/* Waits until the timer thread has fired everything due on s's peer at the fake clock's time. */
static inline void wire_wait_timers(struct clock_fake *clock, struct wire_side *s)
{
	for (int i = 0; i < 600; ++i) {
		uint64_t due = wire_next_deadline(s);

		if (!due || due > clock->mono_ns)
			return;
		usleep(5000);
	}
}

/*
 * Waits for what s is doing to reach the wire: a timer pass (it holds the
 * config lock while it sends), sealing queued batches, and a flush in progress
 * (a sender notes its timer events after the send, under the flush lock, and
 * must not see a clock the test moved in between).
 */
static inline void wire_quiesce(struct wire_side *s)
{
	struct peer *p = wire_peer(s);

	pthread_rwlock_wrlock(&s->dev->cfg_lock);
	pthread_rwlock_unlock(&s->dev->cfg_lock);
	for (int i = 0; i < 400 && queue_ring_len(&s->dev->crypt); ++i)
		usleep(5000);
	mutex_lock(&p->tx_flush_lock);
	mutex_unlock(&p->tx_flush_lock);
	mutex_lock(&p->rx_flush_lock);
	mutex_unlock(&p->rx_flush_lock);
}

/* Waits until the relay has logged everything sent to it so far. */
static inline void wire_catch_up(struct wire *w)
{
	int pending = 1;

	for (int i = 0; i < 400 && pending; ++i) {
		int n0 = 0, n1 = 0;
		unsigned int pass = atomic_load(&w->passes);

		ioctl(w->fd[AB], FIONREAD, &n0);
		ioctl(w->fd[BA], FIONREAD, &n1);
		pending = n0 || n1;
		while (!pending && atomic_load(&w->passes) < pass + 2)
			usleep(1000);
		if (pending)
			usleep(5000);
	}
}

/* Lets a, b and the relay finish what they are doing. */
static inline void wire_idle(struct wire *w, struct wire_side *a, struct wire_side *b)
{
	usleep(10000);
	wire_quiesce(a);
	wire_quiesce(b);
	wire_catch_up(w);
}

/* Moves the fake clock by ns, lets both sides' timers run and what they sent cross the relay. */
static inline void wire_advance(struct wire *w, struct clock_fake *clock, struct wire_side *a,
				struct wire_side *b, uint64_t ns)
{
	wire_idle(w, a, b);
	clock_fake_advance(clock, ns);
	wire_wait_timers(clock, a);
	wire_wait_timers(clock, b);
	wire_idle(w, a, b);
}

#endif
