/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, as WireGuard uses it (whitepaper
 * section 5.4): the local static identity, each peer's handshake state, the
 * four handshake steps; the keypairs a finished handshake yields are in
 * noise-keypair.h. Pure code: peers are found and indexes kept through
 * callbacks, time comes from clock.
 *
 * Locking: noise_local.lock guards the identity, noise_handshake.lock one
 * peer's handshake, noise_remote.keypairs_lock the three keypair slots, and
 * noise_keypair.replay_lock its receive window. Every function takes the
 * locks it needs; callers hold none of them.
 */
#ifndef ENGINE_NOISE_H
#define ENGINE_NOISE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "messages.h"
#include "mutex.h"
#include "index.h"
#include "replay.h"
#include "noise-keypair.h"
#include "x25519-batch.h"

/* Handshake messages the batch calls take at once: a batch of X25519 lanes. */
#define NOISE_BATCH_MAX X25519_BATCH_MAX

struct noise_remote;

enum noise_handshake_state {
	HANDSHAKE_ZEROED,
	HANDSHAKE_CREATED_INITIATION,
	HANDSHAKE_CONSUMED_INITIATION,
	HANDSHAKE_CREATED_RESPONSE,
	HANDSHAKE_CONSUMED_RESPONSE,
};

/* The local identity: this interface's static key pair and the device's callbacks. */
struct noise_local {
	pthread_rwlock_t lock;
	bool has_identity;
	uint8_t static_public[NOISE_PUBLIC_KEY_LEN];
	uint8_t static_private[NOISE_PUBLIC_KEY_LEN];
	struct index_ops index;
	/* Finds the peer with this public key (the decrypted static of an initiation). */
	struct noise_remote *(*lookup_remote)(void *ctx, const uint8_t pub[NOISE_PUBLIC_KEY_LEN]);
	void *ctx;
};

/* One peer's handshake in progress. */
struct noise_handshake {
	struct index_entry entry; /* INDEX_HANDSHAKE: our index while a handshake is open */
	struct mutex lock;
	enum noise_handshake_state state;
	uint64_t last_initiation_consumption; /* clock_now_ns, for the flood guard */
	uint8_t remote_static[NOISE_PUBLIC_KEY_LEN];
	uint8_t remote_ephemeral[NOISE_PUBLIC_KEY_LEN];
	uint8_t precomputed_static_static[NOISE_PUBLIC_KEY_LEN]; /* DH(S_priv, S_pub_remote) */
	uint8_t preshared_key[NOISE_SYMMETRIC_KEY_LEN];
	uint8_t ephemeral_private[NOISE_PUBLIC_KEY_LEN];
	uint8_t hash[NOISE_HASH_LEN];
	uint8_t chaining_key[NOISE_HASH_LEN];
	uint8_t latest_timestamp[NOISE_TIMESTAMP_LEN]; /* newest TAI64N accepted from the peer */
	uint32_t remote_index;
};

/* Everything noise keeps per peer. */
struct noise_remote {
	struct noise_local *local;
	void *peer; /* the device's peer, copied into index entries */
	struct noise_handshake handshake;
	struct mutex keypairs_lock;
	struct noise_keypair *previous, *current, *next;
};

/* Initialises libsodium and the protocol's constant hashes; 0 or -errno. Call once first. */
int noise_init(void) __attribute__((warn_unused_result));

/* Sets up local with no identity; index and lookup_remote are the device's callbacks. */
int noise_local_init(struct noise_local *local, const struct index_ops *index,
		     struct noise_remote *(*lookup_remote)(void *, const uint8_t *), void *ctx)
    __attribute__((warn_unused_result));
/* Wipes the private key and destroys the lock. */
void noise_local_free(struct noise_local *local);
/*
 * Sets (or with NULL clears) the static private key, clamped, and derives the
 * public key. The caller then calls noise_remote_precompute on every peer.
 */
void noise_local_set_private_key(struct noise_local *local,
				 const uint8_t priv[NOISE_PUBLIC_KEY_LEN]);

/* Sets up a peer with its public key and preshared key (NULL = none). */
int noise_remote_init(struct noise_remote *remote, struct noise_local *local,
		      const uint8_t pub[NOISE_PUBLIC_KEY_LEN],
		      const uint8_t psk[NOISE_SYMMETRIC_KEY_LEN], void *peer)
    __attribute__((warn_unused_result));
/* Removes its indexes, drops its keypairs, wipes everything and destroys its locks. */
void noise_remote_free(struct noise_remote *remote);
/* Replaces the preshared key (NULL = all zeros, i.e. none). */
void noise_remote_set_psk(struct noise_remote *remote, const uint8_t psk[NOISE_SYMMETRIC_KEY_LEN]);
/* Recomputes DH(S_priv, S_pub_remote) after the local identity changed. */
void noise_remote_precompute(struct noise_remote *remote);
/* Forgets a handshake in progress (its index too). */
void noise_handshake_clear(struct noise_remote *remote);

/*
 * Fills msg except the MACs (cookie_maker_add_macs does those), its timestamp
 * from wall_ns (clock_wall_ns); 0 or -errno.
 */
int noise_create_initiation(struct noise_remote *remote, struct message_handshake_initiation *msg,
			    uint64_t wall_ns) __attribute__((warn_unused_result));
/*
 * Checks an initiation (MACs already checked) at now (clock_now_ns, for the
 * flood guard) and finds its peer: 0 with *remote set, -EINVAL (bad crypto or no identity), -ENOENT
 * (unknown peer), -EALREADY (timestamp not newer: replay) or -EBUSY (flood guard).
 */
int noise_consume_initiation(struct noise_local *local,
			     const struct message_handshake_initiation *msg,
			     struct noise_remote **remote, uint64_t now)
    __attribute__((warn_unused_result));
/*
 * noise_consume_initiation for n <= NOISE_BATCH_MAX initiations, their es DH
 * computed together (x25519-batch.h): ret[i] and remote[i] as one call would
 * give them.
 */
void noise_consume_initiations(struct noise_local *local,
			       const struct message_handshake_initiation *const msg[],
			       unsigned int n, struct noise_remote *remote[], int ret[],
			       uint64_t now);
/* Answers the initiation this peer consumed last; 0 or -errno. */
int noise_create_response(struct noise_remote *remote, struct message_handshake_response *msg)
    __attribute__((warn_unused_result));
/*
 * noise_create_response for n <= NOISE_BATCH_MAX peers of one local identity,
 * their ee and se DH computed together with no lock held: ret[i] as one call
 * would give, or -ESTALE when a newer initiation replaced the one consumed.
 */
void noise_create_responses(struct noise_remote *const remote[],
			    struct message_handshake_response *const msg[], unsigned int n,
			    int ret[]);
/* Checks a response to our initiation (found by receiver_index): 0 with *remote set or -errno. */
int noise_consume_response(struct noise_local *local, const struct message_handshake_response *msg,
			   struct noise_remote **remote) __attribute__((warn_unused_result));
/*
 * Turns the finished handshake into a keypair and rotates the slots: the
 * initiator's becomes current at once, the responder's waits in next until
 * data arrives with it (noise_received_with_keypair). The keypair is born at
 * now (clock_now_ns). 0 or -errno.
 */
int noise_begin_session(struct noise_remote *remote, uint64_t now)
    __attribute__((warn_unused_result));

#endif
