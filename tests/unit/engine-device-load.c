// SPDX-License-Identifier: GPL-2.0
/*
 * A device under a handshake flood: thousands of valid initiations from 64
 * known peers arrive at once, the handshake queue passes 1/8 full, and the
 * device answers with cookie replies instead of responses (each initiation
 * lacks a mac2) while still answering what it took before the load, and
 * keeps running; under load an initiator that takes the cookie reply gets a
 * response to its next initiation, which carries mac2. Initiations are made in advance on a fake
 * clock stepped 20 ms per round so that each peer's TAI64N timestamps increase.
 */
#include <limits.h>
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
#include "cookie.h"
#include "device.h"
#include "key.h"
#include "noise.h"

#define PEERS 64
#define ROUNDS 40

struct initiator {
	struct noise_local local;
	struct noise_remote remote;
	struct cookie_maker cookie;
	uint8_t priv[32], pub[32];
};

static struct initiator ini[PEERS];
static struct message_handshake_initiation msgs[ROUNDS][PEERS];

static struct noise_remote *no_lookup(void *ctx, const uint8_t *pub)
{
	(void)ctx;
	(void)pub;
	return NULL;
}

static int make_initiators(struct index_table *t, const uint8_t *resp_pub)
{
	struct index_ops ops;
	struct clock_fake fake = {clock_now_ns(), clock_wall_ns()};

	index_table_ops(t, &ops);
	for (int i = 0; i < PEERS; ++i) {
		key_generate_private(ini[i].priv);
		key_public_from_private(ini[i].pub, ini[i].priv);
		if (noise_local_init(&ini[i].local, &ops, no_lookup, NULL) ||
		    noise_remote_init(&ini[i].remote, &ini[i].local, resp_pub, NULL, &ini[i]) ||
		    cookie_maker_init(&ini[i].cookie, resp_pub))
			return -1;
		noise_local_set_private_key(&ini[i].local, ini[i].priv);
		noise_remote_precompute(&ini[i].remote);
	}
	clock_fake_install(&fake);
	for (int r = 0; r < ROUNDS; ++r) {
		for (int i = 0; i < PEERS; ++i) {
			if (noise_create_initiation(&ini[i].remote, &msgs[r][i], clock_wall_ns()))
				return -1;
			cookie_maker_add_macs(&ini[i].cookie, &msgs[r][i], sizeof(msgs[r][i]),
					      clock_now_ns());
			noise_handshake_clear(&ini[i].remote);
		}
		clock_fake_advance(&fake, 20 * NSEC_PER_MSEC);
	}
	clock_set_source(NULL);
	return 0;
}

/* The responder: a device that knows every initiator. */
static int configure(struct device *dev, uint8_t resp_priv[32])
{
	struct wgdevice *m = model_device_new();
	int ret;

	m->flags = WGDEVICE_HAS_PRIVATE_KEY;
	memcpy(m->private_key, resp_priv, 32);
	for (int i = 0; i < PEERS; ++i) {
		struct wgpeer *p = model_peer_append(m);

		p->flags = WGPEER_HAS_PUBLIC_KEY;
		memcpy(p->public_key, ini[i].pub, 32);
	}
	ret = device_uapi_set(dev, m);
	model_device_free(m);
	return ret;
}

/* Counts responses and cookie replies on fd until none comes for ms or want arrived. */
static void collect(int fd, int ms, long want, long *responses, long *cookies)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint8_t buf[256];

	while (*responses + *cookies < want && poll(&p, 1, ms) > 0) {
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
			*responses += buf[0] == MESSAGE_HANDSHAKE_RESPONSE;
			*cookies += buf[0] == MESSAGE_HANDSHAKE_COOKIE;
		}
	}
}

/*
 * Counts what arrives on fd as collect does until a message of type whose
 * receiver index (at offset off) is idx comes, kept in out (len bytes), or
 * nothing comes for ms; true if it came.
 */
static bool await_reply(int fd, int ms, uint8_t type, size_t off, uint32_t idx, void *out,
			size_t len, long *responses, long *cookies)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint8_t buf[256];
	ssize_t n;

	while (poll(&p, 1, ms) > 0) {
		while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
			*responses += buf[0] == MESSAGE_HANDSHAKE_RESPONSE;
			*cookies += buf[0] == MESSAGE_HANDSHAKE_COOKIE;
			if ((size_t)n == len && buf[0] == type && !memcmp(buf + off, &idx, 4)) {
				memcpy(out, buf, len);
				return true;
			}
		}
	}
	return false;
}

/* A wall clock past every prepared initiation's timestamp: its initiations are the newest. */
static uint64_t after_rounds(void)
{
	return clock_wall_ns() + ROUNDS * 20 * NSEC_PER_MSEC + NSEC_PER_SEC;
}

/*
 * Under load: initiator 0 sends its last prepared initiation, takes the
 * cookie reply, and its next initiation, with mac2, gets a response.
 */
static void test_cookie_round_trip(int fd, long *responses, long *cookies)
{
	struct message_handshake_cookie reply;
	struct message_handshake_response resp;
	struct message_handshake_initiation m;

	send(fd, &msgs[ROUNDS - 1][0], sizeof(msgs[0][0]), 0);
	ok(await_reply(fd, 2000, MESSAGE_HANDSHAKE_COOKIE, 4, msgs[ROUNDS - 1][0].sender_index,
		       &reply, sizeof(reply), responses, cookies),
	   "under load an initiation without mac2 gets a cookie reply");
	is_int(cookie_reply_consume(&ini[0].cookie, &reply, clock_now_ns()), 0,
	       "which the initiator takes");
	if (noise_create_initiation(&ini[0].remote, &m, after_rounds()))
		diag("create_initiation failed");
	cookie_maker_add_macs(&ini[0].cookie, &m, sizeof(m), clock_now_ns());
	/* Past the flood guard, should the flood's first messages have been consumed. */
	usleep(30 * 1000);
	send(fd, &m, sizeof(m), 0);
	/* Cookie replies to the flood still queued may come first: wait for ours. */
	ok(await_reply(fd, 2000, MESSAGE_HANDSHAKE_RESPONSE, 8, m.sender_index, &resp, sizeof(resp),
		       responses, cookies),
	   "its next initiation, with mac2, gets a response while under load");
	noise_handshake_clear(&ini[0].remote);
}

int main(void)
{
	uint8_t resp_priv[32], resp_pub[32];
	struct index_table *table;
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct device *dev;
	struct tun tun;
	struct message_handshake_initiation msg;
	long responses = 0, cookies = 0;
	int fds[2], fd, size = 8 << 20;

	if (sodium_init() < 0 || noise_init())
		return 1;
	key_generate_private(resp_priv);
	key_public_from_private(resp_pub, resp_priv);
	table = index_table_new(1U << 12);
	is_int(make_initiators(table, resp_pub), 0, "%d initiations made in advance",
	       PEERS * ROUNDS);
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds);
	tun_from_packet_fd(&tun, fds[0], "engtl");
	dev = device_new(&tun, NULL);
	is_int(dev ? device_start(dev) : -1, 0, "responder starts");
	is_int(configure(dev, resp_priv), 0, "responder knows all %d initiators", PEERS);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	to.sin_port = htons(dev->udp.port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	connect(fd, (struct sockaddr *)&to, sizeof(to));
	for (int i = 0; i < PEERS; ++i) {
		send(fd, &msgs[0][i], sizeof(msgs[0][i]), 0);
		collect(fd, 1000, i + 1, &responses, &cookies);
	}
	is_int(responses, PEERS, "unloaded, every initiation gets a response");
	for (int r = 1; r < ROUNDS - 1; ++r)
		for (int i = 0; i < PEERS; ++i)
			send(fd, &msgs[r][i], sizeof(msgs[r][i]), 0);
	responses = 0;
	test_cookie_round_trip(fd, &responses, &cookies);
	collect(fd, 1500, LONG_MAX, &responses, &cookies);
	ok(cookies > 0, "a flood puts it under load: cookie replies (%ld)", cookies);
	ok(atomic_load(&dev->stats.rx_cookie_sent) > 0, "and the device counted them");
	usleep(1100 * 1000);
	responses = 0;
	if (noise_create_initiation(&ini[1].remote, &msg, after_rounds()))
		diag("create_initiation failed");
	cookie_maker_add_macs(&ini[1].cookie, &msg, sizeof(msg), clock_now_ns());
	send(fd, &msg, sizeof(msg), 0);
	cookies = 0;
	collect(fd, 1000, 1, &responses, &cookies);
	is_int(responses, 1, "a second after the flood, initiations get responses again");
	device_free(dev);
	close(fd);
	close(fds[0]);
	close(fds[1]);
	for (int i = 0; i < PEERS; ++i) {
		noise_remote_free(&ini[i].remote);
		noise_local_free(&ini[i].local);
		cookie_maker_free(&ini[i].cookie);
	}
	index_table_free(table);
	sodium_memzero(resp_priv, sizeof(resp_priv));
	return tap_done();
}
