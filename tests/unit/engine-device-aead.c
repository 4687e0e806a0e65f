// SPDX-License-Identifier: GPL-2.0
/*
 * The transport AEAD seam against libsodium as the oracle: every backend
 * (ours, OpenSSL's EVP where libcrypto loads, libsodium) must seal packets
 * byte-identical to libsodium's, in place and not, open them back in place
 * and not, and refuse any flipped bit, wrong tag, wrong counter or wrong key.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "aead.h"
#include "chacha20.h"
#include "poly1305.h"

static void ref_seal(uint8_t *dst, const uint8_t *src, size_t len, uint64_t ctr, const uint8_t *key)
{
	uint8_t nonce[12] = {0};
	unsigned long long clen;

	for (int i = 0; i < 8; ++i)
		nonce[4 + i] = (uint8_t)(ctr >> (8 * i));
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, &clen, src, len, NULL, 0, NULL, nonce, key);
}

/* Opens sealed (len + tag bytes) in place from a copy; true if it gives pt back. */
static bool opens_in_place(const uint8_t *sealed, const uint8_t *pt, size_t len, uint64_t ctr,
			   const uint8_t *key)
{
	static uint8_t buf[2100];

	memcpy(buf, sealed, len + AEAD_TAG_LEN);
	return aead_open(buf, buf, len + AEAD_TAG_LEN, ctr, key) && !memcmp(buf, pt, len);
}

/* A tampered copy of sealed: bit 5 of byte at flipped. */
static bool refuses_flip(const uint8_t *sealed, size_t len, size_t at, uint64_t ctr,
			 const uint8_t *key)
{
	static uint8_t bad[2100], back[2100];

	memcpy(bad, sealed, len + AEAD_TAG_LEN);
	bad[at] ^= 0x20;
	return !aead_open(back, bad, len + AEAD_TAG_LEN, ctr, key) &&
	       !aead_open(bad, bad, len + AEAD_TAG_LEN, ctr, key);
}

static int check_size(size_t len, uint64_t ctr)
{
	static uint8_t pt[2100], a[2100], b[2100], back[2100];
	uint8_t key[32], other[32];
	int good = 1;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(other, sizeof(other));
	randombytes_buf(pt, len);
	aead_seal(a, pt, len, ctr, key);
	ref_seal(b, pt, len, ctr, key);
	good &= !memcmp(a, b, len + AEAD_TAG_LEN);
	memcpy(b, pt, len);
	aead_seal(b, b, len, ctr, key);
	good &= !memcmp(a, b, len + AEAD_TAG_LEN);
	good &= aead_open(back, a, len + AEAD_TAG_LEN, ctr, key) && !memcmp(back, pt, len);
	good &= opens_in_place(a, pt, len, ctr, key);
	good &= !aead_open(back, a, len + AEAD_TAG_LEN, ctr + 1, key);
	good &= !aead_open(back, a, len + AEAD_TAG_LEN, ctr, other);
	good &= refuses_flip(a, len, len / 2, ctr, key);
	good &= refuses_flip(a, len, len + AEAD_TAG_LEN - 1, ctr, key);
	sodium_memzero(key, sizeof(key));
	return good;
}

/* Every size, and random ones up to 2048 bytes, through the backend in use. */
static void check_backend(const char *name)
{
	static const size_t sizes[] = {0,   1,	 15,  16,  17,	 63,   64,   65,   255,
				       256, 511, 512, 513, 1024, 1280, 1420, 1440, 2048};
	int good = 0, total = 0;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i, ++total)
		good += check_size(sizes[i], i == 3 ? UINT64_MAX - 1 : (uint64_t)i * 0x10001);
	for (int i = 0; i < 500; ++i, ++total)
		good += check_size(randombytes_uniform(2049), randombytes_random());
	is_int(good, total, "%s: every size seals like libsodium, opens, and refuses tampering",
	       name);
}

int main(void)
{
	static const char *const names[] = {"builtin", "openssl", "sodium"};
	uint8_t key[32], buf[64] = {0};
	char line[128];

	if (sodium_init() < 0)
		return 1;
	snprintf(line, sizeof(line), "default backend: %s (chacha20 %s, poly1305 %s)",
		 aead_backend(), chacha20_impl(), poly1305_impl());
	diag(line);
	randombytes_buf(key, sizeof(key));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i) {
		if (!aead_use(names[i])) {
			ok(1, "# skip %s: not available here", names[i]);
			continue;
		}
		check_backend(names[i]);
		ok(!aead_open(buf, buf, 15, 0, key), "%s: shorter than a tag is refused", names[i]);
	}
	poly1305_force_portable(true);
	chacha20_force_portable(true);
	ok(aead_use("builtin"), "builtin with the portable ChaCha20 and Poly1305");
	check_backend("builtin, portable");
	chacha20_force_portable(false);
	poly1305_force_portable(false);
	sodium_memzero(key, sizeof(key));
	return tap_done();
}
