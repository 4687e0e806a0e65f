// SPDX-License-Identifier: GPL-2.0
/*
 * mac1, mac2 and cookie replies (whitepaper 5.4.4 and 5.4.7). A cookie is a
 * MAC of the sender's address under a secret we rotate every two minutes, so
 * a sender proves it can receive at its address before we spend a DH on it.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sodium.h>
#include "blake2s.h"
#include "clock.h"
#include "cookie.h"
#include "lockassert.h"
#include "ratelimiter.h"

static const char mac1_label[] = "mac1----";
static const char cookie_label[] = "cookie--";

/* key = HASH(label || pub) */
static void precompute_key(uint8_t key[NOISE_SYMMETRIC_KEY_LEN], const char *label,
			   const uint8_t pub[NOISE_PUBLIC_KEY_LEN])
{
	struct blake2s_state st;

	blake2s_init(&st, NOISE_SYMMETRIC_KEY_LEN);
	blake2s_update(&st, label, strlen(label));
	blake2s_update(&st, pub, NOISE_PUBLIC_KEY_LEN);
	blake2s_final(&st, key);
}

/* Handshake messages only: the MACs are their last 32 bytes. */
static struct message_macs *macs_of(const void *msg, size_t len)
{
	if (len != sizeof(struct message_handshake_initiation) &&
	    len != sizeof(struct message_handshake_response))
		return NULL;
	return (struct message_macs *)((uint8_t *)msg + len - sizeof(struct message_macs));
}

/* mac1 = MAC(key, msg up to mac1) */
static void compute_mac1(uint8_t mac[COOKIE_LEN], const void *msg, size_t len,
			 const uint8_t key[NOISE_SYMMETRIC_KEY_LEN])
{
	blake2s(mac, COOKIE_LEN, msg, len - sizeof(struct message_macs), key,
		NOISE_SYMMETRIC_KEY_LEN);
}

/* mac2 = MAC(cookie, msg up to mac2) */
static void compute_mac2(uint8_t mac[COOKIE_LEN], const void *msg, size_t len,
			 const uint8_t cookie[COOKIE_LEN])
{
	blake2s(mac, COOKIE_LEN, msg, len - COOKIE_LEN, cookie, COOKIE_LEN);
}

int cookie_checker_init(struct cookie_checker *checker)
{
	memset(checker, 0, sizeof(*checker));
	return pthread_rwlock_init(&checker->lock, NULL) ? -ENOMEM : 0;
}

void cookie_checker_free(struct cookie_checker *checker)
{
	pthread_rwlock_destroy(&checker->lock);
	sodium_memzero(checker, sizeof(*checker));
}

/* st = a keyed MAC of COOKIE_LEN bytes with its key block already compressed. */
static void keyed_state(struct blake2s_state *st, const uint8_t *key, size_t keylen)
{
	blake2s_init_key(st, COOKIE_LEN, key, keylen);
	blake2s_commit(st);
}

/* mac = the MAC that st (a keyed_state) gives for len bytes of in. */
static void keyed_mac(uint8_t mac[COOKIE_LEN], const struct blake2s_state *st, const void *in,
		      size_t len)
{
	struct blake2s_state copy = *st;

	blake2s_update(&copy, in, len);
	blake2s_final(&copy, mac);
}

void cookie_checker_precompute(struct cookie_checker *checker,
			       const uint8_t local_public[NOISE_PUBLIC_KEY_LEN])
{
	rwlock_wrlock(&checker->lock);
	checker->has_keys = local_public != NULL;
	if (local_public) {
		precompute_key(checker->cookie_encryption_key, cookie_label, local_public);
		precompute_key(checker->message_mac1_key, mac1_label, local_public);
		keyed_state(&checker->mac1_state, checker->message_mac1_key,
			    NOISE_SYMMETRIC_KEY_LEN);
	} else {
		sodium_memzero(checker->cookie_encryption_key, NOISE_SYMMETRIC_KEY_LEN);
		sodium_memzero(checker->message_mac1_key, NOISE_SYMMETRIC_KEY_LEN);
	}
	rwlock_unlock(&checker->lock);
}

int cookie_maker_init(struct cookie_maker *maker, const uint8_t remote_public[NOISE_PUBLIC_KEY_LEN])
{
	memset(maker, 0, sizeof(*maker));
	mutex_init(&maker->lock);
	maker->remote_public = remote_public;
	return 0;
}

void cookie_maker_free(struct cookie_maker *maker)
{
	mutex_destroy(&maker->lock);
	sodium_memzero(maker, sizeof(*maker));
}

bool cookie_checker_mac1_ok(struct cookie_checker *checker, const void *msg, size_t len)
{
	const struct message_macs *macs = macs_of(msg, len);
	uint8_t mac[COOKIE_LEN];
	bool ok = false;

	if (!macs)
		return false;
	rwlock_rdlock(&checker->lock);
	if (checker->has_keys) {
		keyed_mac(mac, &checker->mac1_state, msg, len - sizeof(struct message_macs));
		ok = !sodium_memcmp(mac, macs->mac1, COOKIE_LEN);
	}
	rwlock_unlock(&checker->lock);
	return ok;
}

/* The address bytes a cookie covers: IP then port, as on the wire. */
static size_t source_bytes(uint8_t out[18], const struct sockaddr *src)
{
	if (src->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)src;

		memcpy(out, &sin->sin_addr, 4);
		memcpy(out + 4, &sin->sin_port, 2);
		return 6;
	}
	if (src->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)src;

		memcpy(out, &sin6->sin6_addr, 16);
		memcpy(out + 16, &sin6->sin6_port, 2);
		return 18;
	}
	return 0;
}

/* Makes the secret new if it is older than COOKIE_SECRET_MAX_AGE. */
static void rotate_secret(struct cookie_checker *checker, uint64_t now)
{
	/* A racy first look is fine: the decision is made again under the lock. */
	if (!clock_has_expired(__atomic_load_n(&checker->secret_birthdate, __ATOMIC_RELAXED),
			       COOKIE_SECRET_MAX_AGE, now))
		return;
	rwlock_wrlock(&checker->lock);
	/* Checked again: another thread may have rotated it meanwhile. */
	if (clock_has_expired(checker->secret_birthdate, COOKIE_SECRET_MAX_AGE, now)) {
		randombytes_buf(checker->secret, COOKIE_SECRET_LEN);
		keyed_state(&checker->secret_state, checker->secret, COOKIE_SECRET_LEN);
		__atomic_store_n(&checker->secret_birthdate, now, __ATOMIC_RELAXED);
	}
	rwlock_unlock(&checker->lock);
}

/* cookie = MAC(secret, src ip || src port); false for an unknown address family. */
static bool make_cookie(uint8_t cookie[COOKIE_LEN], struct cookie_checker *checker,
			const struct sockaddr *src, uint64_t now)
{
	uint8_t addr[18];
	size_t len = source_bytes(addr, src);

	if (!len)
		return false;
	rotate_secret(checker, now);
	rwlock_rdlock(&checker->lock);
	keyed_mac(cookie, &checker->secret_state, addr, len);
	rwlock_unlock(&checker->lock);
	return true;
}

bool cookie_checker_mac2_ok(struct cookie_checker *checker, const void *msg, size_t len,
			    const struct sockaddr *src, uint64_t now)
{
	const struct message_macs *macs = macs_of(msg, len);
	uint8_t cookie[COOKIE_LEN], mac[COOKIE_LEN];
	bool ok = false;

	/*
	 * A sender without a cookie sends mac2 = 0^16 (whitepaper 5.4.4), as
	 * every message of a flood does: no MAC to compute. A real MAC is zero
	 * with probability 2^-128.
	 */
	if (!macs || sodium_is_zero(macs->mac2, COOKIE_LEN) ||
	    !make_cookie(cookie, checker, src, now))
		goto out;
	compute_mac2(mac, msg, len, cookie);
	ok = !sodium_memcmp(mac, macs->mac2, COOKIE_LEN);
out:
	sodium_memzero(cookie, sizeof(cookie));
	return ok;
}

enum cookie_verdict cookie_checker_validate(struct cookie_checker *checker, const void *msg,
					    size_t len, const struct sockaddr *src, bool under_load,
					    struct ratelimiter *rl, uint64_t now)
{
	if (!cookie_checker_mac1_ok(checker, msg, len))
		return COOKIE_DROP;
	/* Without load, mac1 suffices: a cookie round trip would only add latency. */
	if (!under_load)
		return COOKIE_ACCEPT;
	if (!cookie_checker_mac2_ok(checker, msg, len, src, now))
		return COOKIE_SEND_REPLY;
	if (rl && !ratelimiter_allow(rl, src, now))
		return COOKIE_RATELIMITED;
	return COOKIE_ACCEPT;
}

/*
 * A random nonce for a cookie reply, from a per-thread pool of the system's
 * random bytes: under a flood one getrandom per reply cost more than the
 * reply's cryptography. The engine forks (daemonizes) before any reply, so no
 * two processes share a pool.
 */
static void random_nonce(uint8_t nonce[COOKIE_NONCE_LEN])
{
	static __thread uint8_t pool[COOKIE_NONCE_LEN * 64];
	static __thread unsigned int used = sizeof(pool);

	if (used == sizeof(pool)) {
		randombytes_buf(pool, sizeof(pool));
		used = 0;
	}
	memcpy(nonce, pool + used, COOKIE_NONCE_LEN);
	/* A nonce is public, but never handed out twice. */
	sodium_memzero(pool + used, COOKIE_NONCE_LEN);
	used += COOKIE_NONCE_LEN;
}

int cookie_reply_create(struct cookie_checker *checker, struct message_handshake_cookie *reply,
			const void *msg, size_t len, uint32_t sender_index,
			const struct sockaddr *src, uint64_t now)
{
	const struct message_macs *macs = macs_of(msg, len);
	uint8_t cookie[COOKIE_LEN];
	int ret = -EINVAL;

	if (!macs || !make_cookie(cookie, checker, src, now))
		goto out;
	reply->header.type = htole32(MESSAGE_HANDSHAKE_COOKIE);
	reply->receiver_index = htole32(sender_index);
	random_nonce(reply->nonce);
	/* The cookie is bound to the message it answers by using its mac1 as associated data. */
	rwlock_rdlock(&checker->lock);
	crypto_aead_xchacha20poly1305_ietf_encrypt(reply->encrypted_cookie, NULL, cookie,
						   COOKIE_LEN, macs->mac1, COOKIE_LEN, NULL,
						   reply->nonce, checker->cookie_encryption_key);
	rwlock_unlock(&checker->lock);
	ret = 0;
out:
	sodium_memzero(cookie, sizeof(cookie));
	return ret;
}

int cookie_reply_consume(struct cookie_maker *maker, const struct message_handshake_cookie *reply,
			 uint64_t now)
{
	uint8_t cookie[COOKIE_LEN], key[NOISE_SYMMETRIC_KEY_LEN];
	int ret = -EINVAL;

	mutex_lock(&maker->lock);
	/* Only a reply to the last message we sent can be decrypted (its mac1 is the AD). */
	if (!maker->have_sent_mac1)
		goto out;
	precompute_key(key, cookie_label, maker->remote_public);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		cookie, NULL, NULL, reply->encrypted_cookie, sizeof(reply->encrypted_cookie),
		maker->last_mac1_sent, COOKIE_LEN, reply->nonce, key))
		goto out;
	memcpy(maker->cookie, cookie, COOKIE_LEN);
	maker->cookie_birthdate = now;
	maker->have_sent_mac1 = false;
	ret = 0;
out:
	mutex_unlock(&maker->lock);
	sodium_memzero(cookie, sizeof(cookie));
	sodium_memzero(key, sizeof(key));
	return ret;
}

void cookie_maker_add_macs(struct cookie_maker *maker, void *msg, size_t len, uint64_t now)
{
	struct message_macs *macs = macs_of(msg, len);
	uint8_t key[NOISE_SYMMETRIC_KEY_LEN];

	if (!macs)
		return;
	/* The key is public knowledge (a hash of a public key): no wiping needed. */
	precompute_key(key, mac1_label, maker->remote_public);
	mutex_lock(&maker->lock);
	compute_mac1(macs->mac1, msg, len, key);
	memcpy(maker->last_mac1_sent, macs->mac1, COOKIE_LEN);
	maker->have_sent_mac1 = true;
	/* A cookie is trusted a little less long than the secret behind it lives. */
	if (!clock_has_expired(maker->cookie_birthdate,
			       COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY, now))
		compute_mac2(macs->mac2, msg, len, maker->cookie);
	else
		memset(macs->mac2, 0, COOKIE_LEN);
	mutex_unlock(&maker->lock);
}
