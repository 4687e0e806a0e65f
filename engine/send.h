/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sending half of the data path: packets read from the TUN device are
 * grouped per peer, given nonces in order under the current keypair, queued
 * to the crypto workers and to the peer's FIFO, sealed, and transmitted in
 * order as UDP GSO trains. Also the handshake messages we originate.
 */
#ifndef ENGINE_SEND_H
#define ENGINE_SEND_H

#include <stdbool.h>
#include "model.h"
#include "queue.h"

struct device;
struct peer;

/*
 * Sends n plaintext packets (elems from the pool, payload at data) to peer,
 * taking ownership of the elems: they are queued, staged for a handshake, or
 * dropped and counted.
 */
void send_packets(struct peer *peer, struct elem **e, unsigned int n);
/* Sends staged packets if a keypair is ready, else a keepalive. */
void send_keepalive(struct peer *peer);
/* Sends the staged packets (after a handshake completed). */
void send_staged(struct peer *peer);
/* Creates and sends an initiation unless one went out less than REKEY_TIMEOUT ago. */
void send_handshake_initiation(struct peer *peer, bool is_retry);
/* A worker's part: seals every packet of b in place, marks it done and flushes the peer. */
void send_crypt_batch(struct batch *b);
/* Transmits the peer's finished batches in order. */
void send_flush(struct peer *peer);
/* The TUN reader thread (arg is the device): reads, segments, routes and sends. */
void *send_tun_thread(void *arg);

#endif
