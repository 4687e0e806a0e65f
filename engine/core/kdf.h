/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HMAC-BLAKE2s (RFC 2104, 64-byte blocks) and the whitepaper's KDF_n, which is
 * HKDF (RFC 5869) with HMAC-BLAKE2s, the chaining key as salt and no info.
 */
#ifndef ENGINE_KDF_H
#define ENGINE_KDF_H

#include <stddef.h>
#include <stdint.h>
#include "blake2s.h"

#define KDF_HASH_LEN 32

/* An HMAC key made once: both pads already compressed (two BLAKE2s blocks saved per use). */
struct kdf_hmac_key {
	struct blake2s_state inner, outer;
};

/* out = HMAC-BLAKE2s(key, in). */
void kdf_hmac(uint8_t out[KDF_HASH_LEN], const uint8_t *key, size_t keylen, const uint8_t *in,
	      size_t inlen);
/* Prepares key (any length) for kdf_hmac_with; wipe it with kdf_hmac_key_wipe. */
void kdf_hmac_key_init(struct kdf_hmac_key *k, const uint8_t *key, size_t keylen);
void kdf_hmac_key_wipe(struct kdf_hmac_key *k);
/* out = HMAC-BLAKE2s(key, in) for a prepared key; in must not be empty (inlen >= 1). */
void kdf_hmac_with(uint8_t out[KDF_HASH_LEN], const struct kdf_hmac_key *k, const uint8_t *in,
		   size_t inlen);
/*
 * KDF_n(key, input): writes T1, T2, T3 to first, second, third; n is the
 * number of leading non-NULL outputs (first must be non-NULL; third needs second).
 */
void kdf_derive(uint8_t *first, uint8_t *second, uint8_t *third, const uint8_t key[KDF_HASH_LEN],
		const uint8_t *input, size_t input_len);
/* As kdf_derive with a chaining key prepared once (a constant one); input_len >= 1. */
void kdf_derive_with(uint8_t *first, uint8_t *second, uint8_t *third,
		     const struct kdf_hmac_key *key, const uint8_t *input, size_t input_len);

#endif
