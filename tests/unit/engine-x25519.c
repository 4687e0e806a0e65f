// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-base X25519 through Ed25519: the same public keys as libsodium's
 * crypto_scalarmult_curve25519_base on the RFC 7748 vector, on thousands of
 * random private keys and on the scalars clamping folds together; the
 * Edwards-to-Montgomery map against libsodium's
 * crypto_sign_ed25519_pk_to_curve25519 and against values from Python's
 * integers (an independent implementation), with the points it must refuse.
 */
#include <stdlib.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "x25519.h"

#define RANDOM_KEYS 3000
#define RANDOM_POINTS 300

static void unhex(uint8_t *out, const char *hex)
{
	for (; hex[0] && hex[1]; hex += 2)
		*out++ = (uint8_t)strtoul((char[]){hex[0], hex[1], 0}, NULL, 16);
}

/* Ours and libsodium's public key for priv agree (and neither fails). */
static bool same_as_sodium(const uint8_t priv[32])
{
	uint8_t ours[32], theirs[32];

	if (!x25519_public_from_private(ours, priv) ||
	    crypto_scalarmult_curve25519_base(theirs, priv))
		return false;
	return !memcmp(ours, theirs, 32);
}

static void test_rfc7748(void)
{
	uint8_t priv[32], pub[32], want[32];

	unhex(priv, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unhex(want, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	ok(x25519_public_from_private(pub, priv), "RFC 7748 6.1: Alice's key is accepted");
	is_mem(pub, want, 32, "RFC 7748 6.1: Alice's public key");
	unhex(priv, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	unhex(want, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	ok(x25519_public_from_private(pub, priv) && !memcmp(pub, want, 32),
	   "RFC 7748 6.1: Bob's public key");
}

static void test_random_keys(void)
{
	uint8_t priv[32];
	int bad = 0;

	for (int i = 0; i < RANDOM_KEYS; ++i) {
		randombytes_buf(priv, sizeof(priv));
		/* Half of them clamped already, as ephemeral keys are. */
		if (i % 2) {
			priv[0] &= 248;
			priv[31] = (priv[31] & 127) | 64;
		}
		bad += !same_as_sodium(priv);
	}
	is_int(bad, 0, "%d random private keys give libsodium's public keys", RANDOM_KEYS);
}

/* Scalars at the edges of what clamping leaves: the smallest, the largest, bits it clears. */
static void test_clamped_edges(void)
{
	uint8_t priv[32], a[32], b[32];

	memset(priv, 0, sizeof(priv));
	ok(same_as_sodium(priv), "all-zero private key (clamped to 2^254)");
	memset(priv, 0xff, sizeof(priv));
	ok(same_as_sodium(priv), "all-ones private key (clamped to 2^255 - 8)");
	memset(priv, 0, sizeof(priv));
	priv[0] = 8;
	ok(same_as_sodium(priv), "2^254 + 8");
	/* Only the bits clamping clears or sets differ: the same key. */
	memset(priv, 0, sizeof(priv));
	priv[31] = 64;
	ok(x25519_public_from_private(a, priv), "2^254 is accepted");
	priv[0] = 7;
	priv[31] = 128;
	ok(x25519_public_from_private(b, priv) && !memcmp(a, b, 32),
	   "the bits clamping clears and sets do not change the key");
	randombytes_buf(priv, sizeof(priv));
	priv[31] |= 128;
	ok(same_as_sodium(priv), "a key with bit 255 set");
}

static void test_sodium_map(void)
{
	uint8_t pk[32], sk[64], ours[32], theirs[32];
	int bad = 0;

	for (int i = 0; i < RANDOM_POINTS; ++i) {
		crypto_sign_keypair(pk, sk);
		if (crypto_sign_ed25519_pk_to_curve25519(theirs, pk) ||
		    !x25519_from_ed25519(ours, pk) || memcmp(ours, theirs, 32))
			++bad;
	}
	sodium_memzero(sk, sizeof(sk));
	is_int(bad, 0, "%d Ed25519 public keys map as crypto_sign_ed25519_pk_to_curve25519",
	       RANDOM_POINTS);
}

struct map_kat {
	const char *what, *y, *u;
};

/* u = (1 + y) / (1 - y) mod p, computed with Python's integers. */
static const struct map_kat map_kats[] = {
    {"y = 0 gives u = 1", "0000000000000000000000000000000000000000000000000000000000000000",
     "0100000000000000000000000000000000000000000000000000000000000000"},
    {"y = 2 gives u = -3", "0200000000000000000000000000000000000000000000000000000000000000",
     "eaffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
    {"y = 3 gives u = -2", "0300000000000000000000000000000000000000000000000000000000000000",
     "ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
    {"y = -2 gives u = -1/3", "ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
     "a4aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2a"},
    {"y = p + 3 (not reduced) as y = 3",
     "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
     "ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
    {"y = 2^255 - 1 (not reduced)",
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
     "3f4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b"},
    {"a 94-bit y", "1581396eb1c9be46321be4270000000000000000000000000000000000000000",
     "8d04fb633fce025f2b6121b1d076b37a40cb18eabac8cdbf63c5f1f10c9bcb59"},
    {"y = 2^254 + 7", "0700000000000000000000000000000000000000000000000000000000000040",
     "26c618638c31c618638c31c618638c31c618638c31c618638c31c618638c3146"},
    {"x's sign bit is ignored", "0200000000000000000000000000000000000000000000000000000000000080",
     "eaffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
};

static void test_map_kats(void)
{
	uint8_t y[32], u[32], want[32];

	for (size_t i = 0; i < sizeof(map_kats) / sizeof(map_kats[0]); ++i) {
		unhex(y, map_kats[i].y);
		unhex(want, map_kats[i].u);
		ok(x25519_from_ed25519(u, y) && !memcmp(u, want, 32), "%s", map_kats[i].what);
	}
}

/* The neutral point (y = 1) and the point of order 2 (y = -1) have u = 0. */
static void test_map_refused(void)
{
	static const char *const refused[] = {
	    "0100000000000000000000000000000000000000000000000000000000000000",
	    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	    "0100000000000000000000000000000000000000000000000000000000000080",
	};
	static const char *const why[] = {"y = 1", "y = -1", "y = p + 1 (not reduced)",
					  "y = 1 with the sign bit"};
	uint8_t y[32], u[32], zero[32] = {0};

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); ++i) {
		unhex(y, refused[i]);
		memset(u, 0xaa, sizeof(u));
		ok(!x25519_from_ed25519(u, y) && !memcmp(u, zero, 32), "%s is refused, u zeroed",
		   why[i]);
	}
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_rfc7748();
	test_random_keys();
	test_clamped_edges();
	test_sodium_map();
	test_map_kats();
	test_map_refused();
	return tap_done();
}
