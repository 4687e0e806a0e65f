/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Token buckets per source address for handshake messages under load, as the
 * kernel: RATELIMITER_PACKETS_PER_SECOND with a burst of
 * RATELIMITER_PACKETS_BURST per IPv4 address or IPv6 /64. Idle entries are
 * collected after a second; the table is bounded (a full table refuses).
 * Internally locked. The caller passes the time, so tests drive it.
 */
#ifndef ENGINE_RATELIMITER_H
#define ENGINE_RATELIMITER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct ratelimiter;

/* A limiter remembering at most max_entries sources; NULL with errno on failure. */
struct ratelimiter *ratelimiter_new(unsigned int max_entries);
void ratelimiter_free(struct ratelimiter *rl);
/* True if a packet from src (AF_INET or AF_INET6) at now_ns is within its rate, spending a token.
 */
bool ratelimiter_allow(struct ratelimiter *rl, const struct sockaddr *src, uint64_t now_ns);
/* Drops entries idle for over a second (allow also does so once a second). */
void ratelimiter_gc(struct ratelimiter *rl, uint64_t now_ns);
/* Number of sources remembered. */
unsigned int ratelimiter_count(struct ratelimiter *rl);

#endif
