// SPDX-License-Identifier: GPL-2.0
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s for WireGuard (whitepaper 5.4.2-5.4.6).
 * Each step carries the paper's token as a marker (e, es, s, ss, {t}, ee, se,
 * psk, {}). Temporary keys live on the stack and are wiped at one exit label.
 */
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "blake2s.h"
#include "clock.h"
#include "kdf.h"
#include "lockassert.h"
#include "noise.h"
#include "x25519.h"
#include "x25519-batch.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
/* C_i = HASH(CONSTRUCTION) and H_i = HASH(C_i || IDENTIFIER), the same for every handshake. */
static uint8_t handshake_init_chaining_key[NOISE_HASH_LEN];
static uint8_t handshake_init_hash[NOISE_HASH_LEN];
/* C_i as an HMAC key: the initiation's "e" token is KDF1(C_i, e), its pads always the same. */
static struct kdf_hmac_key handshake_init_ck_key;

int noise_init(void)
{
	struct blake2s_state st;

	if (sodium_init() < 0)
		return -EIO;
	blake2s(handshake_init_chaining_key, NOISE_HASH_LEN, construction, strlen(construction),
		NULL, 0);
	blake2s_init(&st, NOISE_HASH_LEN);
	blake2s_update(&st, handshake_init_chaining_key, NOISE_HASH_LEN);
	blake2s_update(&st, identifier, strlen(identifier));
	blake2s_final(&st, handshake_init_hash);
	kdf_hmac_key_init(&handshake_init_ck_key, handshake_init_chaining_key, NOISE_HASH_LEN);
	return 0;
}

/* h = HASH(h || data) */
static void mix_hash(uint8_t h[NOISE_HASH_LEN], const void *data, size_t len)
{
	struct blake2s_state st;

	blake2s_init(&st, NOISE_HASH_LEN);
	blake2s_update(&st, h, NOISE_HASH_LEN);
	blake2s_update(&st, data, len);
	blake2s_final(&st, h);
}

/* Starts a handshake towards (or from) the responder whose static key is rs. */
static void handshake_start(uint8_t ck[NOISE_HASH_LEN], uint8_t h[NOISE_HASH_LEN],
			    const uint8_t rs[NOISE_PUBLIC_KEY_LEN])
{
	memcpy(ck, handshake_init_chaining_key, NOISE_HASH_LEN);
	memcpy(h, handshake_init_hash, NOISE_HASH_LEN);
	mix_hash(h, rs, NOISE_PUBLIC_KEY_LEN);
}

/* (ck, key) = KDF2(ck, DH(priv, pub)), or ck = KDF1(...) when key is NULL; false on a zero DH. */
static bool mix_dh(uint8_t ck[NOISE_HASH_LEN], uint8_t key[NOISE_SYMMETRIC_KEY_LEN],
		   const uint8_t priv[NOISE_PUBLIC_KEY_LEN],
		   const uint8_t pub[NOISE_PUBLIC_KEY_LEN])
{
	uint8_t dh[NOISE_PUBLIC_KEY_LEN];
	bool ok = false;

	/* libsodium refuses small-order points, whose output would be all zeros. */
	if (crypto_scalarmult_curve25519(dh, priv, pub))
		goto out;
	kdf_derive(ck, key, NULL, ck, dh, sizeof(dh));
	ok = true;
out:
	sodium_memzero(dh, sizeof(dh));
	return ok;
}

/* As mix_dh with DH(S_priv, S_pub_remote) computed ahead of time. */
static bool mix_precomputed_dh(uint8_t ck[NOISE_HASH_LEN], uint8_t key[NOISE_SYMMETRIC_KEY_LEN],
			       const uint8_t dh[NOISE_PUBLIC_KEY_LEN])
{
	if (sodium_is_zero(dh, NOISE_PUBLIC_KEY_LEN))
		return false;
	kdf_derive(ck, key, NULL, ck, dh, NOISE_PUBLIC_KEY_LEN);
	return true;
}

/* (ck, tau, key) = KDF3(ck, psk); h = HASH(h || tau) */
static void mix_psk(uint8_t ck[NOISE_HASH_LEN], uint8_t h[NOISE_HASH_LEN],
		    uint8_t key[NOISE_SYMMETRIC_KEY_LEN],
		    const uint8_t psk[NOISE_SYMMETRIC_KEY_LEN])
{
	uint8_t tau[NOISE_HASH_LEN];

	kdf_derive(ck, tau, key, ck, psk, NOISE_SYMMETRIC_KEY_LEN);
	mix_hash(h, tau, sizeof(tau));
	sodium_memzero(tau, sizeof(tau));
}

/* dst = AEAD(key, 0, src, h); h = HASH(h || dst) */
static void message_encrypt(uint8_t *dst, const uint8_t *src, size_t len,
			    const uint8_t key[NOISE_SYMMETRIC_KEY_LEN], uint8_t h[NOISE_HASH_LEN])
{
	static const uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	crypto_aead_chacha20poly1305_ietf_encrypt(dst, NULL, src, len, h, NOISE_HASH_LEN, NULL,
						  nonce, key);
	mix_hash(h, dst, noise_encrypted_len(len));
}

/* dst = AEAD-open(key, 0, src, h) (src_len includes the tag); h = HASH(h || src) */
static bool message_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
			    const uint8_t key[NOISE_SYMMETRIC_KEY_LEN], uint8_t h[NOISE_HASH_LEN])
{
	static const uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	if (crypto_aead_chacha20poly1305_ietf_decrypt(dst, NULL, NULL, src, src_len, h,
						      NOISE_HASH_LEN, nonce, key))
		return false;
	mix_hash(h, src, src_len);
	return true;
}

/* The "e" token: h = HASH(h || e_pub); ck = KDF1(ck, e_pub) */
static void message_ephemeral(const uint8_t e_pub[NOISE_PUBLIC_KEY_LEN], uint8_t ck[NOISE_HASH_LEN],
			      uint8_t h[NOISE_HASH_LEN])
{
	mix_hash(h, e_pub, NOISE_PUBLIC_KEY_LEN);
	kdf_derive(ck, NULL, NULL, ck, e_pub, NOISE_PUBLIC_KEY_LEN);
}

/* The initiation's "e" token, when ck is still C_i: as message_ephemeral with C_i's pads ready. */
static void message_first_ephemeral(const uint8_t e_pub[NOISE_PUBLIC_KEY_LEN],
				    uint8_t ck[NOISE_HASH_LEN], uint8_t h[NOISE_HASH_LEN])
{
	mix_hash(h, e_pub, NOISE_PUBLIC_KEY_LEN);
	kdf_derive_with(ck, NULL, NULL, &handshake_init_ck_key, e_pub, NOISE_PUBLIC_KEY_LEN);
}

/* A fresh ephemeral private key, clamped as X25519 does. */
static void ephemeral_private(uint8_t priv[NOISE_PUBLIC_KEY_LEN])
{
	randombytes_buf(priv, NOISE_PUBLIC_KEY_LEN);
	priv[0] &= 248;
	priv[31] = (priv[31] & 127) | 64;
}

/*
 * A fresh ephemeral key pair; false if the RNG gave an unusable scalar. The
 * public key goes through Ed25519's fixed-base table (x25519.h): half the
 * time of crypto_scalarmult_curve25519_base, the same bytes.
 */
static bool ephemeral_generate(uint8_t priv[NOISE_PUBLIC_KEY_LEN],
			       uint8_t pub[NOISE_PUBLIC_KEY_LEN])
{
	ephemeral_private(priv);
	return x25519_public_from_private(pub, priv);
}

/* Forgets the handshake in progress but keeps what belongs to the peer. Caller holds hs->lock
 * for writing. */
static void handshake_zero(struct noise_handshake *hs)
{
	mutex_assert_held(&hs->lock);
	sodium_memzero(hs->ephemeral_private, sizeof(hs->ephemeral_private));
	sodium_memzero(hs->remote_ephemeral, sizeof(hs->remote_ephemeral));
	sodium_memzero(hs->hash, sizeof(hs->hash));
	sodium_memzero(hs->chaining_key, sizeof(hs->chaining_key));
	hs->remote_index = 0;
	hs->state = HANDSHAKE_ZEROED;
}

int noise_local_init(struct noise_local *local, const struct index_ops *index,
		     struct noise_remote *(*lookup_remote)(void *, const uint8_t *), void *ctx)
{
	memset(local, 0, sizeof(*local));
	if (pthread_rwlock_init(&local->lock, NULL))
		return -ENOMEM;
	/* Best effort: keep the private key out of swap (fails quietly without the privilege). */
	sodium_mlock(local->static_private, sizeof(local->static_private));
	local->index = *index;
	local->lookup_remote = lookup_remote;
	local->ctx = ctx;
	return 0;
}

void noise_local_free(struct noise_local *local)
{
	sodium_munlock(local->static_private, sizeof(local->static_private));
	sodium_memzero(local->static_private, sizeof(local->static_private));
	local->has_identity = false;
	pthread_rwlock_destroy(&local->lock);
}

void noise_local_set_private_key(struct noise_local *local,
				 const uint8_t priv[NOISE_PUBLIC_KEY_LEN])
{
	rwlock_wrlock(&local->lock);
	local->has_identity = false;
	if (priv && !sodium_is_zero(priv, NOISE_PUBLIC_KEY_LEN)) {
		memcpy(local->static_private, priv, NOISE_PUBLIC_KEY_LEN);
		local->static_private[0] &= 248;
		local->static_private[31] = (local->static_private[31] & 127) | 64;
		local->has_identity = crypto_scalarmult_curve25519_base(local->static_public,
									local->static_private) == 0;
	}
	if (!local->has_identity) {
		sodium_memzero(local->static_private, NOISE_PUBLIC_KEY_LEN);
		memset(local->static_public, 0, NOISE_PUBLIC_KEY_LEN);
	}
	rwlock_unlock(&local->lock);
}

int noise_remote_init(struct noise_remote *remote, struct noise_local *local,
		      const uint8_t pub[NOISE_PUBLIC_KEY_LEN],
		      const uint8_t psk[NOISE_SYMMETRIC_KEY_LEN], void *peer)
{
	memset(remote, 0, sizeof(*remote));
	mutex_init(&remote->handshake.lock);
	mutex_init(&remote->keypairs_lock);
	remote->local = local;
	remote->peer = peer;
	remote->handshake.entry.kind = INDEX_HANDSHAKE;
	remote->handshake.entry.peer = peer;
	memcpy(remote->handshake.remote_static, pub, NOISE_PUBLIC_KEY_LEN);
	noise_remote_set_psk(remote, psk);
	noise_remote_precompute(remote);
	return 0;
}

void noise_remote_free(struct noise_remote *remote)
{
	noise_handshake_clear(remote);
	noise_keypairs_clear(remote);
	mutex_destroy(&remote->handshake.lock);
	mutex_destroy(&remote->keypairs_lock);
	sodium_memzero(remote, sizeof(*remote));
}

void noise_remote_set_psk(struct noise_remote *remote, const uint8_t psk[NOISE_SYMMETRIC_KEY_LEN])
{
	struct noise_handshake *hs = &remote->handshake;

	mutex_lock(&hs->lock);
	if (psk)
		memcpy(hs->preshared_key, psk, NOISE_SYMMETRIC_KEY_LEN);
	else
		sodium_memzero(hs->preshared_key, NOISE_SYMMETRIC_KEY_LEN);
	mutex_unlock(&hs->lock);
}

void noise_remote_precompute(struct noise_remote *remote)
{
	struct noise_handshake *hs = &remote->handshake;
	struct noise_local *local = remote->local;

	rwlock_rdlock(&local->lock);
	mutex_lock(&hs->lock);
	/* A failed or absent DH leaves zeros, which mix_precomputed_dh refuses. */
	if (!local->has_identity ||
	    crypto_scalarmult_curve25519(hs->precomputed_static_static, local->static_private,
					 hs->remote_static))
		sodium_memzero(hs->precomputed_static_static, NOISE_PUBLIC_KEY_LEN);
	mutex_unlock(&hs->lock);
	rwlock_unlock(&local->lock);
}

void noise_handshake_clear(struct noise_remote *remote)
{
	struct noise_handshake *hs = &remote->handshake;

	mutex_lock(&hs->lock);
	remote->local->index.remove(remote->local->index.ctx, &hs->entry);
	handshake_zero(hs);
	mutex_unlock(&hs->lock);
}

/*
 * The initiator's tokens after its ephemeral: es, s, ss, {t} (wall_ns as a
 * TAI64N label). Caller holds both locks.
 */
static int initiation_tokens(struct noise_remote *remote, struct message_handshake_initiation *msg,
			     uint8_t ck[NOISE_HASH_LEN], uint8_t h[NOISE_HASH_LEN],
			     uint64_t wall_ns)
{
	struct noise_handshake *hs = &remote->handshake;
	uint8_t key[NOISE_SYMMETRIC_KEY_LEN], ts[NOISE_TIMESTAMP_LEN];
	int ret = -EINVAL;

	rwlock_assert_held(&remote->local->lock);
	mutex_assert_held(&hs->lock);
	/* es */
	if (!mix_dh(ck, key, hs->ephemeral_private, hs->remote_static))
		goto out;
	/* s */
	message_encrypt(msg->encrypted_static, remote->local->static_public, NOISE_PUBLIC_KEY_LEN,
			key, h);
	/* ss */
	if (!mix_precomputed_dh(ck, key, hs->precomputed_static_static))
		goto out;
	/* {t} */
	clock_tai64n(wall_ns, ts);
	message_encrypt(msg->encrypted_timestamp, ts, NOISE_TIMESTAMP_LEN, key, h);
	ret = 0;
out:
	sodium_memzero(key, sizeof(key));
	return ret;
}

/*
 * A message was made: give the handshake a fresh index (the message's sender
 * index) and keep the transcript. Caller holds hs->lock.
 */
static int handshake_created(struct noise_local *local, struct noise_handshake *hs,
			     const uint8_t ck[NOISE_HASH_LEN], const uint8_t h[NOISE_HASH_LEN],
			     enum noise_handshake_state state)
{
	int ret;

	mutex_assert_held(&hs->lock);
	ret = local->index.insert(local->index.ctx, &hs->entry);
	if (ret)
		return ret;
	memcpy(hs->hash, h, NOISE_HASH_LEN);
	memcpy(hs->chaining_key, ck, NOISE_HASH_LEN);
	hs->state = state;
	return 0;
}

/* Ends noise_create_*: forgets a failed handshake, unlocks, wipes the transcript copies. */
static int handshake_create_end(struct noise_local *local, struct noise_handshake *hs, int ret,
				uint8_t ck[NOISE_HASH_LEN], uint8_t h[NOISE_HASH_LEN])
{
	if (ret)
		handshake_zero(hs);
	mutex_unlock(&hs->lock);
	rwlock_unlock(&local->lock);
	sodium_memzero(ck, NOISE_HASH_LEN);
	sodium_memzero(h, NOISE_HASH_LEN);
	return ret;
}

int noise_create_initiation(struct noise_remote *remote, struct message_handshake_initiation *msg,
			    uint64_t wall_ns)
{
	struct noise_handshake *hs = &remote->handshake;
	struct noise_local *local = remote->local;
	uint8_t ck[NOISE_HASH_LEN], h[NOISE_HASH_LEN];
	int ret = -EINVAL;

	rwlock_rdlock(&local->lock);
	mutex_lock(&hs->lock);
	if (!local->has_identity)
		goto out;
	msg->header.type = htole32(MESSAGE_HANDSHAKE_INITIATION);
	handshake_start(ck, h, hs->remote_static);
	/* e */
	if (!ephemeral_generate(hs->ephemeral_private, msg->unencrypted_ephemeral))
		goto out;
	message_first_ephemeral(msg->unencrypted_ephemeral, ck, h);
	ret = initiation_tokens(remote, msg, ck, h, wall_ns);
	if (!ret)
		ret = handshake_created(local, hs, ck, h, HANDSHAKE_CREATED_INITIATION);
	msg->sender_index = htole32(hs->entry.index);
out:
	return handshake_create_end(local, hs, ret, ck, h);
}

/* Refuses a timestamp not newer than the last one, and initiations coming too fast. */
static int initiation_check_fresh(const struct noise_handshake *hs,
				  const uint8_t t[NOISE_TIMESTAMP_LEN], uint64_t now)
{
	/* TAI64N is big-endian, so byte order is time order. */
	if (memcmp(t, hs->latest_timestamp, NOISE_TIMESTAMP_LEN) <= 0)
		return -EALREADY;
	if (hs->last_initiation_consumption &&
	    hs->last_initiation_consumption + NSEC_PER_SEC / INITIATIONS_PER_SECOND > now)
		return -EBUSY;
	return 0;
}

/*
 * Checks freshness and records a consumed initiation as the peer's handshake
 * in progress, in one critical section so that two copies of one initiation
 * racing on two threads cannot both pass.
 */
static int initiation_store(struct noise_handshake *hs,
			    const struct message_handshake_initiation *msg,
			    const uint8_t t[NOISE_TIMESTAMP_LEN], const uint8_t ck[NOISE_HASH_LEN],
			    const uint8_t h[NOISE_HASH_LEN], uint64_t now)
{
	int ret;

	mutex_lock(&hs->lock);
	ret = initiation_check_fresh(hs, t, now);
	if (ret)
		goto out;
	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, NOISE_PUBLIC_KEY_LEN);
	memcpy(hs->latest_timestamp, t, NOISE_TIMESTAMP_LEN);
	hs->last_initiation_consumption = now;
	memcpy(hs->hash, h, NOISE_HASH_LEN);
	memcpy(hs->chaining_key, ck, NOISE_HASH_LEN);
	hs->remote_index = le32toh(msg->sender_index);
	hs->state = HANDSHAKE_CONSUMED_INITIATION;
out:
	mutex_unlock(&hs->lock);
	return ret;
}

/* The responder's view of e, es, s with es = DH(S_priv, E_pub_i) already computed: finds the peer.
 */
static int initiation_identify(struct noise_local *local,
			       const struct message_handshake_initiation *msg,
			       const uint8_t es[NOISE_PUBLIC_KEY_LEN], uint8_t ck[NOISE_HASH_LEN],
			       uint8_t h[NOISE_HASH_LEN], uint8_t key[NOISE_SYMMETRIC_KEY_LEN],
			       struct noise_remote **remote)
{
	uint8_t s[NOISE_PUBLIC_KEY_LEN];

	handshake_start(ck, h, local->static_public);
	/* e */
	message_first_ephemeral(msg->unencrypted_ephemeral, ck, h);
	/* es */
	if (!mix_precomputed_dh(ck, key, es))
		return -EINVAL;
	/* s */
	if (!message_decrypt(s, msg->encrypted_static, sizeof(msg->encrypted_static), key, h))
		return -EINVAL;
	*remote = local->lookup_remote(local->ctx, s);
	return *remote ? 0 : -ENOENT;
}

/* The ss token with the peer's precomputed DH, read under its lock. */
static bool initiation_mix_ss(struct noise_handshake *hs, uint8_t ck[NOISE_HASH_LEN],
			      uint8_t key[NOISE_SYMMETRIC_KEY_LEN])
{
	bool ok;

	mutex_lock(&hs->lock);
	ok = mix_precomputed_dh(ck, key, hs->precomputed_static_static);
	mutex_unlock(&hs->lock);
	return ok;
}

/* One initiation after its es DH: s, ss, {t}, then the freshness checks. Caller holds local->lock.
 */
static int initiation_consume(struct noise_local *local,
			      const struct message_handshake_initiation *msg,
			      const uint8_t es[NOISE_PUBLIC_KEY_LEN], struct noise_remote **remote,
			      uint64_t now)
{
	uint8_t ck[NOISE_HASH_LEN], h[NOISE_HASH_LEN], key[NOISE_SYMMETRIC_KEY_LEN];
	uint8_t t[NOISE_TIMESTAMP_LEN];
	struct noise_handshake *hs;
	int ret;

	rwlock_assert_held(&local->lock);
	ret = initiation_identify(local, msg, es, ck, h, key, remote);
	if (ret)
		goto out;
	hs = &(*remote)->handshake;
	ret = -EINVAL;
	/* ss */
	if (!initiation_mix_ss(hs, ck, key))
		goto out;
	/* {t} */
	if (!message_decrypt(t, msg->encrypted_timestamp, sizeof(msg->encrypted_timestamp), key, h))
		goto out;
	ret = initiation_store(hs, msg, t, ck, h, now);
out:
	if (ret)
		*remote = NULL;
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(h, sizeof(h));
	sodium_memzero(key, sizeof(key));
	return ret;
}

void noise_consume_initiations(struct noise_local *local,
			       const struct message_handshake_initiation *const msg[],
			       unsigned int n, struct noise_remote *remote[], int ret[],
			       uint64_t now)
{
	uint8_t es[NOISE_BATCH_MAX][NOISE_PUBLIC_KEY_LEN];
	uint8_t *out[NOISE_BATCH_MAX];
	const uint8_t *scalar[NOISE_BATCH_MAX], *point[NOISE_BATCH_MAX];

	rwlock_rdlock(&local->lock);
	for (unsigned int i = 0; i < n; ++i) {
		out[i] = es[i];
		scalar[i] = local->static_private;
		point[i] = msg[i]->unencrypted_ephemeral;
	}
	/* es for the whole batch at once */
	if (local->has_identity)
		x25519_many(out, scalar, point, n);
	for (unsigned int i = 0; i < n; ++i) {
		remote[i] = NULL;
		ret[i] = local->has_identity
			     ? initiation_consume(local, msg[i], es[i], &remote[i], now)
			     : -EINVAL;
	}
	rwlock_unlock(&local->lock);
	sodium_memzero(es, sizeof(es));
}

int noise_consume_initiation(struct noise_local *local,
			     const struct message_handshake_initiation *msg,
			     struct noise_remote **remote, uint64_t now)
{
	int ret;

	noise_consume_initiations(local, &msg, 1, remote, &ret, now);
	return ret;
}

/*
 * One response in the making: the transcript as the consumed initiation left
 * it, copied out under the handshake's lock so that the DH of a whole batch
 * runs with no lock held, and the ephemeral key and DH results.
 */
struct response_work {
	uint8_t ck[NOISE_HASH_LEN];
	uint8_t h[NOISE_HASH_LEN];
	uint8_t remote_ephemeral[NOISE_PUBLIC_KEY_LEN];
	uint8_t remote_static[NOISE_PUBLIC_KEY_LEN];
	uint8_t e_priv[NOISE_PUBLIC_KEY_LEN];
	uint8_t e_pub[NOISE_PUBLIC_KEY_LEN];
	uint8_t ee[NOISE_PUBLIC_KEY_LEN];
	uint8_t se[NOISE_PUBLIC_KEY_LEN];
};

/* Copies out what the response needs and makes its ephemeral key ("e"). */
static int response_prepare(struct noise_remote *remote, struct response_work *w)
{
	struct noise_handshake *hs = &remote->handshake;
	int ret = -EINVAL;

	mutex_lock(&hs->lock);
	if (hs->state != HANDSHAKE_CONSUMED_INITIATION)
		goto out;
	memcpy(w->ck, hs->chaining_key, NOISE_HASH_LEN);
	memcpy(w->h, hs->hash, NOISE_HASH_LEN);
	memcpy(w->remote_ephemeral, hs->remote_ephemeral, NOISE_PUBLIC_KEY_LEN);
	memcpy(w->remote_static, hs->remote_static, NOISE_PUBLIC_KEY_LEN);
	/* e: its public key comes with the DH (response_dh) */
	ephemeral_private(w->e_priv);
	ret = 0;
out:
	if (ret)
		handshake_zero(hs);
	mutex_unlock(&hs->lock);
	return ret;
}

/* Adds DH(scalar, point) -> out to a list of k. */
static void dh_add(uint8_t *out[], const uint8_t *scalar[], const uint8_t *point[], unsigned int *k,
		   uint8_t *o, const uint8_t *s, const uint8_t *p)
{
	out[*k] = o;
	scalar[*k] = s;
	point[(*k)++] = p;
}

/*
 * The ephemeral public key, ee and se of every prepared response (ret[i] ==
 * 0), in batches. On the wide path the public key is one more lane, X25519
 * of the base point: a lane costs less than Ed25519's table there.
 */
static void response_dh(struct response_work w[], const int ret[], unsigned int n)
{
	static const uint8_t base_point[NOISE_PUBLIC_KEY_LEN] = {9};
	uint8_t *out[3 * NOISE_BATCH_MAX];
	const uint8_t *scalar[3 * NOISE_BATCH_MAX], *point[3 * NOISE_BATCH_MAX];
	bool wide = x25519_batch_is_wide();
	unsigned int k = 0;

	for (unsigned int i = 0; i < n; ++i) {
		if (ret[i])
			continue;
		/* A failure leaves e_pub zeroed, which response_tokens refuses. */
		if (wide)
			dh_add(out, scalar, point, &k, w[i].e_pub, w[i].e_priv, base_point);
		else if (!x25519_public_from_private(w[i].e_pub, w[i].e_priv))
			continue;
		dh_add(out, scalar, point, &k, w[i].ee, w[i].e_priv, w[i].remote_ephemeral);
		dh_add(out, scalar, point, &k, w[i].se, w[i].e_priv, w[i].remote_static);
	}
	x25519_many(out, scalar, point, k);
}

/* The responder's tokens after the DH: e, ee, se, psk, {}. Caller holds hs->lock. */
static int response_tokens(struct noise_handshake *hs, struct message_handshake_response *msg,
			   struct response_work *w)
{
	uint8_t key[NOISE_SYMMETRIC_KEY_LEN];
	int ret = -EINVAL;

	mutex_assert_held(&hs->lock);
	/* e */
	if (sodium_is_zero(w->e_pub, NOISE_PUBLIC_KEY_LEN))
		goto out;
	memcpy(msg->unencrypted_ephemeral, w->e_pub, NOISE_PUBLIC_KEY_LEN);
	message_ephemeral(msg->unencrypted_ephemeral, w->ck, w->h);
	/* ee */
	if (!mix_precomputed_dh(w->ck, NULL, w->ee))
		goto out;
	/* se */
	if (!mix_precomputed_dh(w->ck, NULL, w->se))
		goto out;
	/* psk */
	mix_psk(w->ck, w->h, key, hs->preshared_key);
	/* {} */
	message_encrypt(msg->encrypted_nothing, NULL, 0, key, w->h);
	memcpy(hs->ephemeral_private, w->e_priv, NOISE_PUBLIC_KEY_LEN);
	ret = 0;
out:
	sodium_memzero(key, sizeof(key));
	return ret;
}

/*
 * Finishes one response unless the handshake moved on while the DH ran (a
 * newer initiation, a clear): then it belongs to someone else and -ESTALE.
 */
static int response_finish(struct noise_local *local, struct noise_remote *remote,
			   struct message_handshake_response *msg, struct response_work *w)
{
	struct noise_handshake *hs = &remote->handshake;
	int ret = -ESTALE;

	mutex_lock(&hs->lock);
	if (hs->state != HANDSHAKE_CONSUMED_INITIATION || crypto_verify_32(hs->hash, w->h))
		goto out;
	msg->header.type = htole32(MESSAGE_HANDSHAKE_RESPONSE);
	msg->receiver_index = htole32(hs->remote_index);
	ret = response_tokens(hs, msg, w);
	if (!ret)
		ret = handshake_created(local, hs, w->ck, w->h, HANDSHAKE_CREATED_RESPONSE);
	msg->sender_index = htole32(hs->entry.index);
	if (ret)
		handshake_zero(hs);
out:
	mutex_unlock(&hs->lock);
	return ret;
}

void noise_create_responses(struct noise_remote *const remote[],
			    struct message_handshake_response *const msg[], unsigned int n,
			    int ret[])
{
	struct response_work w[NOISE_BATCH_MAX];
	struct noise_local *local;

	if (!n)
		return;
	/* Every remote of a batch belongs to one local identity. */
	local = remote[0]->local;
	rwlock_rdlock(&local->lock);
	for (unsigned int i = 0; i < n; ++i)
		ret[i] = response_prepare(remote[i], &w[i]);
	response_dh(w, ret, n);
	for (unsigned int i = 0; i < n; ++i)
		if (!ret[i])
			ret[i] = response_finish(local, remote[i], msg[i], &w[i]);
	rwlock_unlock(&local->lock);
	sodium_memzero(w, sizeof(w));
}

int noise_create_response(struct noise_remote *remote, struct message_handshake_response *msg)
{
	int ret;

	noise_create_responses(&remote, &msg, 1, &ret);
	return ret;
}

/* What the initiator kept from its initiation, copied out under the lock. */
struct response_ctx {
	uint8_t ck[NOISE_HASH_LEN];
	uint8_t h[NOISE_HASH_LEN];
	uint8_t hash_sent[NOISE_HASH_LEN];
	uint8_t e_priv[NOISE_PUBLIC_KEY_LEN];
	uint8_t psk[NOISE_SYMMETRIC_KEY_LEN];
	uint8_t key[NOISE_SYMMETRIC_KEY_LEN];
};

static bool response_load(struct noise_handshake *hs, struct response_ctx *c)
{
	bool ok;

	mutex_lock(&hs->lock);
	ok = hs->state == HANDSHAKE_CREATED_INITIATION;
	memcpy(c->ck, hs->chaining_key, NOISE_HASH_LEN);
	memcpy(c->h, hs->hash, NOISE_HASH_LEN);
	memcpy(c->hash_sent, hs->hash, NOISE_HASH_LEN);
	memcpy(c->e_priv, hs->ephemeral_private, NOISE_PUBLIC_KEY_LEN);
	memcpy(c->psk, hs->preshared_key, NOISE_SYMMETRIC_KEY_LEN);
	mutex_unlock(&hs->lock);
	return ok;
}

/* The initiator's view of e, ee, se, psk, {}. Caller holds local->lock. */
static bool response_verify(struct noise_local *local, const struct message_handshake_response *msg,
			    struct response_ctx *c)
{
	rwlock_assert_held(&local->lock);
	/* e */
	message_ephemeral(msg->unencrypted_ephemeral, c->ck, c->h);
	/* ee */
	if (!mix_dh(c->ck, NULL, c->e_priv, msg->unencrypted_ephemeral))
		return false;
	/* se */
	if (!mix_dh(c->ck, NULL, local->static_private, msg->unencrypted_ephemeral))
		return false;
	/* psk */
	mix_psk(c->ck, c->h, c->key, c->psk);
	/* {} */
	return message_decrypt(NULL, msg->encrypted_nothing, sizeof(msg->encrypted_nothing), c->key,
			       c->h);
}

/* Records the response unless another initiation replaced ours meanwhile. */
static int response_store(struct noise_handshake *hs, const struct message_handshake_response *msg,
			  const struct response_ctx *c)
{
	int ret = -ESTALE;

	mutex_lock(&hs->lock);
	if (hs->state != HANDSHAKE_CREATED_INITIATION || crypto_verify_32(hs->hash, c->hash_sent))
		goto out;
	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, NOISE_PUBLIC_KEY_LEN);
	memcpy(hs->hash, c->h, NOISE_HASH_LEN);
	memcpy(hs->chaining_key, c->ck, NOISE_HASH_LEN);
	hs->remote_index = le32toh(msg->sender_index);
	hs->state = HANDSHAKE_CONSUMED_RESPONSE;
	ret = 0;
out:
	mutex_unlock(&hs->lock);
	return ret;
}

int noise_consume_response(struct noise_local *local, const struct message_handshake_response *msg,
			   struct noise_remote **remote)
{
	struct response_ctx c;
	struct index_entry *e;
	struct noise_handshake *hs;
	int ret = -EINVAL;

	*remote = NULL;
	rwlock_rdlock(&local->lock);
	if (!local->has_identity)
		goto out;
	ret = -ENOENT;
	e = local->index.lookup(local->index.ctx, le32toh(msg->receiver_index), INDEX_HANDSHAKE);
	if (!e)
		goto out;
	hs = container_of(e, struct noise_handshake, entry);
	ret = -EINVAL;
	if (!response_load(hs, &c) || !response_verify(local, msg, &c))
		goto out;
	ret = response_store(hs, msg, &c);
	if (!ret)
		*remote = container_of(hs, struct noise_remote, handshake);
out:
	rwlock_unlock(&local->lock);
	sodium_memzero(&c, sizeof(c));
	return ret;
}

int noise_begin_session(struct noise_remote *remote, uint64_t now)
{
	struct noise_handshake *hs = &remote->handshake;
	struct noise_keypair *kp = NULL;
	int ret = -EINVAL;

	mutex_lock(&hs->lock);
	if (hs->state != HANDSHAKE_CREATED_RESPONSE && hs->state != HANDSHAKE_CONSUMED_RESPONSE)
		goto out;
	ret = -ENOMEM;
	kp = noise_keypair_new(remote, now);
	if (!kp)
		goto out;
	kp->is_initiator = hs->state == HANDSHAKE_CONSUMED_RESPONSE;
	/* (T_send_i, T_recv_i) = KDF2(C, e) = (T_recv_r, T_send_r) */
	if (kp->is_initiator)
		kdf_derive(kp->send_key, kp->recv_key, NULL, hs->chaining_key, NULL, 0);
	else
		kdf_derive(kp->recv_key, kp->send_key, NULL, hs->chaining_key, NULL, 0);
	kp->remote_index = hs->remote_index;
	/* The keypair takes over the handshake's index, which the peer already knows. */
	remote->local->index.replace(remote->local->index.ctx, &hs->entry, &kp->entry);
	handshake_zero(hs);
	mutex_lock(&remote->keypairs_lock);
	noise_keypair_add(remote, kp);
	mutex_unlock(&remote->keypairs_lock);
	ret = 0;
out:
	mutex_unlock(&hs->lock);
	return ret;
}
