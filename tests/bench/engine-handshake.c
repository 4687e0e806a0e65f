// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake throughput of the protocol core on one core: how many
 * consume_initiation + create_response (the responder's cost per handshake,
 * what an initiation flood costs us) run per second, then the same with
 * begin_session, and whole handshakes with both sides in one thread.
 * Times are this thread's CPU time, so other load on the machine does not skew them.
 * Usage: engine-handshake [CPU seconds per measurement, default 2]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "clock.h"
#include "cookie.h"
#include "index.h"
#include "noise.h"

#define NMSG 4096

struct side {
	struct noise_local local;
	struct noise_remote remote;
	struct cookie_maker maker;
	struct index_table *table;
	uint8_t priv[32], pub[32];
};

static struct side a, b;
static struct clock_fake fake = {NSEC_PER_SEC, 1700000000ULL * NSEC_PER_SEC};
static struct message_handshake_initiation msgs[NMSG];

static struct noise_remote *lookup(void *ctx, const uint8_t *pub)
{
	struct side *s = ctx;

	return !memcmp(pub, s->remote.handshake.remote_static, 32) ? &s->remote : NULL;
}

static void side_init(struct side *s, struct side *other)
{
	struct index_ops ops;

	s->table = index_table_new(1024);
	index_table_ops(s->table, &ops);
	if (noise_local_init(&s->local, &ops, lookup, s) ||
	    noise_remote_init(&s->remote, &s->local, other->pub, NULL, other) ||
	    cookie_maker_init(&s->maker, other->pub)) {
		fprintf(stderr, "init failed\n");
		exit(1);
	}
	noise_local_set_private_key(&s->local, s->priv);
	noise_remote_precompute(&s->remote);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fresh initiations with rising timestamps (the wall clock moves a second each). */
static void make_initiations(void)
{
	int i;

	for (i = 0; i < NMSG; ++i) {
		clock_fake_advance(&fake, NSEC_PER_SEC);
		if (noise_create_initiation(&a.remote, &msgs[i]))
			exit(1);
	}
}

/* Runs the responder over prepared initiations for about `secs` of its own time; per second. */
static double responder_rate(double secs, int with_session)
{
	struct message_handshake_response resp;
	struct noise_remote *r;
	double spent = 0, t0;
	long n = 0;

	while (spent < secs) {
		make_initiations();
		t0 = now_s();
		for (int i = 0; i < NMSG; ++i) {
			/* Past the flood guard; the timestamps rise on their own. */
			fake.mono_ns += NSEC_PER_SEC;
			if (noise_consume_initiation(&b.local, &msgs[i], &r) ||
			    noise_create_response(r, &resp) ||
			    (with_session && noise_begin_session(r)))
				exit(2);
		}
		spent += now_s() - t0;
		n += NMSG;
	}
	return (double)n / spent;
}

static double full_rate(double secs)
{
	struct message_handshake_response resp;
	struct noise_remote *r;
	double t0 = now_s(), t;
	long n = 0;

	do {
		for (int i = 0; i < 256; ++i) {
			clock_fake_advance(&fake, NSEC_PER_SEC);
			if (noise_create_initiation(&a.remote, &msgs[0]) ||
			    noise_consume_initiation(&b.local, &msgs[0], &r) ||
			    noise_create_response(r, &resp) || noise_begin_session(r) ||
			    noise_consume_response(&a.local, &resp, &r) || noise_begin_session(r))
				exit(3);
		}
		n += 256;
		t = now_s() - t0;
	} while (t < secs);
	return (double)n / t;
}

int main(int argc, char *argv[])
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	double t0, t;

	if (noise_init())
		return 1;
	clock_fake_install(&fake);
	crypto_box_keypair(a.pub, a.priv);
	crypto_box_keypair(b.pub, b.priv);
	side_init(&a, &b);
	side_init(&b, &a);
	t0 = now_s();
	make_initiations();
	t = now_s() - t0;
	printf("create_initiation:                       %8.0f /s\n", NMSG / t);
	printf("consume_initiation + create_response:    %8.0f /s (one core)\n",
	       responder_rate(secs, 0));
	printf("  ... + begin_session:                   %8.0f /s\n", responder_rate(secs, 1));
	printf("whole handshake, both sides, one thread: %8.0f /s\n", full_rate(secs));
	noise_remote_free(&a.remote);
	noise_remote_free(&b.remote);
	return 0;
}
