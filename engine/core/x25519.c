// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-base X25519 through Ed25519: libsodium multiplies the base point with
 * its precomputed table on the twisted Edwards curve, and a little arithmetic
 * modulo p = 2^255 - 19 (five 51-bit limbs, 128-bit products) maps the point
 * to the Montgomery curve. Every step runs in constant time.
 */
#include <string.h>
#include <sodium.h>
#include "x25519.h"

#define LIMB_BITS 51
#define LIMB_MASK ((UINT64_C(1) << LIMB_BITS) - 1)

typedef unsigned __int128 u128;

/* A field element: the sum of limb[i] * 2^(51 i), limbs a little over 51 bits allowed. */
struct fe {
	uint64_t limb[5];
};

static uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; --i)
		v = v << 8 | p[i];
	return v;
}

static void store_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; ++i)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The low 255 bits of s, little-endian: bits 51 i .. 51 i + 50 go to limb i. */
static void fe_from_bytes(struct fe *h, const uint8_t s[32])
{
	h->limb[0] = load_le64(s) & LIMB_MASK;
	h->limb[1] = (load_le64(s + 6) >> 3) & LIMB_MASK;
	h->limb[2] = (load_le64(s + 12) >> 6) & LIMB_MASK;
	h->limb[3] = (load_le64(s + 19) >> 1) & LIMB_MASK;
	h->limb[4] = (load_le64(s + 24) >> 12) & LIMB_MASK;
}

/* One carry pass: every limb but the first below 2^51, the top carry folded in times 19. */
static void fe_carry(struct fe *h)
{
	for (int i = 0; i < 4; ++i) {
		h->limb[i + 1] += h->limb[i] >> LIMB_BITS;
		h->limb[i] &= LIMB_MASK;
	}
	/* 2^255 = 19 (mod p) */
	h->limb[0] += 19 * (h->limb[4] >> LIMB_BITS);
	h->limb[4] &= LIMB_MASK;
}

/* The canonical encoding: h reduced to [0, p), little-endian. */
static void fe_to_bytes(uint8_t s[32], struct fe *h)
{
	uint64_t q;

	/* Two passes leave every limb below 2^51, so h < 2^255. */
	fe_carry(h);
	fe_carry(h);
	/* q = 1 exactly when h >= p, that is when h + 19 reaches 2^255. */
	q = (h->limb[0] + 19) >> LIMB_BITS;
	for (int i = 1; i < 5; ++i)
		q = (h->limb[i] + q) >> LIMB_BITS;
	/* h - q p = h + 19 q - q 2^255: add, carry, and drop bit 255. */
	h->limb[0] += 19 * q;
	for (int i = 0; i < 4; ++i) {
		h->limb[i + 1] += h->limb[i] >> LIMB_BITS;
		h->limb[i] &= LIMB_MASK;
	}
	h->limb[4] &= LIMB_MASK;
	store_le64(s, h->limb[0] | h->limb[1] << 51);
	store_le64(s + 8, h->limb[1] >> 13 | h->limb[2] << 38);
	store_le64(s + 16, h->limb[2] >> 26 | h->limb[3] << 25);
	store_le64(s + 24, h->limb[3] >> 39 | h->limb[4] << 12);
}

static void fe_add(struct fe *h, const struct fe *a, const struct fe *b)
{
	for (int i = 0; i < 5; ++i)
		h->limb[i] = a->limb[i] + b->limb[i];
}

/* h = a - b, as a + 2p - b so that no limb goes below zero (b's limbs under 2^52). */
static void fe_sub(struct fe *h, const struct fe *a, const struct fe *b)
{
	static const uint64_t two_p[5] = {
	    2 * (LIMB_MASK - 18), 2 * LIMB_MASK, 2 * LIMB_MASK, 2 * LIMB_MASK, 2 * LIMB_MASK,
	};

	for (int i = 0; i < 5; ++i)
		h->limb[i] = a->limb[i] + two_p[i] - b->limb[i];
	fe_carry(h);
}

/* Carries 128-bit column sums into limbs a little over 51 bits. */
static void fe_reduce_wide(struct fe *h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4)
{
	uint64_t c;

	r1 += (uint64_t)(r0 >> LIMB_BITS);
	r2 += (uint64_t)(r1 >> LIMB_BITS);
	r3 += (uint64_t)(r2 >> LIMB_BITS);
	r4 += (uint64_t)(r3 >> LIMB_BITS);
	/* The top carry can reach 2^62: times 19 it needs the wide type. */
	c = (uint64_t)(r4 >> LIMB_BITS);
	r0 = ((uint64_t)r0 & LIMB_MASK) + (u128)c * 19;
	h->limb[0] = (uint64_t)r0 & LIMB_MASK;
	h->limb[1] = ((uint64_t)r1 & LIMB_MASK) + (uint64_t)(r0 >> LIMB_BITS);
	h->limb[2] = (uint64_t)r2 & LIMB_MASK;
	h->limb[3] = (uint64_t)r3 & LIMB_MASK;
	h->limb[4] = (uint64_t)r4 & LIMB_MASK;
}

/* Schoolbook product; limb products that pass 2^255 come back times 19. */
static void fe_mul(struct fe *h, const struct fe *a, const struct fe *b)
{
	const uint64_t *x = a->limb, *y = b->limb;
	uint64_t y1 = 19 * y[1], y2 = 19 * y[2], y3 = 19 * y[3], y4 = 19 * y[4];
	u128 r0, r1, r2, r3, r4;

	r0 = (u128)x[0] * y[0] + (u128)x[1] * y4 + (u128)x[2] * y3 + (u128)x[3] * y2 +
	     (u128)x[4] * y1;
	r1 = (u128)x[0] * y[1] + (u128)x[1] * y[0] + (u128)x[2] * y4 + (u128)x[3] * y3 +
	     (u128)x[4] * y2;
	r2 = (u128)x[0] * y[2] + (u128)x[1] * y[1] + (u128)x[2] * y[0] + (u128)x[3] * y4 +
	     (u128)x[4] * y3;
	r3 = (u128)x[0] * y[3] + (u128)x[1] * y[2] + (u128)x[2] * y[1] + (u128)x[3] * y[0] +
	     (u128)x[4] * y4;
	r4 = (u128)x[0] * y[4] + (u128)x[1] * y[3] + (u128)x[2] * y[2] + (u128)x[3] * y[1] +
	     (u128)x[4] * y[0];
	fe_reduce_wide(h, r0, r1, r2, r3, r4);
}

/* As fe_mul(h, a, a) with the symmetric products counted once, doubled. */
static void fe_sq(struct fe *h, const struct fe *a)
{
	const uint64_t *x = a->limb;
	uint64_t x0_2 = 2 * x[0], x1_2 = 2 * x[1], x2_2 = 2 * x[2], x3_2 = 2 * x[3];
	uint64_t x3_19 = 19 * x[3], x4_19 = 19 * x[4];
	u128 r0, r1, r2, r3, r4;

	r0 = (u128)x[0] * x[0] + (u128)x1_2 * x4_19 + (u128)x2_2 * x3_19;
	r1 = (u128)x0_2 * x[1] + (u128)x2_2 * x4_19 + (u128)x[3] * x3_19;
	r2 = (u128)x0_2 * x[2] + (u128)x[1] * x[1] + (u128)x3_2 * x4_19;
	r3 = (u128)x0_2 * x[3] + (u128)x1_2 * x[2] + (u128)x[4] * x4_19;
	r4 = (u128)x0_2 * x[4] + (u128)x1_2 * x[3] + (u128)x[2] * x[2];
	fe_reduce_wide(h, r0, r1, r2, r3, r4);
}

/* h = a^(2^n) */
static void fe_sq_times(struct fe *h, const struct fe *a, int n)
{
	fe_sq(h, a);
	while (--n > 0)
		fe_sq(h, h);
}

/*
 * h = z^(p - 2) = z^(2^255 - 21), which is 1/z for z != 0 and 0 for z = 0
 * (Fermat). The chain builds z^(2^k - 1) for k = 5, 10, 20, 40, 50, 100, 200,
 * 250, then shifts by five bits and multiplies in z^11.
 */
static void fe_invert(struct fe *h, const struct fe *z)
{
	struct fe z2, z9, z11, a, b, c;

	fe_sq(&z2, z);		  /* z^2 */
	fe_sq_times(&a, &z2, 2);  /* z^8 */
	fe_mul(&z9, &a, z);	  /* z^9 */
	fe_mul(&z11, &z9, &z2);	  /* z^11 */
	fe_sq(&a, &z11);	  /* z^22 */
	fe_mul(&a, &a, &z9);	  /* z^(2^5 - 1) */
	fe_sq_times(&b, &a, 5);	  /* z^(2^10 - 2^5) */
	fe_mul(&a, &b, &a);	  /* z^(2^10 - 1) */
	fe_sq_times(&b, &a, 10);  /* z^(2^20 - 2^10) */
	fe_mul(&b, &b, &a);	  /* z^(2^20 - 1) */
	fe_sq_times(&c, &b, 20);  /* z^(2^40 - 2^20) */
	fe_mul(&b, &c, &b);	  /* z^(2^40 - 1) */
	fe_sq_times(&b, &b, 10);  /* z^(2^50 - 2^10) */
	fe_mul(&a, &b, &a);	  /* z^(2^50 - 1) */
	fe_sq_times(&b, &a, 50);  /* z^(2^100 - 2^50) */
	fe_mul(&b, &b, &a);	  /* z^(2^100 - 1) */
	fe_sq_times(&c, &b, 100); /* z^(2^200 - 2^100) */
	fe_mul(&b, &c, &b);	  /* z^(2^200 - 1) */
	fe_sq_times(&b, &b, 50);  /* z^(2^250 - 2^50) */
	fe_mul(&a, &b, &a);	  /* z^(2^250 - 1) */
	fe_sq_times(&a, &a, 5);	  /* z^(2^255 - 2^5) */
	fe_mul(h, &a, &z11);	  /* z^(2^255 - 21) */
}

bool x25519_from_ed25519(uint8_t u[X25519_KEY_LEN], const uint8_t ed[X25519_KEY_LEN])
{
	static const struct fe one = {{1, 0, 0, 0, 0}};
	struct fe y, num, den, inv;

	fe_from_bytes(&y, ed);
	fe_add(&num, &one, &y);
	fe_sub(&den, &one, &y);
	/* y = 1 makes den 0, whose "inverse" is 0: u comes out 0 and is refused below. */
	fe_invert(&inv, &den);
	fe_mul(&num, &num, &inv);
	fe_to_bytes(u, &num);
	if (sodium_is_zero(u, X25519_KEY_LEN))
		return false;
	return true;
}

bool x25519_public_from_private(uint8_t pub[X25519_KEY_LEN], const uint8_t priv[X25519_KEY_LEN])
{
	uint8_t e[X25519_KEY_LEN], ed[X25519_KEY_LEN];
	bool ok = false;

	/* RFC 7748's clamping; the Edwards and Montgomery points then share the scalar. */
	memcpy(e, priv, sizeof(e));
	e[0] &= 248;
	e[31] = (e[31] & 127) | 64;
	/* The base points correspond, so e B on Ed25519 maps to e 9 on Curve25519. */
	if (crypto_scalarmult_ed25519_base_noclamp(ed, e) == 0)
		ok = x25519_from_ed25519(pub, ed);
	if (!ok)
		memset(pub, 0, X25519_KEY_LEN);
	sodium_memzero(e, sizeof(e));
	sodium_memzero(ed, sizeof(ed));
	return ok;
}
