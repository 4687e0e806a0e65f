// SPDX-License-Identifier: GPL-2.0
/*
 * The transport AEAD seam against libsodium as the oracle: whichever backend
 * the seam picked (OpenSSL's EVP or libsodium), its sealed packets must be
 * byte-identical to libsodium's, open back, and refuse any flipped bit,
 * wrong counter or wrong key.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "aead.h"

static void ref_seal(uint8_t *dst, const uint8_t *src, size_t len, uint64_t ctr, const uint8_t *key)
{
	uint8_t nonce[12] = {0};
	unsigned long long clen;

	for (int i = 0; i < 8; ++i)
		nonce[4 + i] = (uint8_t)(ctr >> (8 * i));
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, &clen, src, len, NULL, 0, NULL, nonce, key);
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
	good &= aead_open(back, a, len + AEAD_TAG_LEN, ctr, key) && !memcmp(back, pt, len);
	good &= !aead_open(back, a, len + AEAD_TAG_LEN, ctr + 1, key);
	good &= !aead_open(back, a, len + AEAD_TAG_LEN, ctr, other);
	a[len / 2] ^= 0x20;
	good &= !aead_open(back, a, len + AEAD_TAG_LEN, ctr, key);
	return good;
}

int main(void)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 63, 64, 65, 255, 1280, 1420, 1440, 2048};
	uint8_t key[32], buf[64] = {0};
	int good = 0, total = 0;

	if (sodium_init() < 0)
		return 1;
	diag(aead_backend());
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i, ++total)
		good += check_size(sizes[i], i == 3 ? UINT64_MAX - 1 : (uint64_t)i * 0x10001);
	is_int(good, total, "every size seals like libsodium, opens, and refuses tampering");
	randombytes_buf(key, sizeof(key));
	ok(!aead_open(buf, buf, 15, 0, key), "shorter than a tag is refused");
	sodium_memzero(key, sizeof(key));
	return tap_done();
}
