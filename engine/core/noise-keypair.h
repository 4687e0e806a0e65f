/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Session keys from one handshake and the three slots (previous, current,
 * next) each peer keeps them in, with the whitepaper's rotation (6.2, 6.3)
 * and key confirmation, nonces, the replay window and lifetimes. noise.c
 * makes keypairs; the device uses them through these calls.
 */
#ifndef ENGINE_NOISE_KEYPAIR_H
#define ENGINE_NOISE_KEYPAIR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "messages.h"
#include "index.h"
#include "replay.h"

struct noise_remote;

/*
 * Session keys from one handshake. Reference counted (entry.refs): the slot
 * in noise_remote holds one reference, index_lookup and
 * noise_keypair_current_get take more; noise_keypair_put drops one and the
 * last one wipes and frees it. The transport AEAD (engine/aead) uses the keys.
 */
struct noise_keypair {
	struct index_entry entry; /* INDEX_KEYPAIR: entry.index is our receiver index */
	struct noise_remote *remote;
	uint8_t send_key[NOISE_SYMMETRIC_KEY_LEN];
	uint8_t recv_key[NOISE_SYMMETRIC_KEY_LEN];
	atomic_uint_fast64_t send_counter; /* next nonce to use */
	pthread_mutex_t replay_lock;
	struct replay_window replay;
	uint32_t remote_index; /* the peer's index: goes in our data messages */
	uint64_t birthdate;    /* clock_now_ns at creation */
	bool is_initiator;
	atomic_bool can_send;
	atomic_bool can_receive;
	struct index_ops index_ops; /* private: a copy, so the last put can drop the index */
};

/* For noise_begin_session: a fresh keypair of remote's born at now, with one reference, or NULL. */
struct noise_keypair *noise_keypair_new(struct noise_remote *remote, uint64_t now);
/* Puts kp in remote's slots (whitepaper 6.2/6.3). Caller holds remote->keypairs_lock. */
void noise_keypair_add(struct noise_remote *remote, struct noise_keypair *kp);

/* Key confirmation: true if kp was next and is now current (a handshake completed). */
bool noise_received_with_keypair(struct noise_remote *remote, struct noise_keypair *kp);
/* Drops all three keypairs (their indexes at once). */
void noise_keypairs_clear(struct noise_remote *remote);
/* Stops sending with current and next, so the next packet triggers a handshake. */
void noise_keypairs_expire_current(struct noise_remote *remote);
/* The current keypair with a reference taken, or NULL. */
struct noise_keypair *noise_keypair_current_get(struct noise_remote *remote);
/* Takes another reference to kp (not NULL) and returns it. */
struct noise_keypair *noise_keypair_get(struct noise_keypair *kp);
/* Drops a reference (NULL is fine); the last removes its index, wipes and frees it. */
void noise_keypair_put(struct noise_keypair *kp);

/* Reserves the next sending nonce; false once the keypair is used up or invalid. */
bool noise_keypair_next_counter(struct noise_keypair *kp, uint64_t *counter)
    __attribute__((warn_unused_result));
/*
 * Checks a received (authenticated) counter against the replay window,
 * recording it; false for a replay, and for every counter once the keypair has
 * accepted REJECT_AFTER_MESSAGES - 1 (then can_receive is cleared too).
 */
bool noise_keypair_check_counter(struct noise_keypair *kp, uint64_t counter)
    __attribute__((warn_unused_result));
/* True if kp may still send at now_ns (age < REJECT_AFTER_TIME, counter below the limit). */
bool noise_keypair_can_send(struct noise_keypair *kp, uint64_t now_ns);
/*
 * True if kp may still receive at now_ns: not older than REJECT_AFTER_TIME and
 * not used up. A keypair refused once stays refused (can_receive is cleared).
 */
bool noise_keypair_can_receive(struct noise_keypair *kp, uint64_t now_ns);
/* The paper's rekey-on-send rule: counter > REKEY_AFTER_MESSAGES, or initiator and age >
 * REKEY_AFTER_TIME. */
bool noise_keypair_wants_rekey_send(struct noise_keypair *kp, uint64_t now_ns);
/* Rekey-on-receive: initiator and age > REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT. */
bool noise_keypair_wants_rekey_receive(struct noise_keypair *kp, uint64_t now_ns);

#endif
