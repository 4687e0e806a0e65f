// SPDX-License-Identifier: GPL-2.0
/*
 * Handshake throughput of the protocol core on one core: how many
 * consume_initiation + create_response (the responder's cost per handshake,
 * what an initiation flood costs us) run per second, then the same with
 * begin_session, the same as batches of eight initiators (noise_consume_initiations and
 * noise_create_responses) on each X25519 path, and whole handshakes with both sides in one thread.
 * Times are this thread's CPU time, so other load on the machine does not skew them.
 * Usage: engine-handshake [CPU seconds per measurement, default 2]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "clock.h"
#include "../lib/engine-star.h"
#include "x25519-batch.h"

#define NMSG 4096

static struct pair_side a, b;
static struct clock_fake fake = {NSEC_PER_SEC, 1700000000ULL * NSEC_PER_SEC};
static struct message_handshake_initiation msgs[NMSG];
static struct star_responder star;
static struct pair_side ini[STAR_N];

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
		if (noise_create_initiation(&a.remote, &msgs[i], clock_wall_ns()))
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
			if (noise_consume_initiation(&b.local, &msgs[i], &r, clock_now_ns()) ||
			    noise_create_response(r, &resp) ||
			    (with_session && noise_begin_session(r, clock_now_ns())))
				exit(2);
		}
		spent += now_s() - t0;
		n += NMSG;
	}
	return (double)n / spent;
}

/* NMSG initiations from the star's initiators in turn, a second apart per round. */
static void make_star_initiations(void)
{
	for (int i = 0; i < NMSG; ++i) {
		if (i % STAR_N == 0)
			clock_fake_advance(&fake, NSEC_PER_SEC);
		if (noise_create_initiation(&ini[i % STAR_N].remote, &msgs[i], clock_wall_ns()))
			exit(4);
	}
}

/* One round: STAR_N initiations consumed together, then answered together. */
static void star_round(const struct message_handshake_initiation *m)
{
	const struct message_handshake_initiation *mp[STAR_N];
	struct message_handshake_response resp[STAR_N], *rp[STAR_N];
	struct noise_remote *rem[STAR_N];
	int ret[STAR_N];

	for (int i = 0; i < STAR_N; ++i) {
		mp[i] = &m[i];
		rp[i] = &resp[i];
	}
	noise_consume_initiations(&star.local, mp, STAR_N, rem, ret, clock_now_ns());
	for (int i = 0; i < STAR_N; ++i)
		if (ret[i])
			exit(5);
	noise_create_responses(rem, rp, STAR_N, ret);
	for (int i = 0; i < STAR_N; ++i)
		if (ret[i])
			exit(6);
}

/* As responder_rate, in batches of STAR_N initiators. */
static double batched_rate(double secs, bool wide)
{
	double spent = 0, t0;
	long n = 0;

	x25519_batch_use_wide(wide);
	while (spent < secs) {
		make_star_initiations();
		t0 = now_s();
		for (int i = 0; i < NMSG; i += STAR_N) {
			fake.mono_ns += NSEC_PER_SEC;
			star_round(&msgs[i]);
		}
		spent += now_s() - t0;
		n += NMSG;
	}
	x25519_batch_use_wide(true);
	return (double)n / spent;
}

static double full_rate(double secs)
{
	double t0 = now_s(), t;
	long n = 0;

	do {
		for (int i = 0; i < 256; ++i) {
			clock_fake_advance(&fake, NSEC_PER_SEC);
			if (pair_handshake(&a, &b))
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
	if (pair_setup(&a, &b))
		return 1;
	t0 = now_s();
	make_initiations();
	t = now_s() - t0;
	printf("create_initiation:                       %8.0f /s\n", NMSG / t);
	printf("consume_initiation + create_response:    %8.0f /s (one core)\n",
	       responder_rate(secs, 0));
	printf("  ... + begin_session:                   %8.0f /s\n", responder_rate(secs, 1));
	if (star_setup(&star, ini))
		return 1;
	printf("the same in batches of %d, portable:      %8.0f /s\n", STAR_N,
	       batched_rate(secs, false));
	printf("the same in batches of %d, %s:          %8.0f /s\n", STAR_N,
	       x25519_batch_is_wide() ? "wide" : "none", batched_rate(secs, true));
	star_free(&star, ini);
	printf("whole handshake, both sides, one thread: %8.0f /s\n", full_rate(secs));
	pair_free(&a);
	pair_free(&b);
	return 0;
}
