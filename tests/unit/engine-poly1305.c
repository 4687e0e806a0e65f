// SPDX-License-Identifier: GPL-2.0
/*
 * Poly1305: the RFC 8439 2.5.2 and A.3 vectors, then random and adversarial
 * keys and messages against libsodium, on the AVX-512 path (when the CPU has
 * it) and on the portable path, and the AEAD tag against libsodium's AEAD.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "poly1305.h"
#include "../lib/tap.h"

#define MAX_LEN 4200
#define EVERY_LEN 600
#define KEYS_PER_LEN 8
#define RANDOM_CASES 20000
#define AEAD_CASES 3000

static void unhex(uint8_t *out, const char *hex)
{
	for (size_t i = 0; hex[2 * i]; ++i) {
		char b[3] = {hex[2 * i], hex[2 * i + 1], 0};
		out[i] = (uint8_t)strtoul(b, NULL, 16);
	}
}

struct kat {
	const char *what, *key, *msg, *tag;
};

static const char ietf_text[] =
    "Any submission to the IETF intended by the Contributor for publication as all or part of an "
    "IETF Internet-Draft or RFC and any statement made within the context of an IETF activity is "
    "considered an \"IETF Contribution\". Such statements include oral statements in IETF "
    "sessions, as well as written and electronic communications made at any time or place, which "
    "are addressed to";

static const char jabberwocky[] = "'Twas brillig, and the slithy toves\nDid gyre and gimble in the "
				  "wabe:\nAll mimsy were the borogoves,\nAnd the mome raths "
				  "outgrabe.";

#define Z16 "00000000000000000000000000000000"
#define F16 "ffffffffffffffffffffffffffffffff"

/* RFC 8439 A.3 #5..#11 (hex messages): carries and the final reduction. */
static const struct kat hex_kats[] = {
    {"A.3 #1: zero key, 64 zero bytes", Z16 Z16, Z16 Z16 Z16 Z16, Z16},
    {"A.3 #5: h reaches p exactly", "02000000000000000000000000000000" Z16, F16,
     "03000000000000000000000000000000"},
    {"A.3 #6: s overflows 2^128", "02000000000000000000000000000000" F16,
     "02000000000000000000000000000000", "03000000000000000000000000000000"},
    {"A.3 #7: carries through every limb", "01000000000000000000000000000000" Z16,
     F16 "f0ffffffffffffffffffffffffffffff"
	 "11000000000000000000000000000000",
     "05000000000000000000000000000000"},
    {"A.3 #8: h = p before s", "01000000000000000000000000000000" Z16,
     F16 "fbfefefefefefefefefefefefefefefe"
	 "01010101010101010101010101010101",
     Z16},
    {"A.3 #9: h = 2^130 - 6", "02000000000000000000000000000000" Z16,
     "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff"},
    {"A.3 #10: 2^130 + 2^64 * 5 wraps", "01000000000000000400000000000000" Z16,
     "e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000"
     "000000000000000001000000000000000000000000000000",
     "14000000000000005500000000000000"},
    {"A.3 #11: as #10, one block less", "01000000000000000400000000000000" Z16,
     "e33594d7505e43b900000000000000003394d7505e4379cd0100000000000000" Z16,
     "13000000000000000000000000000000"},
};

/* Our tag and libsodium's for one case: both must equal want (when given). */
static bool check_kat(const uint8_t *key, const uint8_t *msg, size_t len, const uint8_t *want)
{
	uint8_t ours[16], theirs[16];

	poly1305_mac(ours, msg, len, key);
	crypto_onetimeauth_poly1305(theirs, msg, len, key);
	return !memcmp(ours, want, 16) && !memcmp(theirs, want, 16);
}

static void test_text_kats(void)
{
	uint8_t key[32], want[16];

	unhex(key, "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
	unhex(want, "a8061dc1305136c6c22b8baf0c0127a9");
	ok(check_kat(key, (const uint8_t *)"Cryptographic Forum Research Group", 34, want),
	   "RFC 8439 2.5.2");
	unhex(key, Z16 "36e5f6b5c5e06070f0efca96227a863e");
	unhex(want, "36e5f6b5c5e06070f0efca96227a863e");
	ok(check_kat(key, (const uint8_t *)ietf_text, strlen(ietf_text), want),
	   "A.3 #2: r = 0, the tag is s (%zu bytes)", strlen(ietf_text));
	unhex(key, "36e5f6b5c5e06070f0efca96227a863e" Z16);
	unhex(want, "f3477e7cd95417af89a6b8794c310cf0");
	ok(check_kat(key, (const uint8_t *)ietf_text, strlen(ietf_text), want), "A.3 #3: s = 0");
	unhex(key, "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
	unhex(want, "4541669a7eaaee61e708dc7cbcc5eb62");
	ok(check_kat(key, (const uint8_t *)jabberwocky, strlen(jabberwocky), want),
	   "A.3 #4: Jabberwocky");
}

static void test_hex_kats(void)
{
	uint8_t key[32], msg[64], want[16];

	for (size_t i = 0; i < sizeof(hex_kats) / sizeof(hex_kats[0]); ++i) {
		const struct kat *k = &hex_kats[i];

		unhex(key, k->key);
		unhex(msg, k->msg);
		unhex(want, k->tag);
		ok(check_kat(key, msg, strlen(k->msg) / 2, want), "%s", k->what);
	}
}

/* Our tag for msg against libsodium's, in both the MAC and the aligned/unaligned sense. */
static bool same_as_sodium(const uint8_t *msg, size_t len, const uint8_t key[32])
{
	uint8_t ours[16], theirs[16];

	poly1305_mac(ours, msg, len, key);
	crypto_onetimeauth_poly1305(theirs, msg, len, key);
	return !memcmp(ours, theirs, 16);
}

/* Every length 0..EVERY_LEN with several keys, then random lengths; offsets 0..63. */
static void test_random(uint8_t *buf, const char *impl)
{
	uint8_t key[32];
	int bad = 0, cases = 0;

	for (size_t len = 0; len <= EVERY_LEN; ++len) {
		for (int k = 0; k < KEYS_PER_LEN; ++k, ++cases) {
			size_t off = randombytes_uniform(64);

			randombytes_buf(key, sizeof(key));
			randombytes_buf(buf + off, len);
			bad += !same_as_sodium(buf + off, len, key);
		}
	}
	for (int i = 0; i < RANDOM_CASES; ++i, ++cases) {
		size_t len = randombytes_uniform(MAX_LEN + 1), off = randombytes_uniform(64);

		randombytes_buf(key, sizeof(key));
		randombytes_buf(buf + off, len);
		bad += !same_as_sodium(buf + off, len, key);
	}
	sodium_memzero(key, sizeof(key));
	is_int(bad, 0, "%s: %d random keys and messages (0..%d bytes, unaligned) as libsodium",
	       impl, cases, MAX_LEN);
}

/*
 * All-0xff messages under the largest clamped r and s = all 0xff push every
 * limb to its bound; also all-0xff and all-zero keys over all-0xff and
 * all-zero messages.
 */
static void test_adversarial(uint8_t *buf, const char *impl)
{
	static const uint8_t fill[2] = {0xff, 0x00};
	uint8_t key[32];
	int bad = 0, cases = 0;

	for (int kf = 0; kf < 2; ++kf) {
		for (int mf = 0; mf < 2; ++mf) {
			memset(key, fill[kf], sizeof(key));
			/* r = 0x0ffffffc0ffffffc0ffffffc0fffffff (clamp(all 0xff)). */
			memset(buf, fill[mf], MAX_LEN + 64);
			for (size_t len = 0; len <= MAX_LEN; ++len, ++cases)
				bad += !same_as_sodium(buf + (len & 7), len, key);
		}
	}
	is_int(bad, 0, "%s: %d all-0xff/all-0 keys and messages as libsodium", impl, cases);
}

/* Lengths at and around the vector threshold and group edges, with the maximal key. */
static void test_edges(uint8_t *buf, const char *impl)
{
	uint8_t key[32];
	int bad = 0, cases = 0;

	memset(key, 0xff, sizeof(key));
	memset(buf, 0xff, MAX_LEN + 64);
	for (size_t blocks = 14; blocks < 60; ++blocks) {
		for (size_t extra = 0; extra < 16; ++extra, ++cases)
			bad += !same_as_sodium(buf, blocks * 16 + extra, key);
	}
	is_int(bad, 0, "%s: %d lengths around 8-block groups (maximal key)", impl, cases);
}

static void run_impl(uint8_t *buf, const char *impl)
{
	test_random(buf, impl);
	test_adversarial(buf, impl);
	test_edges(buf, impl);
}

/* ct || pad || le64(0) || le64(len), built the plain way. */
static size_t padded(uint8_t *out, const uint8_t *ct, size_t len)
{
	size_t n = (len + 15) / 16 * 16;

	memset(out, 0, n + 16);
	memcpy(out, ct, len);
	for (int i = 0; i < 8; ++i)
		out[n + 8 + i] = (uint8_t)((uint64_t)len >> (8 * i));
	return n + 16;
}

/* The tag over ct against the MAC over the padded buffer and against libsodium's AEAD. */
static void aead_case(uint8_t *ct, uint8_t *pbuf, size_t len, int *bad_mac, int *bad_aead)
{
	uint8_t key[32], nonce[12], poly_key[32], tag[16], want[16];
	unsigned long long clen;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(nonce, sizeof(nonce));
	randombytes_buf(pbuf, len);
	/* pbuf holds the plaintext first; ct gets ciphertext || tag. */
	crypto_aead_chacha20poly1305_ietf_encrypt(ct, &clen, pbuf, len, NULL, 0, NULL, nonce, key);
	crypto_stream_chacha20_ietf(poly_key, sizeof(poly_key), nonce, key);
	poly1305_aead_tag(tag, ct, len, poly_key);
	*bad_aead += memcmp(tag, ct + len, 16) != 0 || clen != len + 16;
	poly1305_mac(want, pbuf, padded(pbuf, ct, len), poly_key);
	*bad_mac += memcmp(tag, want, 16) != 0;
	sodium_memzero(key, sizeof(key));
	sodium_memzero(poly_key, sizeof(poly_key));
}

static void test_aead(const char *impl)
{
	static uint8_t ct[MAX_LEN + 16], pbuf[MAX_LEN + 32];
	int bad_mac = 0, bad_aead = 0, cases = 0;

	for (size_t len = 0; len <= 300; ++len, ++cases)
		aead_case(ct, pbuf, len, &bad_mac, &bad_aead);
	for (int i = 0; i < AEAD_CASES; ++i, ++cases)
		aead_case(ct, pbuf, randombytes_uniform(MAX_LEN + 1), &bad_mac, &bad_aead);
	is_int(bad_mac, 0, "%s: %d AEAD tags equal the MAC of the padded buffer", impl, cases);
	is_int(bad_aead, 0, "%s: %d AEAD tags equal crypto_aead_chacha20poly1305_ietf's", impl,
	       cases);
}

int main(void)
{
	static uint8_t buf[MAX_LEN + 64];
	bool vector;

	if (sodium_init() < 0)
		return 1;
	poly1305_force_portable(false);
	vector = !strcmp(poly1305_impl(), "avx512");
	test_text_kats();
	test_hex_kats();
	if (vector) {
		run_impl(buf, "avx512");
		test_aead("avx512");
	} else {
		ok(1, "# SKIP the CPU has no AVX-512F");
	}
	poly1305_force_portable(true);
	is_str(poly1305_impl(), "portable", "forcing the portable code");
	test_text_kats();
	test_hex_kats();
	run_impl(buf, "portable");
	test_aead("portable");
	poly1305_force_portable(false);
	return tap_done();
}
