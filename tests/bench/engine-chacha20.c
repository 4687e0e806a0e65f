// SPDX-License-Identifier: GPL-2.0
/*
 * How many bytes per second one core XORs with ChaCha20 at a packet size
 * (1420) and at 16 KiB: our AVX-512 and portable code (chacha20_aead_xor,
 * the transport's call, and chacha20_xor) against libsodium's
 * crypto_stream_chacha20_ietf_xor_ic. Best of five windows per number.
 * Usage: engine-chacha20 [SECONDS-PER-NUMBER [SIZE...]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "chacha20.h"

#define MAX_SIZE 65536

static uint8_t buf[MAX_SIZE], key[CHACHA20_KEY_LEN], nonce[CHACHA20_NONCE_LEN];

enum fn { AEAD_XOR, XOR, SODIUM };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_once(enum fn fn, size_t size)
{
	uint8_t poly_key[32];

	switch (fn) {
	case AEAD_XOR:
		chacha20_aead_xor(buf, buf, size, key, nonce, poly_key);
		break;
	case XOR:
		chacha20_xor(buf, buf, size, key, nonce, 1);
		break;
	case SODIUM:
		crypto_stream_chacha20_ietf_xor_ic(buf, buf, size, nonce, 1, key);
		break;
	}
}

/* Bytes per second in one window of secs seconds. */
static double window(enum fn fn, size_t size, double secs)
{
	unsigned long long n = 0;
	double t0 = now_s(), dt;

	do {
		for (int i = 0; i < 64; ++i, ++n)
			run_once(fn, size);
		dt = now_s() - t0;
	} while (dt < secs);
	return (double)n * (double)size / dt;
}

/* The best of five windows: on a shared machine the best is closest to the core's speed. */
static double rate(enum fn fn, size_t size, double secs)
{
	double best = 0, r;

	for (int i = 0; i < 5; ++i) {
		r = window(fn, size, secs / 5);
		best = r > best ? r : best;
	}
	return best;
}

static void report(const char *impl, size_t size, double secs)
{
	printf("%s_aead_xor_%zu_bytes_per_sec=%.0f\n", impl, size, rate(AEAD_XOR, size, secs));
	printf("%s_xor_%zu_bytes_per_sec=%.0f\n", impl, size, rate(XOR, size, secs));
}

int main(int argc, char *argv[])
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	size_t sizes[8] = {1420, 16384};
	int nsizes = argc > 2 ? 0 : 2;

	for (int i = 2; i < argc && nsizes < 8; ++i)
		sizes[nsizes++] = strtoul(argv[i], NULL, 10);
	if (sodium_init() < 0 || secs <= 0)
		return 1;
	randombytes_buf(key, sizeof(key));
	randombytes_buf(nonce, sizeof(nonce));
	for (int i = 0; i < nsizes; ++i) {
		if (sizes[i] == 0 || sizes[i] > MAX_SIZE)
			return 1;
		chacha20_force_portable(false);
		if (strcmp(chacha20_impl(), "portable"))
			report(chacha20_impl(), sizes[i], secs);
		chacha20_force_portable(true);
		report("portable", sizes[i], secs);
		printf("libsodium_xor_%zu_bytes_per_sec=%.0f\n", sizes[i],
		       rate(SODIUM, sizes[i], secs));
	}
	sodium_memzero(key, sizeof(key));
	return 0;
}
