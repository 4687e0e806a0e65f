// SPDX-License-Identifier: GPL-2.0
/*
 * The clock: TAI64N labels (2^62 + 10 + Unix seconds, big-endian, then
 * nanoseconds rounded down to 2^24), the fake clock, expiry arithmetic and
 * the system clocks moving forward, and a fake clock advanced while another
 * thread reads it (a data race ThreadSanitizer reported before it was atomic).
 */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include "../lib/tap.h"
#include "clock.h"

#define RACE_STEPS 100000

/* Reads the installed clock until it reaches *arg; counts reads that went backwards. */
static void *reader(void *arg)
{
	uint64_t end = *(uint64_t *)arg, last = 0, now;
	uintptr_t backwards = 0;

	do {
		now = clock_now_ns();
		backwards += now < last;
		last = now;
	} while (now < end);
	return (void *)backwards;
}

static void test_race(void)
{
	struct clock_fake fake = {NSEC_PER_SEC, NSEC_PER_SEC};
	uint64_t end = NSEC_PER_SEC + RACE_STEPS;
	pthread_t t;
	void *backwards = (void *)1;

	clock_fake_install(&fake);
	if (!ok(!pthread_create(&t, NULL, reader, &end), "a reader thread starts"))
		return;
	for (int i = 0; i < RACE_STEPS; ++i)
		clock_fake_advance(&fake, 1);
	pthread_join(t, &backwards);
	ok(!backwards, "a reader on another thread sees the fake clock only move forward");
	is_int(clock_wall_ns(), NSEC_PER_SEC + RACE_STEPS, "and every advance counted");
	clock_set_source(NULL);
}

/* The soak tests' clock: monotonic time ten times as fast, wall time real. */
static void test_speedup(void)
{
	struct timespec pause = {0, 200 * 1000 * 1000};
	uint64_t mono, wall;

	clock_speedup_install(10);
	mono = clock_now_ns();
	wall = clock_wall_ns();
	nanosleep(&pause, NULL);
	mono = clock_now_ns() - mono;
	wall = clock_wall_ns() - wall;
	/* 200 ms asleep: 2 s on the fast clock; a loaded machine may oversleep. */
	ok(mono >= 2 * NSEC_PER_SEC && mono >= 9 * wall && mono <= 11 * wall + NSEC_PER_SEC / 10,
	   "a tenfold speed-up runs the monotonic clock ten times as fast as the wall clock");
	clock_set_source(NULL);
}

int main(void)
{
	struct clock_fake fake = {5 * NSEC_PER_SEC, 0};
	uint8_t t[12], t2[12];
	const uint8_t want_epoch[12] = {0x40, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0};
	const uint8_t want[12] = {0x40, 0, 0, 0, 0x65, 0x53, 0xf1, 0x0a, 0x07, 0, 0, 0};
	uint64_t a, b;

	a = clock_now_ns();
	b = clock_now_ns();
	ok(a >= NSEC_PER_SEC && b >= a, "the system clock is never 0 and does not go back");
	ok(clock_wall_ns() > 1600000000ULL * NSEC_PER_SEC, "the wall clock is in this century");
	clock_fake_install(&fake);
	clock_tai64n(clock_wall_ns(), t);
	is_mem(t, want_epoch, 12, "TAI64N of the Unix epoch is 2^62 + 10 s");
	/* 1700000000 s = 0x6553f100; 123456789 ns rounds down to 7 * 2^24 = 117440512 (0x07000000).
	 */
	fake.wall_ns = 1700000000ULL * NSEC_PER_SEC + 123456789;
	clock_tai64n(clock_wall_ns(), t);
	is_mem(t, want, 12, "TAI64N of 1700000000.123456789 (nanoseconds to 2^24)");
	clock_fake_advance(&fake, 16777215 - (123456789 - 117440512));
	clock_tai64n(clock_wall_ns(), t2);
	is_mem(t2, want, 12, "the same label until the next 2^24 ns");
	clock_fake_advance(&fake, 1);
	clock_tai64n(clock_wall_ns(), t2);
	ok(memcmp(t2, t, 12) > 0, "then a larger one: labels compare as bytes");
	is_int(clock_now_ns(), 5 * NSEC_PER_SEC + 16777216 - (123456789 - 117440512),
	       "the fake monotonic clock moved with it");
	ok(!clock_has_expired(NSEC_PER_SEC, 2, 3 * NSEC_PER_SEC - 1) &&
	       clock_has_expired(NSEC_PER_SEC, 2, 3 * NSEC_PER_SEC),
	   "expiry at exactly birth + seconds");
	ok(clock_has_expired(0, 1000, 1), "birth 0 means long expired");
	clock_set_source(NULL);
	ok(clock_now_ns() >= b, "NULL restores the system clock");
	test_race();
	test_speedup();
	return tap_done();
}
