// SPDX-License-Identifier: GPL-2.0
/*
 * HMAC-BLAKE2s and KDF_n: known answers from Python's hmac and hashlib (an
 * independent implementation), and an oracle built here straight from RFC
 * 2104 and the whitepaper's definitions over one-shot BLAKE2s.
 */
#include <stdlib.h>
#include <string.h>
#include "../lib/tap.h"
#include "blake2s.h"
#include "kdf.h"

static void unhex(uint8_t *out, const char *hex)
{
	for (; hex[0] && hex[1]; hex += 2)
		*out++ = (uint8_t)strtoul((char[]){hex[0], hex[1], 0}, NULL, 16);
}

/* HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), built by concatenation. */
static void oracle_hmac(uint8_t out[32], const uint8_t *key, size_t keylen, const uint8_t *m,
			size_t mlen)
{
	uint8_t kp[64] = {0}, buf[64 + 1200], inner[32];
	size_t i;

	if (keylen > 64)
		blake2s(kp, 32, key, keylen, NULL, 0);
	else
		memcpy(kp, key, keylen);
	for (i = 0; i < 64; ++i)
		buf[i] = kp[i] ^ 0x36;
	memcpy(buf + 64, m, mlen);
	blake2s(inner, 32, buf, 64 + mlen, NULL, 0);
	for (i = 0; i < 64; ++i)
		buf[i] = kp[i] ^ 0x5c;
	memcpy(buf + 64, inner, 32);
	blake2s(out, 32, buf, 96, NULL, 0);
}

/* The whitepaper: t0 = HMAC(key, input), t1 = HMAC(t0, 0x1), t_i = HMAC(t0, t_{i-1} || i). */
static void oracle_kdf3(uint8_t t[3][32], const uint8_t ck[32], const uint8_t *in, size_t len)
{
	uint8_t tau0[32], buf[33];

	oracle_hmac(tau0, ck, 32, in, len);
	buf[0] = 1;
	oracle_hmac(t[0], tau0, 32, buf, 1);
	memcpy(buf, t[0], 32);
	buf[32] = 2;
	oracle_hmac(t[1], tau0, 32, buf, 33);
	memcpy(buf, t[1], 32);
	buf[32] = 3;
	oracle_hmac(t[2], tau0, 32, buf, 33);
}

static void pattern(uint8_t *buf, size_t len, unsigned int mul, unsigned int add)
{
	size_t i;

	for (i = 0; i < len; ++i)
		buf[i] = (uint8_t)(i * mul + add);
}

struct hmac_kat {
	size_t keylen, len;
	const char *hex;
};

struct kdf_kat {
	size_t len;
	const char *hex[3];
};

static const struct hmac_kat hmac_kats[] = {
    {32, 0, "ad7678f821dc6cbe8aa3f024450f9fde38fa5696caace0013450306a3df10224"},
    {32, 77, "d1fd1767a25535a0992a0fc401b8ca16448a7a37ae018e7246d6d86fcc6c83e9"},
    {64, 64, "03233b95781a58ae609778b1ad3d163d3783a6d94a0e875807b709c6bc55540b"},
    {65, 10, "070e733e40e6e1e3e21184f5839c8f0479d000bd57e526e4f55ab66b1b544299"},
    {100, 200, "1be594fec1e86cb50dcaf584f529a1339bff57641ffb0362ada183df63be2fe7"},
};

static const struct kdf_kat kdf_kats[] = {
    {0,
     {"7ab3dba5d3b5f87b7c3b31d545edf92a8d70fd6f1dc14273aa111ca6c53073a1",
      "91f341335fb0486a3ef0e879f0c5208342b5bc16531a404965f7903247732281",
      "99450cc0424d5c9d430c22bc0d98ba3906640bebef1e0105eee4d31d4ec8e76b"}},
    {32,
     {"7e789263cd4096393fbae3b420ef2d6bb33366e819488c83a4fd7c68585badf1",
      "6f35f6374504bfb44cf02fb40f96442a4d09bd0b16d5c38aaeabfc1f4a0455c9",
      "44e5dffed4d9f202a19e393c5627b6509ada4fb4e7f683908d774f29b8a57bb2"}},
    {100,
     {"f27c418ab3489943da0b0a5b414edc52426523952fe6df22441b43d9f5d2521a",
      "5573f5ae6c2f67f76c9b4b342c3a14857d40dba9602e1d0510dac6b97f5e7d64",
      "379c708f8933903a9b624f3aec8096ee5ab4bfc66af69e7ca70f66982d21d823"}},
};

static void test_hmac(void)
{
	uint8_t msg[1100], key[100], got[32], want[32];
	size_t i;

	pattern(msg, sizeof(msg), 7, 3);
	pattern(key, sizeof(key), 13, 1);
	for (i = 0; i < sizeof(hmac_kats) / sizeof(hmac_kats[0]); ++i) {
		const struct hmac_kat *h = &hmac_kats[i];

		unhex(want, h->hex);
		kdf_hmac(got, key, h->keylen, msg, h->len);
		is_mem(got, want, 32, "HMAC-BLAKE2s key %zu, message %zu: known answer", h->keylen,
		       h->len);
		oracle_hmac(want, key, h->keylen, msg, h->len);
		is_mem(got, want, 32, "HMAC-BLAKE2s key %zu, message %zu: oracle", h->keylen,
		       h->len);
	}
}

static void test_kdf(void)
{
	uint8_t msg[1100], ck[32], t[3][32], want[3][32];
	size_t i, j;

	pattern(msg, sizeof(msg), 7, 3);
	pattern(ck, sizeof(ck), 5, 9);
	for (i = 0; i < sizeof(kdf_kats) / sizeof(kdf_kats[0]); ++i) {
		const struct kdf_kat *d = &kdf_kats[i];

		kdf_derive(t[0], t[1], t[2], ck, msg, d->len);
		for (j = 0; j < 3; ++j)
			unhex(want[j], d->hex[j]);
		is_mem(t, want, sizeof(t), "KDF3 of %zu bytes: known answer", d->len);
		oracle_kdf3(want, ck, msg, d->len);
		is_mem(t, want, sizeof(t), "KDF3 of %zu bytes: the paper's definition", d->len);
		memset(t, 0, sizeof(t));
		kdf_derive(t[0], NULL, NULL, ck, msg, d->len);
		ok(!memcmp(t[0], want[0], 32) && !memcmp(t[1], (uint8_t[32]){0}, 32),
		   "KDF1 is KDF3's first output and writes nothing else");
		kdf_derive(t[0], t[1], NULL, ck, msg, d->len);
		is_mem(t, want, 64, "KDF2 is KDF3's first two outputs");
	}
}

/* Prepared keys give the same HMAC as one-shot keys, for messages around the block size. */
static void test_prepared_hmac(void)
{
	static const size_t keylens[] = {1, 32, 64, 65, 100};
	static const size_t lens[] = {1, 32, 33, 63, 64, 65, 128, 200};
	uint8_t msg[200], key[100], got[32], want[32];
	struct kdf_hmac_key k;
	int bad = 0, n = 0;

	pattern(msg, sizeof(msg), 7, 3);
	pattern(key, sizeof(key), 13, 1);
	for (size_t i = 0; i < sizeof(keylens) / sizeof(keylens[0]); ++i) {
		kdf_hmac_key_init(&k, key, keylens[i]);
		for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); ++j, ++n) {
			kdf_hmac_with(got, &k, msg, lens[j]);
			oracle_hmac(want, key, keylens[i], msg, lens[j]);
			bad += !!memcmp(got, want, 32);
		}
		kdf_hmac_key_wipe(&k);
	}
	is_int(bad, 0,
	       "%d prepared-key HMACs (keys of 1..100 bytes, messages of 1..200) as RFC 2104", n);
	ok(!memcmp(&k, (uint8_t[sizeof(k)]){0}, sizeof(k)), "kdf_hmac_key_wipe zeroes the key");
}

static void test_prepared_kdf(void)
{
	uint8_t msg[100], ck[32], t[3][32], want[3][32];
	struct kdf_hmac_key k;

	pattern(msg, sizeof(msg), 7, 3);
	pattern(ck, sizeof(ck), 5, 9);
	kdf_hmac_key_init(&k, ck, sizeof(ck));
	for (size_t len = 1; len <= sizeof(msg); len += 33) {
		kdf_derive_with(t[0], t[1], t[2], &k, msg, len);
		oracle_kdf3(want, ck, msg, len);
		is_mem(t, want, sizeof(t), "KDF3 of %zu bytes with a prepared chaining key", len);
		memset(t, 0, sizeof(t));
		kdf_derive_with(t[0], NULL, NULL, &k, msg, len);
		ok(!memcmp(t[0], want[0], 32) && !memcmp(t[1], (uint8_t[32]){0}, 32),
		   "KDF1 of %zu bytes with a prepared chaining key", len);
	}
	kdf_hmac_key_wipe(&k);
}

int main(void)
{
	test_hmac();
	test_kdf();
	test_prepared_hmac();
	test_prepared_kdf();
	return tap_done();
}
