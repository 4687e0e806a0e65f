// SPDX-License-Identifier: GPL-2.0
/*
 * The whitepaper's section 6 walked through at the device level: two engines
 * on a fake clock, a relay between them that logs every message. Each timer
 * event is checked on the wire (which messages left, and when) as well as in
 * the peers' state: rekey after REKEY_AFTER_TIME by the initiator only, the
 * one last-minute rekey on receive, handshake retries every REKEY_TIMEOUT
 * plus jitter until give-up, passive and persistent keepalives, a new
 * handshake when data gets no answer, and key zeroing at REJECT_AFTER_TIME*3.
 */
#include <stdio.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "engine-wire.h"

static struct clock_fake fake;
static struct wire w;
static struct wire_side a, b;

static bool a_to_b(unsigned int seq)
{
	return wire_through(&a, &b, A_IP, B_IP, seq, 3000);
}

static bool b_to_a(unsigned int seq)
{
	return wire_through(&b, &a, B_IP, A_IP, seq, 3000);
}

static void advance(uint64_t ns)
{
	wire_advance(&w, &fake, &a, &b, ns);
}

/*
 * Two engines through the relay; A (the initiator) with a persistent keepalive.
 * B first: turning the keepalive on makes A start a handshake at once.
 */
static bool pair_up(uint16_t keepalive)
{
	return !wire_side_up(&a, "ecta") && !wire_side_up(&b, "ectb") &&
	       !wire_start(&w, &fake, b.dev->udp.port) && !wire_side_config(&b, &a, A_IP, 0, 0) &&
	       !wire_side_config(&a, &b, B_IP, w.port_a, keepalive);
}

static void pair_down(void)
{
	wire_side_down(&a);
	wire_side_down(&b);
	wire_stop(&w);
}

/*
 * A session, data both ways, and then the passive keepalive (6.5): A got data
 * and sent nothing, so after KEEPALIVE_TIMEOUT it sends an empty packet; B,
 * who answered its data, sends none. Leaves both sides quiet.
 */
static bool session(bool report)
{
	unsigned int mark;
	bool good = a_to_b(1);

	/* A's "data sent" is noted after its send: B answers only once A is done. */
	wire_idle(&w, &a, &b);
	good &= b_to_a(2);

	if (report)
		ok(good, "a handshake, then data both ways");
	mark = wire_mark(&w);
	advance(SEC(KEEPALIVE_TIMEOUT - 1));
	if (report)
		is_int(wire_count(&w, mark, AB, WIRE_KEEPALIVE), 0, "no keepalive after 9 s");
	advance(SEC(1));
	good &= wire_wait(&w, mark, AB, WIRE_KEEPALIVE, 1, 3000);
	if (!report)
		return good;
	if (!ok(good, "A, who received data and sent nothing, sends a keepalive after 10 s"))
		wire_dump(&w, 0);
	is_int(wire_count(&w, mark, BA, WIRE_KEEPALIVE), 0, "B, who answered, sends none");
	ok(wire_next_deadline(&a) > fake.mono_ns + SEC(KEEPALIVE_TIMEOUT),
	   "A's keepalive timer is disarmed");
	return good;
}

/* The keypair A would send with; its birthdate says which handshake made it. */
static uint64_t current_birth(struct wire_side *s)
{
	struct noise_keypair *kp = noise_keypair_current_get(&wire_peer(s)->noise);
	uint64_t birth = kp ? kp->birthdate : 0;

	noise_keypair_put(kp);
	return birth;
}

/* 6.2: the initiator rekeys when it sends on a keypair older than REKEY_AFTER_TIME. */
static void test_rekey_after_time(void)
{
	uint64_t born = current_birth(&a);
	unsigned int mark;

	advance(SEC(REKEY_AFTER_TIME - 11));
	mark = wire_mark(&w);
	ok(a_to_b(3), "119 s into the session A sends");
	is_int(wire_count(&w, mark, AB, WIRE_INIT), 0, "without a handshake");
	advance(SEC(2));
	ok(b_to_a(4), "121 s in, B (the responder) sends");
	is_int(wire_count(&w, mark, BA, WIRE_INIT), 0,
	       "without a handshake: only initiators rekey");
	ok(a_to_b(5), "A sends on the 121 s old keypair");
	ok(wire_wait(&w, mark, AB, WIRE_INIT, 1, 3000) &&
	       wire_wait(&w, mark, BA, WIRE_RESP, 1, 3000),
	   "and a handshake follows on the wire");
	for (int i = 0; i < 200 && current_birth(&a) == born; ++i)
		usleep(5000);
	ok(current_birth(&a) == fake.mono_ns, "A sends with the new keypair");
	ok(a_to_b(6) && b_to_a(7), "which carries data both ways");
}

static bool lastminute(struct wire_side *s)
{
	struct peer *p = wire_peer(s);
	bool sent;

	mutex_lock(&p->lock);
	sent = p->timers.sent_lastminute_handshake;
	mutex_unlock(&p->lock);
	return sent;
}

/* 6.2: near REJECT_AFTER_TIME, data received on an old keypair makes the initiator rekey, once. */
static void test_rekey_on_receive(void)
{
	unsigned int mark;

	advance(SEC(REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT - 1 - 10));
	mark = wire_mark(&w);
	ok(b_to_a(3), "164 s into the session B sends");
	is_int(wire_count(&w, mark, AB, WIRE_INIT), 0, "A receives it without a handshake");
	wire_drop(&w, AB, WIRE_HANDSHAKES);
	advance(SEC(2));
	ok(b_to_a(4), "166 s in, B sends again");
	ok(wire_wait(&w, mark, AB, WIRE_INIT, 1, 3000),
	   "now A sends an initiation (REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT)");
	ok(b_to_a(5), "with that handshake lost, B sends once more");
	usleep(100000);
	is_int(wire_count(&w, mark, AB, WIRE_INIT), 1, "and A does not ask again");
	ok(lastminute(&a), "its timers remember the last-minute handshake");
	wire_drop(&w, AB, 0);
	advance(SEC(REKEY_TIMEOUT + 1));
	ok(wire_wait(&w, mark, BA, WIRE_RESP, 1, 3000), "the retry gets through");
	ok(a_to_b(6), "data flows on new keys");
	ok(!lastminute(&a), "and the flag is reset");
}

/* 6.4: retries every REKEY_TIMEOUT plus up to a third of a second, then give-up. */
static void test_retries(void)
{
	uint64_t at[32], start = fake.mono_ns;
	unsigned int mark = wire_mark(&w), n, good = 0, staged;
	struct peer *p = wire_peer(&a);

	wire_drop(&w, AB, WIRE_HANDSHAKES);
	wire_write(&a, A_IP, B_IP, 1);
	ok(wire_wait(&w, mark, AB, WIRE_INIT, 1, 3000), "a packet to send starts a handshake");
	/* Step the clock straight to each deadline, so the wire shows the exact times. */
	while (fake.mono_ns < start + SEC(REKEY_ATTEMPT_TIME + 30)) {
		uint64_t due = wire_next_deadline(&a);

		if (!due || due > start + SEC(REKEY_ATTEMPT_TIME + 30))
			due = start + SEC(REKEY_ATTEMPT_TIME + 30);
		advance(due > fake.mono_ns ? due - fake.mono_ns : 1);
	}
	n = wire_times(&w, mark, AB, WIRE_INIT, at, 32);
	is_int(n, MAX_TIMER_HANDSHAKES + 2, "one initiation and %d retries, as the kernel",
	       MAX_TIMER_HANDSHAKES + 1);
	for (unsigned int i = 1; i < n; ++i)
		good += at[i] - at[i - 1] >= SEC(REKEY_TIMEOUT) &&
			at[i] - at[i - 1] <= SEC(REKEY_TIMEOUT) + REKEY_TIMEOUT_JITTER_MAX_NS;
	is_int(good, n - 1, "each REKEY_TIMEOUT plus at most 333 ms after the one before");
	ok(n > 1 && at[n - 1] - at[0] >= SEC(REKEY_ATTEMPT_TIME), "retrying for at least 90 s");
	ok(n > 1 && at[n - 1] - at[0] <= (MAX_TIMER_HANDSHAKES + 1) *
					     (SEC(REKEY_TIMEOUT) + REKEY_TIMEOUT_JITTER_MAX_NS),
	   "and then giving up: nothing more in the last %llu s",
	   (unsigned long long)((start + SEC(REKEY_ATTEMPT_TIME + 30) - at[n - 1]) / NSEC_PER_SEC));
	mutex_lock(&p->lock);
	staged = p->n_staged;
	mutex_unlock(&p->lock);
	is_int(staged, 0, "the packet waiting for the handshake is dropped");
	wire_drop(&w, AB, 0);
	wire_write(&a, A_IP, B_IP, 2);
	is_int(wire_read_seq(&b, 3000), 2, "a new packet starts a new handshake and arrives alone");
}

/* 6.5: with a persistent keepalive, an empty packet every interval of silence. */
static void test_persistent_keepalive(void)
{
	unsigned int mark = wire_mark(&w);

	/* The last packet A sent or received was its passive keepalive, at once. */
	advance(SEC(24));
	is_int(wire_count(&w, mark, AB, WIRE_KEEPALIVE), 0, "24 s of silence: no keepalive");
	advance(SEC(1));
	ok(wire_wait(&w, mark, AB, WIRE_KEEPALIVE, 1, 3000), "at 25 s A sends one");
	advance(SEC(25));
	ok(wire_wait(&w, mark, AB, WIRE_KEEPALIVE, 2, 3000), "and 25 s later another");
	is_int(wire_count(&w, mark, BA, WIRE_KEEPALIVE), 0, "B, without the setting, sends none");
	is_int(wire_next_deadline(&a), fake.mono_ns + SEC(25), "A's next timer is the one in 25 s");
}

/* 6.5: data sent without any answer for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT: a new handshake. */
static void test_no_reply(void)
{
	unsigned int mark = wire_mark(&w);

	wire_drop(&w, BA, ~0u);
	ok(a_to_b(3), "A sends data that B receives");
	advance(SEC(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT - 1));
	ok(wire_count(&w, mark, BA, WIRE_KEEPALIVE) == 1, "B's keepalive is lost on the way back");
	is_int(wire_count(&w, mark, AB, WIRE_INIT), 0, "after 14 s A still waits");
	advance(SEC(2));
	ok(wire_wait(&w, mark, AB, WIRE_INIT, 1, 3000),
	   "after 15 s plus jitter without an answer, A starts a new handshake");
	wire_drop(&w, BA, 0);
}

/* How many of the three keypair slots of s's peer are filled. */
static int keys_held(struct wire_side *s)
{
	struct noise_remote *r = &wire_peer(s)->noise;
	int n;

	mutex_lock(&r->keypairs_lock);
	n = !!r->previous + !!r->current + !!r->next;
	mutex_unlock(&r->keypairs_lock);
	return n;
}

/* 6.3: every key is wiped REJECT_AFTER_TIME * 3 after the last session was derived. */
static void test_zero_keys(void)
{
	unsigned long unknown = atomic_load(&b.dev->stats.rx_unknown_index);
	unsigned int mark = wire_mark(&w);
	struct peer *pa = wire_peer(&a);
	bool zeroed;

	wire_hold(&w, AB, 1, true);
	ok(a_to_b(3), "A sends data; the relay keeps a copy");
	/* B's keepalive answers it first, so A starts no handshake in the long jump. */
	advance(SEC(KEEPALIVE_TIMEOUT + 1));
	ok(wire_wait(&w, mark, BA, WIRE_KEEPALIVE, 1, 3000), "B acknowledges it with a keepalive");
	advance(SEC(REJECT_AFTER_TIME * 3 - 2 * KEEPALIVE_TIMEOUT - 2));
	ok(keys_held(&a) > 0 && keys_held(&b) > 0,
	   "539 s after the handshake both still hold keys");
	advance(SEC(2));
	is_int(keys_held(&a), 0, "at 541 s A holds no keypair");
	is_int(keys_held(&b), 0, "nor B");
	mutex_lock(&pa->noise.handshake.lock);
	zeroed = pa->noise.handshake.state == HANDSHAKE_ZEROED;
	mutex_unlock(&pa->noise.handshake.lock);
	ok(zeroed, "A's handshake state is zeroed too");
	is_int(wire_mark(&w) - mark, 2, "and nothing was sent but the data and the keepalive");
	wire_release(&w, AB, 0);
	ok(wire_read_seq(&b, 500) < 0, "the copy of the data, replayed now, is not accepted");
	ok(atomic_load(&b.dev->stats.rx_unknown_index) > unknown, "its keypair's index is gone");
}

int main(void)
{
	if (!wire_init(&fake))
		return 1;
	ok(pair_up(0), "two engines and a relay");
	session(true);
	test_rekey_after_time();
	pair_down();
	ok(pair_up(0) && session(false), "a fresh session");
	test_rekey_on_receive();
	pair_down();
	ok(pair_up(0), "two fresh engines");
	test_retries();
	pair_down();
	ok(pair_up(25) && session(false), "a fresh session, A with a 25 s persistent keepalive");
	test_persistent_keepalive();
	pair_down();
	ok(pair_up(0) && session(false), "a fresh session");
	test_no_reply();
	pair_down();
	ok(pair_up(0) && session(false), "a fresh session");
	test_zero_keys();
	pair_down();
	clock_set_source(NULL);
	return tap_done();
}
