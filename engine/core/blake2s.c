// SPDX-License-Identifier: GPL-2.0
/*
 * BLAKE2s-256 after RFC 7693: the compression function of section 3.2 and
 * the keyed/unkeyed hashing of section 3.3. The ten rounds are spelled out so
 * that the message schedule folds into constant offsets.
 */
#include <assert.h>
#include <string.h>
#include <sodium.h>
#include "blake2s.h"

static const uint32_t blake2s_iv[8] = {
    0x6A09E667UL, 0xBB67AE85UL, 0x3C6EF372UL, 0xA54FF53AUL,
    0x510E527FUL, 0x9B05688CUL, 0x1F83D9ABUL, 0x5BE0CD19UL,
};

static const uint8_t blake2s_sigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static inline uint32_t ror32(uint32_t w, unsigned int c)
{
	return (w >> c) | (w << (32 - c));
}

static inline uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The mixing function G (RFC 7693, 3.1) with the rotations R1..R4 = 16, 12, 8, 7. */
#define G(a, b, c, d, x, y)                                                                        \
	do {                                                                                       \
		v[a] = v[a] + v[b] + (x);                                                          \
		v[d] = ror32(v[d] ^ v[a], 16);                                                     \
		v[c] = v[c] + v[d];                                                                \
		v[b] = ror32(v[b] ^ v[c], 12);                                                     \
		v[a] = v[a] + v[b] + (y);                                                          \
		v[d] = ror32(v[d] ^ v[a], 8);                                                      \
		v[c] = v[c] + v[d];                                                                \
		v[b] = ror32(v[b] ^ v[c], 7);                                                      \
	} while (0)

/* One round: columns, then diagonals, with the message words of schedule r. */
#define ROUND(r)                                                                                   \
	do {                                                                                       \
		G(0, 4, 8, 12, m[blake2s_sigma[r][0]], m[blake2s_sigma[r][1]]);                    \
		G(1, 5, 9, 13, m[blake2s_sigma[r][2]], m[blake2s_sigma[r][3]]);                    \
		G(2, 6, 10, 14, m[blake2s_sigma[r][4]], m[blake2s_sigma[r][5]]);                   \
		G(3, 7, 11, 15, m[blake2s_sigma[r][6]], m[blake2s_sigma[r][7]]);                   \
		G(0, 5, 10, 15, m[blake2s_sigma[r][8]], m[blake2s_sigma[r][9]]);                   \
		G(1, 6, 11, 12, m[blake2s_sigma[r][10]], m[blake2s_sigma[r][11]]);                 \
		G(2, 7, 8, 13, m[blake2s_sigma[r][12]], m[blake2s_sigma[r][13]]);                  \
		G(3, 4, 9, 14, m[blake2s_sigma[r][14]], m[blake2s_sigma[r][15]]);                  \
	} while (0)

/* The compression function F (RFC 7693, 3.2), ten rounds over one block. */
static void compress(struct blake2s_state *state, const uint8_t block[BLAKE2S_BLOCK_SIZE])
{
	uint32_t m[16], v[16];
	int i;

	for (i = 0; i < 16; ++i)
		m[i] = load_le32(block + i * 4);
	memcpy(v, state->h, sizeof(state->h));
	memcpy(v + 8, blake2s_iv, sizeof(blake2s_iv));
	v[12] ^= state->t[0];
	v[13] ^= state->t[1];
	v[14] ^= state->f[0];
	v[15] ^= state->f[1];
	ROUND(0);
	ROUND(1);
	ROUND(2);
	ROUND(3);
	ROUND(4);
	ROUND(5);
	ROUND(6);
	ROUND(7);
	ROUND(8);
	ROUND(9);
	for (i = 0; i < 8; ++i)
		state->h[i] ^= v[i] ^ v[i + 8];
	sodium_memzero(m, sizeof(m));
	sodium_memzero(v, sizeof(v));
}

static void increment_counter(struct blake2s_state *state, uint32_t inc)
{
	state->t[0] += inc;
	state->t[1] += state->t[0] < inc;
}

void blake2s_init_key(struct blake2s_state *state, size_t outlen, const void *key, size_t keylen)
{
	/* RFC 7693 allows 1..32-byte digests and keys of at most 32 bytes. */
	assert(outlen >= 1 && outlen <= BLAKE2S_HASH_SIZE && keylen <= BLAKE2S_KEY_SIZE);
	memset(state, 0, sizeof(*state));
	memcpy(state->h, blake2s_iv, sizeof(state->h));
	/* Parameter block word 0: digest length, key length, fanout 1, depth 1. */
	state->h[0] ^= 0x01010000UL ^ (uint32_t)(keylen << 8) ^ (uint32_t)outlen;
	state->outlen = (unsigned int)outlen;
	if (keylen) {
		/* The key, zero-padded to a block, is the first block of input. */
		memcpy(state->buf, key, keylen);
		state->buflen = BLAKE2S_BLOCK_SIZE;
	}
}

void blake2s_init(struct blake2s_state *state, size_t outlen)
{
	blake2s_init_key(state, outlen, NULL, 0);
}

void blake2s_update(struct blake2s_state *state, const void *in, size_t inlen)
{
	const uint8_t *p = in;
	size_t fill;

	while (inlen) {
		/* Keep the last block buffered: it must be compressed with the final flag. */
		if (state->buflen == BLAKE2S_BLOCK_SIZE) {
			increment_counter(state, BLAKE2S_BLOCK_SIZE);
			compress(state, state->buf);
			state->buflen = 0;
		}
		fill = BLAKE2S_BLOCK_SIZE - state->buflen;
		if (fill > inlen)
			fill = inlen;
		memcpy(state->buf + state->buflen, p, fill);
		state->buflen += (unsigned int)fill;
		p += fill;
		inlen -= fill;
	}
}

void blake2s_commit(struct blake2s_state *state)
{
	if (state->buflen != BLAKE2S_BLOCK_SIZE)
		return;
	increment_counter(state, BLAKE2S_BLOCK_SIZE);
	compress(state, state->buf);
	state->buflen = 0;
}

void blake2s_final(struct blake2s_state *state, uint8_t *out)
{
	uint8_t full[BLAKE2S_HASH_SIZE];
	int i;

	/* A committed block was not the last one: something must follow it. */
	assert(state->buflen || (!state->t[0] && !state->t[1]));
	increment_counter(state, state->buflen);
	state->f[0] = 0xFFFFFFFFUL;
	memset(state->buf + state->buflen, 0, BLAKE2S_BLOCK_SIZE - state->buflen);
	compress(state, state->buf);
	for (i = 0; i < 8; ++i)
		store_le32(full + i * 4, state->h[i]);
	memcpy(out, full, state->outlen);
	sodium_memzero(full, sizeof(full));
	sodium_memzero(state, sizeof(*state));
}

void blake2s(uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key,
	     size_t keylen)
{
	struct blake2s_state state;

	blake2s_init_key(&state, outlen, key, keylen);
	blake2s_update(&state, in, inlen);
	blake2s_final(&state, out);
}
