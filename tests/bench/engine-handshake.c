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
#include "../lib/engine-pair.h"

#define NMSG 4096

static struct pair_side a, b;
static struct clock_fake fake = {NSEC_PER_SEC, 1700000000ULL * NSEC_PER_SEC};
static struct message_handshake_initiation msgs[NMSG];

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
	printf("whole handshake, both sides, one thread: %8.0f /s\n", full_rate(secs));
	pair_free(&a);
	pair_free(&b);
	return 0;
}
