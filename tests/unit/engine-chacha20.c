// SPDX-License-Identifier: GPL-2.0
/*
 * ChaCha20, both implementations in turn (AVX-512 skipped on CPUs without it):
 * the RFC 8439 vectors (2.3.2, 2.4.2, 2.6.2), every length 0..300 and
 * thousands of random ones up to 4200 against libsodium's
 * crypto_stream_chacha20_ietf_xor_ic, in place and out of place, at unaligned
 * addresses, with guard bytes that must stay untouched; chacha20_aead_xor as
 * block 0 plus chacha20_xor from 1; and the 32-bit counter's wrap.
 */
#include <stdlib.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "chacha20.h"

#define MAX_LEN 4200
#define EVERY_LEN 300
#define RANDOM_CASES 3000
#define MAX_SKEW 63
#define GUARD 64
#define CANARY 0xa5
#define BUF_LEN (GUARD + MAX_SKEW + MAX_LEN + GUARD)

/* Static: three 4.4 KB buffers would break the 4 KB frame limit. */
static uint8_t src_buf[BUF_LEN], dst_buf[BUF_LEN], want[MAX_LEN], src_copy[MAX_LEN];

/* One random case: the inputs, where they sit and whether dst is src. */
struct xcase {
	uint8_t key[CHACHA20_KEY_LEN], nonce[CHACHA20_NONCE_LEN];
	uint32_t counter;
	size_t len, src_off, dst_off;
	bool in_place;
};

static void unhex(uint8_t *out, const char *hex)
{
	for (; hex[0] && hex[1]; hex += 2)
		*out++ = (uint8_t)strtoul((char[]){hex[0], hex[1], 0}, NULL, 16);
}

static void xcase_random(struct xcase *c, size_t len, bool in_place)
{
	randombytes_buf(c->key, sizeof(c->key));
	randombytes_buf(c->nonce, sizeof(c->nonce));
	/* Far from 2^32: the wrap has its own test. */
	c->counter = randombytes_uniform(1u << 30);
	c->len = len;
	c->src_off = randombytes_uniform(MAX_SKEW + 1);
	c->dst_off = in_place ? c->src_off : randombytes_uniform(MAX_SKEW + 1);
	c->in_place = in_place;
}

/* Every byte of dst_buf outside [from, from + len) still holds the canary. */
static bool guards_intact(size_t from, size_t len)
{
	for (size_t i = 0; i < BUF_LEN; ++i)
		if ((i < from || i >= from + len) && dst_buf[i] != CANARY)
			return false;
	return true;
}

/* The first few failing cases, not thousands of lines. */
static void xcase_diag(const struct xcase *c, const char *what)
{
	static int shown;

	if (++shown > 5)
		return;
	printf("#   %s: len %zu, counter %u, src +%zu, dst +%zu, %s\n", what, c->len, c->counter,
	       c->src_off, c->dst_off, c->in_place ? "in place" : "out of place");
}

/* chacha20_xor gives libsodium's bytes, writes nothing else, leaves src alone. */
static bool xcase_check(const struct xcase *c)
{
	uint8_t *src = src_buf + GUARD + c->src_off, *dst = dst_buf + GUARD + c->dst_off;
	bool good;

	randombytes_buf(src, c->len);
	memcpy(src_copy, src, c->len);
	crypto_stream_chacha20_ietf_xor_ic(want, src, c->len, c->nonce, c->counter, c->key);
	memset(dst_buf, CANARY, sizeof(dst_buf));
	if (c->in_place) {
		memcpy(dst, src, c->len);
		chacha20_xor(dst, dst, c->len, c->key, c->nonce, c->counter);
	} else {
		chacha20_xor(dst, src, c->len, c->key, c->nonce, c->counter);
	}
	good = !memcmp(dst, want, c->len) && guards_intact(GUARD + c->dst_off, c->len);
	if (!c->in_place)
		good = good && !memcmp(src, src_copy, c->len);
	if (!good)
		xcase_diag(c, "differs from libsodium");
	return good;
}

static void test_rfc8439(const char *impl)
{
	uint8_t key[32], nonce[12], zeros[64] = {0}, out[114], poly_key[32], vec[114];
	const char *text =
	    "Ladies and Gentlemen of the class of '99: If I could offer you only one "
	    "tip for the future, sunscreen would be it.";

	for (int i = 0; i < 32; ++i)
		key[i] = (uint8_t)i;
	unhex(nonce, "000000090000004a00000000");
	unhex(vec, "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
		   "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
	chacha20_xor(out, zeros, 64, key, nonce, 1);
	is_mem(out, vec, 64, "%s: RFC 8439 2.3.2, the block function (counter 1)", impl);
	unhex(nonce, "000000000000004a00000000");
	unhex(vec, "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
		   "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
		   "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
		   "5af90bbf74a35be6b40b8eedf2785e42874d");
	chacha20_xor(out, (const uint8_t *)text, 114, key, nonce, 1);
	is_mem(out, vec, 114, "%s: RFC 8439 2.4.2, \"Ladies and Gentlemen\" from counter 1", impl);
	for (int i = 0; i < 32; ++i)
		key[i] = (uint8_t)(0x80 + i);
	unhex(nonce, "000000000001020304050607");
	unhex(vec, "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646");
	chacha20_aead_xor(out, out, 0, key, nonce, poly_key);
	is_mem(poly_key, vec, 32, "%s: RFC 8439 2.6.2, the Poly1305 key from chacha20_aead_xor",
	       impl);
}

/* Every length 0..EVERY_LEN, then RANDOM_CASES lengths up to MAX_LEN. */
static void test_against_sodium(const char *impl, bool in_place)
{
	const char *how = in_place ? "in place" : "out of place";
	struct xcase c;
	int bad = 0;

	for (size_t len = 0; len <= EVERY_LEN; ++len) {
		xcase_random(&c, len, in_place);
		bad += !xcase_check(&c);
	}
	is_int(bad, 0, "%s: every length 0..%d %s as libsodium", impl, EVERY_LEN, how);
	bad = 0;
	for (int i = 0; i < RANDOM_CASES; ++i) {
		xcase_random(&c, randombytes_uniform(MAX_LEN + 1), in_place);
		bad += !xcase_check(&c);
	}
	is_int(bad, 0, "%s: %d random lengths up to %d %s as libsodium", impl, RANDOM_CASES,
	       MAX_LEN, how);
}

/* Around the 16-block passes (960 = 15 blocks after the AEAD's block 0) and packet sizes. */
static void test_boundaries(const char *impl)
{
	static const size_t lens[] = {959,  960,  961,	1023, 1024, 1025, 1420, 1440, 1983,
				      1984, 1985, 2047, 2048, 2049, 4095, 4096, 4097, MAX_LEN};
	struct xcase c;
	int bad = 0, n = 0;

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); ++i) {
		for (size_t off = 0; off <= MAX_SKEW; off += 7, n += 2) {
			xcase_random(&c, lens[i], false);
			c.src_off = off;
			c.dst_off = MAX_SKEW - off;
			bad += !xcase_check(&c);
			xcase_random(&c, lens[i], true);
			c.src_off = c.dst_off = off;
			bad += !xcase_check(&c);
		}
	}
	is_int(bad, 0, "%s: %d cases at pass boundaries and packet sizes as libsodium", impl, n);
}

/*
 * chacha20_aead_xor: poly_key is block 0's first 32 bytes (libsodium's
 * keystream at counter 0), the 32 bytes around it untouched, and the data
 * is chacha20_xor from counter 1.
 */
static bool aead_check(size_t len, bool in_place)
{
	uint8_t key[32], nonce[12], block0[32], poly[64];
	uint8_t *src = src_buf + GUARD + 1, *dst = in_place ? src : dst_buf + GUARD + 3;
	bool good;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(nonce, sizeof(nonce));
	randombytes_buf(src, len);
	chacha20_xor(want, src, len, key, nonce, 1);
	crypto_stream_chacha20_ietf(block0, sizeof(block0), nonce, key);
	memset(poly, CANARY, sizeof(poly));
	chacha20_aead_xor(dst, src, len, key, nonce, poly + 16);
	good = !memcmp(poly + 16, block0, 32) && !memcmp(dst, want, len);
	for (int i = 0; i < 16; ++i)
		good = good && poly[i] == CANARY && poly[48 + i] == CANARY;
	sodium_memzero(key, sizeof(key));
	return good;
}

static void test_aead(const char *impl)
{
	int bad = 0, n = 0;

	for (size_t len = 0; len <= EVERY_LEN; ++len, n += 2)
		bad += !aead_check(len, false) + !aead_check(len, true);
	for (int i = 0; i < RANDOM_CASES / 3; ++i, n += 2) {
		size_t len = randombytes_uniform(MAX_LEN + 1);

		bad += !aead_check(len, false) + !aead_check(len, true);
	}
	is_int(bad, 0, "%s: %d chacha20_aead_xor cases are block 0 then chacha20_xor from 1", impl,
	       n);
}

/*
 * Documented, not needed by WireGuard: from 2^32 - 16 the counter wraps to 0
 * and the nonce stays, so the blocks after the wrap are libsodium's from
 * counter 0 (libsodium itself would carry into the nonce).
 */
static void test_wrap(const char *impl)
{
	uint8_t key[32], nonce[12], *src = src_buf, *out = dst_buf;
	const size_t before = 16 * 64, len = 40 * 64 + 5;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(nonce, sizeof(nonce));
	randombytes_buf(src, len);
	crypto_stream_chacha20_ietf_xor_ic(want, src, before, nonce, 0xfffffff0u, key);
	crypto_stream_chacha20_ietf_xor_ic(want + before, src + before, len - before, nonce, 0,
					   key);
	chacha20_xor(out, src, len, key, nonce, 0xfffffff0u);
	is_mem(out, want, len, "%s: the counter wraps from 2^32 - 1 to 0, the nonce unchanged",
	       impl);
}

static void run_suite(const char *impl)
{
	test_rfc8439(impl);
	test_against_sodium(impl, false);
	test_against_sodium(impl, true);
	test_boundaries(impl);
	test_aead(impl);
	test_wrap(impl);
}

int main(void)
{
#if defined(__x86_64__)
	bool has_avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
			  __builtin_cpu_supports("avx512vl");
#else
	bool has_avx512 = false;
#endif

	if (sodium_init() < 0)
		return 1;
	is_str(chacha20_impl(), has_avx512 ? "avx512" : "portable",
	       "the best implementation for this CPU is chosen (%s)", chacha20_impl());
	if (has_avx512)
		run_suite("avx512");
	else
		ok(1, "# SKIP avx512: this CPU lacks AVX-512F/BW/VL");
	chacha20_force_portable(true);
	is_str(chacha20_impl(), "portable",
	       "chacha20_force_portable(true) selects the portable code");
	run_suite("portable");
	chacha20_force_portable(false);
	is_str(chacha20_impl(), has_avx512 ? "avx512" : "portable",
	       "chacha20_force_portable(false) goes back to the best");
	return tap_done();
}
