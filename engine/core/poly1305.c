// SPDX-License-Identifier: GPL-2.0
/*
 * Poly1305 after RFC 8439 2.5: a portable scalar core in radix 2^64 (three
 * limbs, 128-bit products) and, for long messages on x86_64, an AVX-512 path in
 * radix 2^26 that runs eight block streams at once with multiplier r^8.
 */
#include <endian.h>
#include <string.h>
#include <sodium.h>
#include "poly1305.h"

typedef unsigned __int128 u128;

/*
 * The scalar state. r = r0 + r1 * 2^64 is clamped, so r0, r1 < 2^60 and r1 is
 * a multiple of 4; s1 = 5 * (r1 / 4) folds the 2^130 = 5 (mod p) reduction into
 * the multiplication. The accumulator h = h0 + h1 * 2^64 + h2 * 2^128 is kept
 * partially reduced: between blocks h2 <= 4.
 */
struct poly_state {
	uint64_t r0, r1, s1;
	uint64_t h0, h1, h2;
	uint8_t s[16];
};

/*
 * Messages shorter than this many blocks (512 bytes) stay scalar: below it the
 * per-key setup of the vector path (r^2..r^8, ~100 ns) costs more than it saves.
 */
#define VECTOR_MIN_BLOCKS 32

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static inline void store_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

/* RFC 8439 2.5.1: r is clamped, s is taken as it is. */
static void state_init(struct poly_state *st, const uint8_t key[32])
{
	st->r0 = load_le64(key) & 0x0ffffffc0fffffffULL;
	st->r1 = load_le64(key + 8) & 0x0ffffffc0ffffffcULL;
	st->s1 = st->r1 + (st->r1 >> 2);
	st->h0 = st->h1 = st->h2 = 0;
	memcpy(st->s, key + 16, 16);
}

/*
 * h = (h + m) * r mod p, partially, for nblocks 16-byte blocks; hibit is the
 * 2^128 bit each block carries (1, or 0 for a padded final block). With
 * h2 <= 4 on entry, h2 <= 6 after the addition, so the products stay below
 * 2^126 (h0 r0 + h1 s1) and h2 s1, h2 r0 below 2^63.
 */
static void blocks_scalar(struct poly_state *st, const uint8_t *m, size_t nblocks, uint64_t hibit)
{
	const uint64_t r0 = st->r0, r1 = st->r1, s1 = st->s1;
	uint64_t h0 = st->h0, h1 = st->h1, h2 = st->h2, c;
	u128 d0, d1;

	for (; nblocks; --nblocks, m += 16) {
		d0 = (u128)h0 + load_le64(m);
		d1 = (u128)h1 + load_le64(m + 8) + (uint64_t)(d0 >> 64);
		h0 = (uint64_t)d0;
		h1 = (uint64_t)d1;
		h2 += (uint64_t)(d1 >> 64) + hibit;
		/* h1 r1 2^128 = 5 h1 (r1 / 4) and h2 r1 2^192 = 5 h2 (r1 / 4) 2^64 (mod p). */
		d0 = (u128)h0 * r0 + (u128)h1 * s1;
		d1 = (u128)h0 * r1 + (u128)h1 * r0 + h2 * s1 + (uint64_t)(d0 >> 64);
		h2 = h2 * r0 + (uint64_t)(d1 >> 64);
		h0 = (uint64_t)d0;
		h1 = (uint64_t)d1;
		/* Fold the bits from 2^130 up back in as 5 times as much; h2 < 2^63.2 here. */
		c = (h2 >> 2) + (h2 & ~3ULL);
		h2 &= 3;
		d0 = (u128)h0 + c;
		d1 = (u128)h1 + (uint64_t)(d0 >> 64);
		h0 = (uint64_t)d0;
		h1 = (uint64_t)d1;
		h2 += (uint64_t)(d1 >> 64);
	}
	st->h0 = h0;
	st->h1 = h1;
	st->h2 = h2;
}

/*
 * The full reduction and the addition of s (RFC 8439 2.5.1), without a
 * branch: h < 5 * 2^128 < 2p, so at most one p comes off, and h >= p exactly
 * when h + 5 reaches 2^130.
 */
static void state_finish(struct poly_state *st, uint8_t tag[16])
{
	u128 g0, g1;
	uint64_t g2, mask;

	g0 = (u128)st->h0 + 5;
	g1 = (u128)st->h1 + (uint64_t)(g0 >> 64);
	g2 = st->h2 + (uint64_t)(g1 >> 64);
	mask = 0 - (g2 >> 2);
	st->h0 = (st->h0 & ~mask) | ((uint64_t)g0 & mask);
	st->h1 = (st->h1 & ~mask) | ((uint64_t)g1 & mask);
	g0 = (u128)st->h0 + load_le64(st->s);
	g1 = (u128)st->h1 + load_le64(st->s + 8) + (uint64_t)(g0 >> 64);
	store_le64(tag, (uint64_t)g0);
	store_le64(tag + 8, (uint64_t)g1);
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))
#define AVX512_INLINE static inline __attribute__((always_inline, target("avx512f")))
#define LIMB_MASK 0x3ffffffULL

/*
 * Radix 2^26 for the vector path: x = l0 + l1 2^26 + l2 2^52 + l3 2^78 + l4 2^104,
 * five limbs in the low halves of 64-bit words, because vpmuludq multiplies the
 * low 32 bits of each lane into a 64-bit product.
 *
 * Lazy-reduction bounds (why no lane overflows 64 bits, and every factor fits
 * in the 32 bits vpmuludq reads):
 *  - Multipliers (r^1..r^8 and their 5x) leave carry26() or vec_carry() with
 *    limbs below 2^26 + 2^11 < 2^27, so r limbs < 2^27 and 5 r limbs < 2^30;
 *    the constant 1 that vec_setup() multiplies r..r^4 by is one limb of 1.
 *  - The accumulator limbs also leave carry26() below 2^26 + 2^11; a message
 *    limb adds < 2^26 (the top one < 2^25 with its 2^24 pad bit), and lane 0
 *    of the first group adds the scalar h (limbs < 2^26, the top < 2^27 as
 *    h2 <= 4). So every accumulator limb entering a product is < 2^28.
 *  - Each output limb d_i is a sum of five products < 2^28 * 5 * 2^27, so
 *    d_i < 25 * 2^55 < 2^60.
 *  - carry26() on d_i < 2^60: d1, d4 take < 2^34 more; d0 then takes
 *    5 * (d4 >> 26) < 2^36.4; d3 takes d2 >> 26 < 2^34.1; the last d0 -> d1
 *    and d3 -> d4 carries are < 2^11 and < 2^9. Nothing passes 2^61, and all
 *    limbs end below 2^26 + 2^11, which closes the loop.
 *  - The final horizontal sum adds eight such limbs: < 2^30, carried again,
 *    and from26() folds what lies above 2^130 so that h2 <= 4 again.
 */
struct vec5 {
	__m512i l[5];
};

/* The two interleaved carry chains above, on scalar limbs; every d[i] < 2^60. */
static inline __attribute__((always_inline)) void carry26(uint64_t d[5])
{
	d[1] += d[0] >> 26;
	d[0] &= LIMB_MASK;
	d[4] += d[3] >> 26;
	d[3] &= LIMB_MASK;
	d[2] += d[1] >> 26;
	d[1] &= LIMB_MASK;
	d[0] += (d[4] >> 26) * 5;
	d[4] &= LIMB_MASK;
	d[3] += d[2] >> 26;
	d[2] &= LIMB_MASK;
	d[1] += d[0] >> 26;
	d[0] &= LIMB_MASK;
	d[4] += d[3] >> 26;
	d[3] &= LIMB_MASK;
}

/* out = a * b mod p (partially), scalar radix 2^26; limbs of a and b < 2^27. */
static inline __attribute__((always_inline)) void mul26(uint64_t out[5], const uint64_t a[5],
							const uint64_t b[5])
{
	const uint64_t s1 = b[1] * 5, s2 = b[2] * 5, s3 = b[3] * 5, s4 = b[4] * 5;
	uint64_t d[5];

	d[0] = a[0] * b[0] + a[1] * s4 + a[2] * s3 + a[3] * s2 + a[4] * s1;
	d[1] = a[0] * b[1] + a[1] * b[0] + a[2] * s4 + a[3] * s3 + a[4] * s2;
	d[2] = a[0] * b[2] + a[1] * b[1] + a[2] * b[0] + a[3] * s4 + a[4] * s3;
	d[3] = a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0] + a[4] * s4;
	d[4] = a[0] * b[4] + a[1] * b[3] + a[2] * b[2] + a[3] * b[1] + a[4] * b[0];
	carry26(d);
	memcpy(out, d, sizeof(d));
}

/* Radix 2^64 (h2 <= 4) to radix 2^26: the top limb is < 5 * 2^24. */
static void to26(uint64_t l[5], uint64_t h0, uint64_t h1, uint64_t h2)
{
	l[0] = h0 & LIMB_MASK;
	l[1] = (h0 >> 26) & LIMB_MASK;
	l[2] = ((h0 >> 52) | (h1 << 12)) & LIMB_MASK;
	l[3] = (h1 >> 14) & LIMB_MASK;
	l[4] = (h1 >> 40) | (h2 << 24);
}

/* Limbs < 2^27 back to radix 2^64, folding the bits above 2^130 so that h2 <= 4. */
static void from26(struct poly_state *st, const uint64_t l[5])
{
	u128 t;
	uint64_t c;

	t = (u128)l[0] + ((u128)l[1] << 26) + ((u128)l[2] << 52);
	st->h0 = (uint64_t)t;
	t = (t >> 64) + ((u128)l[3] << 14) + ((u128)l[4] << 40);
	st->h1 = (uint64_t)t;
	st->h2 = (uint64_t)(t >> 64);
	c = (st->h2 >> 2) * 5;
	st->h2 &= 3;
	t = (u128)st->h0 + c;
	st->h0 = (uint64_t)t;
	t = (u128)st->h1 + (uint64_t)(t >> 64);
	st->h1 = (uint64_t)t;
	st->h2 += (uint64_t)(t >> 64);
}

/* Eight blocks (128 bytes) into eight lanes of five limbs, block j in lane j, with the 2^128 bit.
 */
AVX512_INLINE void vec_load(struct vec5 *m, const uint8_t *p)
{
	const __m512i lo_idx = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
	const __m512i hi_idx = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
	const __m512i mask = _mm512_set1_epi64(LIMB_MASK);
	const __m512i a = _mm512_loadu_si512(p), b = _mm512_loadu_si512(p + 64);
	const __m512i lo = _mm512_permutex2var_epi64(a, lo_idx, b);
	const __m512i hi = _mm512_permutex2var_epi64(a, hi_idx, b);

	m->l[0] = _mm512_and_si512(lo, mask);
	m->l[1] = _mm512_and_si512(_mm512_srli_epi64(lo, 26), mask);
	m->l[2] = _mm512_and_si512(
	    _mm512_or_si512(_mm512_srli_epi64(lo, 52), _mm512_slli_epi64(hi, 12)), mask);
	m->l[3] = _mm512_and_si512(_mm512_srli_epi64(hi, 14), mask);
	m->l[4] = _mm512_or_si512(_mm512_srli_epi64(hi, 40), _mm512_set1_epi64(1 << 24));
}

AVX512_INLINE void vec_carry_step(__m512i *from, __m512i *to, __m512i mask)
{
	*to = _mm512_add_epi64(*to, _mm512_srli_epi64(*from, 26));
	*from = _mm512_and_si512(*from, mask);
}

/* carry26() on eight lanes. */
AVX512_INLINE void vec_carry(__m512i d[5])
{
	const __m512i mask = _mm512_set1_epi64(LIMB_MASK);
	__m512i c;

	vec_carry_step(&d[0], &d[1], mask);
	vec_carry_step(&d[3], &d[4], mask);
	vec_carry_step(&d[1], &d[2], mask);
	c = _mm512_srli_epi64(d[4], 26);
	d[4] = _mm512_and_si512(d[4], mask);
	d[0] = _mm512_add_epi64(d[0], _mm512_add_epi64(c, _mm512_slli_epi64(c, 2)));
	vec_carry_step(&d[2], &d[3], mask);
	vec_carry_step(&d[0], &d[1], mask);
	vec_carry_step(&d[3], &d[4], mask);
}

#define MUL(a, b) _mm512_mul_epu32(a, b)
#define ADD5(a, b, c, d, e)                                                                        \
	_mm512_add_epi64(_mm512_add_epi64(_mm512_add_epi64(a, b), _mm512_add_epi64(c, d)), e)

/* h = h * r mod p (partially) in each lane; s holds 5 * r (s->l[0] unused). */
AVX512_INLINE void vec_mul(struct vec5 *h, const struct vec5 *r, const struct vec5 *s)
{
	const __m512i *a = h->l, *b = r->l, *t = s->l;
	__m512i d[5];

	d[0] = ADD5(MUL(a[0], b[0]), MUL(a[1], t[4]), MUL(a[2], t[3]), MUL(a[3], t[2]),
		    MUL(a[4], t[1]));
	d[1] = ADD5(MUL(a[0], b[1]), MUL(a[1], b[0]), MUL(a[2], t[4]), MUL(a[3], t[3]),
		    MUL(a[4], t[2]));
	d[2] = ADD5(MUL(a[0], b[2]), MUL(a[1], b[1]), MUL(a[2], b[0]), MUL(a[3], t[4]),
		    MUL(a[4], t[3]));
	d[3] = ADD5(MUL(a[0], b[3]), MUL(a[1], b[2]), MUL(a[2], b[1]), MUL(a[3], b[0]),
		    MUL(a[4], t[4]));
	d[4] = ADD5(MUL(a[0], b[4]), MUL(a[1], b[3]), MUL(a[2], b[2]), MUL(a[3], b[1]),
		    MUL(a[4], b[0]));
	vec_carry(d);
	memcpy(h->l, d, sizeof(d));
}

AVX512_INLINE void vec_add(struct vec5 *h, const struct vec5 *m)
{
	for (int i = 0; i < 5; ++i)
		h->l[i] = _mm512_add_epi64(h->l[i], m->l[i]);
}

/* pw[k - 1] = r^k for k = 1..4, scalar. */
static void powers26(uint64_t pw[4][5], const struct poly_state *st)
{
	to26(pw[0], st->r0, st->r1, 0);
	mul26(pw[1], pw[0], pw[0]);
	mul26(pw[2], pw[1], pw[0]);
	mul26(pw[3], pw[1], pw[1]);
}

/*
 * The multipliers: r^8 in every lane for the loop, and r^(8 - j) in lane j for
 * the end, where lane j holds blocks j, j + 8, ... and so lacks 8 - j factors of
 * r. r^5..r^8 come from one vector product: (r, r^2, r^3, r^4) twice, times 1
 * in the low four lanes and r^4 in the high four.
 */
AVX512 __attribute__((noinline)) static void vec_setup(struct vec5 rv[4],
						       const struct poly_state *st)
{
	const __m512i rev = _mm512_setr_epi64(7, 6, 5, 4, 3, 2, 1, 0), top = _mm512_set1_epi64(7);
	uint64_t pw[4][5], lanes[2][5][8];
	struct vec5 a, b, s;

	powers26(pw, st);
	for (int i = 0; i < 5; ++i) {
		for (int j = 0; j < 8; ++j) {
			lanes[0][i][j] = pw[j % 4][i];
			lanes[1][i][j] = j < 4 ? i == 0 : pw[3][i];
		}
	}
	for (int i = 0; i < 5; ++i) {
		a.l[i] = _mm512_loadu_si512(lanes[0][i]);
		b.l[i] = _mm512_loadu_si512(lanes[1][i]);
		s.l[i] = _mm512_add_epi64(b.l[i], _mm512_slli_epi64(b.l[i], 2));
	}
	vec_mul(&a, &b, &s);
	for (int i = 0; i < 5; ++i) {
		rv[0].l[i] = _mm512_permutexvar_epi64(top, a.l[i]);
		rv[2].l[i] = _mm512_permutexvar_epi64(rev, a.l[i]);
		rv[1].l[i] = _mm512_add_epi64(rv[0].l[i], _mm512_slli_epi64(rv[0].l[i], 2));
		rv[3].l[i] = _mm512_add_epi64(rv[2].l[i], _mm512_slli_epi64(rv[2].l[i], 2));
	}
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(lanes, sizeof(lanes));
	sodium_memzero(&a, sizeof(a));
	sodium_memzero(&b, sizeof(b));
	sodium_memzero(&s, sizeof(s));
}

/* Kept out of line, as vec_setup(), so the sanitizer builds (-O1) keep each frame < 4 KiB. */
/* Eight lanes run Horner's rule with r^8 over ngroups groups of 8 blocks. */
AVX512 __attribute__((noinline)) static void vec_run(struct vec5 *h, const struct vec5 rv[4],
						     const uint8_t *m, size_t ngroups)
{
	struct vec5 msg;

	for (size_t g = 1; g < ngroups; ++g) {
		vec_load(&msg, m + 128 * g);
		vec_mul(h, &rv[0], &rv[1]);
		vec_add(h, &msg);
	}
	vec_mul(h, &rv[2], &rv[3]);
}

/* Absorbs ngroups * 8 full blocks (ngroups >= 1) into st with AVX-512F. */
AVX512 static void blocks_avx512(struct poly_state *st, const uint8_t *m, size_t ngroups)
{
	uint64_t l[5];
	struct vec5 rv[4], h;

	vec_setup(rv, st);
	to26(l, st->h0, st->h1, st->h2);
	vec_load(&h, m);
	for (int i = 0; i < 5; ++i)
		h.l[i] = _mm512_add_epi64(h.l[i],
					  _mm512_setr_epi64((long long)l[i], 0, 0, 0, 0, 0, 0, 0));
	vec_run(&h, rv, m, ngroups);
	for (int i = 0; i < 5; ++i)
		l[i] = (uint64_t)_mm512_reduce_add_epi64(h.l[i]);
	carry26(l);
	from26(st, l);
	sodium_memzero(l, sizeof(l));
	sodium_memzero(rv, sizeof(rv));
	sodium_memzero(&h, sizeof(h));
}

static bool have_avx512;
static bool forced_portable;

/*
 * Chosen once before main: __builtin_cpu_supports checks the OS saves the
 * AVX-512 state too. The constructor runs before any thread exists.
 */
__attribute__((constructor)) static void poly1305_select(void)
{
	__builtin_cpu_init();
	have_avx512 = __builtin_cpu_supports("avx512f");
}

static bool use_avx512(void)
{
	return have_avx512 && !__atomic_load_n(&forced_portable, __ATOMIC_RELAXED);
}

/* Full blocks with the 2^128 bit: groups of 8 to the vector unit, the rest scalar. */
static void blocks(struct poly_state *st, const uint8_t *m, size_t nblocks)
{
	size_t ngroups = nblocks / 8;

	if (nblocks >= VECTOR_MIN_BLOCKS && use_avx512()) {
		blocks_avx512(st, m, ngroups);
		m += ngroups * 128;
		nblocks -= ngroups * 8;
	}
	blocks_scalar(st, m, nblocks, 1);
}

const char *poly1305_impl(void)
{
	return use_avx512() ? "avx512" : "portable";
}

void poly1305_force_portable(bool on)
{
	__atomic_store_n(&forced_portable, on, __ATOMIC_RELAXED);
}

#else

static void blocks(struct poly_state *st, const uint8_t *m, size_t nblocks)
{
	blocks_scalar(st, m, nblocks, 1);
}

const char *poly1305_impl(void)
{
	return "portable";
}

void poly1305_force_portable(bool on)
{
	(void)on;
}

#endif

void poly1305_mac(uint8_t tag[16], const uint8_t *msg, size_t len, const uint8_t key[32])
{
	struct poly_state st;
	uint8_t last[16];
	size_t rem = len % 16;

	state_init(&st, key);
	blocks(&st, msg, len / 16);
	/* RFC 8439 2.5.1: a short final block gets a 1 byte after it instead of the 2^128 bit. */
	if (rem) {
		memset(last, 0, sizeof(last));
		memcpy(last, msg + len - rem, rem);
		last[rem] = 1;
		blocks_scalar(&st, last, 1, 0);
	}
	state_finish(&st, tag);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(last, sizeof(last));
}

/* RFC 8439 2.8: AAD is empty, so the MAC input is ct, its zero padding and the two lengths. */
void poly1305_aead_tag(uint8_t tag[16], const uint8_t *ct, size_t ct_len, const uint8_t key[32])
{
	struct poly_state st;
	uint8_t tail[32];
	size_t rem = ct_len % 16, n = 0;

	state_init(&st, key);
	blocks(&st, ct, ct_len / 16);
	memset(tail, 0, sizeof(tail));
	if (rem) {
		memcpy(tail, ct + ct_len - rem, rem);
		n = 16;
	}
	/* le64(aad_len = 0) is already zero. */
	store_le64(tail + n + 8, (uint64_t)ct_len);
	blocks_scalar(&st, tail, n / 16 + 1, 1);
	state_finish(&st, tag);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(tail, sizeof(tail));
}
