/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mac1 and mac2 on handshake messages and cookie replies (whitepaper section
 * 5.4.7). The checker (our side, one per device) verifies MACs and makes
 * cookies from a secret rotated every COOKIE_SECRET_MAX_AGE; the maker (one
 * per peer) adds MACs to what we send and keeps the cookie the peer gave us
 * for COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY. Time comes from clock.
 */
#ifndef ENGINE_COOKIE_H
#define ENGINE_COOKIE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "blake2s.h"
#include "messages.h"
#include "mutex.h"

struct ratelimiter;

/* What to do with a handshake message, from its MACs and the load. */
enum cookie_verdict {
	COOKIE_DROP,	    /* mac1 is wrong (or the message is malformed): drop silently */
	COOKIE_SEND_REPLY,  /* under load and mac2 missing or wrong: answer with a cookie reply */
	COOKIE_RATELIMITED, /* under load, mac2 right, but the source is over its rate: drop */
	COOKIE_ACCEPT,	    /* process the handshake */
};

/* Our side: verifies MACs on messages sent to us and makes cookies. */
struct cookie_checker {
	pthread_rwlock_t lock;
	uint8_t secret[COOKIE_SECRET_LEN];
	uint64_t secret_birthdate;				/* clock_now_ns; 0 = never made */
	uint8_t cookie_encryption_key[NOISE_SYMMETRIC_KEY_LEN]; /* HASH("cookie--" || S_pub) */
	uint8_t message_mac1_key[NOISE_SYMMETRIC_KEY_LEN];	/* HASH("mac1----" || S_pub) */
	/* MAC(message_mac1_key, .) and MAC(secret, .) past their key blocks: one compression less
	 * each. */
	struct blake2s_state mac1_state;
	struct blake2s_state secret_state;
	bool has_keys;
};

/*
 * One peer's side: adds MACs to what we send it and keeps its cookie. Its two
 * keys (HASH("mac1----" || S_pub_remote), HASH("cookie--" || S_pub_remote))
 * are derived when used, a BLAKE2s each, from the peer's public key it points
 * to: a peer sends a handshake message every few minutes, and 64 bytes per
 * peer are a tenth of what a peer costs.
 */
struct cookie_maker {
	struct mutex lock;
	bool have_sent_mac1;
	const uint8_t *remote_public; /* NOISE_PUBLIC_KEY_LEN bytes that outlive the maker */
	uint8_t cookie[COOKIE_LEN];
	uint64_t cookie_birthdate; /* clock_now_ns; 0 = no cookie */
	uint8_t last_mac1_sent[COOKIE_LEN];
};

int cookie_checker_init(struct cookie_checker *checker) __attribute__((warn_unused_result));
/* Wipes the secret and keys. */
void cookie_checker_free(struct cookie_checker *checker);
/* Derives the checker's keys from our public key (NULL clears them). */
void cookie_checker_precompute(struct cookie_checker *checker,
			       const uint8_t local_public[NOISE_PUBLIC_KEY_LEN]);

/* remote_public is kept by reference: it must live as long as the maker (the peer's key). */
int cookie_maker_init(struct cookie_maker *maker, const uint8_t remote_public[NOISE_PUBLIC_KEY_LEN])
    __attribute__((warn_unused_result));
/* Wipes the cookie and keys. */
void cookie_maker_free(struct cookie_maker *maker);

/*
 * Verifies a handshake message of len bytes (type 1 or 2) from src (AF_INET or
 * AF_INET6) at now: mac1 always, mac2 and rl (NULL = no limit) only under load.
 * Every time in this module is a clock_now_ns value the caller passes.
 */
enum cookie_verdict cookie_checker_validate(struct cookie_checker *checker, const void *msg,
					    size_t len, const struct sockaddr *src, bool under_load,
					    struct ratelimiter *rl, uint64_t now);
/* True if msg's mac1 is right for our public key. */
bool cookie_checker_mac1_ok(struct cookie_checker *checker, const void *msg, size_t len);
/* True if msg's mac2 is right for the cookie src would get at now. */
bool cookie_checker_mac2_ok(struct cookie_checker *checker, const void *msg, size_t len,
			    const struct sockaddr *src, uint64_t now);
/*
 * Builds the cookie reply to msg (len bytes) from src, addressed to
 * sender_index (the index in msg, host order). 0 or -errno.
 */
int cookie_reply_create(struct cookie_checker *checker, struct message_handshake_cookie *reply,
			const void *msg, size_t len, uint32_t sender_index,
			const struct sockaddr *src, uint64_t now)
    __attribute__((warn_unused_result));
/* Initiator side: decrypts a reply for the last message we MACed, received at now; 0 or -errno. */
int cookie_reply_consume(struct cookie_maker *maker, const struct message_handshake_cookie *reply,
			 uint64_t now) __attribute__((warn_unused_result));
/*
 * Fills the MACs of a handshake message of len bytes sent at now: mac1 always,
 * mac2 while a cookie is fresh.
 */
void cookie_maker_add_macs(struct cookie_maker *maker, void *msg, size_t len, uint64_t now);

#endif
