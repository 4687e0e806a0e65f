/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HMAC-BLAKE2s (RFC 2104, 64-byte blocks) and the whitepaper's KDF_n, which is
 * HKDF (RFC 5869) with HMAC-BLAKE2s, the chaining key as salt and no info.
 */
#ifndef ENGINE_KDF_H
#define ENGINE_KDF_H

#include <stddef.h>
#include <stdint.h>

#define KDF_HASH_LEN 32

/* out = HMAC-BLAKE2s(key, in). */
void kdf_hmac(uint8_t out[KDF_HASH_LEN], const uint8_t *key, size_t keylen, const uint8_t *in,
	      size_t inlen);
/*
 * KDF_n(key, input): writes T1, T2, T3 to first, second, third; n is the
 * number of leading non-NULL outputs (first must be non-NULL; third needs second).
 */
void kdf_derive(uint8_t *first, uint8_t *second, uint8_t *third, const uint8_t key[KDF_HASH_LEN],
		const uint8_t *input, size_t input_len);

#endif
