/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two Noise peers in one process, for the protocol core's tests and its
 * benchmark: each side has a key pair, an index table, a cookie maker for the
 * other side and a lookup callback that knows only the other side.
 */
#ifndef TESTS_ENGINE_PAIR_H
#define TESTS_ENGINE_PAIR_H

#include <errno.h>
#include <string.h>
#include <sodium.h>
#include "clock.h"
#include "cookie.h"
#include "index.h"
#include "noise.h"

struct pair_side {
	struct noise_local local;
	struct noise_remote remote; /* this side's view of the other */
	struct cookie_maker maker;
	struct index_table *table;
	uint8_t priv[32], pub[32];
};

/* A fresh random key pair, clamped as wg genkey does. */
static inline void pair_keys(struct pair_side *s)
{
	randombytes_buf(s->priv, sizeof(s->priv));
	s->priv[0] &= 248;
	s->priv[31] = (s->priv[31] & 127) | 64;
	crypto_scalarmult_curve25519_base(s->pub, s->priv);
}

static inline struct noise_remote *pair_lookup(void *ctx, const uint8_t *pub)
{
	struct pair_side *s = ctx;

	return !memcmp(pub, s->remote.handshake.remote_static, 32) ? &s->remote : NULL;
}

/* Sets up s (its priv already set) to talk to the holder of other_pub; 0 or -errno. */
static inline int pair_init(struct pair_side *s, const uint8_t other_pub[32], const uint8_t *psk,
			    void *peer)
{
	struct index_ops ops;
	int ret;

	s->table = index_table_new(64);
	if (!s->table)
		return -ENOMEM;
	index_table_ops(s->table, &ops);
	ret = noise_local_init(&s->local, &ops, pair_lookup, s);
	if (!ret)
		ret = noise_remote_init(&s->remote, &s->local, other_pub, psk, peer);
	if (!ret)
		ret = cookie_maker_init(&s->maker, other_pub);
	noise_local_set_private_key(&s->local, s->priv);
	noise_remote_precompute(&s->remote);
	return ret;
}

/* Two fresh sides that know each other, without a PSK; 0 or -errno. */
static inline int pair_setup(struct pair_side *a, struct pair_side *b)
{
	int ret;

	pair_keys(a);
	pair_keys(b);
	ret = pair_init(a, b->pub, NULL, b);
	return ret ? ret : pair_init(b, a->pub, NULL, a);
}

static inline void pair_free(struct pair_side *s)
{
	noise_remote_free(&s->remote);
	noise_local_free(&s->local);
	cookie_maker_free(&s->maker);
	index_table_free(s->table);
}

/* A whole handshake from init to resp: 0, the first failure, or -EFAULT for a wrong peer. */
static inline int pair_handshake(struct pair_side *init, struct pair_side *resp)
{
	struct message_handshake_initiation mi;
	struct message_handshake_response mr;
	struct noise_remote *r;
	int ret;

	if ((ret = noise_create_initiation(&init->remote, &mi, clock_wall_ns())))
		return ret;
	if ((ret = noise_consume_initiation(&resp->local, &mi, &r, clock_now_ns())))
		return ret;
	if (r != &resp->remote)
		return -EFAULT;
	if ((ret = noise_create_response(r, &mr)) || (ret = noise_begin_session(r, clock_now_ns())))
		return ret;
	if ((ret = noise_consume_response(&init->local, &mr, &r)))
		return ret;
	if (r != &init->remote)
		return -EFAULT;
	return noise_begin_session(r, clock_now_ns());
}

#endif
