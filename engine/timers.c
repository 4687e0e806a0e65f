// SPDX-License-Identifier: GPL-2.0
/* Placeholder bodies so the API links while the implementation lands. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <errno.h>
#include <stddef.h>
#include "timers.h"

void timers_init(struct timers_state *t, uint16_t persistent_keepalive_interval)
{
}

unsigned int timers_set_persistent_keepalive(struct timers_state *t, uint16_t interval,
					     uint64_t now)
{
	return 0;
}

void timers_stop(struct timers_state *t)
{
}

void timers_data_sent(struct timers_state *t, uint64_t now)
{
}

void timers_data_received(struct timers_state *t, uint64_t now)
{
}

void timers_any_authenticated_packet_sent(struct timers_state *t, uint64_t now)
{
}

void timers_any_authenticated_packet_received(struct timers_state *t, uint64_t now)
{
}

void timers_any_authenticated_packet_traversal(struct timers_state *t, uint64_t now)
{
}

void timers_handshake_initiated(struct timers_state *t, uint64_t now, bool is_retry)
{
}

void timers_handshake_complete(struct timers_state *t, uint64_t now)
{
}

void timers_session_derived(struct timers_state *t, uint64_t now)
{
}

void timers_ephemeral_key_created(struct timers_state *t, uint64_t now)
{
}

bool timers_may_send_initiation(const struct timers_state *t, uint64_t now)
{
	return 0;
}

uint64_t timers_next_deadline(const struct timers_state *t)
{
	return 0;
}

unsigned int timers_tick(struct timers_state *t, uint64_t now)
{
	return 0;
}
