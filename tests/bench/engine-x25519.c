// SPDX-License-Identifier: GPL-2.0
/*
 * Microseconds per X25519: libsodium's crypto_scalarmult_curve25519 against
 * x25519_batch, portable and wide, in full batches of eight and (wide) alone.
 * Best of five windows per number. Usage: engine-x25519 [SECONDS-PER-NUMBER]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sodium.h>
#include "x25519-batch.h"

static uint8_t scalars[X25519_BATCH_MAX][32], points[X25519_BATCH_MAX][32];
static uint8_t outs[X25519_BATCH_MAX][32];

enum fn { SODIUM, BATCH8, BATCH1 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One call; returns how many operations it did. */
static unsigned int run_once(enum fn fn)
{
	uint8_t *o[X25519_BATCH_MAX];
	const uint8_t *s[X25519_BATCH_MAX], *p[X25519_BATCH_MAX];
	unsigned int n = fn == BATCH8 ? X25519_BATCH_MAX : 1;

	if (fn == SODIUM)
		return crypto_scalarmult_curve25519(outs[0], scalars[0], points[0]) ? 0 : 1;
	for (unsigned int i = 0; i < X25519_BATCH_MAX; ++i) {
		o[i] = outs[i];
		s[i] = scalars[i];
		p[i] = points[i];
	}
	return x25519_batch(o, s, p, n) ? 0 : n;
}

/* Microseconds per operation in one window of secs seconds. */
static double window(enum fn fn, double secs)
{
	unsigned long long ops = 0;
	double t0 = now_s(), dt;

	do {
		for (int i = 0; i < 16; ++i)
			ops += run_once(fn);
		dt = now_s() - t0;
	} while (dt < secs);
	return ops ? dt * 1e6 / (double)ops : 0;
}

/* The best of five windows: on a shared machine the best is closest to the core's speed. */
static double us_per_op(enum fn fn, double secs)
{
	double best = 0, r;

	for (int i = 0; i < 5; ++i) {
		r = window(fn, secs / 5);
		best = i == 0 || r < best ? r : best;
	}
	return best;
}

int main(int argc, char *argv[])
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0, sodium, wide8;

	if (sodium_init() < 0 || secs <= 0)
		return 1;
	randombytes_buf(scalars, sizeof(scalars));
	for (unsigned int i = 0; i < X25519_BATCH_MAX; ++i)
		if (crypto_scalarmult_curve25519_base(points[i], scalars[X25519_BATCH_MAX - 1 - i]))
			return 1;
	sodium = us_per_op(SODIUM, secs);
	printf("libsodium_us_per_op=%.2f\n", sodium);
	x25519_batch_use_wide(false);
	printf("portable_n8_us_per_op=%.2f\n", us_per_op(BATCH8, secs));
	x25519_batch_use_wide(true);
	if (!x25519_batch_is_wide()) {
		printf("wide=unavailable\n");
		return 0;
	}
	wide8 = us_per_op(BATCH8, secs);
	printf("wide_n8_us_per_op=%.2f\n", wide8);
	printf("wide_n1_us_per_call=%.2f\n", us_per_op(BATCH1, secs));
	printf("libsodium_over_wide_n8=%.2f\n", sodium / wide8);
	sodium_memzero(scalars, sizeof(scalars));
	sodium_memzero(outs, sizeof(outs));
	return 0;
}
