/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One Noise responder that knows STAR_N initiators, each a pair_side that
 * knows only it: the fixture of the batch calls' tests and benchmark.
 * Initiator i and the responder share a PSK when i is odd.
 */
#ifndef TESTS_ENGINE_STAR_H
#define TESTS_ENGINE_STAR_H

#include "engine-pair.h"

#define STAR_N NOISE_BATCH_MAX

struct star_responder {
	struct noise_local local;
	struct noise_remote remote[STAR_N];
	struct index_table *table;
	uint8_t priv[32], pub[32];
};

static inline struct noise_remote *star_lookup(void *ctx, const uint8_t *pub)
{
	struct star_responder *r = ctx;

	for (int i = 0; i < STAR_N; ++i)
		if (!memcmp(pub, r->remote[i].handshake.remote_static, 32))
			return &r->remote[i];
	return NULL;
}

/* A fresh responder r and initiators ini[0..STAR_N); 0 or -errno. */
static inline int star_setup(struct star_responder *r, struct pair_side ini[STAR_N])
{
	struct index_ops ops;
	uint8_t psk[32];
	int ret;

	randombytes_buf(r->priv, 32);
	crypto_scalarmult_curve25519_base(r->pub, r->priv);
	r->table = index_table_new(1024);
	if (!r->table)
		return -ENOMEM;
	index_table_ops(r->table, &ops);
	ret = noise_local_init(&r->local, &ops, star_lookup, r);
	noise_local_set_private_key(&r->local, r->priv);
	for (int i = 0; !ret && i < STAR_N; ++i) {
		memset(psk, 0x40 + i, sizeof(psk));
		pair_keys(&ini[i]);
		ret = pair_init(&ini[i], r->pub, i % 2 ? psk : NULL, r);
		if (!ret)
			ret = noise_remote_init(&r->remote[i], &r->local, ini[i].pub,
						i % 2 ? psk : NULL, &ini[i]);
	}
	return ret;
}

static inline void star_free(struct star_responder *r, struct pair_side ini[STAR_N])
{
	for (int i = 0; i < STAR_N; ++i) {
		noise_remote_free(&r->remote[i]);
		pair_free(&ini[i]);
	}
	noise_local_free(&r->local);
	index_table_free(r->table);
}

#endif
