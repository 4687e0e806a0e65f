// SPDX-License-Identifier: GPL-2.0
/*
 * The default AEAD: libsodium's crypto_aead_chacha20poly1305_ietf, whose
 * 96-bit nonce we fill as WireGuard requires.
 */
#include <string.h>
#include <sodium.h>
#include "aead.h"

static void nonce_make(uint8_t nonce[12], uint64_t counter)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; ++i)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

void aead_seal(uint8_t *dst, const uint8_t *src, size_t len, uint64_t counter,
	       const uint8_t key[AEAD_KEY_LEN])
{
	uint8_t nonce[12];
	unsigned long long clen;

	nonce_make(nonce, counter);
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, &clen, src, len, NULL, 0, NULL, nonce, key);
}

bool aead_open(uint8_t *dst, const uint8_t *src, size_t len, uint64_t counter,
	       const uint8_t key[AEAD_KEY_LEN])
{
	uint8_t nonce[12];
	unsigned long long mlen;

	if (len < AEAD_TAG_LEN)
		return false;
	nonce_make(nonce, counter);
	return crypto_aead_chacha20poly1305_ietf_decrypt(dst, &mlen, NULL, src, len, NULL, 0, nonce,
							 key) == 0;
}

void aead_seal_batch(struct aead_item *items, unsigned int n, const uint8_t key[AEAD_KEY_LEN])
{
	for (unsigned int i = 0; i < n; ++i) {
		aead_seal(items[i].data, items[i].data, items[i].len, items[i].counter, key);
		items[i].len += AEAD_TAG_LEN;
	}
}

void aead_open_batch(struct aead_item *items, unsigned int n, const uint8_t key[AEAD_KEY_LEN])
{
	for (unsigned int i = 0; i < n; ++i) {
		items[i].ok = aead_open(items[i].data, items[i].data, items[i].len, items[i].counter,
					key);
		if (items[i].ok)
			items[i].len -= AEAD_TAG_LEN;
	}
}
