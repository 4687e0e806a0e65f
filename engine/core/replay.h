/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The receive counter's sliding window (RFC 6479): REPLAY_WINDOW_SIZE counters
 * behind the highest one seen are remembered; older, repeated and counters at
 * or above REJECT_AFTER_MESSAGES are refused. Not locked: the caller serialises
 * calls for one window (noise_keypair_check_counter takes the keypair's lock).
 */
#ifndef ENGINE_REPLAY_H
#define ENGINE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include "messages.h"

struct replay_window {
	uint64_t counter; /* one more than the highest counter accepted */
	uint64_t bitmap[REPLAY_BITS_TOTAL / 64];
};

/* Empties the window: counter 0 is the next acceptable one. */
void replay_init(struct replay_window *w);
/* True (and the counter is recorded) if counter is new and inside the window. */
bool replay_check(struct replay_window *w, uint64_t counter) __attribute__((warn_unused_result));

#endif
