// SPDX-License-Identifier: GPL-2.0
/*
 * HMAC over BLAKE2s (RFC 2104 with a 64-byte block) and the whitepaper's
 * KDF_n: HKDF's extract (PRK = HMAC(key, input)) then expand with empty info,
 * T_i = HMAC(PRK, T_{i-1} || i). A key used more than once (PRK for T_1..T_3,
 * a constant chaining key) has its two pad blocks compressed once.
 */
#include <stdbool.h>
#include <string.h>
#include <sodium.h>
#include "blake2s.h"
#include "kdf.h"

/* One pad of an HMAC key, absorbed and (when more input will follow) compressed. */
static void pad_state(struct blake2s_state *st, const uint8_t x_key[BLAKE2S_BLOCK_SIZE],
		      bool commit)
{
	blake2s_init(st, BLAKE2S_HASH_SIZE);
	blake2s_update(st, x_key, BLAKE2S_BLOCK_SIZE);
	if (commit)
		blake2s_commit(st);
}

/* The two pads of key; the inner one stays buffered for an empty message (!commit_inner). */
static void key_pads(struct kdf_hmac_key *k, const uint8_t *key, size_t keylen, bool commit_inner)
{
	uint8_t x_key[BLAKE2S_BLOCK_SIZE] = {0};
	int i;

	/* Keys longer than a block are hashed first (RFC 2104, section 2). */
	if (keylen > BLAKE2S_BLOCK_SIZE)
		blake2s(x_key, BLAKE2S_HASH_SIZE, key, keylen, NULL, 0);
	else
		memcpy(x_key, key, keylen);
	for (i = 0; i < BLAKE2S_BLOCK_SIZE; ++i)
		x_key[i] ^= 0x36;
	pad_state(&k->inner, x_key, commit_inner);
	/* 0x36 ^ 0x5c turns the inner pad into the outer one. */
	for (i = 0; i < BLAKE2S_BLOCK_SIZE; ++i)
		x_key[i] ^= 0x5c ^ 0x36;
	pad_state(&k->outer, x_key, true);
	sodium_memzero(x_key, sizeof(x_key));
}

void kdf_hmac_key_init(struct kdf_hmac_key *k, const uint8_t *key, size_t keylen)
{
	key_pads(k, key, keylen, true);
}

void kdf_hmac_key_wipe(struct kdf_hmac_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

void kdf_hmac_with(uint8_t out[KDF_HASH_LEN], const struct kdf_hmac_key *k, const uint8_t *in,
		   size_t inlen)
{
	struct blake2s_state state = k->inner;
	uint8_t i_hash[BLAKE2S_HASH_SIZE];

	blake2s_update(&state, in, inlen);
	blake2s_final(&state, i_hash);
	state = k->outer;
	blake2s_update(&state, i_hash, BLAKE2S_HASH_SIZE);
	blake2s_final(&state, out);
	sodium_memzero(i_hash, sizeof(i_hash));
}

void kdf_hmac(uint8_t out[KDF_HASH_LEN], const uint8_t *key, size_t keylen, const uint8_t *in,
	      size_t inlen)
{
	struct kdf_hmac_key k;

	key_pads(&k, key, keylen, inlen > 0);
	kdf_hmac_with(out, &k, in, inlen);
	kdf_hmac_key_wipe(&k);
}

/* HKDF's expand with empty info: T_i = HMAC(PRK, T_{i-1} || i), T_0 empty; PRK's pads made once. */
static void expand(uint8_t *first, uint8_t *second, uint8_t *third, const uint8_t prk[KDF_HASH_LEN])
{
	uint8_t *outs[3] = {first, second, third};
	uint8_t t[KDF_HASH_LEN + 1];
	struct kdf_hmac_key k;
	size_t t_len = 0;
	int i;

	kdf_hmac_key_init(&k, prk, KDF_HASH_LEN);
	for (i = 0; i < 3 && outs[i]; ++i) {
		t[t_len] = (uint8_t)(i + 1);
		kdf_hmac_with(t, &k, t, t_len + 1);
		t_len = KDF_HASH_LEN;
		memcpy(outs[i], t, KDF_HASH_LEN);
	}
	kdf_hmac_key_wipe(&k);
	sodium_memzero(t, sizeof(t));
}

void kdf_derive(uint8_t *first, uint8_t *second, uint8_t *third, const uint8_t key[KDF_HASH_LEN],
		const uint8_t *input, size_t input_len)
{
	uint8_t prk[KDF_HASH_LEN];

	/* Extract: the chaining key is HKDF's salt. */
	kdf_hmac(prk, key, KDF_HASH_LEN, input, input_len);
	expand(first, second, third, prk);
	sodium_memzero(prk, sizeof(prk));
}

void kdf_derive_with(uint8_t *first, uint8_t *second, uint8_t *third,
		     const struct kdf_hmac_key *key, const uint8_t *input, size_t input_len)
{
	uint8_t prk[KDF_HASH_LEN];

	kdf_hmac_with(prk, key, input, input_len);
	expand(first, second, third, prk);
	sodium_memzero(prk, sizeof(prk));
}
