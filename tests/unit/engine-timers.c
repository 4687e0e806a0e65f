// SPDX-License-Identifier: GPL-2.0
/*
 * Every timer event on a fake clock: retransmission with jitter bounds and
 * giving up after REKEY_ATTEMPT_TIME, a keepalive after receiving, a new
 * handshake after sending without reply, persistent keepalives and zeroing
 * key material REJECT_AFTER_TIME * 3 after the last session.
 */
#include "../lib/tap.h"
#include "messages.h"
#include "timers.h"

#define SEC(x) ((uint64_t)(x)*NSEC_PER_SEC)
#define JITTER REKEY_TIMEOUT_JITTER_MAX_NS

static const uint64_t t0 = SEC(1000);

static void test_retry_jitter(void)
{
	struct timers_state t;
	uint64_t lo = UINT64_MAX, hi = 0, d;
	bool in_bounds = true;
	int i;

	timers_init(&t, 0);
	for (i = 0; i < 300; ++i) {
		timers_handshake_initiated(&t, t0, false);
		d = t.retransmit_handshake - t0;
		in_bounds &= d >= SEC(REKEY_TIMEOUT) && d <= SEC(REKEY_TIMEOUT) + JITTER;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	ok(in_bounds, "retransmit is REKEY_TIMEOUT plus 0..333 ms after an initiation");
	ok(hi - lo > JITTER / 2, "and the jitter really varies (spread %llu ms)",
	   (unsigned long long)((hi - lo) / NSEC_PER_MSEC));
	is_int(timers_tick(&t, t.retransmit_handshake - 1), 0, "nothing fires early");
	is_int(timers_tick(&t, t.retransmit_handshake), TIMERS_RETRANSMIT_HANDSHAKE,
	       "a retransmission fires on time");
	is_int(t.handshake_attempts, 1, "and counts an attempt");
	ok(!timers_may_send_initiation(&t, t0 + SEC(REKEY_TIMEOUT) - 1) &&
	       timers_may_send_initiation(&t, t0 + SEC(REKEY_TIMEOUT)),
	   "no new initiation within REKEY_TIMEOUT of the last");
	timers_handshake_initiated(&t, t0 + SEC(6), false);
	is_int(t.handshake_attempts, 0, "a fresh (not retry) initiation resets the attempts");
	timers_handshake_complete(&t, t0 + SEC(7));
	ok(!t.retransmit_handshake && !timers_tick(&t, t0 + SEC(20)),
	   "a completed handshake stops retransmission");
}

static void test_give_up(void)
{
	struct timers_state t;
	uint64_t now = t0, gave_up = 0;
	unsigned int a, retries = 0, other = 0;

	timers_init(&t, 0);
	timers_handshake_initiated(&t, now, false);
	while (!gave_up && now < t0 + SEC(200)) {
		now = timers_next_deadline(&t);
		a = timers_tick(&t, now);
		if (a & TIMERS_RETRANSMIT_HANDSHAKE) {
			++retries;
			/* The device sends the retry, then reports it. */
			timers_handshake_initiated(&t, now, true);
		}
		if (a & TIMERS_GIVE_UP)
			gave_up = now;
		other |= a & ~(TIMERS_RETRANSMIT_HANDSHAKE | TIMERS_GIVE_UP);
	}
	/* As the kernel and wireguard-go: retry while attempts <= MAX_TIMER_HANDSHAKES. */
	is_int(retries, MAX_TIMER_HANDSHAKES + 1, "MAX_TIMER_HANDSHAKES + 1 (19) retries");
	ok(gave_up >= t0 + SEC(REKEY_ATTEMPT_TIME) &&
	       gave_up <= t0 + (MAX_TIMER_HANDSHAKES + 2) * (SEC(REKEY_TIMEOUT) + JITTER),
	   "gives up after REKEY_ATTEMPT_TIME (%llu s)",
	   (unsigned long long)((gave_up - t0) / SEC(1)));
	is_int(other, 0, "nothing else fired meanwhile");
	ok(!t.retransmit_handshake, "no more retries");
	is_int(t.zero_key_material, gave_up + SEC(3 * REJECT_AFTER_TIME),
	       "key material is scheduled for zeroing");
	is_int(timers_tick(&t, gave_up + SEC(3 * REJECT_AFTER_TIME)), TIMERS_ZERO_KEYS,
	       "and zeroed REJECT_AFTER_TIME * 3 later");
}

static void test_keepalive(void)
{
	struct timers_state t;

	timers_init(&t, 0);
	timers_data_received(&t, t0);
	is_int(timers_tick(&t, t0 + SEC(KEEPALIVE_TIMEOUT) - 1), 0, "no keepalive before 10 s");
	is_int(timers_tick(&t, t0 + SEC(KEEPALIVE_TIMEOUT)), TIMERS_SEND_KEEPALIVE,
	       "a keepalive KEEPALIVE_TIMEOUT after receiving data");
	is_int(timers_next_deadline(&t), 0, "then nothing is armed");
	timers_data_received(&t, t0 + SEC(20));
	timers_any_authenticated_packet_sent(&t, t0 + SEC(21));
	is_int(timers_tick(&t, t0 + SEC(40)), 0, "no keepalive when we sent something meanwhile");
	timers_data_received(&t, t0 + SEC(50));
	timers_data_received(&t, t0 + SEC(55));
	is_int(t.send_keepalive, t0 + SEC(60), "more data does not push the keepalive out");
	is_int(timers_tick(&t, t0 + SEC(60)), TIMERS_SEND_KEEPALIVE, "keepalive at 60 s");
	is_int(t.send_keepalive, t0 + SEC(70), "data received during the wait asks for another");
}

static void test_new_handshake(void)
{
	struct timers_state t;
	uint64_t d;

	timers_init(&t, 0);
	timers_data_sent(&t, t0);
	d = t.new_handshake - t0;
	ok(d >= SEC(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT) &&
	       d <= SEC(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT) + JITTER,
	   "sending data arms a new handshake after KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter");
	timers_data_sent(&t, t0 + SEC(3));
	is_int(t.new_handshake - t0, d, "more data does not push it out");
	is_int(timers_tick(&t, t0 + d), TIMERS_NEW_HANDSHAKE, "no reply: a new handshake");
	timers_data_sent(&t, t0 + SEC(100));
	timers_any_authenticated_packet_received(&t, t0 + SEC(101));
	is_int(timers_tick(&t, t0 + SEC(200)), 0, "a reply cancels it");
}

static void test_persistent_keepalive(void)
{
	struct timers_state t;

	timers_init(&t, 0);
	timers_any_authenticated_packet_traversal(&t, t0);
	is_int(timers_next_deadline(&t), 0, "no persistent keepalive when off");
	is_int(timers_set_persistent_keepalive(&t, 25, t0), TIMERS_PERSISTENT_KEEPALIVE,
	       "turning it on sends one at once");
	is_int(timers_set_persistent_keepalive(&t, 30, t0), 0, "changing the interval does not");
	timers_set_persistent_keepalive(&t, 25, t0);
	timers_any_authenticated_packet_traversal(&t, t0);
	is_int(timers_tick(&t, t0 + SEC(25) - 1), 0, "nothing before the interval");
	is_int(timers_tick(&t, t0 + SEC(25)), TIMERS_PERSISTENT_KEEPALIVE,
	       "a persistent keepalive every interval of silence");
	timers_any_authenticated_packet_traversal(&t, t0 + SEC(25));
	timers_any_authenticated_packet_traversal(&t, t0 + SEC(40));
	is_int(timers_next_deadline(&t), t0 + SEC(65), "traffic pushes it out");
	timers_set_persistent_keepalive(&t, 0, t0 + SEC(41));
	is_int(timers_tick(&t, t0 + SEC(100)), 0, "turning it off disarms it");
}

static void test_zero_keys(void)
{
	struct timers_state t;

	timers_init(&t, 0);
	timers_session_derived(&t, t0);
	is_int(timers_tick(&t, t0 + SEC(539)), 0, "keys live 539 s after the session");
	timers_session_derived(&t, t0 + SEC(100));
	is_int(timers_tick(&t, t0 + SEC(639) + NSEC_PER_SEC - 1), 0, "a new session pushes it out");
	is_int(timers_tick(&t, t0 + SEC(640)), TIMERS_ZERO_KEYS, "zeroed 540 s after the last");
	timers_ephemeral_key_created(&t, t0 + SEC(700));
	is_int(timers_next_deadline(&t), t0 + SEC(1240), "an ephemeral key arms it too");
	timers_stop(&t);
	is_int(timers_next_deadline(&t), 0, "stop disarms everything");
}

static void test_misc(void)
{
	struct timers_state t;

	timers_init(&t, 0);
	ok(timers_lastminute_handshake(&t) && !timers_lastminute_handshake(&t),
	   "the last-minute handshake is sent once");
	timers_handshake_complete(&t, t0);
	ok(timers_lastminute_handshake(&t), "and again after a handshake completes");
	timers_session_derived(&t, t0);
	timers_data_received(&t, t0 + SEC(1));
	timers_data_sent(&t, t0 + SEC(2));
	is_int(timers_next_deadline(&t), t0 + SEC(11), "next deadline is the earliest armed");
	is_int(timers_tick(&t, t0 + SEC(600)),
	       TIMERS_SEND_KEEPALIVE | TIMERS_NEW_HANDSHAKE | TIMERS_ZERO_KEYS,
	       "a late tick fires everything due at once");
}

int main(void)
{
	test_retry_jitter();
	test_give_up();
	test_keepalive();
	test_new_handshake();
	test_persistent_keepalive();
	test_zero_keys();
	test_misc();
	return tap_done();
}
