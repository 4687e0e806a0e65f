/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The receiving half: datagrams from the UDP sockets are classified, data
 * messages grouped per keypair into batches for the crypto workers, handshake
 * messages queued for the handshake thread; opened batches leave in order per
 * peer through the replay window and the allowed-IPs source check to the TUN.
 */
#ifndef ENGINE_RECEIVE_H
#define ENGINE_RECEIVE_H

#include "device.h"
#include "udp.h"

/* What a datagram is, by its type and length alone. */
enum receive_class {
	RECEIVE_BAD_TYPE,   /* no message type of ours (or reserved bytes set) */
	RECEIVE_BAD_SIZE,   /* a known type with a length it cannot have */
	RECEIVE_INITIATION, /* exactly 148 bytes */
	RECEIVE_RESPONSE,   /* exactly 92 bytes */
	RECEIVE_COOKIE,	    /* exactly 64 bytes */
	RECEIVE_DATA,	    /* a header and at least a tag, at most a jumbo buffer's worth */
};

/* The fields a classified message names, in host order. */
struct receive_header {
	uint32_t index; /* the receiver index (data, response, cookie reply); 0 for an initiation */
	uint64_t counter; /* data only: the nonce counter */
};

/*
 * Classifies one datagram of len bytes and reads its header into *h (when not
 * BAD_*). Pure: the device and the fuzzer (tests/fuzz/engine-packet.c) call it,
 * so what is dropped before any lookup or crypto is decided in one place.
 */
enum receive_class receive_classify(const uint8_t *msg, uint32_t len, struct receive_header *h);
/* Classifies and queues n received datagrams (or GRO trains). UDP thread only. */
void receive_datagrams(struct device *dev, struct udp_rx *rx, unsigned int n);
/*
 * Copies the sealed bytes of b's packets out of the reader's receive buffer,
 * which the next receive reuses: for a batch some other thread will open.
 */
void receive_take_copies(struct batch *b);
/* A worker's part: opens every packet of b, marks it done and flushes the peer. */
void receive_crypt_batch(struct batch *b);
/* Delivers the peer's finished batches in order. */
void receive_flush(struct peer *peer);
/* The UDP reader thread (arg is the device): receives and classifies batches. */
void *receive_udp_thread(void *arg);
/* The inner packet's own length from its IPv4/IPv6 header, or 0 if the
 * decrypted plaintext is not one whole packet (padding follows it). */
uint32_t receive_inner_len(const uint8_t *p, uint32_t len);
/*
 * Processes up to NOISE_BATCH_MAX queued handshake messages (initiations,
 * responses, cookie replies); the initiations' DH run as one batch.
 */
void receive_handshakes(struct device *dev, struct hs_msg *const m[], unsigned int n);

#endif
