// SPDX-License-Identifier: GPL-2.0
/*
 * Batches of X25519. Where the CPU has AVX-512 IFMA, one Montgomery ladder
 * runs up to eight operations at once, one per 64-bit lane, with 52-bit
 * multiply-adds on radix-2^51 limbs; elsewhere libsodium runs once per lane.
 * The path is chosen once, before main, from what the CPU can do.
 */
#include <endian.h>
#include <string.h>
#include <sodium.h>
#include "x25519-batch.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_IFMA 1
#include <immintrin.h>
#endif

typedef unsigned int (*batch_fn)(uint8_t *const out[], const uint8_t *const scalar[],
				 const uint8_t *const point[], unsigned int n);

/* libsodium, one lane after the other; its -1 means an all-zero output. */
static unsigned int batch_portable(uint8_t *const out[], const uint8_t *const scalar[],
				   const uint8_t *const point[], unsigned int n)
{
	unsigned int zero = 0;

	for (unsigned int i = 0; i < n; ++i)
		if (crypto_scalarmult_curve25519(out[i], scalar[i], point[i]))
			zero |= 1u << i;
	return zero;
}

/* ------------------------------------------------------------ AVX-512 IFMA */
#ifdef HAVE_IFMA

/*
 * Function attributes, not -m flags: the rest of the binary must still run on
 * CPUs without AVX-512, and these functions run only once select_best saw it.
 */
#define IFMA_ISA "avx512f,avx512ifma,avx512vl"
#define IFMA __attribute__((target(IFMA_ISA)))
#define IFMA_INLINE static inline __attribute__((always_inline, target(IFMA_ISA)))
/*
 * The field operations inline into the ladder step, and the step into the
 * ladder: one straight line of vector code. ASan at -O1 keeps every inlined
 * copy's arrays apart in memory with redzones, and TSan's build spills as
 * much, past the 4096-byte frame limit, so there they are calls; clang
 * spills more than gcc and needs the step to be a call of its own to stay
 * under the limit.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_INLINE_FIELD 1
#endif
#ifdef __has_feature
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NO_INLINE_FIELD 1
#endif
#endif
#ifdef NO_INLINE_FIELD
#define FIELD static __attribute__((noinline, target(IFMA_ISA)))
#define STEP FIELD
#else
#define FIELD IFMA_INLINE
#ifdef __clang__
#define STEP static __attribute__((noinline, target(IFMA_ISA)))
#else
#define STEP IFMA_INLINE
#endif
#endif

#define LANES 8
#define LIMBS 5
#define MASK51 ((1ull << 51) - 1)
#define A24 121665
/* Bytes of stack scrub_stack zeroes: more than ladder's and fe_invert's frames. */
#define SCRUB_LEN 3840

/*
 * Eight field elements in radix 2^51: v[k] holds limb k of all eight, lane i
 * for operation i, so the value of lane i is the sum of v[k][i] * 2^(51k).
 *
 * The bound everything rests on: vpmadd52 reads only the low 52 bits of its
 * factors, so every limb that reaches a product must be below 2^52. Values
 * come in two kinds. Carried ones come out of carry() with limbs below
 * 2^51 + 2^17 (or are the decoded point, 1 and 0: below 2^51); only they are
 * multiplied. Loose ones are products not carried yet, limbs
 * below 2^61; they only go into fe_add and fe_sub (which carry), saving a
 * carry where the next step would add or subtract anyway.
 */
struct fe8 {
	__m512i v[LIMBS];
};

/* Secret-bearing stack arrays of the wide path, in one struct to wipe. */
struct wide_state {
	uint64_t scalar[4][LANES]; /* clamped scalar words, word w of lane i */
	uint64_t limbs[LIMBS][LANES];
	uint8_t bytes[LANES][32];
};

/*
 * One parallel carry step: every limb keeps its low 51 bits and passes the
 * rest up; the carry out of limb 4 is worth 2^255 = 19 (mod p) at limb 0.
 * Inputs below 2^63 give carries below 2^12, so the limbs come out below
 * 2^51 + 2^12 and limb 0 below 2^51 + 19 * 2^12 < 2^51 + 2^17: carried.
 * r may be z's fe8 (each limb is read before it is written).
 */
IFMA_INLINE void carry(struct fe8 *r, const __m512i z[LIMBS])
{
	const __m512i mask = _mm512_set1_epi64(MASK51);
	__m512i c[LIMBS];

#pragma GCC unroll 10
	for (int k = 0; k < LIMBS; ++k)
		c[k] = _mm512_srli_epi64(z[k], 51);
	/* c[4] * 19 < 2^17 fits the 52-bit product: one multiply-add does it. */
	r->v[0] = _mm512_madd52lo_epu64(_mm512_and_si512(z[0], mask), c[4], _mm512_set1_epi64(19));
#pragma GCC unroll 10
	for (int k = 1; k < LIMBS; ++k)
		r->v[k] = _mm512_add_epi64(_mm512_and_si512(z[k], mask), c[k - 1]);
}

/*
 * The ten-limb product folded to five, loose: lo[k] counts once at 2^(51k),
 * hi[k] twice (a high half sits at 2^52 = 2 * 2^51 above its low half), and
 * position k + 5 comes back 19 times at k. With s the value at k + 5, the sum
 * lo + 2 hi + 19 s is spelled lo + s + 2 (hi + s) + 16 s to save operations.
 * Each position is below 15 * 2^52 (see the callers), so every sum here is
 * below 20 * 15 * 2^52 < 2^61: no 64-bit overflow.
 */
IFMA_INLINE void fold(struct fe8 *r, const __m512i lo[10], const __m512i hi[10])
{
#pragma GCC unroll 10
	for (int k = 0; k < LIMBS; ++k) {
		__m512i s = _mm512_add_epi64(lo[k + 5], _mm512_slli_epi64(hi[k + 5], 1));
		__m512i t = _mm512_add_epi64(hi[k], s);

		r->v[k] = _mm512_add_epi64(
		    _mm512_add_epi64(lo[k], s),
		    _mm512_add_epi64(_mm512_slli_epi64(t, 1), _mm512_slli_epi64(s, 4)));
	}
}

/*
 * r = a * b, loose; a and b carried, r may be either. Schoolbook, 25 low and
 * 25 high halves, each below 2^52; at most five of each land per position,
 * so lo + 2 hi < 15 * 2^52 there.
 */
FIELD void fe_mul_loose(struct fe8 *r, const struct fe8 *a, const struct fe8 *b)
{
	__m512i lo[10], hi[10];

#pragma GCC unroll 10
	for (int k = 0; k < 10; ++k)
		lo[k] = hi[k] = _mm512_setzero_si512();
#pragma GCC unroll 10
	for (int i = 0; i < LIMBS; ++i) {
#pragma GCC unroll 10
		for (int j = 0; j < LIMBS; ++j) {
			lo[i + j] = _mm512_madd52lo_epu64(lo[i + j], a->v[i], b->v[j]);
			hi[i + j + 1] = _mm512_madd52hi_epu64(hi[i + j + 1], a->v[i], b->v[j]);
		}
	}
	fold(r, lo, hi);
}

/*
 * r = a^2, loose, with 15 products instead of 25. The cross products a_i a_j
 * (i < j) count twice, but doubling a factor could pass 2^52, so the sums
 * are doubled instead: x1 counts once (square lows), x2 twice (square highs,
 * cross lows), x4 four times (cross highs). At most one square and two cross
 * products land per position: x1 + 2 x2 + 4 x4 < (1 + 6 + 8) * 2^52, the
 * bound of fe_mul_loose, and fold() takes x1 as lo and x2 + 2 x4 as hi.
 */
FIELD void fe_sqr_loose(struct fe8 *r, const struct fe8 *a)
{
	__m512i x1[10], x2[10], x4[10];

#pragma GCC unroll 10
	for (int k = 0; k < 10; ++k)
		x1[k] = x2[k] = x4[k] = _mm512_setzero_si512();
#pragma GCC unroll 10
	for (int i = 0; i < LIMBS; ++i) {
		x1[2 * i] = _mm512_madd52lo_epu64(x1[2 * i], a->v[i], a->v[i]);
		x2[2 * i + 1] = _mm512_madd52hi_epu64(x2[2 * i + 1], a->v[i], a->v[i]);
#pragma GCC unroll 10
		for (int j = i + 1; j < LIMBS; ++j) {
			x2[i + j] = _mm512_madd52lo_epu64(x2[i + j], a->v[i], a->v[j]);
			x4[i + j + 1] = _mm512_madd52hi_epu64(x4[i + j + 1], a->v[i], a->v[j]);
		}
	}
#pragma GCC unroll 10
	for (int k = 0; k < 10; ++k)
		x2[k] = _mm512_add_epi64(x2[k], _mm512_slli_epi64(x4[k], 1));
	fold(r, x1, x2);
}

/* r = a * b and r = a^2, carried: products below 2^61 carry as above. */
FIELD void fe_mul(struct fe8 *r, const struct fe8 *a, const struct fe8 *b)
{
	fe_mul_loose(r, a, b);
	carry(r, r->v);
}

FIELD void fe_sqr(struct fe8 *r, const struct fe8 *a)
{
	fe_sqr_loose(r, a);
	carry(r, r->v);
}

/* r = a + b, carried; a and b loose or carried, so the sum is below 2^62. */
FIELD void fe_add(struct fe8 *r, const struct fe8 *a, const struct fe8 *b)
{
	__m512i z[LIMBS];

#pragma GCC unroll 10
	for (int k = 0; k < LIMBS; ++k)
		z[k] = _mm512_add_epi64(a->v[k], b->v[k]);
	carry(r, z);
}

/*
 * r = a - b, carried, computed as a + 2^11 p - b so no limb goes negative:
 * the limbs of 2^11 p (2^62 - 19 * 2^11, then 2^62 - 2^11) exceed any loose
 * limb of b (< 2^61), and the sum stays below 2^61 + 2^62 < 2^63.
 */
FIELD void fe_sub(struct fe8 *r, const struct fe8 *a, const struct fe8 *b)
{
	const __m512i p0 = _mm512_set1_epi64((long long)(((1ull << 51) - 19) << 11));
	const __m512i pk = _mm512_set1_epi64((long long)(((1ull << 51) - 1) << 11));
	__m512i z[LIMBS];

#pragma GCC unroll 10
	for (int k = 0; k < LIMBS; ++k)
		z[k] = _mm512_sub_epi64(_mm512_add_epi64(a->v[k], k ? pk : p0), b->v[k]);
	carry(r, z);
}

/*
 * r = a + a24 * e (RFC 7748: AA + a24 * E), a and e carried, r carried.
 * e_k * a24 < 2^69 is split by IFMA too: the low half adds to a_k, the high
 * half (< 2^17) counts twice at the next limb, 38 times at limb 0 for limb
 * 4 (a product below 2^23, exact in 52 bits). All sums are below 2^54.
 */
FIELD void fe_add_a24(struct fe8 *r, const struct fe8 *a, const struct fe8 *e)
{
	const __m512i a24 = _mm512_set1_epi64(A24);
	__m512i z[LIMBS], hi[LIMBS];

#pragma GCC unroll 10
	for (int k = 0; k < LIMBS; ++k) {
		z[k] = _mm512_madd52lo_epu64(a->v[k], e->v[k], a24);
		hi[k] = _mm512_madd52hi_epu64(_mm512_setzero_si512(), e->v[k], a24);
	}
	z[0] = _mm512_madd52lo_epu64(z[0], hi[4], _mm512_set1_epi64(2 * 19));
#pragma GCC unroll 10
	for (int k = 1; k < LIMBS; ++k)
		z[k] = _mm512_add_epi64(z[k], _mm512_slli_epi64(hi[k - 1], 1));
	carry(r, z);
}

/* Where mask has lane i set, swap lane i of a and b; no branch, no index. */
IFMA_INLINE void fe_cswap(__mmask8 mask, struct fe8 *a, struct fe8 *b)
{
#pragma GCC unroll 10
	for (int k = 0; k < LIMBS; ++k) {
		__m512i t = _mm512_mask_blend_epi64(mask, a->v[k], b->v[k]);

		b->v[k] = _mm512_mask_blend_epi64(mask, b->v[k], a->v[k]);
		a->v[k] = t;
	}
}

/* r = a^(2^n), n >= 1, carried. */
IFMA_INLINE void fe_sqr_n(struct fe8 *r, const struct fe8 *a, int n)
{
	fe_sqr(r, a);
	while (--n > 0)
		fe_sqr(r, r);
}

/* r = z^(p - 2) = 1/z (0 for z = 0): the usual chain, 254 squares and 11 products. */
IFMA __attribute__((noinline)) static void fe_invert(struct fe8 *r, const struct fe8 *z)
{
	struct fe8 z2, z9, z11, a, b, c, t;

	fe_sqr(&z2, z);		/* 2 */
	fe_sqr_n(&t, &z2, 2);	/* 8 */
	fe_mul(&z9, &t, z);	/* 9 */
	fe_mul(&z11, &z9, &z2); /* 11 */
	fe_sqr(&t, &z11);	/* 22 */
	fe_mul(&a, &t, &z9);	/* 2^5 - 1 */
	fe_sqr_n(&t, &a, 5);	/* 2^10 - 2^5 */
	fe_mul(&a, &t, &a);	/* 2^10 - 1 */
	fe_sqr_n(&t, &a, 10);	/* 2^20 - 2^10 */
	fe_mul(&b, &t, &a);	/* 2^20 - 1 */
	fe_sqr_n(&t, &b, 20);	/* 2^40 - 2^20 */
	fe_mul(&t, &t, &b);	/* 2^40 - 1 */
	fe_sqr_n(&t, &t, 10);	/* 2^50 - 2^10 */
	fe_mul(&a, &t, &a);	/* 2^50 - 1 */
	fe_sqr_n(&t, &a, 50);	/* 2^100 - 2^50 */
	fe_mul(&b, &t, &a);	/* 2^100 - 1 */
	fe_sqr_n(&t, &b, 100);	/* 2^200 - 2^100 */
	fe_mul(&c, &t, &b);	/* 2^200 - 1 */
	fe_sqr_n(&t, &c, 50);	/* 2^250 - 2^50 */
	fe_mul(&t, &t, &a);	/* 2^250 - 1 */
	fe_sqr_n(&t, &t, 5);	/* 2^255 - 2^5 */
	fe_mul(r, &t, &z11);	/* 2^255 - 21 = p - 2 */
}

/*
 * RFC 7748 section 5, one ladder step on all lanes (the swap done before).
 * x2, z2, x3 and z3 are loose in and out: each is next added to or taken
 * from another before it is multiplied. x1 is carried.
 */
STEP void ladder_step(const struct fe8 *x1, struct fe8 *x2, struct fe8 *z2, struct fe8 *x3,
		      struct fe8 *z3)
{
	struct fe8 a, aa, b, bb, e, c, d, da, cb;

	fe_add(&a, x2, z2);
	fe_sub(&b, x2, z2);
	fe_add(&c, x3, z3);
	fe_sub(&d, x3, z3);
	fe_mul_loose(&da, &d, &a);
	fe_mul_loose(&cb, &c, &b);
	fe_sqr(&aa, &a);
	fe_sqr(&bb, &b);
	fe_add(x3, &da, &cb);
	fe_sqr_loose(x3, x3);
	fe_sub(z3, &da, &cb);
	fe_sqr(z3, z3);
	fe_mul_loose(z3, z3, x1);
	fe_mul_loose(x2, &aa, &bb);
	fe_sub(&e, &aa, &bb);
	fe_add_a24(z2, &aa, &e);
	fe_mul_loose(z2, z2, &e);
}

IFMA_INLINE void fe_load(struct fe8 *r, const uint64_t limbs[LIMBS][LANES])
{
	for (int k = 0; k < LIMBS; ++k)
		r->v[k] = _mm512_loadu_si512(limbs[k]);
}

IFMA_INLINE void fe_store(uint64_t limbs[LIMBS][LANES], const struct fe8 *a)
{
	for (int k = 0; k < LIMBS; ++k)
		_mm512_storeu_si512(limbs[k], a->v[k]);
}

/*
 * The ladder over bits 254..0 of each lane's clamped scalar, x1 the point;
 * leaves x2 / z2 in s->limbs. The swap mask is lane-wise: bit t of lane i's
 * scalar decides lane i alone, through a mask register, never a branch.
 */
IFMA __attribute__((noinline)) static void ladder(struct wide_state *s)
{
	struct fe8 x1, x2, z2, x3, z3;
	__mmask8 swap = 0, bit;

	fe_load(&x1, s->limbs);
	x3 = x1;
	for (int k = 0; k < LIMBS; ++k)
		x2.v[k] = z2.v[k] = z3.v[k] = _mm512_setzero_si512();
	/* RFC 7748: x2 = 1, z2 = 0, x3 = u, z3 = 1. */
	x2.v[0] = z3.v[0] = _mm512_set1_epi64(1);
	for (int t = 254; t >= 0; --t) {
		bit = _mm512_test_epi64_mask(_mm512_loadu_si512(s->scalar[t / 64]),
					     _mm512_set1_epi64((long long)(1ull << (t % 64))));
		fe_cswap(swap ^ bit, &x2, &x3);
		fe_cswap(swap ^ bit, &z2, &z3);
		swap = bit;
		ladder_step(&x1, &x2, &z2, &x3, &z3);
	}
	fe_cswap(swap, &x2, &x3);
	fe_cswap(swap, &z2, &z3);
	/* Loose out of the ladder; the inversion and product take carried values. */
	carry(&x2, x2.v);
	carry(&z2, z2.v);
	fe_invert(&z2, &z2);
	fe_mul(&x2, &x2, &z2);
	fe_store(s->limbs, &x2);
}

static uint64_t load64_le(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static void store64_le(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

/* Lane i of s from one scalar and one point: clamp the scalar, split u into limbs. */
static void lane_load(struct wide_state *s, unsigned int i, const uint8_t scalar[32],
		      const uint8_t point[32])
{
	uint8_t *k = s->bytes[i];
	uint64_t w[4];

	memcpy(k, scalar, 32);
	k[0] &= 248;
	k[31] = (k[31] & 127) | 64;
	for (int j = 0; j < 4; ++j) {
		s->scalar[j][i] = load64_le(k + 8 * j);
		w[j] = load64_le(point + 8 * j);
	}
	/* The top bit of u is ignored; a u >= p is fine, the field reduces it. */
	w[3] &= ~(1ull << 63);
	s->limbs[0][i] = w[0] & MASK51;
	s->limbs[1][i] = (w[0] >> 51 | w[1] << 13) & MASK51;
	s->limbs[2][i] = (w[1] >> 38 | w[2] << 26) & MASK51;
	s->limbs[3][i] = (w[2] >> 25 | w[3] << 39) & MASK51;
	s->limbs[4][i] = w[3] >> 12;
}

/* One sequential carry pass; the carry out of limb 4 comes back times 19. */
static void carry_pass(uint64_t h[LIMBS])
{
	for (int k = 0; k < LIMBS - 1; ++k) {
		h[k + 1] += h[k] >> 51;
		h[k] &= MASK51;
	}
	h[0] += 19 * (h[4] >> 51);
	h[4] &= MASK51;
}

/*
 * The canonical value of h (limbs < 2^51 + 2^17): two passes leave limbs
 * below 2^51, so h < 2^255 < 2p; q = 1 exactly when h + 19 reaches 2^255,
 * i.e. h >= p, and then h + 19 - 2^255 = h - p. No branch on the value.
 */
static void freeze(uint64_t h[LIMBS])
{
	uint64_t q;

	carry_pass(h);
	carry_pass(h);
	q = (h[0] + 19) >> 51;
	for (int k = 1; k < LIMBS; ++k)
		q = (h[k] + q) >> 51;
	h[0] += 19 * q;
	for (int k = 0; k < LIMBS - 1; ++k) {
		h[k + 1] += h[k] >> 51;
		h[k] &= MASK51;
	}
	h[4] &= MASK51;
}

/* Lane i of s->limbs, frozen, as 32 bytes; returns 1 when they are all zero. */
static unsigned int lane_store(struct wide_state *s, unsigned int i, uint8_t out[32])
{
	uint64_t h[LIMBS];
	unsigned int any = 0;

	for (int k = 0; k < LIMBS; ++k)
		h[k] = s->limbs[k][i];
	freeze(h);
	store64_le(out, h[0] | h[1] << 51);
	store64_le(out + 8, h[1] >> 13 | h[2] << 38);
	store64_le(out + 16, h[2] >> 26 | h[3] << 25);
	store64_le(out + 24, h[3] >> 39 | h[4] << 12);
	sodium_memzero(h, sizeof(h));
	for (int j = 0; j < 32; ++j)
		any |= out[j];
	/* any - 1 borrows into bit 8 only for any = 0. */
	return ((any - 1) >> 8) & 1;
}

/*
 * The ladder holds its state in zmm registers but spills part of it to its
 * frame (under 3 KiB, fe_invert's below it), which no sodium_memzero in C can
 * name. Called from batch_wide right after ladder, this frame starts where
 * ladder's did and reaches past fe_invert's, so zeroing it wipes the spills:
 * a best effort, since frame layout is the compiler's, checked on gcc 12.
 */
__attribute__((noinline)) static void scrub_stack(void)
{
	uint8_t pad[SCRUB_LEN];

	sodium_memzero(pad, sizeof(pad));
	__asm__ volatile("" : : "r"(pad) : "memory");
}

/* Lanes past n run lane 0's inputs again; their outputs are dropped. */
IFMA static unsigned int batch_wide(uint8_t *const out[], const uint8_t *const scalar[],
				    const uint8_t *const point[], unsigned int n)
{
	struct wide_state s;
	unsigned int zero = 0;

	if (!n)
		return 0;
	for (unsigned int i = 0; i < LANES; ++i)
		lane_load(&s, i, scalar[i < n ? i : 0], point[i < n ? i : 0]);
	ladder(&s);
	scrub_stack();
	for (unsigned int i = 0; i < n; ++i)
		zero |= lane_store(&s, i, out[i]) << i;
	sodium_memzero(&s, sizeof(s));
	return zero;
}

#endif /* HAVE_IFMA */

/* ------------------------------------------------------------ dispatch */

/* best is set once, before main; active is what runs (best, or portable for tests). */
static batch_fn best = batch_portable;
static batch_fn active = batch_portable;

/*
 * A constructor runs before any thread exists, so the choice needs no lock.
 * __builtin_cpu_supports also checks that the OS saves the zmm state (XCR0).
 */
__attribute__((constructor)) static void select_best(void)
{
#ifdef HAVE_IFMA
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma") &&
	    __builtin_cpu_supports("avx512vl"))
		best = batch_wide;
#endif
	__atomic_store_n(&active, best, __ATOMIC_RELAXED);
}

unsigned int x25519_batch(uint8_t *const out[], const uint8_t *const scalar[],
			  const uint8_t *const point[], unsigned int n)
{
	if (n > X25519_BATCH_MAX)
		n = X25519_BATCH_MAX;
	return __atomic_load_n(&active, __ATOMIC_RELAXED)(out, scalar, point, n);
}

/* The wide ladder costs 48 us for one lane against libsodium's 38
 * (build/tests/bench/engine-x25519). */
void x25519_many(uint8_t *const out[], const uint8_t *const scalar[], const uint8_t *const point[],
		 unsigned int n)
{
	unsigned int m, zero;

	for (unsigned int i = 0; i < n; i += m) {
		m = n - i < X25519_BATCH_MAX ? n - i : X25519_BATCH_MAX;
		if (m == 1)
			zero = batch_portable(out + i, scalar + i, point + i, 1);
		else
			zero = x25519_batch(out + i, scalar + i, point + i, m);
		for (unsigned int j = 0; j < m; ++j)
			if (zero & 1u << j)
				sodium_memzero(out[i + j], 32);
	}
}

bool x25519_batch_is_wide(void)
{
	return __atomic_load_n(&active, __ATOMIC_RELAXED) != batch_portable;
}

void x25519_batch_use_wide(bool wide)
{
	__atomic_store_n(&active, wide ? best : batch_portable, __ATOMIC_RELAXED);
}
