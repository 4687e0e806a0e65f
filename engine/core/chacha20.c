// SPDX-License-Identifier: GPL-2.0
/*
 * ChaCha20 (RFC 8439 2.1-2.4) twice: a portable block at a time, and 16 blocks
 * at a time with AVX-512, where each zmm register holds one state word of 16
 * consecutive blocks so the rounds need no shuffles; a transpose then turns
 * the words back into 16 contiguous keystream blocks to XOR with the data.
 */
#include <string.h>
#include <sodium.h>
#include "chacha20.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_AVX512 1
#include <immintrin.h>
#endif

#define BLOCK_LEN 64
/* Blocks per AVX-512 pass: one per 32-bit lane of a zmm register. */
#define WIDE 16

/*
 * An implementation XORs len bytes of keystream from block in[12] on. With
 * poly_key, block in[12] gives the Poly1305 key instead and the data starts
 * at the next block. in is the whole initial state, wiped by the caller.
 */
struct impl {
	const char *name;
	void (*run)(uint8_t *dst, const uint8_t *src, size_t len, const uint32_t in[16],
		    uint8_t *poly_key);
};

static inline uint32_t rotl(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

/* Byte by byte so it is right on any host; compilers make it one load on x86. */
static inline uint32_t load32_le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void store32_le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* RFC 8439 2.3: "expand 32-byte k", the key, the block counter, the nonce. */
static void state_init(uint32_t s[16], const uint8_t key[CHACHA20_KEY_LEN],
		       const uint8_t nonce[CHACHA20_NONCE_LEN], uint32_t counter)
{
	s[0] = 0x61707865;
	s[1] = 0x3320646e;
	s[2] = 0x79622d32;
	s[3] = 0x6b206574;
	for (int i = 0; i < 8; ++i)
		s[4 + i] = load32_le(key + 4 * i);
	s[12] = counter;
	for (int i = 0; i < 3; ++i)
		s[13 + i] = load32_le(nonce + 4 * i);
}

/* ------------------------------------------------------------ portable */

/* RFC 8439 2.1: the quarter round on words a, b, c, d of x. */
static inline void quarter_round(uint32_t x[16], int a, int b, int c, int d)
{
	x[a] += x[b];
	x[d] = rotl(x[d] ^ x[a], 16);
	x[c] += x[d];
	x[b] = rotl(x[b] ^ x[c], 12);
	x[a] += x[b];
	x[d] = rotl(x[d] ^ x[a], 8);
	x[c] += x[d];
	x[b] = rotl(x[b] ^ x[c], 7);
}

/* RFC 8439 2.3: ten double rounds (columns, then diagonals), the input added back. */
static void block_portable(uint32_t out[16], const uint32_t in[16])
{
	memcpy(out, in, 16 * sizeof(*out));
	for (int i = 0; i < 10; ++i) {
		quarter_round(out, 0, 4, 8, 12);
		quarter_round(out, 1, 5, 9, 13);
		quarter_round(out, 2, 6, 10, 14);
		quarter_round(out, 3, 7, 11, 15);
		quarter_round(out, 0, 5, 10, 15);
		quarter_round(out, 1, 6, 11, 12);
		quarter_round(out, 2, 7, 8, 13);
		quarter_round(out, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; ++i)
		out[i] += in[i];
}

/* dst = src XOR the first n (at most 64) bytes of the keystream block ks. */
static void xor_block_portable(uint8_t *dst, const uint8_t *src, size_t n, const uint32_t ks[16])
{
	uint8_t bytes[BLOCK_LEN];

	/* Word by word reads each word before writing it, so dst == src is fine. */
	if (n == BLOCK_LEN) {
		for (int i = 0; i < 16; ++i)
			store32_le(dst + 4 * i, load32_le(src + 4 * i) ^ ks[i]);
		return;
	}
	for (int i = 0; i < 16; ++i)
		store32_le(bytes + 4 * i, ks[i]);
	for (size_t i = 0; i < n; ++i)
		dst[i] = src[i] ^ bytes[i];
	sodium_memzero(bytes, sizeof(bytes));
}

static void xor_portable(uint8_t *dst, const uint8_t *src, size_t len, const uint32_t in[16],
			 uint8_t *poly_key)
{
	uint32_t state[16], ks[16];
	size_t n;

	memcpy(state, in, sizeof(state));
	if (poly_key) {
		block_portable(ks, state);
		for (int i = 0; i < 8; ++i)
			store32_le(poly_key + 4 * i, ks[i]);
		++state[12];
	}
	for (; len; len -= n, dst += n, src += n) {
		n = len < BLOCK_LEN ? len : BLOCK_LEN;
		block_portable(ks, state);
		xor_block_portable(dst, src, n, ks);
		/* Wraps at 2^32 as RFC 8439's 32-bit counter does (see chacha20.h). */
		++state[12];
	}
	sodium_memzero(ks, sizeof(ks));
	sodium_memzero(state, sizeof(state));
}

static const struct impl portable_impl = {"portable", xor_portable};

/* ------------------------------------------------------------ AVX-512 */
#ifdef HAVE_AVX512

/*
 * Function attributes, not -m flags: the rest of the binary must still run on
 * CPUs without AVX-512, and these functions run only once select_best saw it.
 */
#define AVX512_ISA "avx512f,avx512bw,avx512vl"
#define AVX512 __attribute__((target(AVX512_ISA)))
#define AVX512_INLINE static inline __attribute__((always_inline, target(AVX512_ISA)))

/* The quarter round on four words, each across 16 blocks; vprold rotates. */
AVX512_INLINE void quarter_round16(__m512i x[16], int a, int b, int c, int d)
{
	x[a] = _mm512_add_epi32(x[a], x[b]);
	x[d] = _mm512_rol_epi32(_mm512_xor_si512(x[d], x[a]), 16);
	x[c] = _mm512_add_epi32(x[c], x[d]);
	x[b] = _mm512_rol_epi32(_mm512_xor_si512(x[b], x[c]), 12);
	x[a] = _mm512_add_epi32(x[a], x[b]);
	x[d] = _mm512_rol_epi32(_mm512_xor_si512(x[d], x[a]), 8);
	x[c] = _mm512_add_epi32(x[c], x[d]);
	x[b] = _mm512_rol_epi32(_mm512_xor_si512(x[b], x[c]), 7);
}

AVX512_INLINE void rounds16(__m512i x[16])
{
	for (int i = 0; i < 10; ++i) {
		quarter_round16(x, 0, 4, 8, 12);
		quarter_round16(x, 1, 5, 9, 13);
		quarter_round16(x, 2, 6, 10, 14);
		quarter_round16(x, 3, 7, 11, 15);
		quarter_round16(x, 0, 5, 10, 15);
		quarter_round16(x, 1, 6, 11, 12);
		quarter_round16(x, 2, 7, 8, 13);
		quarter_round16(x, 3, 4, 9, 14);
	}
}

/*
 * Words w..w+3 (a, b, c, d) of blocks 0..15 -> t[r], whose 128-bit lane k
 * holds those four words of block 4k + r (a 4x4 transpose in every lane).
 */
AVX512_INLINE void transpose_words(__m512i t[4], __m512i a, __m512i b, __m512i c, __m512i d)
{
	__m512i ab_lo = _mm512_unpacklo_epi32(a, b), ab_hi = _mm512_unpackhi_epi32(a, b);
	__m512i cd_lo = _mm512_unpacklo_epi32(c, d), cd_hi = _mm512_unpackhi_epi32(c, d);

	t[0] = _mm512_unpacklo_epi64(ab_lo, cd_lo);
	t[1] = _mm512_unpackhi_epi64(ab_lo, cd_lo);
	t[2] = _mm512_unpacklo_epi64(ab_hi, cd_hi);
	t[3] = _mm512_unpackhi_epi64(ab_hi, cd_hi);
}

/*
 * The 4x4 transpose of 128-bit lanes: out[k] = lane k of w0, w4, w8, w12,
 * which is the whole of one block. 0x88 picks lanes 0 and 2 of each
 * source, 0xdd lanes 1 and 3.
 */
AVX512_INLINE void transpose_lanes(__m512i out[4], __m512i w0, __m512i w4, __m512i w8, __m512i w12)
{
	__m512i p0 = _mm512_shuffle_i32x4(w0, w4, 0x88), p1 = _mm512_shuffle_i32x4(w0, w4, 0xdd);
	__m512i q0 = _mm512_shuffle_i32x4(w8, w12, 0x88), q1 = _mm512_shuffle_i32x4(w8, w12, 0xdd);

	out[0] = _mm512_shuffle_i32x4(p0, q0, 0x88);
	out[1] = _mm512_shuffle_i32x4(p1, q1, 0x88);
	out[2] = _mm512_shuffle_i32x4(p0, q0, 0xdd);
	out[3] = _mm512_shuffle_i32x4(p1, q1, 0xdd);
}

/*
 * Keystream block b of a pass: b < skip is the Poly1305 key block (its first
 * 32 bytes are the key); the others cover data bytes (b - skip) * 64 on, as
 * many of them as len has. Masked loads and stores never touch the bytes
 * past len, so the tail needs no bounce buffer.
 */
AVX512_INLINE void emit_block(uint8_t *dst, const uint8_t *src, size_t len, unsigned b,
			      unsigned skip, uint8_t *poly_key, __m512i ks)
{
	size_t off;
	__mmask64 mask;

	if (b < skip) {
		_mm512_mask_storeu_epi32(poly_key, 0x00ff, ks);
		return;
	}
	off = (size_t)(b - skip) * BLOCK_LEN;
	if (off >= len)
		return;
	if (len - off >= BLOCK_LEN) {
		ks = _mm512_xor_si512(ks, _mm512_loadu_si512(src + off));
		_mm512_storeu_si512(dst + off, ks);
		return;
	}
	mask = (1ULL << (len - off)) - 1;
	ks = _mm512_xor_si512(ks, _mm512_maskz_loadu_epi8(mask, src + off));
	_mm512_mask_storeu_epi8(dst + off, mask, ks);
}

/*
 * Blocks ctr..ctr+15 of the state in, added back, transposed and XORed out.
 * The state lives in registers; what the compiler spills of it (the
 * broadcast key words) is not wiped, as in libsodium's and the kernel's SIMD
 * code: only named buffers can be.
 */
AVX512 static void pass16(uint8_t *dst, const uint8_t *src, size_t len, const uint32_t in[16],
			  uint32_t ctr, unsigned skip, uint8_t *poly_key)
{
	const __m512i lanes =
	    _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
	const __m512i counters = _mm512_add_epi32(_mm512_set1_epi32((int)ctr), lanes);
	__m512i x[16], t[16], blocks[4];

#pragma GCC unroll 16
	for (int i = 0; i < 16; ++i)
		x[i] = _mm512_set1_epi32((int)in[i]);
	x[12] = counters;
	rounds16(x);
#pragma GCC unroll 16
	for (int i = 0; i < 16; ++i)
		x[i] = _mm512_add_epi32(x[i], i == 12 ? counters : _mm512_set1_epi32((int)in[i]));
#pragma GCC unroll 4
	for (int g = 0; g < 4; ++g)
		transpose_words(&t[4 * g], x[4 * g], x[4 * g + 1], x[4 * g + 2], x[4 * g + 3]);
		/* t[4g + r] holds words 4g..4g+3 of blocks 4k + r, lane k. */
#pragma GCC unroll 4
	for (int r = 0; r < 4; ++r) {
		transpose_lanes(blocks, t[r], t[4 + r], t[8 + r], t[12 + r]);
#pragma GCC unroll 4
		for (int k = 0; k < 4; ++k)
			emit_block(dst, src, len, 4 * k + r, skip, poly_key, blocks[k]);
	}
}

/* ---- 8 blocks in ymm registers, for the last few blocks of a message */

AVX512_INLINE void quarter_round8(__m256i x[16], int a, int b, int c, int d)
{
	x[a] = _mm256_add_epi32(x[a], x[b]);
	x[d] = _mm256_rol_epi32(_mm256_xor_si256(x[d], x[a]), 16);
	x[c] = _mm256_add_epi32(x[c], x[d]);
	x[b] = _mm256_rol_epi32(_mm256_xor_si256(x[b], x[c]), 12);
	x[a] = _mm256_add_epi32(x[a], x[b]);
	x[d] = _mm256_rol_epi32(_mm256_xor_si256(x[d], x[a]), 8);
	x[c] = _mm256_add_epi32(x[c], x[d]);
	x[b] = _mm256_rol_epi32(_mm256_xor_si256(x[b], x[c]), 7);
}

AVX512_INLINE void rounds8(__m256i x[16])
{
	for (int i = 0; i < 10; ++i) {
		quarter_round8(x, 0, 4, 8, 12);
		quarter_round8(x, 1, 5, 9, 13);
		quarter_round8(x, 2, 6, 10, 14);
		quarter_round8(x, 3, 7, 11, 15);
		quarter_round8(x, 0, 5, 10, 15);
		quarter_round8(x, 1, 6, 11, 12);
		quarter_round8(x, 2, 7, 8, 13);
		quarter_round8(x, 3, 4, 9, 14);
	}
}

/* transpose_words on 8 blocks: lane k of t[r] holds words w..w+3 of block 4k + r. */
AVX512_INLINE void transpose_words8(__m256i t[4], __m256i a, __m256i b, __m256i c, __m256i d)
{
	__m256i ab_lo = _mm256_unpacklo_epi32(a, b), ab_hi = _mm256_unpackhi_epi32(a, b);
	__m256i cd_lo = _mm256_unpacklo_epi32(c, d), cd_hi = _mm256_unpackhi_epi32(c, d);

	t[0] = _mm256_unpacklo_epi64(ab_lo, cd_lo);
	t[1] = _mm256_unpackhi_epi64(ab_lo, cd_lo);
	t[2] = _mm256_unpacklo_epi64(ab_hi, cd_hi);
	t[3] = _mm256_unpackhi_epi64(ab_hi, cd_hi);
}

/* 32 bytes of keystream over data bytes off..off+31, those of len that exist. */
AVX512_INLINE void emit_half(uint8_t *dst, const uint8_t *src, size_t len, size_t off, __m256i ks)
{
	__mmask32 mask;

	if (off >= len)
		return;
	if (len - off >= BLOCK_LEN / 2) {
		ks = _mm256_xor_si256(ks, _mm256_loadu_si256((const __m256i *)(src + off)));
		_mm256_storeu_si256((__m256i *)(dst + off), ks);
		return;
	}
	mask = (1U << (len - off)) - 1;
	ks = _mm256_xor_si256(ks, _mm256_maskz_loadu_epi8(mask, src + off));
	_mm256_mask_storeu_epi8(dst + off, mask, ks);
}

/* emit_block for block b of an 8-block pass, given as its two halves. */
AVX512_INLINE void emit_block8(uint8_t *dst, const uint8_t *src, size_t len, unsigned b,
			       unsigned skip, uint8_t *poly_key, __m256i lo, __m256i hi)
{
	size_t off;

	if (b < skip) {
		_mm256_storeu_si256((__m256i *)poly_key, lo);
		return;
	}
	off = (size_t)(b - skip) * BLOCK_LEN;
	emit_half(dst, src, len, off, lo);
	emit_half(dst, src, len, off + BLOCK_LEN / 2, hi);
}

/* pass16 at half the width: blocks ctr..ctr+7. */
AVX512 static void pass8(uint8_t *dst, const uint8_t *src, size_t len, const uint32_t in[16],
			 uint32_t ctr, unsigned skip, uint8_t *poly_key)
{
	const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	const __m256i counters = _mm256_add_epi32(_mm256_set1_epi32((int)ctr), lanes);
	__m256i x[16], t[16];

#pragma GCC unroll 16
	for (int i = 0; i < 16; ++i)
		x[i] = _mm256_set1_epi32((int)in[i]);
	x[12] = counters;
	rounds8(x);
#pragma GCC unroll 16
	for (int i = 0; i < 16; ++i)
		x[i] = _mm256_add_epi32(x[i], i == 12 ? counters : _mm256_set1_epi32((int)in[i]));
#pragma GCC unroll 4
	for (int g = 0; g < 4; ++g)
		transpose_words8(&t[4 * g], x[4 * g], x[4 * g + 1], x[4 * g + 2], x[4 * g + 3]);
		/* Block 4k + r is lane k of t[r], t[4 + r], t[8 + r], t[12 + r]. */
#pragma GCC unroll 4
	for (int r = 0; r < 4; ++r) {
		emit_block8(dst, src, len, r, skip, poly_key,
			    _mm256_permute2x128_si256(t[r], t[4 + r], 0x20),
			    _mm256_permute2x128_si256(t[8 + r], t[12 + r], 0x20));
		emit_block8(dst, src, len, 4 + r, skip, poly_key,
			    _mm256_permute2x128_si256(t[r], t[4 + r], 0x31),
			    _mm256_permute2x128_si256(t[8 + r], t[12 + r], 0x31));
	}
}

/* ---- the driver */

/*
 * Passes of 16 blocks, then one of 8 when at most 8 are left: ymm
 * instructions issue on three ports where zmm ones have two, so the narrow
 * pass costs about 2/3 of a wide one. For the AEAD, block 0 rides in the first
 * pass with the first data blocks: 1420 bytes are one pass of 16, one of 8.
 */
AVX512 static void xor_avx512(uint8_t *dst, const uint8_t *src, size_t len, const uint32_t in[16],
			      uint8_t *poly_key)
{
	unsigned skip = poly_key ? 1 : 0;
	uint32_t ctr = in[12];
	size_t used;

	while (len || skip) {
		if (skip + (len + BLOCK_LEN - 1) / BLOCK_LEN <= WIDE / 2) {
			pass8(dst, src, len, in, ctr, skip, poly_key);
			return;
		}
		pass16(dst, src, len, in, ctr, skip, poly_key);
		used = (WIDE - skip) * BLOCK_LEN;
		if (len <= used)
			return;
		dst += used;
		src += used;
		len -= used;
		/* Wraps at 2^32 in every lane, as the portable code does. */
		ctr += WIDE;
		skip = 0;
	}
}

static const struct impl avx512_impl = {"avx512", xor_avx512};

#endif /* HAVE_AVX512 */

/* ------------------------------------------------------------ dispatch */

/* best is set once, before main; active is what runs (best, or portable for tests). */
static const struct impl *best = &portable_impl;
static const struct impl *active = &portable_impl;

/*
 * A constructor runs before any thread exists, so the choice needs no lock.
 * __builtin_cpu_supports also checks that the OS saves the zmm state (XCR0).
 */
__attribute__((constructor)) static void select_best(void)
{
#ifdef HAVE_AVX512
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl"))
		best = &avx512_impl;
#endif
	__atomic_store_n(&active, best, __ATOMIC_RELAXED);
}

static const struct impl *current(void)
{
	return __atomic_load_n(&active, __ATOMIC_RELAXED);
}

void chacha20_aead_xor(uint8_t *dst, const uint8_t *src, size_t len,
		       const uint8_t key[CHACHA20_KEY_LEN], const uint8_t nonce[CHACHA20_NONCE_LEN],
		       uint8_t poly_key[32])
{
	uint32_t state[16];

	state_init(state, key, nonce, 0);
	current()->run(dst, src, len, state, poly_key);
	sodium_memzero(state, sizeof(state));
}

void chacha20_xor(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[CHACHA20_KEY_LEN],
		  const uint8_t nonce[CHACHA20_NONCE_LEN], uint32_t counter)
{
	uint32_t state[16];

	state_init(state, key, nonce, counter);
	current()->run(dst, src, len, state, NULL);
	sodium_memzero(state, sizeof(state));
}

const char *chacha20_impl(void)
{
	return current()->name;
}

void chacha20_force_portable(bool on)
{
	__atomic_store_n(&active, on ? &portable_impl : best, __ATOMIC_RELAXED);
}
