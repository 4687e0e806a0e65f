// SPDX-License-Identifier: GPL-2.0
/*
 * HMAC over BLAKE2s (RFC 2104 with a 64-byte block) and the whitepaper's
 * KDF_n: HKDF's extract (PRK = HMAC(key, input)) then expand with empty info,
 * T_i = HMAC(PRK, T_{i-1} || i).
 */
#include <string.h>
#include <sodium.h>
#include "blake2s.h"
#include "kdf.h"

void kdf_hmac(uint8_t out[KDF_HASH_LEN], const uint8_t *key, size_t keylen, const uint8_t *in,
	      size_t inlen)
{
	struct blake2s_state state;
	uint8_t x_key[BLAKE2S_BLOCK_SIZE] = {0};
	uint8_t i_hash[BLAKE2S_HASH_SIZE];
	int i;

	/* Keys longer than a block are hashed first (RFC 2104, section 2). */
	if (keylen > BLAKE2S_BLOCK_SIZE)
		blake2s(x_key, BLAKE2S_HASH_SIZE, key, keylen, NULL, 0);
	else
		memcpy(x_key, key, keylen);
	for (i = 0; i < BLAKE2S_BLOCK_SIZE; ++i)
		x_key[i] ^= 0x36;
	blake2s_init(&state, BLAKE2S_HASH_SIZE);
	blake2s_update(&state, x_key, BLAKE2S_BLOCK_SIZE);
	blake2s_update(&state, in, inlen);
	blake2s_final(&state, i_hash);

	/* 0x36 ^ 0x5c turns the inner pad into the outer one. */
	for (i = 0; i < BLAKE2S_BLOCK_SIZE; ++i)
		x_key[i] ^= 0x5c ^ 0x36;
	blake2s_init(&state, BLAKE2S_HASH_SIZE);
	blake2s_update(&state, x_key, BLAKE2S_BLOCK_SIZE);
	blake2s_update(&state, i_hash, BLAKE2S_HASH_SIZE);
	blake2s_final(&state, out);

	sodium_memzero(x_key, sizeof(x_key));
	sodium_memzero(i_hash, sizeof(i_hash));
}

void kdf_derive(uint8_t *first, uint8_t *second, uint8_t *third, const uint8_t key[KDF_HASH_LEN],
		const uint8_t *input, size_t input_len)
{
	uint8_t *outs[3] = {first, second, third};
	uint8_t prk[KDF_HASH_LEN], t[KDF_HASH_LEN + 1];
	size_t t_len = 0;
	int i;

	/* Extract: the chaining key is HKDF's salt. */
	kdf_hmac(prk, key, KDF_HASH_LEN, input, input_len);
	/* Expand: T_i = HMAC(PRK, T_{i-1} || i), with T_0 empty. */
	for (i = 0; i < 3 && outs[i]; ++i) {
		t[t_len] = (uint8_t)(i + 1);
		kdf_hmac(t, prk, KDF_HASH_LEN, t, t_len + 1);
		t_len = KDF_HASH_LEN;
		memcpy(outs[i], t, KDF_HASH_LEN);
	}
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
}
