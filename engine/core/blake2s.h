/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BLAKE2s (RFC 7693): plain and keyed hashing with 1..32-byte outputs, in one
 * call or incrementally (init, update, final). libsodium has only BLAKE2b.
 */
#ifndef ENGINE_BLAKE2S_H
#define ENGINE_BLAKE2S_H

#include <stddef.h>
#include <stdint.h>

#define BLAKE2S_BLOCK_SIZE 64
#define BLAKE2S_HASH_SIZE 32
#define BLAKE2S_KEY_SIZE 32

struct blake2s_state {
	uint32_t h[8];
	uint32_t t[2];
	uint32_t f[2];
	uint8_t buf[BLAKE2S_BLOCK_SIZE];
	unsigned int buflen;
	unsigned int outlen;
};

/* Starts an unkeyed hash of outlen (1..32) bytes. */
void blake2s_init(struct blake2s_state *state, size_t outlen);
/* Starts a keyed hash (keylen 1..32) of outlen (1..32) bytes. */
void blake2s_init_key(struct blake2s_state *state, size_t outlen, const void *key, size_t keylen);
/* Absorbs inlen bytes. */
void blake2s_update(struct blake2s_state *state, const void *in, size_t inlen);
/*
 * Compresses a whole buffered block now (a keyed state's key block, or the 64
 * bytes just absorbed) so that every copy of the state starts past it: keys
 * and HMAC pads precomputed once. At least one more byte must be absorbed
 * before blake2s_final.
 */
void blake2s_commit(struct blake2s_state *state);
/* Writes outlen bytes to out and wipes the state. */
void blake2s_final(struct blake2s_state *state, uint8_t *out);
/* One-shot: keylen 0 means unkeyed. */
void blake2s(uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key,
	     size_t keylen);

#endif
