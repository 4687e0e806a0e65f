// SPDX-License-Identifier: GPL-2.0
/*
 * Batches of X25519 on both paths (AVX-512 IFMA where the CPU has it, and
 * libsodium per lane): the RFC 7748 vectors, the iterated test, the Diffie-
 * Hellman example, thousands of random pairs in batches of every size against
 * crypto_scalarmult_curve25519, and the edge inputs (non-canonical and
 * small-order points, clamping, limb boundaries) with the zero-output mask,
 * and x25519_many's chunking.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "x25519-batch.h"

#define RANDOM_ROUNDS 1000

static void unhex(uint8_t *out, const char *hex)
{
	for (; hex[0] && hex[1]; hex += 2)
		*out++ = (uint8_t)strtoul((char[]){hex[0], hex[1], 0}, NULL, 16);
}

/* One X25519 through a batch of one. */
static unsigned int one(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32])
{
	uint8_t *o[1] = {out};
	const uint8_t *s[1] = {scalar}, *p[1] = {point};

	return x25519_batch(o, s, p, 1);
}

/*
 * n lanes of scalars and points against libsodium, lane by lane, with the
 * zero mask and the lanes past n (pre-filled with 0xa5) left alone.
 */
static bool same_as_sodium(const uint8_t sc[][32], const uint8_t pt[][32], unsigned int n)
{
	uint8_t got[X25519_BATCH_MAX][32], want[32], *o[X25519_BATCH_MAX];
	const uint8_t *s[X25519_BATCH_MAX], *p[X25519_BATCH_MAX];
	unsigned int mask, want_mask = 0;
	bool same = true;

	memset(got, 0xa5, sizeof(got));
	for (unsigned int i = 0; i < X25519_BATCH_MAX; ++i) {
		o[i] = got[i];
		s[i] = sc[i < n ? i : 0];
		p[i] = pt[i < n ? i : 0];
	}
	mask = x25519_batch(o, s, p, n);
	for (unsigned int i = 0; i < n; ++i) {
		if (crypto_scalarmult_curve25519(want, sc[i], pt[i]))
			want_mask |= 1u << i;
		same = same && !memcmp(got[i], want, 32);
	}
	for (unsigned int i = n; i < X25519_BATCH_MAX; ++i)
		for (int j = 0; j < 32; ++j)
			same = same && got[i][j] == 0xa5;
	return same && mask == want_mask;
}

static void test_rfc7748_vectors(const char *path)
{
	static const char *const v[2][3] = {
	    {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
	     "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
	     "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
	    {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
	     "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
	     "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
	};
	uint8_t s[32], u[32], want[32], got[32];

	for (int i = 0; i < 2; ++i) {
		unhex(s, v[i][0]);
		unhex(u, v[i][1]);
		unhex(want, v[i][2]);
		ok(!one(got, s, u) && !memcmp(got, want, 32), "%s: RFC 7748 5.2 vector %d", path,
		   i + 1);
	}
}

/* RFC 7748 5.2: k = u = 9, then k, u = X25519(k, u), k, n times. */
static void iterate(uint8_t k[32], unsigned long n)
{
	uint8_t u[32] = {9}, r[32];

	memset(k, 0, 32);
	k[0] = 9;
	for (unsigned long i = 0; i < n; ++i) {
		if (one(r, k, u))
			break;
		memcpy(u, k, 32);
		memcpy(k, r, 32);
	}
}

static void test_rfc7748_iterated(const char *path)
{
	uint8_t k[32], want[32];

	iterate(k, 1);
	unhex(want, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
	is_mem(k, want, 32, "%s: RFC 7748 5.2 after 1 iteration", path);
	iterate(k, 1000);
	unhex(want, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
	is_mem(k, want, 32, "%s: RFC 7748 5.2 after 1,000 iterations", path);
	if (!getenv("X25519_MILLION")) {
		printf("ok %d - %s: 1,000,000 iterations # skip set X25519_MILLION=1\n",
		       ++tap_count, path);
		return;
	}
	iterate(k, 1000000);
	unhex(want, "7c3911e0ab2586fd864497297e575e6f3bc601c0883c30df5f4dd2d24f665424");
	is_mem(k, want, 32, "%s: RFC 7748 5.2 after 1,000,000 iterations", path);
}

/* RFC 7748 6.1: both public keys in one batch, then both shared secrets. */
static void test_rfc7748_dh(const char *path)
{
	uint8_t priv[2][32], pub[2][32], k[2][32], nine[32] = {9}, want[32];
	uint8_t *o[2] = {pub[0], pub[1]};
	const uint8_t *s[2] = {priv[0], priv[1]}, *p[2] = {nine, nine};

	unhex(priv[0], "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unhex(priv[1], "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	is_int(x25519_batch(o, s, p, 2), 0, "%s: RFC 7748 6.1 public keys, no zero lane", path);
	unhex(want, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	is_mem(pub[0], want, 32, "%s: RFC 7748 6.1 Alice's public key", path);
	unhex(want, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	is_mem(pub[1], want, 32, "%s: RFC 7748 6.1 Bob's public key", path);
	o[0] = k[0];
	o[1] = k[1];
	p[0] = pub[1];
	p[1] = pub[0];
	is_int(x25519_batch(o, s, p, 2), 0, "%s: RFC 7748 6.1 shared secrets, no zero lane", path);
	unhex(want, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	ok(!memcmp(k[0], want, 32) && !memcmp(k[1], want, 32),
	   "%s: RFC 7748 6.1 shared secret, both directions", path);
	sodium_memzero(priv, sizeof(priv));
	sodium_memzero(k, sizeof(k));
}

/* Random scalars and points, every batch size; some lanes share inputs. */
static void test_random(const char *path)
{
	uint8_t sc[X25519_BATCH_MAX][32], pt[X25519_BATCH_MAX][32];
	int bad = 0, ops = 0;

	for (int r = 0; r < RANDOM_ROUNDS; ++r) {
		unsigned int n = 1 + (unsigned int)r % X25519_BATCH_MAX;

		randombytes_buf(sc, sizeof(sc));
		randombytes_buf(pt, sizeof(pt));
		if (r % 5 == 4 && n > 1)
			memcpy(sc[n - 1], sc[0], 32);
		if (r % 7 == 6 && n > 2)
			memcpy(pt[1], pt[2], 32);
		bad += !same_as_sodium((const uint8_t(*)[32])sc, (const uint8_t(*)[32])pt, n);
		ops += (int)n;
	}
	is_int(bad, 0, "%s: %d random operations in batches of 1..8 match libsodium", path, ops);
}

struct edge {
	const char *what, *u;
	bool small; /* a point of small order (mod p): the output is all zeros */
};

static const struct edge edges[] = {
    {"u = 0", "0000000000000000000000000000000000000000000000000000000000000000", true},
    {"u = 1", "0100000000000000000000000000000000000000000000000000000000000000", true},
    {"a point of order 8", "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
     true},
    {"the other point of order 8",
     "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", true},
    {"u = p - 1 (order 2)", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
     true},
    {"u = p (is 0)", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", true},
    {"u = p + 1 (is 1)", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", true},
    {"u = p with the top bit", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     true},
    {"u = 2^255 - 1 (is 18)", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
     false},
    {"u = 2^256 - 1 (top bit ignored)",
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false},
    {"u = 9 with the top bit", "0900000000000000000000000000000000000000000000000000000000000080",
     false},
    {"u = p - 2", "ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", false},
    {"u = p + 2", "efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", false},
    {"u = 2^51 - 1", "ffffffffffff0700000000000000000000000000000000000000000000000000", false},
    {"u = 2^51", "0000000000000800000000000000000000000000000000000000000000000000", false},
    {"u = 2^254", "0000000000000000000000000000000000000000000000000000000000000040", false},
};

/* Each edge point in lane 1 of three, between random lanes; small ones set bit 1 alone. */
static void test_edges(const char *path)
{
	uint8_t sc[X25519_BATCH_MAX][32], pt[X25519_BATCH_MAX][32], got[3][32];
	uint8_t *o[3] = {got[0], got[1], got[2]};
	const uint8_t *s[3] = {sc[0], sc[1], sc[2]}, *p[3] = {pt[0], pt[1], pt[2]};

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); ++i) {
		randombytes_buf(sc, sizeof(sc));
		randombytes_buf(pt, sizeof(pt));
		unhex(pt[1], edges[i].u);
		ok(same_as_sodium((const uint8_t(*)[32])sc, (const uint8_t(*)[32])pt, 3) &&
		       x25519_batch(o, s, p, 3) == (edges[i].small ? 2u : 0u),
		   "%s: %s as libsodium%s", path, edges[i].what,
		   edges[i].small ? ", zero output flagged" : "");
	}
}

/* Small-order points in the even lanes of a full batch: the mask is exactly 0x55. */
static void test_mixed_mask(const char *path)
{
	uint8_t sc[X25519_BATCH_MAX][32], pt[X25519_BATCH_MAX][32], got[X25519_BATCH_MAX][32];
	uint8_t *o[X25519_BATCH_MAX];
	const uint8_t *s[X25519_BATCH_MAX], *p[X25519_BATCH_MAX];

	randombytes_buf(sc, sizeof(sc));
	randombytes_buf(pt, sizeof(pt));
	for (unsigned int i = 0; i < X25519_BATCH_MAX; ++i) {
		if (i % 2 == 0)
			unhex(pt[i], edges[i / 2 * 2].u);
		o[i] = got[i];
		s[i] = sc[i];
		p[i] = pt[i];
	}
	is_int(x25519_batch(o, s, p, X25519_BATCH_MAX), 0x55,
	       "%s: small-order points in lanes 0, 2, 4, 6 give mask 0x55", path);
	ok(same_as_sodium((const uint8_t(*)[32])sc, (const uint8_t(*)[32])pt, X25519_BATCH_MAX),
	   "%s: the same batch as libsodium, lane by lane", path);
}

/* All 32 points whose limbs (radix 2^51) are each 0 or 2^51 - 1, eight at a time. */
static void test_limb_patterns(const char *path)
{
	uint8_t sc[X25519_BATCH_MAX][32], pt[X25519_BATCH_MAX][32];
	int bad = 0;

	for (unsigned int m = 0; m < 32; ++m) {
		unsigned int lane = m % X25519_BATCH_MAX;

		memset(pt[lane], 0, 32);
		for (unsigned int bit = 0; bit < 255; ++bit)
			if (m >> (bit / 51) & 1)
				pt[lane][bit / 8] |= (uint8_t)(1u << (bit % 8));
		if (lane == X25519_BATCH_MAX - 1) {
			randombytes_buf(sc, sizeof(sc));
			bad += !same_as_sodium((const uint8_t(*)[32])sc, (const uint8_t(*)[32])pt,
					       X25519_BATCH_MAX);
		}
	}
	is_int(bad, 0, "%s: u with limbs of 0 and 2^51 - 1 (32 patterns)", path);
}

/* The scalars clamping folds: all zeros (2^254), all ones (2^255 - 8), and mixed. */
static void test_clamping(const char *path)
{
	uint8_t sc[X25519_BATCH_MAX][32], pt[X25519_BATCH_MAX][32];

	randombytes_buf(pt, sizeof(pt));
	for (unsigned int i = 0; i < X25519_BATCH_MAX; ++i)
		memset(sc[i], i % 2 ? 0xff : 0x00, 32);
	unhex(pt[2], edges[0].u);
	ok(same_as_sodium((const uint8_t(*)[32])sc, (const uint8_t(*)[32])pt, X25519_BATCH_MAX),
	   "%s: scalars of all 0x00 and all 0xff as libsodium", path);
	memset(pt, 0, sizeof(pt));
	for (unsigned int i = 0; i < X25519_BATCH_MAX; ++i)
		pt[i][0] = 9;
	ok(same_as_sodium((const uint8_t(*)[32])sc, (const uint8_t(*)[32])pt, X25519_BATCH_MAX),
	   "%s: the same scalars on the base point", path);
}

/*
 * x25519_many over counts that chunk every way (none, a lone one, a full
 * batch and a lone rest, two full and a pair), a small-order point among
 * them: libsodium's bytes, zeros where libsodium refuses.
 */
static void test_many(const char *path)
{
	static const unsigned int counts[] = {0, 1, 7, 9, 18};
	uint8_t sc[18][32], pt[18][32], got[18][32], want[32];
	uint8_t *out[18];
	const uint8_t *sp[18], *pp[18];
	int bad = 0;

	for (unsigned int c = 0; c < sizeof(counts) / sizeof(counts[0]); ++c) {
		for (unsigned int i = 0; i < counts[c]; ++i) {
			randombytes_buf(sc[i], 32);
			randombytes_buf(pt[i], 32);
			if (i == 5)
				memset(pt[i], 0, 32);
			out[i] = got[i];
			sp[i] = sc[i];
			pp[i] = pt[i];
		}
		x25519_many(out, sp, pp, counts[c]);
		for (unsigned int i = 0; i < counts[c]; ++i) {
			if (crypto_scalarmult_curve25519(want, sc[i], pt[i]))
				memset(want, 0, 32);
			bad += memcmp(got[i], want, 32) != 0;
		}
	}
	is_int(bad, 0, "%s: x25519_many of 0, 1, 7, 9 and 18 operations as libsodium's", path);
}

static void run_all(const char *path)
{
	test_many(path);
	test_rfc7748_vectors(path);
	test_rfc7748_iterated(path);
	test_rfc7748_dh(path);
	test_random(path);
	test_edges(path);
	test_mixed_mask(path);
	test_limb_patterns(path);
	test_clamping(path);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	x25519_batch_use_wide(true);
	if (x25519_batch_is_wide()) {
		diag("wide path: AVX-512 IFMA, eight lanes");
		run_all("wide");
	} else {
		printf("ok %d - wide path # skip this CPU has no AVX-512 IFMA\n", ++tap_count);
	}
	x25519_batch_use_wide(false);
	ok(!x25519_batch_is_wide(), "use_wide(false) selects the portable path");
	diag("portable path: libsodium per lane");
	run_all("portable");
	return tap_done();
}
