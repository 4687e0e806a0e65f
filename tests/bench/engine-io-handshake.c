// SPDX-License-Identifier: GPL-2.0
/*
 * A handshake load generator: N initiator identities (private keys, one per
 * line in base64, in KEYFILE) each send valid initiations to a responder,
 * with a bounded number in flight so that the responder stays out of its
 * under-load (cookie) mode. Counts responses and cookie replies over SECONDS.
 * Initiations are made in advance, on a fake clock stepped 20 ms per round so
 * that each peer's TAI64N timestamps strictly increase.
 * With "flood RATE" instead of a window it sends RATE initiations a second
 * whatever comes back, cycling through the prepared ones, all with a valid
 * mac1 and no mac2: faster than the responder can answer with handshakes, so
 * that it goes under load and answers with cookie replies.
 * Usage: engine-io-handshake RESPONDER_PUB HOST PORT KEYFILE SECONDS [WINDOW | flood RATE]
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sodium.h>
#include "clock.h"
#include "cookie.h"
#include "index.h"
#include "key.h"
#include "noise.h"

#define ROUNDS 40
#define MAX_PEERS 2000
#define FLOOD_BURST 32

struct fake_peer {
	struct noise_local local;
	struct noise_remote remote;
	struct cookie_maker cookie;
};

static struct message_handshake_initiation (*msgs)[MAX_PEERS];
static struct fake_peer *peers;
static struct index_table *table;

static struct noise_remote *no_lookup(void *ctx, const uint8_t *pub)
{
	(void)ctx;
	(void)pub;
	return NULL;
}

static int load_peers(const char *file, const uint8_t *resp_pub)
{
	char line[128];
	uint8_t priv[32];
	struct index_ops ops;
	FILE *f = fopen(file, "r");
	int n = 0;

	index_table_ops(table, &ops);
	while (f && n < MAX_PEERS && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!key_from_base64(priv, line))
			continue;
		struct fake_peer *p = &peers[n++];

		if (noise_local_init(&p->local, &ops, no_lookup, NULL) ||
		    noise_remote_init(&p->remote, &p->local, resp_pub, NULL, p) ||
		    cookie_maker_init(&p->cookie, resp_pub))
			return -1;
		noise_local_set_private_key(&p->local, priv);
		noise_remote_precompute(&p->remote);
	}
	if (f)
		fclose(f);
	sodium_memzero(priv, sizeof(priv));
	return n;
}

/* Makes every round's initiations, 20 ms of fake time apart. */
static int make_initiations(int n)
{
	struct clock_fake fake = {clock_now_ns(), clock_wall_ns()};

	clock_fake_install(&fake);
	for (int r = 0; r < ROUNDS; ++r) {
		for (int i = 0; i < n; ++i) {
			if (noise_create_initiation(&peers[i].remote, &msgs[r][i], clock_wall_ns()))
				return -1;
			cookie_maker_add_macs(&peers[i].cookie, &msgs[r][i], sizeof(msgs[r][i]),
					      clock_now_ns());
			noise_handshake_clear(&peers[i].remote);
		}
		clock_fake_advance(&fake, 20 * NSEC_PER_MSEC);
	}
	clock_set_source(NULL);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct load {
	int fd, n;
	long next, total, responses, cookies;
	bool flood; /* replies do not pace the sending */
};

static void send_next(struct load *l)
{
	if (l->next >= l->total)
		return;
	send(l->fd, &msgs[l->next / l->n][l->next % l->n], sizeof(msgs[0][0]), MSG_DONTWAIT);
	++l->next;
}

/* Reads every reply waiting; each one lets another initiation go. */
static void drain(struct load *l)
{
	uint8_t buf[256];
	ssize_t r;

	while ((r = recv(l->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (buf[0] == MESSAGE_HANDSHAKE_RESPONSE)
			++l->responses;
		else if (buf[0] == MESSAGE_HANDSHAKE_COOKIE)
			++l->cookies;
		if (!l->flood)
			send_next(l);
	}
}

/* Sends count initiations in sendmmsg bursts, cycling through the prepared ones. */
static void flood_send(struct load *l, long count)
{
	struct mmsghdr mm[FLOOD_BURST];
	struct iovec iov[FLOOD_BURST];
	int k, sent;

	while (count > 0) {
		k = count < FLOOD_BURST ? (int)count : FLOOD_BURST;
		for (int i = 0; i < k; ++i) {
			long j = (l->next + i) % l->total;

			iov[i] = (struct iovec){&msgs[j / l->n][j % l->n], sizeof(msgs[0][0])};
			mm[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
		}
		sent = sendmmsg(l->fd, mm, (unsigned int)k, MSG_DONTWAIT);
		/* A full socket buffer drops the rest of this burst, as a flood would. */
		l->next += k;
		count -= k;
		if (sent < 0)
			break;
	}
}

/* Keeps rate initiations a second going out for secs, counting what comes back. */
static void run_flood(struct load *l, double secs, double rate)
{
	struct pollfd p = {.fd = l->fd, .events = POLLIN};
	double start = now_s(), t;

	while ((t = now_s()) < start + secs) {
		flood_send(l, (long)((t - start) * rate) - l->next);
		if (poll(&p, 1, 1) > 0)
			drain(l);
	}
	/* The replies to the last bursts. */
	while (poll(&p, 1, 50) > 0)
		drain(l);
}

static void run(struct load *l, double secs, int window)
{
	struct pollfd p = {.fd = l->fd, .events = POLLIN};
	double end = now_s() + secs;

	for (int i = 0; i < window; ++i)
		send_next(l);
	while (now_s() < end && l->next < l->total) {
		if (poll(&p, 1, 20) > 0)
			drain(l);
		else
			for (int i = 0; i < window; ++i)
				send_next(l);
	}
}

static int connect_to(const char *host, const char *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	return fd;
}

int main(int argc, char *argv[])
{
	struct load l = {0};
	uint8_t resp_pub[32];
	double t0;

	if (argc < 6 || noise_init() || !key_from_base64(resp_pub, argv[1])) {
		fprintf(stderr,
			"usage: %s RESPONDER_PUB HOST PORT KEYFILE SECONDS [WINDOW | flood RATE]\n",
			argv[0]);
		return 1;
	}
	table = index_table_new(1U << 16);
	peers = calloc(MAX_PEERS, sizeof(*peers));
	msgs = calloc(ROUNDS, sizeof(*msgs));
	l.n = table && peers && msgs ? load_peers(argv[4], resp_pub) : -1;
	if (l.n <= 0 || make_initiations(l.n) || (l.fd = connect_to(argv[2], argv[3])) < 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	l.total = (long)ROUNDS * l.n;
	l.flood = argc > 7 && !strcmp(argv[6], "flood");
	t0 = now_s();
	if (l.flood)
		run_flood(&l, atof(argv[5]), atof(argv[7]));
	else
		run(&l, atof(argv[5]), argc > 6 ? atoi(argv[6]) : 64);
	t0 = now_s() - t0;
	printf(
	    "peers=%d sent=%ld responses=%ld cookies=%ld seconds=%.2f rate=%.0f cookie_rate=%.0f\n",
	    l.n, l.next, l.responses, l.cookies, t0, (double)l.responses / t0,
	    (double)l.cookies / t0);
	return 0;
}
