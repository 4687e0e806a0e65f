/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Up to eight independent X25519 operations at once. Where the CPU has
 * AVX-512 IFMA, one Montgomery ladder runs the eight on the eight 64-bit lanes
 * of zmm registers, several times the throughput of one libsodium call each;
 * elsewhere it is libsodium, one operation after the other.
 */
#ifndef ENGINE_X25519_BATCH_H
#define ENGINE_X25519_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#define X25519_BATCH_MAX 8

/*
 * out[i] = X25519(scalar[i], point[i]) for i < n (n <= X25519_BATCH_MAX), the
 * same bytes as crypto_scalarmult_curve25519: the scalar is clamped, the top
 * bit of the point ignored, a non-canonical point taken modulo p. Returns the
 * lanes whose output is all zeros (bit i for lane i; a small-order point),
 * which the caller must refuse as libsodium does. out may alias neither input.
 */
unsigned int x25519_batch(uint8_t *const out[], const uint8_t *const scalar[],
			  const uint8_t *const point[], unsigned int n)
    __attribute__((warn_unused_result));

/*
 * out[i] = X25519(scalar[i], point[i]) for any n, X25519_BATCH_MAX at a time;
 * an output that would be all zeros (a small-order point) is zeros, for the
 * caller to refuse. A lone operation runs on libsodium: one lane of the wide
 * ladder costs as much as eight.
 */
void x25519_many(uint8_t *const out[], const uint8_t *const scalar[], const uint8_t *const point[],
		 unsigned int n);

/* True when x25519_batch runs lanes in parallel, so that filling a batch pays. */
bool x25519_batch_is_wide(void);

/* Tests and benchmarks: run the wide path (when the CPU has it) or the portable one. */
void x25519_batch_use_wide(bool wide);

#endif
