// SPDX-License-Identifier: GPL-2.0
/*
 * The crypto ceiling of the transport path, measured on the spot: how many
 * bytes per second one core seals with libsodium's ChaCha20-Poly1305 and with
 * the engine's AEAD seam (the backend it chose; then each backend) at a given packet size
 * (default 1420), and what that allows a tunnel on N cores where every byte
 * is sealed once and opened once: N * rate / 2.
 * Usage: engine-io-aead [SIZE [SECONDS [CORES]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "aead.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef void (*seal_fn)(uint8_t *, const uint8_t *, size_t, uint64_t, const uint8_t *);

static void sodium_seal(uint8_t *dst, const uint8_t *src, size_t len, uint64_t ctr,
			const uint8_t *key)
{
	uint8_t nonce[12] = {0};
	unsigned long long clen;

	memcpy(nonce + 4, &ctr, 8);
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, &clen, src, len, NULL, 0, NULL, nonce, key);
}

/* Bytes per second one core seals with fn in secs seconds: one window's worth. */
static double window(seal_fn fn, uint8_t *buf, size_t size, double secs, const uint8_t *key)
{
	unsigned long long n = 0;
	double t0 = now_s(), dt;

	do {
		for (int i = 0; i < 256; ++i, ++n)
			fn(buf, buf, size, n, key);
		dt = now_s() - t0;
	} while (dt < secs);
	return (double)n * (double)size / dt;
}

/*
 * The best of five windows: on a machine shared with other work the best
 * window is the one closest to what the core can do.
 */
static double rate(seal_fn fn, uint8_t *buf, size_t size, double secs, const uint8_t *key)
{
	double best = 0, r;

	for (int i = 0; i < 5; ++i) {
		r = window(fn, buf, size, secs / 5, key);
		best = r > best ? r : best;
	}
	return best;
}

int main(int argc, char *argv[])
{
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : 1420;
	double secs = argc > 2 ? atof(argv[2]) : 1.0, sod, seam;
	int cores = argc > 3 ? atoi(argv[3]) : 2;
	static const char *const names[] = {"builtin", "openssl", "sodium"};
	uint8_t key[AEAD_KEY_LEN], *buf;

	if (sodium_init() < 0 || size == 0 || size > 65536)
		return 1;
	buf = calloc(1, size + AEAD_TAG_LEN);
	if (!buf)
		return 1;
	randombytes_buf(key, sizeof(key));
	sod = rate(sodium_seal, buf, size, secs, key);
	seam = rate(aead_seal, buf, size, secs, key);
	printf("libsodium_bytes_per_sec=%.0f\n", sod);
	printf("ceiling_gbit=%.2f\n", sod * cores / 2 * 8 / 1e9);
	printf("seam_backend=%s\n", aead_backend());
	printf("seam_bytes_per_sec=%.0f\n", seam);
	printf("seam_ceiling_gbit=%.2f\n", seam * cores / 2 * 8 / 1e9);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
		if (aead_use(names[i]))
			printf("%s_bytes_per_sec=%.0f\n", names[i],
			       rate(aead_seal, buf, size, secs, key));
	sodium_memzero(key, sizeof(key));
	free(buf);
	return 0;
}
