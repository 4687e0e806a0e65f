/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WireGuard's wire formats (message types 1-4, little-endian fields, packed)
 * and the protocol constants of the whitepaper, section 6. Times are seconds
 * unless the name ends in _NS.
 */
#ifndef ENGINE_MESSAGES_H
#define ENGINE_MESSAGES_H

#include <stdint.h>

#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

#define NOISE_PUBLIC_KEY_LEN 32
#define NOISE_SYMMETRIC_KEY_LEN 32
#define NOISE_TIMESTAMP_LEN 12
#define NOISE_AUTHTAG_LEN 16
#define NOISE_HASH_LEN 32
#define noise_encrypted_len(plain_len) ((plain_len) + NOISE_AUTHTAG_LEN)

#define COOKIE_SECRET_LEN 32
#define COOKIE_NONCE_LEN 24
#define COOKIE_LEN 16

/* The paper's constants (section 6.1). */
#define REKEY_AFTER_MESSAGES (1ULL << 60)
#define REJECT_AFTER_MESSAGES (UINT64_MAX - REPLAY_WINDOW_SIZE - 1)
#define REKEY_TIMEOUT 5
#define REKEY_TIMEOUT_JITTER_MAX_NS (NSEC_PER_SEC / 3)
#define REKEY_AFTER_TIME 120
#define REKEY_ATTEMPT_TIME 90
#define REJECT_AFTER_TIME 180
#define KEEPALIVE_TIMEOUT 10
#define MAX_TIMER_HANDSHAKES (REKEY_ATTEMPT_TIME / REKEY_TIMEOUT)
#define COOKIE_SECRET_MAX_AGE 120
#define COOKIE_SECRET_LATENCY 5
#define MESSAGE_PADDING_MULTIPLE 16

/* At most this many initiations per second are consumed from one peer. */
#define INITIATIONS_PER_SECOND 50
/* Handshake rate limit per source address (as the kernel's ratelimiter). */
#define RATELIMITER_PACKETS_PER_SECOND 20
#define RATELIMITER_PACKETS_BURST 5

/* The replay window (RFC 6479): REPLAY_BITS_TOTAL bits, one word of slack. */
#define REPLAY_BITS_TOTAL 8192
#define REPLAY_WINDOW_SIZE (REPLAY_BITS_TOTAL - 64)

/* Device limits that the kernel also uses. */
#define MAX_PEERS_PER_DEVICE (1U << 20)
#define MAX_QUEUED_INCOMING_HANDSHAKES 4096
#define MAX_STAGED_PACKETS 128
#define MAX_QUEUED_PACKETS 1024

enum message_type {
	MESSAGE_INVALID = 0,
	MESSAGE_HANDSHAKE_INITIATION = 1,
	MESSAGE_HANDSHAKE_RESPONSE = 2,
	MESSAGE_HANDSHAKE_COOKIE = 3,
	MESSAGE_DATA = 4,
};

/* One type byte, then three reserved zero bytes (a little-endian u32 on the wire). */
struct message_header {
	uint32_t type; /* le32 */
} __attribute__((packed));

/* Every handshake message ends with these two MACs. */
struct message_macs {
	uint8_t mac1[COOKIE_LEN];
	uint8_t mac2[COOKIE_LEN];
} __attribute__((packed));

/* Type 1, 148 bytes. */
struct message_handshake_initiation {
	struct message_header header;
	uint32_t sender_index; /* le32 */
	uint8_t unencrypted_ephemeral[NOISE_PUBLIC_KEY_LEN];
	uint8_t encrypted_static[noise_encrypted_len(NOISE_PUBLIC_KEY_LEN)];
	uint8_t encrypted_timestamp[noise_encrypted_len(NOISE_TIMESTAMP_LEN)];
	struct message_macs macs;
} __attribute__((packed));

/* Type 2, 92 bytes. */
struct message_handshake_response {
	struct message_header header;
	uint32_t sender_index;	 /* le32 */
	uint32_t receiver_index; /* le32 */
	uint8_t unencrypted_ephemeral[NOISE_PUBLIC_KEY_LEN];
	uint8_t encrypted_nothing[noise_encrypted_len(0)];
	struct message_macs macs;
} __attribute__((packed));

/* Type 3, 64 bytes. */
struct message_handshake_cookie {
	struct message_header header;
	uint32_t receiver_index; /* le32 */
	uint8_t nonce[COOKIE_NONCE_LEN];
	uint8_t encrypted_cookie[noise_encrypted_len(COOKIE_LEN)];
} __attribute__((packed));

/* Type 4: 16 bytes of header, then the sealed packet (at least the 16-byte tag). */
struct message_data {
	struct message_header header;
	uint32_t key_idx; /* le32: the receiver's index */
	uint64_t counter; /* le64 */
	uint8_t encrypted_data[];
} __attribute__((packed));

#define MESSAGE_DATA_HEADER_LEN sizeof(struct message_data)
#define message_data_len(plain_len) (noise_encrypted_len(plain_len) + sizeof(struct message_data))
#define MESSAGE_MINIMUM_LENGTH message_data_len(0)

_Static_assert(sizeof(struct message_handshake_initiation) == 148, "initiation is 148 bytes");
_Static_assert(sizeof(struct message_handshake_response) == 92, "response is 92 bytes");
_Static_assert(sizeof(struct message_handshake_cookie) == 64, "cookie reply is 64 bytes");
_Static_assert(sizeof(struct message_data) == 16, "data header is 16 bytes");
_Static_assert(MESSAGE_MINIMUM_LENGTH == 32, "a keepalive is 32 bytes");

#endif
