// SPDX-License-Identifier: GPL-2.0
/*
 * The whitepaper's timers (section 6) as deadlines. Events arm and disarm
 * them just as the kernel's timer hooks do; timers_tick fires the ones that
 * are due and says what to send. A fired timer is disarmed, like an expired
 * kernel timer that is no longer pending.
 */
#include <string.h>
#include <sodium.h>
#include "messages.h"
#include "timers.h"

#define SEC(x) ((uint64_t)(x)*NSEC_PER_SEC)

/* Up to a third of a second, so that peers' retries do not fall in step. */
static uint64_t jitter(void)
{
	return randombytes_uniform((uint32_t)REKEY_TIMEOUT_JITTER_MAX_NS + 1);
}

void timers_init(struct timers_state *t, uint16_t persistent_keepalive_interval)
{
	memset(t, 0, sizeof(*t));
	t->persistent_keepalive_interval = persistent_keepalive_interval;
}

unsigned int timers_set_persistent_keepalive(struct timers_state *t, uint16_t interval,
					     uint64_t now)
{
	bool turned_on = interval && !t->persistent_keepalive_interval;

	(void)now;
	t->persistent_keepalive_interval = interval;
	if (!interval)
		t->persistent_keepalive = 0;
	/* As wg set does: a keepalive at once tells the peer (and NAT) where we are. */
	return turned_on ? TIMERS_PERSISTENT_KEEPALIVE : 0;
}

void timers_stop(struct timers_state *t)
{
	t->retransmit_handshake = 0;
	t->new_handshake = 0;
	t->send_keepalive = 0;
	t->persistent_keepalive = 0;
	t->zero_key_material = 0;
}

void timers_data_sent(struct timers_state *t, uint64_t now)
{
	/* Expect an answer within KEEPALIVE_TIMEOUT + REKEY_TIMEOUT, or start a new handshake. */
	if (!t->new_handshake)
		t->new_handshake = now + SEC(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT) + jitter();
}

void timers_data_received(struct timers_state *t, uint64_t now)
{
	/* If we have nothing to say within KEEPALIVE_TIMEOUT, a keepalive acknowledges it. */
	if (!t->send_keepalive)
		t->send_keepalive = now + SEC(KEEPALIVE_TIMEOUT);
	else
		t->need_another_keepalive = true;
}

void timers_any_authenticated_packet_sent(struct timers_state *t, uint64_t now)
{
	(void)now;
	t->send_keepalive = 0;
}

void timers_any_authenticated_packet_received(struct timers_state *t, uint64_t now)
{
	(void)now;
	t->new_handshake = 0;
}

void timers_any_authenticated_packet_traversal(struct timers_state *t, uint64_t now)
{
	if (t->persistent_keepalive_interval)
		t->persistent_keepalive = now + SEC(t->persistent_keepalive_interval);
}

void timers_handshake_initiated(struct timers_state *t, uint64_t now, bool is_retry)
{
	if (!is_retry)
		t->handshake_attempts = 0;
	t->retransmit_handshake = now + SEC(REKEY_TIMEOUT) + jitter();
	t->last_sent_handshake = now;
}

void timers_handshake_complete(struct timers_state *t, uint64_t now)
{
	(void)now;
	t->retransmit_handshake = 0;
	t->handshake_attempts = 0;
	t->sent_lastminute_handshake = false;
}

void timers_session_derived(struct timers_state *t, uint64_t now)
{
	t->zero_key_material = now + SEC(REJECT_AFTER_TIME * 3);
}

void timers_ephemeral_key_created(struct timers_state *t, uint64_t now)
{
	/* Whitepaper 6.5: all key material goes REJECT_AFTER_TIME * 3 after an ephemeral key. */
	t->zero_key_material = now + SEC(REJECT_AFTER_TIME * 3);
}

bool timers_lastminute_handshake(struct timers_state *t)
{
	if (t->sent_lastminute_handshake)
		return false;
	t->sent_lastminute_handshake = true;
	return true;
}

bool timers_may_send_initiation(const struct timers_state *t, uint64_t now)
{
	return !t->last_sent_handshake || t->last_sent_handshake + SEC(REKEY_TIMEOUT) <= now;
}

uint64_t timers_next_deadline(const struct timers_state *t)
{
	const uint64_t d[] = {t->retransmit_handshake, t->new_handshake, t->send_keepalive,
			      t->persistent_keepalive, t->zero_key_material};
	uint64_t best = 0;
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); ++i)
		if (d[i] && (!best || d[i] < best))
			best = d[i];
	return best;
}

/* True (and disarmed) if the deadline has passed. */
static bool fire(uint64_t *deadline, uint64_t now)
{
	if (!*deadline || *deadline > now)
		return false;
	*deadline = 0;
	return true;
}

static unsigned int retransmit_expired(struct timers_state *t, uint64_t now)
{
	if (t->handshake_attempts > MAX_TIMER_HANDSHAKES) {
		/* Tried for REKEY_ATTEMPT_TIME: give up, and wipe what a partial exchange left. */
		t->send_keepalive = 0;
		if (!t->zero_key_material)
			t->zero_key_material = now + SEC(REJECT_AFTER_TIME * 3);
		return TIMERS_GIVE_UP;
	}
	++t->handshake_attempts;
	return TIMERS_RETRANSMIT_HANDSHAKE;
}

static unsigned int keepalive_expired(struct timers_state *t, uint64_t now)
{
	if (t->need_another_keepalive) {
		t->need_another_keepalive = false;
		t->send_keepalive = now + SEC(KEEPALIVE_TIMEOUT);
	}
	return TIMERS_SEND_KEEPALIVE;
}

unsigned int timers_tick(struct timers_state *t, uint64_t now)
{
	unsigned int actions = 0;

	if (fire(&t->retransmit_handshake, now))
		actions |= retransmit_expired(t, now);
	if (fire(&t->send_keepalive, now))
		actions |= keepalive_expired(t, now);
	if (fire(&t->new_handshake, now))
		actions |= TIMERS_NEW_HANDSHAKE;
	if (fire(&t->zero_key_material, now))
		actions |= TIMERS_ZERO_KEYS;
	if (fire(&t->persistent_keepalive, now) && t->persistent_keepalive_interval)
		actions |= TIMERS_PERSISTENT_KEEPALIVE;
	return actions;
}
