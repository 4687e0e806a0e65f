// SPDX-License-Identifier: GPL-2.0
/*
 * The crypto ceiling of the transport path, measured on the spot: how many
 * bytes per second one core seals with the engine's AEAD seam at a given
 * packet size (default 1420), and what that allows a tunnel on N cores where
 * every byte is sealed once and opened once: N * rate / 2.
 * Usage: engine-io-aead [SIZE [SECONDS [CORES]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sodium.h>
#include "aead.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[])
{
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : 1420;
	double secs = argc > 2 ? atof(argv[2]) : 1.0, t0, dt;
	int cores = argc > 3 ? atoi(argv[3]) : 2;
	uint8_t key[AEAD_KEY_LEN], *buf;
	unsigned long long n = 0;

	if (sodium_init() < 0 || size == 0 || size > 65536)
		return 1;
	buf = calloc(1, size + AEAD_TAG_LEN);
	if (!buf)
		return 1;
	randombytes_buf(key, sizeof(key));
	t0 = now_s();
	do {
		for (int i = 0; i < 256; ++i, ++n)
			aead_seal(buf, buf, size, n, key);
		dt = now_s() - t0;
	} while (dt < secs);
	printf("aead_bytes_per_sec=%.0f\n", (double)n * (double)size / dt);
	printf("aead_packets_per_sec=%.0f\n", (double)n / dt);
	printf("ceiling_gbit=%.2f\n", (double)n * (double)size / dt * cores / 2 * 8 / 1e9);
	sodium_memzero(key, sizeof(key));
	free(buf);
	return 0;
}
