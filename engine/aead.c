// SPDX-License-Identifier: GPL-2.0
/*
 * The transport AEAD and the choice of its backend: our own ChaCha20 and
 * Poly1305 (engine/core) where the CPU has AVX-512, else OpenSSL's EVP when
 * libcrypto.so.3 loads, else libsodium, which is always there.
 * WG_ENGINE_AEAD=builtin, openssl or sodium chooses one.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "aead-evp.h"
#include "aead.h"
#include "chacha20.h"
#include "poly1305.h"

struct aead_ops {
	const char *name;
	bool (*available)(void);
	void (*seal)(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
		     const uint8_t *key);
	bool (*open)(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
		     const uint8_t *key);
};

static bool always(void)
{
	return true;
}

/*
 * Ours: the keystream's block 0 comes out of the same pass as the first
 * data blocks, and the tag is computed over the ciphertext in place, so a
 * packet costs two passes over its bytes and no call into a library.
 */
static void builtin_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
			 const uint8_t *key)
{
	uint8_t poly_key[POLY1305_KEY_LEN];

	chacha20_aead_xor(dst, src, len, key, nonce, poly_key);
	poly1305_aead_tag(dst + len, dst, len, poly_key);
	sodium_memzero(poly_key, sizeof(poly_key));
}

/*
 * In place, the tag is checked before the ciphertext is overwritten (block 0
 * alone first); out of place, decryption and block 0 share a pass and a bad
 * packet's plaintext is wiped. dst and src are the same or do not overlap.
 */
static bool builtin_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
			 const uint8_t *key)
{
	size_t mlen = len - AEAD_TAG_LEN;
	uint8_t poly_key[POLY1305_KEY_LEN] = {0}, tag[POLY1305_TAG_LEN];
	bool good;

	if (dst == src)
		chacha20_xor(poly_key, poly_key, sizeof(poly_key), key, nonce, 0);
	else
		chacha20_aead_xor(dst, src, mlen, key, nonce, poly_key);
	poly1305_aead_tag(tag, src, mlen, poly_key);
	good = crypto_verify_16(tag, src + mlen) == 0;
	if (dst == src && good)
		chacha20_xor(dst, src, mlen, key, nonce, 1);
	else if (dst != src && !good)
		sodium_memzero(dst, mlen);
	sodium_memzero(poly_key, sizeof(poly_key));
	sodium_memzero(tag, sizeof(tag));
	return good;
}

static void sodium_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
			const uint8_t *key)
{
	unsigned long long clen;

	crypto_aead_chacha20poly1305_ietf_encrypt(dst, &clen, src, len, NULL, 0, NULL, nonce, key);
}

static void evp_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
		     const uint8_t *key)
{
	/* EVP fails only for want of memory: libsodium then seals the same bytes. */
	if (!aead_evp_seal(dst, src, len, nonce, key))
		sodium_seal(dst, src, len, nonce, key);
}

static bool sodium_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
			const uint8_t *key)
{
	unsigned long long mlen;

	return crypto_aead_chacha20poly1305_ietf_decrypt(dst, &mlen, NULL, src, len, NULL, 0, nonce,
							 key) == 0;
}

static const struct aead_ops backends[] = {
    {"builtin", always, builtin_seal, builtin_open},
    {"openssl", aead_evp_available, evp_seal, aead_evp_open},
    {"sodium", always, sodium_seal, sodium_open},
};
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

static const struct aead_ops *ops;
static pthread_once_t ops_once = PTHREAD_ONCE_INIT;

static const struct aead_ops *by_name(const char *name)
{
	for (size_t i = 0; i < N_BACKENDS; ++i)
		if (!strcmp(backends[i].name, name) && backends[i].available())
			return &backends[i];
	return NULL;
}

/* Ours only where it is the fast one: without AVX-512, OpenSSL's assembly wins. */
static bool builtin_is_fast(void)
{
	return !strcmp(chacha20_impl(), "avx512") && !strcmp(poly1305_impl(), "avx512");
}

static void ops_choose(void)
{
	const char *force = getenv("WG_ENGINE_AEAD");

	ops = force ? by_name(force) : NULL;
	if (!ops && builtin_is_fast())
		ops = &backends[0];
	if (!ops)
		ops = by_name("openssl") ?: by_name("sodium");
}

static const struct aead_ops *ops_get(void)
{
	pthread_once(&ops_once, ops_choose);
	return ops;
}

const char *aead_backend(void)
{
	return ops_get()->name;
}

bool aead_use(const char *name)
{
	const struct aead_ops *o = by_name(name);

	ops_get();
	if (o)
		ops = o;
	return o != NULL;
}

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

	nonce_make(nonce, counter);
	ops_get()->seal(dst, src, len, nonce, key);
}

bool aead_open(uint8_t *dst, const uint8_t *src, size_t len, uint64_t counter,
	       const uint8_t key[AEAD_KEY_LEN])
{
	uint8_t nonce[12];

	if (len < AEAD_TAG_LEN)
		return false;
	nonce_make(nonce, counter);
	return ops_get()->open(dst, src, len, nonce, key);
}
