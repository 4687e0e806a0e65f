// SPDX-License-Identifier: GPL-2.0
/*
 * Keys that may no longer be used, at the device level on a fake clock: with
 * every handshake blocked on the wire, a session carries data both ways until
 * REJECT_AFTER_TIME (180 s) and none after it, in either direction, even for
 * packets sealed early and delivered late; and a keypair whose counter reached
 * REJECT_AFTER_MESSAGES sends nothing more (its packets wait for a new
 * handshake) and refuses the counters still inside its window.
 */
#include <endian.h>
#include <stdio.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "aead.h"
#include "engine-wire.h"

static struct clock_fake fake;
static struct wire w;
static struct wire_side a, b;

static bool a_to_b(unsigned int seq, int ms)
{
	return wire_through(&a, &b, A_IP, B_IP, seq, ms);
}

static bool b_to_a(unsigned int seq, int ms)
{
	return wire_through(&b, &a, B_IP, A_IP, seq, ms);
}

/* Waits until the relay holds n data messages back in direction dir. */
static bool held(int dir, unsigned int n)
{
	for (int i = 0; i < 600; ++i) {
		pthread_mutex_lock(&w.lock);
		unsigned int got = w.n_held[dir];

		pthread_mutex_unlock(&w.lock);
		if (got >= n)
			return true;
		usleep(5000);
	}
	return false;
}

/* A session, then two A->B packets and one B->A packet sealed now but held back. */
static void start_session(void)
{
	ok(a_to_b(1, 3000), "the first packet arrives after a handshake");
	ok(b_to_a(2, 3000), "and the answer");
	wire_hold(&w, AB, 2, false);
	wire_write(&a, A_IP, B_IP, 3);
	wire_write(&a, A_IP, B_IP, 4);
	ok(held(AB, 2), "two A->B packets sealed at the start are held back on the wire");
	wire_hold(&w, BA, 1, false);
	wire_write(&b, B_IP, A_IP, 5);
	ok(held(BA, 1), "and one B->A packet");
	ok(a_to_b(6, 3000), "a later packet still arrives");
	wire_drop(&w, AB, WIRE_HANDSHAKES);
	wire_drop(&w, BA, WIRE_HANDSHAKES);
}

static void test_before_expiry(void)
{
	unsigned int mark = wire_mark(&w);

	wire_advance(&w, &fake, &a, &b, SEC(170));
	ok(a_to_b(7, 3000), "170 s in, with handshakes blocked, A still reaches B");
	ok(b_to_a(8, 3000), "and B reaches A");
	ok(wire_count(&w, mark, AB, WIRE_INIT) >= 1,
	   "A, the initiator, asked for new keys on the wire (rekey after 120 s)");
	wire_release(&w, AB, 0);
	ok(wire_read(&b, A_IP, B_IP, 3, 3000), "a packet held back 170 s is still accepted");
}

/*
 * Moves the clock from one timer deadline to the next until data crosses both
 * ways again. Both sides are waiting to send, so both initiate: when their
 * initiations cross, each consumes the other's and drops its own, and neither
 * response is accepted (as in Linux); the next retry, REKEY_TIMEOUT plus
 * jitter later, settles it. Stepping to each deadline lets the two retries
 * come apart by their jitter, as they do in real time, where one big step
 * would fire both at once and cross them again.
 */
static void unblocked_handshake(unsigned int mark)
{
	for (int i = 0; i < 40; ++i) {
		uint64_t da = wire_next_deadline(&a), db = wire_next_deadline(&b);
		uint64_t due = !da ? db : !db ? da : da < db ? da : db;

		if (wire_count(&w, mark, AB, WIRE_DATA) && wire_count(&w, mark, BA, WIRE_DATA))
			return;
		if (!due)
			return;
		wire_advance(&w, &fake, &a, &b, due > fake.mono_ns ? due - fake.mono_ns : 0);
	}
}

static void test_after_expiry(void)
{
	unsigned long expired_b = atomic_load(&b.dev->stats.rx_expired_key);
	unsigned long expired_a = atomic_load(&a.dev->stats.rx_expired_key);
	unsigned int mark;

	wire_advance(&w, &fake, &a, &b, SEC(11));
	mark = wire_mark(&w);
	ok(!a_to_b(9, 500), "181 s in, A's packet does not arrive");
	ok(!b_to_a(10, 500), "nor B's");
	is_int(wire_count(&w, mark, AB, WIRE_DATA) + wire_count(&w, mark, BA, WIRE_DATA), 0,
	       "neither side sealed data under the expired keypair");
	wire_release(&w, AB, 1);
	ok(!wire_read(&b, A_IP, B_IP, 4, 500),
	   "B refuses an A packet sealed at 0 s, delivered late");
	ok(atomic_load(&b.dev->stats.rx_expired_key) > expired_b, "and counts it as expired");
	wire_release(&w, BA, 0);
	ok(!wire_read(&a, B_IP, A_IP, 5, 500),
	   "A refuses a B packet sealed at 0 s, delivered late");
	ok(atomic_load(&a.dev->stats.rx_expired_key) > expired_a, "and counts it as expired");
	wire_drop(&w, AB, 0);
	wire_drop(&w, BA, 0);
	unblocked_handshake(mark);
	ok(wire_read(&b, A_IP, B_IP, 9, 3000), "with handshakes unblocked, A's waiting packet "
					       "arrives under new keys");
	ok(wire_read(&a, B_IP, A_IP, 10, 3000), "and so does B's");
}

/* A data message under kp with counter ctr carrying the packet numbered seq. */
static size_t seal(uint8_t *out, struct noise_keypair *kp, uint64_t ctr, unsigned int seq)
{
	uint32_t type = htole32(MESSAGE_DATA), idx = htole32(kp->remote_index);
	uint64_t c = htole64(ctr);
	size_t len = wire_packet(out + 16, A_IP, B_IP, seq, 64);
	size_t padded = (len + 15) & ~(size_t)15;

	memset(out + 16 + len, 0, padded - len);
	memcpy(out, &type, 4);
	memcpy(out + 4, &idx, 4);
	memcpy(out + 8, &c, 8);
	aead_seal(out + 16, out + 16, padded, ctr, kp->send_key);
	return 16 + padded + AEAD_TAG_LEN;
}

static void test_counter_limit(void)
{
	struct noise_keypair *kp = noise_keypair_current_get(&wire_peer(&a)->noise);
	uint8_t msg[256];
	unsigned int mark;

	if (!ok(kp != NULL, "A has a current keypair"))
		return;
	/* Past REKEY_TIMEOUT since the last initiation, so A may send the next at once. */
	wire_advance(&w, &fake, &a, &b, SEC(REKEY_TIMEOUT + 1));
	wire_drop(&w, AB, WIRE_HANDSHAKES);
	mark = wire_mark(&w);
	atomic_store(&kp->send_counter, REJECT_AFTER_MESSAGES - 1);
	ok(a_to_b(11, 3000), "the last counter a keypair may use (2^64 - 2^13 - 2) is accepted");
	ok(wire_wait(&w, mark, AB, WIRE_INIT, 1, 3000),
	   "A asked for new keys on the wire (counter above REKEY_AFTER_MESSAGES)");
	ok(!a_to_b(12, 500), "with that handshake blocked, the next packet does not leave");
	is_int(wire_count(&w, mark, AB, WIRE_DATA), 1,
	       "the used-up keypair sealed nothing after its last counter");
	wire_drop(&w, AB, 0);
	wire_advance(&w, &fake, &a, &b, SEC(REKEY_TIMEOUT + 1));
	ok(wire_read(&b, A_IP, B_IP, 12, 3000), "it waited, and arrives after the next handshake");
	wire_inject(&w, AB, msg, seal(msg, kp, REJECT_AFTER_MESSAGES - 5, 13));
	ok(!wire_read(&b, A_IP, B_IP, 13, 500),
	   "B refuses an unseen counter inside the window of a used-up keypair");
	wire_inject(&w, AB, msg, seal(msg, kp, REJECT_AFTER_MESSAGES, 14));
	ok(!wire_read(&b, A_IP, B_IP, 14, 500), "and the counter REJECT_AFTER_MESSAGES itself");
	noise_keypair_put(kp);
}

int main(void)
{
	if (!wire_init(&fake))
		return 1;
	is_int(wire_side_up(&a, "ecxa"), 0, "engine A starts");
	is_int(wire_side_up(&b, "ecxb"), 0, "engine B starts");
	is_int(wire_start(&w, &fake, b.dev->udp.port), 0, "the relay starts");
	is_int(wire_side_config(&a, &b, B_IP, w.port_a, 0), 0, "A reaches B through the relay");
	is_int(wire_side_config(&b, &a, A_IP, 0, 0), 0, "B knows A, without an endpoint");
	start_session();
	test_before_expiry();
	test_after_expiry();
	test_counter_limit();
	wire_side_down(&a);
	wire_side_down(&b);
	wire_stop(&w);
	clock_set_source(NULL);
	return tap_done();
}
