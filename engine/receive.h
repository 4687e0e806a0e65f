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

/* Classifies and queues n received datagrams (or GRO trains). UDP thread only. */
void receive_datagrams(struct device *dev, struct udp_rx *rx, unsigned int n);
/* A worker's part: opens every packet of b, marks it done and flushes the peer. */
void receive_crypt_batch(struct batch *b);
/* Delivers the peer's finished batches in order. */
void receive_flush(struct peer *peer);
/* The UDP reader thread (arg is the device): receives and classifies batches. */
void *receive_udp_thread(void *arg);
/* The inner packet's own length from its IPv4/IPv6 header, or 0 if the
 * decrypted plaintext is not one whole packet (padding follows it). */
uint32_t receive_inner_len(const uint8_t *p, uint32_t len);
/* Processes one queued handshake message (initiation, response or cookie reply). */
void receive_handshake(struct device *dev, struct hs_msg *m);

#endif
