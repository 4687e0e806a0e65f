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
#include "engine-wire.h"
#include "log.h"
#include "uapi-server.h"

static struct clock_fake fake;

/* Reads one packet from fd within ms; its length or -1. */
static ssize_t read_packet(int fd, uint8_t *buf, size_t cap, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return read(fd, buf, cap);
}

/* Sends one packet from a to b through the tunnel; true if it arrived intact. */
static bool deliver_within(struct wire_side *from, struct wire_side *to, const char *src,
			   const char *dst, unsigned int seq, size_t payload, int ms)
{
	uint8_t out[1600], in[1600];
	size_t len = wire_packet(out, src, dst, seq, payload);
	ssize_t got;

	if (write(from->fds[1], out, len) != (ssize_t)len)
		return false;
	got = read_packet(to->fds[1], in, sizeof(in), ms);
	return got == (ssize_t)len && !memcmp(in, out, len);
}

static bool deliver(struct wire_side *from, struct wire_side *to, const char *src, const char *dst,
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

static void test_uapi_malformed(struct wire_side *b)
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

/* A key named twice in one set is one peer, holding what both name (as wireguard-go). */
static void test_uapi_same_key_twice(struct wire_side *b)
{
	static const char key[] =
	    "0202020202020202020202020202020202020202020202020202020202020202";
	char req[512], *r, *found;
	int n = 0;

	snprintf(req, sizeof(req),
		 "set=1\npublic_key=%s\nallowed_ip=10.9.0.1/32\npublic_key=%s\n"
		 "allowed_ip=10.9.0.2/32\n\n",
		 key, key);
	r = uapi_exchange(b->dev, req);
	is_str(r, "errno=0\n\n", "a set naming one new key twice is taken");
	free(r);
	r = uapi_exchange(b->dev, "get=1\n\n");
	for (found = r; found && (found = strstr(found, key)); ++found)
		++n;
	is_int(n, 1, "it made one peer");
	ok(r && strstr(r, "allowed_ip=10.9.0.1/32\n") && strstr(r, "allowed_ip=10.9.0.2/32\n"),
	   "with the allowed IPs of both mentions");
	free(r);
	snprintf(req, sizeof(req), "set=1\npublic_key=%s\nremove=true\n\n", key);
	free(uapi_exchange(b->dev, req));
}

static void test_rekey(struct wire_side *a, struct wire_side *b)
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

static void test_traffic(struct wire_side *a, struct wire_side *b)
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

/* Runs fn with the engine's log at verbose going to a file; returns what it wrote. */
static char *captured_log(void (*fn)(struct wire_side *, struct wire_side *), struct wire_side *a,
			  struct wire_side *b)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	static char buf[16384];
	size_t n = 0;

	fflush(stderr);
	if (f)
		dup2(fileno(f), STDERR_FILENO);
	log_set_level(LOG_VERBOSE);
	fn(a, b);
	log_set_level(LOG_ERROR);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	if (f) {
		rewind(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

static void garbage_and_spoof(struct wire_side *a, struct wire_side *b)
{
	send_garbage(b->dev->udp.port);
	usleep(200000);
	/* One second later the log's rate limit has a fresh window for the spoofed packet. */
	sleep(1);
	deliver_within(a, b, "10.0.0.9", "10.0.0.2", 6, 64, 300);
}

/* "peer(AbCd…WxYz)", the way the log names s's public key (as wireguard-go does). */
static void peer_label(char *out, size_t size, const struct wire_side *s)
{
	char b64[KEY_B64_LEN];

	key_to_base64(b64, s->pub);
	snprintf(out, size, "peer(%.4s\u2026%.4s)", b64, b64 + 39);
}

/* Drops are counted by reason, logged with reason and peer, and reported over UAPI. */
static void test_drops(struct wire_side *a, struct wire_side *b)
{
	unsigned long before = drops(b->dev), type = atomic_load(&b->dev->stats.rx_bad_type);
	char *log = captured_log(garbage_and_spoof, a, b), *reply, want[96], label[32];

	ok(drops(b->dev) > before, "garbage of every type and size is dropped and counted");
	ok(atomic_load(&b->dev->stats.rx_bad_type) > type, "unknown types as rx_bad_type");
	ok(strstr(log, "unknown peer: dropped 1 packet: not a WireGuard message (rx_bad_type)") !=
	       NULL,
	   "at verbose the log names the reason, without a peer for garbage");
	peer_label(label, sizeof(label), a);
	snprintf(want, sizeof(want), "%s: dropped 1 packet: inner source outside", label);
	ok(strstr(log, want) != NULL, "and names the peer that sent a spoofed inner source");
	if (!strstr(log, want))
		printf("# log: %.400s\n# want: %s\n", log, want);
	reply = uapi_exchange(b->dev, "get=1\n\n");
	snprintf(want, sizeof(want), "drop_rx_bad_type=%lu\n",
		 atomic_load(&b->dev->stats.rx_bad_type));
	ok(reply && strstr(reply, want), "the UAPI get reply carries the totals (%s)", "drop_*=N");
	ok(reply && strstr(reply, "drop_tx_bad_packet=0\n") &&
	       strstr(reply, "drop_rx_no_buffer=0\n"),
	   "every reason, zeros too");
	free(reply);
}

int main(void)
{
	struct wire_side a = {0}, b = {0};

	if (sodium_init() < 0)
		return 1;
	fake.mono_ns = clock_now_ns();
	fake.wall_ns = clock_wall_ns();
	clock_fake_install(&fake);
	is_int(wire_side_up(&a, "engta"), 0, "engine A starts");
	is_int(wire_side_up(&b, "engtb"), 0, "engine B starts");
	ok(a.dev->udp.port && b.dev->udp.port, "both picked a free port");
	is_int(wire_side_config(&a, &b, "10.0.0.2", b.dev->udp.port, 0), 0,
	       "A knows B and its endpoint");
	is_int(wire_side_config(&b, &a, "10.0.0.1", 0, 0), 0, "B knows A, without an endpoint");
	test_traffic(&a, &b);
	test_drops(&a, &b);
	ok(deliver(&a, &b, "10.0.0.1", "10.0.0.2", 5, 500), "the tunnel still works after garbage");
	test_rekey(&a, &b);
	test_uapi_malformed(&b);
	test_uapi_same_key_twice(&b);
	wire_side_down(&a);
	wire_side_down(&b);
	clock_set_source(NULL);
	return tap_done();
}
