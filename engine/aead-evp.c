// SPDX-License-Identifier: GPL-2.0
/*
 * The OpenSSL backend of the transport AEAD: libcrypto.so.3's EVP
 * ChaCha20-Poly1305, loaded at run time so that the engine runs without it.
 * Each thread keeps its own two contexts (sealing and opening).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include "aead-evp.h"

/* The few EVP entry points we need, looked up once. */
struct evp_api {
	EVP_CIPHER_CTX *(*ctx_new)(void);
	void (*ctx_free)(EVP_CIPHER_CTX *);
	int (*get_params)(EVP_CIPHER_CTX *, OSSL_PARAM *);
	int (*set_params)(EVP_CIPHER_CTX *, const OSSL_PARAM *);
	const EVP_CIPHER *(*chacha)(void);
	int (*enc_init)(EVP_CIPHER_CTX *, const EVP_CIPHER *, ENGINE *, const unsigned char *,
			const unsigned char *);
	int (*enc_update)(EVP_CIPHER_CTX *, unsigned char *, int *, const unsigned char *, int);
	int (*enc_final)(EVP_CIPHER_CTX *, unsigned char *, int *);
	int (*dec_init)(EVP_CIPHER_CTX *, const EVP_CIPHER *, ENGINE *, const unsigned char *,
			const unsigned char *);
	int (*dec_update)(EVP_CIPHER_CTX *, unsigned char *, int *, const unsigned char *, int);
	int (*dec_final)(EVP_CIPHER_CTX *, unsigned char *, int *);
};

static struct evp_api evp;
static bool use_evp;
static pthread_once_t evp_once = PTHREAD_ONCE_INIT;
static pthread_key_t ctx_key;

/*
 * A thread's two EVP contexts (sealing and opening) and the key each holds:
 * re-keying only when the key changes halves EVP's per-packet overhead.
 */
struct evp_pair {
	EVP_CIPHER_CTX *ctx[2];
	uint8_t key[2][AEAD_KEY_LEN];
	bool keyed[2];
};

static void *sym(void *h, const char *name, bool *ok)
{
	void *p = dlsym(h, name);

	*ok = *ok && p;
	return p;
}

static void pair_destroy(void *arg)
{
	struct evp_pair *p = arg;

	for (int i = 0; i < 2; ++i)
		evp.ctx_free(p->ctx[i]); /* EVP_CIPHER_CTX_free cleanses the key schedule */
	sodium_memzero(p, sizeof(*p));
	free(p);
}

static void evp_load(void)
{
	void *h;
	bool ok = true;

	h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
	evp.ctx_new = (EVP_CIPHER_CTX * (*)(void)) sym(h, "EVP_CIPHER_CTX_new", &ok);
	evp.ctx_free = (void (*)(EVP_CIPHER_CTX *))sym(h, "EVP_CIPHER_CTX_free", &ok);
	*(void **)&evp.get_params = sym(h, "EVP_CIPHER_CTX_get_params", &ok);
	*(void **)&evp.set_params = sym(h, "EVP_CIPHER_CTX_set_params", &ok);
	evp.chacha = (const EVP_CIPHER *(*)(void))sym(h, "EVP_chacha20_poly1305", &ok);
	*(void **)&evp.enc_init = sym(h, "EVP_EncryptInit_ex", &ok);
	*(void **)&evp.enc_update = sym(h, "EVP_EncryptUpdate", &ok);
	*(void **)&evp.enc_final = sym(h, "EVP_EncryptFinal_ex", &ok);
	*(void **)&evp.dec_init = sym(h, "EVP_DecryptInit_ex", &ok);
	*(void **)&evp.dec_update = sym(h, "EVP_DecryptUpdate", &ok);
	*(void **)&evp.dec_final = sym(h, "EVP_DecryptFinal_ex", &ok);
	use_evp = ok && evp.chacha() && pthread_key_create(&ctx_key, pair_destroy) == 0;
}

static struct evp_pair *pair_new(void)
{
	struct evp_pair *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->ctx[0] = evp.ctx_new();
	p->ctx[1] = evp.ctx_new();
	if (!p->ctx[0] || !p->ctx[1] ||
	    evp.enc_init(p->ctx[0], evp.chacha(), NULL, NULL, NULL) != 1 ||
	    evp.dec_init(p->ctx[1], evp.chacha(), NULL, NULL, NULL) != 1 ||
	    pthread_setspecific(ctx_key, p)) {
		pair_destroy(p);
		return NULL;
	}
	return p;
}

/* This thread's EVP contexts, or NULL when EVP is not in use. */
static struct evp_pair *evp_ctx(void)
{
	struct evp_pair *p;

	pthread_once(&evp_once, evp_load);
	if (!use_evp)
		return NULL;
	p = pthread_getspecific(ctx_key);
	return p ? p : pair_new();
}

/* The key to pass to an Init call: NULL when the context already holds it. */
static const uint8_t *key_for(struct evp_pair *p, int dir, const uint8_t *key)
{
	if (p->keyed[dir] && !memcmp(p->key[dir], key, AEAD_KEY_LEN))
		return NULL;
	memcpy(p->key[dir], key, AEAD_KEY_LEN);
	p->keyed[dir] = true;
	return key;
}

/*
 * The tag as a provider parameter: passed straight to the provider, it skips
 * the translation EVP_CIPHER_CTX_ctrl makes on every call (a tenth of a seal).
 */
static OSSL_PARAM *tag_param(OSSL_PARAM p[2], uint8_t *tag)
{
	p[0] = (OSSL_PARAM){OSSL_CIPHER_PARAM_AEAD_TAG, OSSL_PARAM_OCTET_STRING, tag, AEAD_TAG_LEN,
			    OSSL_PARAM_UNMODIFIED};
	p[1] = (OSSL_PARAM){NULL, 0, NULL, 0, 0};
	return p;
}

static bool pair_seal(struct evp_pair *p, uint8_t *dst, const uint8_t *src, size_t len,
		      const uint8_t nonce[12], const uint8_t *key)
{
	EVP_CIPHER_CTX *ctx = p->ctx[0];
	OSSL_PARAM param[2];
	int out = 0, fin = 0;

	if (evp.enc_init(ctx, NULL, NULL, key_for(p, 0, key), nonce) != 1 ||
	    (len && evp.enc_update(ctx, dst, &out, src, (int)len) != 1) ||
	    evp.enc_final(ctx, dst + out, &fin) != 1)
		return false;
	return evp.get_params(ctx, tag_param(param, dst + len)) == 1;
}

static bool pair_open(struct evp_pair *p, uint8_t *dst, const uint8_t *src, size_t len,
		      const uint8_t nonce[12], const uint8_t *key)
{
	EVP_CIPHER_CTX *ctx = p->ctx[1];
	uint8_t tag[AEAD_TAG_LEN];
	OSSL_PARAM param[2];
	int out = 0, fin = 0, mlen = (int)(len - AEAD_TAG_LEN);

	memcpy(tag, src + mlen, AEAD_TAG_LEN);
	if (evp.dec_init(ctx, NULL, NULL, key_for(p, 1, key), nonce) != 1 ||
	    (mlen && evp.dec_update(ctx, dst, &out, src, mlen) != 1) ||
	    evp.set_params(ctx, tag_param(param, tag)) != 1)
		return false;
	return evp.dec_final(ctx, dst + out, &fin) == 1;
}

bool aead_evp_available(void)
{
	return evp_ctx() != NULL;
}

bool aead_evp_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
		   const uint8_t key[AEAD_KEY_LEN])
{
	struct evp_pair *p = evp_ctx();

	return p && pair_seal(p, dst, src, len, nonce, key);
}

bool aead_evp_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
		   const uint8_t key[AEAD_KEY_LEN])
{
	struct evp_pair *p = evp_ctx();

	return p && pair_open(p, dst, src, len, nonce, key);
}
