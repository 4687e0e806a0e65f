// SPDX-License-Identifier: GPL-2.0
/*
 * BLAKE2s: the RFC 7693 Appendix B "abc" vector, the Appendix E self-test
 * (whose grand hash the RFC gives), known answers from Python's hashlib
 * (an independent implementation) and incremental hashing in odd pieces.
 */
#include <stdlib.h>
#include "../lib/tap.h"
#include "blake2s.h"

static void unhex(uint8_t *out, const char *hex)
{
	for (; hex[0] && hex[1]; hex += 2)
		*out++ = (uint8_t)strtoul((char[]){hex[0], hex[1], 0}, NULL, 16);
}

static void pattern(uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; ++i)
		buf[i] = (uint8_t)(i * 7 + 3);
}

/* RFC 7693 Appendix E: a Fibonacci-like generator for deterministic inputs. */
static void selftest_seq(uint8_t *out, size_t len, uint32_t seed)
{
	uint32_t t, a = 0xDEAD4BADU * seed, b = 1;
	size_t i;

	for (i = 0; i < len; ++i) {
		t = a + b;
		a = b;
		b = t;
		out[i] = (uint8_t)(t >> 24);
	}
}

static void test_rfc_selftest(void)
{
	static const size_t md_len[4] = {16, 20, 28, 32};
	static const size_t in_len[6] = {0, 3, 64, 65, 255, 1024};
	uint8_t in[1024], key[32], md[32], want[32];
	struct blake2s_state ctx;
	size_t i, j;

	blake2s_init(&ctx, 32);
	for (i = 0; i < 4; ++i) {
		for (j = 0; j < 6; ++j) {
			selftest_seq(in, in_len[j], (uint32_t)in_len[j]);
			blake2s(md, md_len[i], in, in_len[j], NULL, 0);
			blake2s_update(&ctx, md, md_len[i]);
			selftest_seq(key, md_len[i], (uint32_t)md_len[i]);
			blake2s(md, md_len[i], in, in_len[j], key, md_len[i]);
			blake2s_update(&ctx, md, md_len[i]);
		}
	}
	blake2s_final(&ctx, md);
	unhex(want, "6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe");
	is_mem(md, want, 32, "RFC 7693 Appendix E self-test grand hash");
}

static void test_abc(void)
{
	uint8_t md[32], want[32];

	unhex(want, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	blake2s(md, 32, "abc", 3, NULL, 0);
	is_mem(md, want, 32, "RFC 7693 Appendix B: BLAKE2s-256(\"abc\")");
}

struct kat {
	size_t len;
	const char *hex;
};

static const struct kat unkeyed[] = {
    {0, "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9"},
    {1, "a28ac19d6bcbe2cd1d7de183485768d598e996b07889b9b11f418cb1b4a4fb0d"},
    {55, "691697264a9ff7f6f5605335fc509f137845246ce7169d30fbf71574102ffb63"},
    {63, "de27df0e375d83c49f1af9ca8270f9f2fe7b70bf800fc01672db0e9746021ebf"},
    {64, "5377e4ff957bda4d4535f4879876b71a61056c4cec31e78397c66ec47a86a130"},
    {65, "19b1b26fba093f4a670d8913e1b71cbb2916dfa701018cc6b05785c966593374"},
    {127, "6846f99493436241d0a6f289c9a911b1d0f4860db8f2b5df5295ffd37d03a3c4"},
    {128, "83470c75afa23d90cd7659906e4b47daa278131fbb225241dd37a40fd5355ac7"},
    {129, "26fd8892ab0a5f12d4acbff1efd7dcd92b99e2d377f888f07e3cb81b232b11cf"},
    {1000, "02a016193469710efadf8fb005ca19b509331cb847df5598cc0794bded669681"},
};

static const struct kat keyed[] = {
    {0, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49"},
    {1, "722ac21d94c3868234e075bb5692678e6460c23466b10b48acf133e6f89f9082"},
    {64, "ce3c22b930e6395797de1e490600d305294ff2e30eb187bb63120e3f5e3fc129"},
    {65, "82e02e62a066f2f3cd7a8a542581cbf441e35cf7a771fc7adb0965d8446b71cb"},
    {1000, "f79818aa3bc6f7d7aa15e75574dccc5198d22b7b370f43216cc2a8c52fe5c3f5"},
};

static void test_kats(void)
{
	uint8_t msg[1100], key[32], md[32], want[32];
	size_t i;

	pattern(msg, sizeof(msg));
	for (i = 0; i < sizeof(key); ++i)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(unkeyed) / sizeof(unkeyed[0]); ++i) {
		unhex(want, unkeyed[i].hex);
		blake2s(md, 32, msg, unkeyed[i].len, NULL, 0);
		is_mem(md, want, 32, "BLAKE2s-256 of %zu bytes", unkeyed[i].len);
	}
	for (i = 0; i < sizeof(keyed) / sizeof(keyed[0]); ++i) {
		unhex(want, keyed[i].hex);
		blake2s(md, 32, msg, keyed[i].len, key, 32);
		is_mem(md, want, 32, "keyed BLAKE2s-256 of %zu bytes", keyed[i].len);
	}
	unhex(want, "5b38ce1b95f8743fe27811d1cf0e3c24");
	blake2s(md, 16, msg, 3, key, 16);
	is_mem(md, want, 16, "16-byte key, 16-byte output");
}

static void test_incremental(void)
{
	static const size_t steps[] = {0, 1, 63, 64, 65, 2, 128, 7, 200};
	uint8_t msg[1000], one[32], inc[32];
	struct blake2s_state st;
	size_t off = 0, i = 0, n;

	pattern(msg, sizeof(msg));
	blake2s(one, 32, msg, sizeof(msg), "k", 1);
	blake2s_init_key(&st, 32, "k", 1);
	while (off < sizeof(msg)) {
		n = steps[i++ % (sizeof(steps) / sizeof(steps[0]))];
		if (n > sizeof(msg) - off)
			n = sizeof(msg) - off;
		blake2s_update(&st, msg + off, n);
		off += n;
	}
	blake2s_final(&st, inc);
	is_mem(inc, one, 32, "incremental updates in odd pieces equal one call");
}

/* A committed state, copied, continues as the uncommitted one would. */
static void test_commit(void)
{
	uint8_t msg[200], key[32], one[32], got[32];
	struct blake2s_state base, st;
	int bad = 0;

	pattern(msg, sizeof(msg));
	for (size_t i = 0; i < sizeof(key); ++i)
		key[i] = (uint8_t)(i * 3);
	blake2s_init_key(&base, 16, key, 32);
	blake2s_commit(&base);
	for (size_t len = 1; len <= 130; ++len) {
		st = base;
		blake2s_update(&st, msg, len);
		blake2s_final(&st, got);
		blake2s(one, 16, msg, len, key, 32);
		bad += !!memcmp(got, one, 16);
	}
	is_int(bad, 0, "a committed key block, then 1..130 bytes, as keyed one-shot hashes");
	blake2s_init(&base, 32);
	blake2s_update(&base, msg, 64);
	blake2s_commit(&base);
	blake2s_commit(&base);
	blake2s_update(&base, msg + 64, 100);
	blake2s_final(&base, got);
	blake2s(one, 32, msg, 164, NULL, 0);
	is_mem(got, one, 32, "a committed first block (committing twice is once), then 100 bytes");
	blake2s_init(&base, 32);
	blake2s_update(&base, msg, 10);
	blake2s_commit(&base);
	blake2s_final(&base, got);
	blake2s(one, 32, msg, 10, NULL, 0);
	is_mem(got, one, 32, "commit with a partial block buffered changes nothing");
}

int main(void)
{
	test_abc();
	test_rfc_selftest();
	test_kats();
	test_incremental();
	test_commit();
	return tap_done();
}
