/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The whitepaper's timers (section 6) as pure functions over one peer's timer
 * state: the device reports events as they happen (timers_data_sent, ...) and
 * calls timers_tick when timers_next_deadline passes; tick returns a bitmask of
 * actions that the device carries out. All times are clock_now_ns values.
 * Not locked: the caller serialises calls for one peer.
 */
#ifndef ENGINE_TIMERS_H
#define ENGINE_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

/* What timers_tick asks the device to do. */
enum timers_action {
	/* Send a handshake initiation again (a retry: attempts kept; clear the endpoint's source).
	 */
	TIMERS_RETRANSMIT_HANDSHAKE = 1 << 0,
	/* Send a new handshake initiation (data sent, no reply; clear the endpoint's source). */
	TIMERS_NEW_HANDSHAKE = 1 << 1,
	/* Send a keepalive (empty data packet) because data arrived and we sent nothing. */
	TIMERS_SEND_KEEPALIVE = 1 << 2,
	/* Send a keepalive because the persistent keepalive interval passed. */
	TIMERS_PERSISTENT_KEEPALIVE = 1 << 3,
	/* Handshake retries exhausted: drop the packets staged for this peer. */
	TIMERS_GIVE_UP = 1 << 4,
	/* Wipe all keypairs and the handshake (noise_keypairs_clear, noise_handshake_clear). */
	TIMERS_ZERO_KEYS = 1 << 5,
};

/* Deadlines are clock_now_ns values; 0 means the timer is not armed. */
/*
 * No timer is armed less than this far ahead (the shortest is a persistent
 * keepalive of 1 s), so a device may walk its peers' timers that seldom when
 * no deadline it knows of is nearer.
 */
#define TIMERS_MIN_DELAY NSEC_PER_SEC

struct timers_state {
	uint64_t retransmit_handshake;
	uint64_t new_handshake;
	uint64_t send_keepalive;
	uint64_t persistent_keepalive;
	uint64_t zero_key_material;
	uint64_t last_sent_handshake; /* when an initiation was last sent, 0 = never */
	unsigned int handshake_attempts;
	uint16_t persistent_keepalive_interval; /* seconds, 0 = off */
	bool need_another_keepalive;
	bool sent_lastminute_handshake;
};

/* All timers off; interval is the persistent keepalive in seconds (0 = off). */
void timers_init(struct timers_state *t, uint16_t persistent_keepalive_interval);
/* Changes the persistent keepalive; turning it on asks for one now (as wg set does). */
unsigned int timers_set_persistent_keepalive(struct timers_state *t, uint16_t interval,
					     uint64_t now);
/* Disarms every timer (peer removed or device down). */
void timers_stop(struct timers_state *t);

/* A data packet (not a keepalive) was sent. */
void timers_data_sent(struct timers_state *t, uint64_t now);
/* A data packet (not a keepalive) was received. */
void timers_data_received(struct timers_state *t, uint64_t now);
/* Any authenticated packet (data, keepalive, handshake) was sent. */
void timers_any_authenticated_packet_sent(struct timers_state *t, uint64_t now);
/* Any authenticated packet was received. */
void timers_any_authenticated_packet_received(struct timers_state *t, uint64_t now);
/* Any authenticated packet was sent or received. */
void timers_any_authenticated_packet_traversal(struct timers_state *t, uint64_t now);
/* An initiation was sent; is_retry is false for a fresh handshake (resets attempts). */
void timers_handshake_initiated(struct timers_state *t, uint64_t now, bool is_retry);
/* A handshake completed (response consumed, or first data on a responder keypair). */
void timers_handshake_complete(struct timers_state *t, uint64_t now);
/* A keypair was derived. */
void timers_session_derived(struct timers_state *t, uint64_t now);
/* An ephemeral key was generated (initiation or response created). */
void timers_ephemeral_key_created(struct timers_state *t, uint64_t now);

/*
 * When noise_keypair_wants_rekey_receive says yes: true only the first time
 * until the next handshake completes, so one "last-minute" handshake is sent.
 */
bool timers_lastminute_handshake(struct timers_state *t);
/* False if an initiation was sent less than REKEY_TIMEOUT ago (the device then skips it). */
bool timers_may_send_initiation(const struct timers_state *t, uint64_t now);
/* The earliest armed deadline, or 0 if none. */
uint64_t timers_next_deadline(const struct timers_state *t);
/* Fires every timer due at now and returns the enum timers_action bits to carry out. */
unsigned int timers_tick(struct timers_state *t, uint64_t now);

#endif
