// SPDX-License-Identifier: GPL-2.0
/*
 * Two engines in one process, joined by fake TUN devices (SOCK_SEQPACKET
 * socketpairs, one packet per message) and real UDP sockets on 127.0.0.1:
 * a handshake, traffic both ways, a forced rekey on a fake clock, garbage on
 * the wire, and a malformed UAPI request that must change nothing.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "clock.h"
#include "device.h"
#include "key.h"
#include "model.h"
#include "peer.h"
#include "tun.h"
#include "uapi-server.h"

struct side {
	int fds[2]; /* [0] the device's TUN end, [1] the test's */
	struct tun tun;
	struct device *dev;
	uint8_t priv[32], pub[32];
};

static struct clock_fake fake;

static int side_up(struct side *s, const char *name)
{
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

/* Configures s with one peer (other), reachable at 127.0.0.1:port when port != 0. */
static int side_config(struct side *s, const struct side *other, const char *aip, uint16_t port)
{
	struct wgdevice *m = model_device_new();
	struct wgpeer *p = model_peer_append(m);
	struct wgallowedip *a = model_allowedip_append(p);
	int ret;

	m->flags = WGDEVICE_HAS_PRIVATE_KEY;
	memcpy(m->private_key, s->priv, 32);
	p->flags = WGPEER_HAS_PUBLIC_KEY | WGPEER_REPLACE_ALLOWEDIPS;
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

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	return tun_csum_fold(tun_csum_add(0, p, len));
}

/* An IPv4/UDP packet from src to dst carrying a numbered payload; returns its length. */
static size_t make_packet(uint8_t *buf, const char *src, const char *dst, unsigned int seq,
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
	c = ip_csum(buf, 20);
	memcpy(buf + 10, &c, 2);
	buf[20] = 0x30;
	buf[22] = 0x30;
	buf[24] = (uint8_t)((8 + payload) >> 8);
	buf[25] = (uint8_t)(8 + payload);
	for (size_t i = 0; i < payload; ++i)
		buf[28 + i] = (uint8_t)(seq + i);
	return len;
}

/* Reads one packet from fd within ms; its length or -1. */
static ssize_t read_packet(int fd, uint8_t *buf, size_t cap, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return read(fd, buf, cap);
}

/* Sends one packet from a to b through the tunnel; true if it arrived intact. */
static bool deliver_within(struct side *from, struct side *to, const char *src, const char *dst,
			   unsigned int seq, size_t payload, int ms)
{
	uint8_t out[1600], in[1600];
	size_t len = make_packet(out, src, dst, seq, payload);
	ssize_t got;

	if (write(from->fds[1], out, len) != (ssize_t)len)
		return false;
	got = read_packet(to->fds[1], in, sizeof(in), ms);
	return got == (ssize_t)len && !memcmp(in, out, len);
}

static bool deliver(struct side *from, struct side *to, const char *src, const char *dst,
		    unsigned int seq, size_t payload)
{
	return deliver_within(from, to, src, dst, seq, payload, 3000);
}

static struct timespec last_handshake(struct device *dev)
{
	struct wgdevice *m = NULL;
	struct timespec ts = {0, 0};

	if (device_uapi_get(dev, &m) == 0 && m->first_peer)
		ts = m->first_peer->last_handshake_time;
	model_device_free(m);
	return ts;
}

static bool wait_handshakes(struct device *dev, unsigned long want)
{
	for (int i = 0; i < 300; ++i) {
		if (atomic_load(&dev->stats.handshakes_done) >= want)
			return true;
		usleep(10000);
	}
	return false;
}

static void send_garbage(uint16_t port)
{
	static const size_t sizes[] = {0, 1, 3, 4, 31, 32, 47, 147, 148, 149, 91, 92, 63, 64, 2100};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
	uint8_t buf[2100];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (uint32_t type = 0; type < 6; ++type) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i) {
			randombytes_buf(buf, sizeof(buf));
			if (sizes[i] >= 4)
				memcpy(buf, &type, 4);
			sendto(fd, buf, sizes[i], 0, (struct sockaddr *)&to, sizeof(to));
		}
	}
	close(fd);
}

static unsigned long drops(struct device *dev)
{
	struct device_stats *s = &dev->stats;

	return atomic_load(&s->rx_bad_size) + atomic_load(&s->rx_bad_type) +
	       atomic_load(&s->rx_unknown_index) + atomic_load(&s->rx_handshake_dropped) +
	       atomic_load(&s->rx_handshake_bad) + atomic_load(&s->rx_bad_auth);
}

/* Runs one UAPI exchange through the server's framing; returns the reply. */
static char *uapi_exchange(struct device *dev, const char *request)
{
	FILE *in = fmemopen((void *)request, strlen(request), "r");
	char *reply = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&reply, &len);

	uapi_server_serve(dev, in, out);
	fclose(in);
	fclose(out);
	return reply;
}

/* Drops the counters and handshake time, which background keepalives may move. */
static char *config_only(char *reply)
{
	char *in = reply, *out = reply, *nl;

	while (in && *in) {
		nl = strchr(in, '\n');
		size_t len = nl ? (size_t)(nl - in + 1) : strlen(in);

		if (strncmp(in, "tx_bytes=", 9) && strncmp(in, "rx_bytes=", 9) &&
		    strncmp(in, "last_handshake", 14)) {
			memmove(out, in, len);
			out += len;
		}
		in += len;
	}
	if (out)
		*out = 0;
	return reply;
}

static void test_uapi_malformed(struct side *b)
{
	char *before = config_only(uapi_exchange(b->dev, "get=1\n\n")), *after, *r;

	r = uapi_exchange(b->dev, "set=1\nprivate_key=zz\n\n");
	is_str(r, "errno=-22\n\n", "a bad private key is refused with EINVAL");
	free(r);
	r = uapi_exchange(b->dev,
			  "set=1\nlisten_port=1\nfwmark=7\npublic_key="
			  "0101010101010101010101010101010101010101010101010101010101010101\n"
			  "allowed_ip=10.0.0.0/33\n\n");
	ok(r && strcmp(r, "errno=0\n\n") != 0, "a bad allowed IP fails the whole set");
	free(r);
	r = uapi_exchange(b->dev, "bogus=1\n\n");
	is_str(r, "", "an unknown operation gets no reply");
	free(r);
	after = config_only(uapi_exchange(b->dev, "get=1\n\n"));
	is_str(after, before, "failed sets changed nothing");
	free(before);
	free(after);
}

static void test_rekey(struct side *a, struct side *b)
{
	struct timespec before = last_handshake(b->dev), after;
	unsigned long hs = atomic_load(&a->dev->stats.handshakes_done);

	clock_fake_advance(&fake, (REKEY_AFTER_TIME + 1) * NSEC_PER_SEC);
	ok(deliver(a, b, "10.0.0.1", "10.0.0.2", 7, 100), "old key still carries data after 121 s");
	ok(wait_handshakes(a->dev, hs + 1), "sending on an old key started a new handshake");
	ok(deliver(a, b, "10.0.0.1", "10.0.0.2", 8, 1000), "data flows on the new keypair");
	ok(deliver(b, a, "10.0.0.2", "10.0.0.1", 9, 1000), "and back");
	after = last_handshake(b->dev);
	ok(after.tv_sec != before.tv_sec || after.tv_nsec != before.tv_nsec,
	   "the responder's last handshake time moved on key confirmation");
}

static void dump_stats(const char *name, struct device *dev)
{
	struct device_stats *s = &dev->stats;

	printf("# %s: bad_size %lu bad_type %lu unknown_index %lu bad_auth %lu replay %lu "
	       "bad_inner %lu bad_source %lu hs_dropped %lu hs_bad %lu no_peer %lu no_buffer %lu "
	       "queue_full %lu handshakes %lu\n",
	       name, s->rx_bad_size, s->rx_bad_type, s->rx_unknown_index, s->rx_bad_auth,
	       s->rx_replay, s->rx_bad_inner, s->rx_bad_source, s->rx_handshake_dropped,
	       s->rx_handshake_bad, s->tx_no_peer, s->tx_no_buffer, s->tx_queue_full,
	       s->handshakes_done);
}

static void test_traffic(struct side *a, struct side *b)
{
	int good = 0;

	if (!ok(deliver(a, b, "10.0.0.1", "10.0.0.2", 1, 64),
		"first packet arrives after the handshake")) {
		dump_stats("A", a->dev);
		dump_stats("B", b->dev);
	}
	ok(deliver(b, a, "10.0.0.2", "10.0.0.1", 2, 64), "the responder answers (roamed endpoint)");
	for (unsigned int i = 0; i < 50; ++i)
		good += deliver(a, b, "10.0.0.1", "10.0.0.2", i, 1 + i * 29);
	is_int(good, 50, "50 packets of assorted sizes arrive intact and in order");
	ok(last_handshake(a->dev).tv_sec != 0, "last_handshake_time is set");
	ok(!deliver_within(a, b, "10.0.0.1", "10.0.0.3", 3, 64, 300),
	   "no peer for 10.0.0.3: nothing sent");
	ok(!deliver_within(a, b, "10.0.0.9", "10.0.0.2", 4, 64, 300),
	   "a spoofed inner source is dropped");
	ok(atomic_load(&b->dev->stats.rx_bad_source) >= 1, "and counted");
}

int main(void)
{
	struct side a = {0}, b = {0};
	unsigned long before;

	if (sodium_init() < 0)
		return 1;
	fake.mono_ns = clock_now_ns();
	fake.wall_ns = clock_wall_ns();
	clock_fake_install(&fake);
	is_int(side_up(&a, "engta"), 0, "engine A starts");
	is_int(side_up(&b, "engtb"), 0, "engine B starts");
	ok(a.dev->udp.port && b.dev->udp.port, "both picked a free port");
	is_int(side_config(&a, &b, "10.0.0.2", b.dev->udp.port), 0, "A knows B and its endpoint");
	is_int(side_config(&b, &a, "10.0.0.1", 0), 0, "B knows A, without an endpoint");
	test_traffic(&a, &b);
	before = drops(b.dev);
	send_garbage(b.dev->udp.port);
	usleep(200000);
	ok(drops(b.dev) > before, "garbage of every type and size is dropped and counted");
	ok(deliver(&a, &b, "10.0.0.1", "10.0.0.2", 5, 500), "the tunnel still works after garbage");
	test_rekey(&a, &b);
	test_uapi_malformed(&b);
	device_free(a.dev);
	device_free(b.dev);
	for (int i = 0; i < 2; ++i) {
		close(a.fds[i]);
		close(b.fds[i]);
	}
	clock_set_source(NULL);
	return tap_done();
}
