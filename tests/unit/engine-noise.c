// SPDX-License-Identifier: GPL-2.0
/*
 * Two Noise peers in one process: handshakes with and without a PSK derive
 * matching keypairs (checked by sealing with one side's send key and opening
 * with the other's receive key through libsodium), replayed, older and
 * flooding initiations are refused, a wrong PSK fails, and the keypair slots
 * rotate as the whitepaper says.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "clock.h"
#include "../lib/engine-pair.h"

static struct pair_side a, b;
static struct clock_fake fake = {.mono_ns = 1000 * NSEC_PER_SEC,
				 .wall_ns = 1700000000ULL * NSEC_PER_SEC};

static void setup(const uint8_t *psk_a, const uint8_t *psk_b)
{
	if (pair_init(&a, b.pub, psk_a, &b) || pair_init(&b, a.pub, psk_b, &a))
		diag("pair_init failed");
}

static void teardown(void)
{
	pair_free(&a);
	pair_free(&b);
}

/* Seals with one key, opens with the other: true if they are the same key. */
static bool keys_match(const uint8_t *send_key, const uint8_t *recv_key, uint64_t counter)
{
	static const char msg[] = "a packet of data through the tunnel";
	uint8_t ct[sizeof(msg) + 16], pt[sizeof(msg)], nonce[12] = {0};
	unsigned long long len;

	for (int i = 0; i < 8; ++i)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
	crypto_aead_chacha20poly1305_ietf_encrypt(ct, NULL, (const uint8_t *)msg, sizeof(msg), NULL,
						  0, NULL, nonce, send_key);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(pt, &len, NULL, ct, sizeof(ct), NULL, 0,
						      nonce, recv_key))
		return false;
	return len == sizeof(msg) && !memcmp(pt, msg, sizeof(msg));
}

static void test_handshake(const uint8_t *psk, const char *what)
{
	struct noise_keypair *ka, *kb;
	struct index_entry *e;

	setup(psk, psk);
	is_int(pair_handshake(&a, &b), 0, "%s: handshake completes", what);
	ka = a.remote.current;
	kb = b.remote.next;
	ok(ka && kb && ka->is_initiator && !kb->is_initiator,
	   "%s: initiator's keypair is current, responder's waits in next", what);
	if (!ka || !kb)
		goto out;
	ok(!b.remote.current, "%s: responder has no current keypair before confirmation", what);
	ok(keys_match(ka->send_key, kb->recv_key, 0), "%s: initiator->responder keys match", what);
	ok(keys_match(kb->send_key, ka->recv_key, 7), "%s: responder->initiator keys match", what);
	ok(!keys_match(ka->send_key, ka->recv_key, 0), "%s: the two directions differ", what);
	ok(ka->remote_index == kb->entry.index && kb->remote_index == ka->entry.index,
	   "%s: each side knows the other's receiver index", what);
	e = index_lookup(b.table, ka->remote_index, INDEX_KEYPAIR);
	ok(e == &kb->entry && e->peer == &a, "%s: responder's index table finds its keypair", what);
	noise_keypair_put(kb);
	ok(!index_lookup(b.table, ka->remote_index, INDEX_HANDSHAKE), "%s: lookup filters by kind",
	   what);
	ok(noise_received_with_keypair(&b.remote, kb) && b.remote.current == kb && !b.remote.next,
	   "%s: first data confirms the responder's keypair", what);
	ok(!noise_received_with_keypair(&b.remote, kb), "%s: confirmation happens once", what);
out:
	teardown();
}

static void test_wrong_psk(void)
{
	uint8_t psk1[32], psk2[32];

	memset(psk1, 0x11, 32);
	memset(psk2, 0x22, 32);
	setup(psk1, psk2);
	is_int(pair_handshake(&a, &b), -EINVAL,
	       "a wrong PSK fails at the initiator's consume_response");
	ok(!a.remote.current, "no keypair for the initiator");
	teardown();
	setup(psk1, NULL);
	is_int(pair_handshake(&a, &b), -EINVAL, "a PSK on one side only fails");
	teardown();
}

static void test_replay_and_flood(void)
{
	struct message_handshake_initiation m1, m2, m3;
	struct noise_remote *r;

	setup(NULL, NULL);
	ok(!noise_create_initiation(&a.remote, &m1, clock_wall_ns()), "first initiation");
	clock_fake_advance(&fake, NSEC_PER_SEC);
	ok(!noise_create_initiation(&a.remote, &m2, clock_wall_ns()),
	   "second initiation, a second later");
	clock_fake_advance(&fake, NSEC_PER_SEC);
	ok(!noise_create_initiation(&a.remote, &m3, clock_wall_ns()),
	   "third initiation, a second later");
	is_int(noise_consume_initiation(&b.local, &m2, &r, clock_now_ns()), 0,
	       "the second is consumed");
	ok(r == NULL || r == &b.remote, "and found the peer");
	clock_fake_advance(&fake, NSEC_PER_SEC);
	is_int(noise_consume_initiation(&b.local, &m2, &r, clock_now_ns()), -EALREADY,
	       "replaying it is refused");
	is_int(noise_consume_initiation(&b.local, &m1, &r, clock_now_ns()), -EALREADY,
	       "an older timestamp is refused");
	ok(r == NULL, "no peer returned on refusal");
	/* Newer timestamp, but only 10 ms after the last consumed initiation. */
	is_int(noise_consume_initiation(&b.local, &m3, &r, clock_now_ns()), 0,
	       "a newer one is consumed");
	m1 = m3;
	clock_fake_advance(&fake, NSEC_PER_SEC);
	ok(!noise_create_initiation(&a.remote, &m3, clock_wall_ns()), "a fourth initiation");
	fake.mono_ns -= NSEC_PER_SEC - 10 * NSEC_PER_MSEC;
	is_int(noise_consume_initiation(&b.local, &m3, &r, clock_now_ns()), -EBUSY,
	       "an initiation 10 ms after the last is a flood");
	fake.mono_ns += 20 * NSEC_PER_MSEC;
	is_int(noise_consume_initiation(&b.local, &m3, &r, clock_now_ns()), 0,
	       "accepted 30 ms after the last");
	teardown();
}

static void test_bad_input(void)
{
	struct message_handshake_initiation mi;
	struct message_handshake_response mr;
	struct noise_remote *r;
	struct pair_side c;

	setup(NULL, NULL);
	ok(!noise_create_initiation(&a.remote, &mi, clock_wall_ns()), "initiation");
	is_int(le32toh(mi.header.type), MESSAGE_HANDSHAKE_INITIATION, "type 1");
	mi.encrypted_static[3] ^= 1;
	is_int(noise_consume_initiation(&b.local, &mi, &r, clock_now_ns()), -EINVAL,
	       "a flipped bit fails");
	mi.encrypted_static[3] ^= 1;
	/* A third party b does not know: its static key decrypts but finds no peer. */
	pair_keys(&c);
	if (pair_init(&c, b.pub, NULL, &b))
		diag("pair_init failed");
	ok(!noise_create_initiation(&c.remote, &mi, clock_wall_ns()), "a stranger's initiation");
	is_int(noise_consume_initiation(&b.local, &mi, &r, clock_now_ns()), -ENOENT,
	       "unknown peers are refused");
	pair_free(&c);
	is_int(noise_create_response(&b.remote, &mr), -EINVAL, "no response without an initiation");
	is_int(noise_begin_session(&b.remote, clock_now_ns()), -EINVAL,
	       "no session without a handshake");
	memset(&mr, 0, sizeof(mr));
	is_int(noise_consume_response(&a.local, &mr, &r), -ENOENT, "a response to no index");
	teardown();
}

static void test_rotation(void)
{
	struct noise_keypair *k1, *k2, *k3, *kb;
	uint64_t c = 99;

	setup(NULL, NULL);
	pair_handshake(&a, &b);
	k1 = a.remote.current;
	noise_received_with_keypair(&b.remote, b.remote.next);
	clock_fake_advance(&fake, NSEC_PER_SEC);
	is_int(pair_handshake(&a, &b), 0, "a second handshake");
	k2 = a.remote.current;
	ok(k2 != k1 && a.remote.previous == k1, "initiator: new current, old current is previous");
	kb = b.remote.next;
	ok(kb && b.remote.current && !b.remote.previous,
	   "responder: new keypair in next, current kept, previous dropped");
	clock_fake_advance(&fake, NSEC_PER_SEC);
	is_int(pair_handshake(&b, &a), 0, "a handshake the other way");
	ok(b.remote.current && b.remote.previous == kb && b.remote.current->is_initiator,
	   "initiator with a pending next: next becomes previous");
	k3 = a.remote.next;
	ok(k3 && a.remote.current == k2 && !a.remote.previous, "responder: k1 dropped");
	ok(noise_keypair_next_counter(k2, &c) && c == 0, "first nonce is 0");
	ok(noise_keypair_next_counter(k2, &c) && c == 1, "second nonce is 1");
	ok(noise_keypair_check_counter(k2, 5) && !noise_keypair_check_counter(k2, 5),
	   "a received counter is accepted once");
	is_int(index_count(a.table), 2, "initiator's table holds its two keypairs");
	noise_keypairs_clear(&a.remote);
	is_int(index_count(a.table), 0, "clearing keypairs empties the index table");
	ok(!noise_keypair_current_get(&a.remote), "no current keypair after clearing");
	teardown();
}

static void test_expiry(void)
{
	struct noise_keypair *ka, *kb;
	uint64_t now, c;

	setup(NULL, NULL);
	pair_handshake(&a, &b);
	ka = noise_keypair_current_get(&a.remote);
	kb = b.remote.next;
	now = clock_now_ns();
	ok(noise_keypair_can_send(ka, now) && !noise_keypair_wants_rekey_send(ka, now),
	   "fresh keypair sends without rekey");
	now += REKEY_AFTER_TIME * NSEC_PER_SEC;
	ok(noise_keypair_wants_rekey_send(ka, now) && !noise_keypair_wants_rekey_send(kb, now),
	   "after REKEY_AFTER_TIME the initiator (only) wants a rekey");
	now =
	    ka->birthdate + (REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT) * NSEC_PER_SEC;
	ok(noise_keypair_wants_rekey_receive(ka, now) &&
	       !noise_keypair_wants_rekey_receive(ka, now - 1),
	   "rekey on receive at REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT");
	now = ka->birthdate + REJECT_AFTER_TIME * NSEC_PER_SEC;
	ok(!noise_keypair_can_send(ka, now) && !noise_keypair_can_receive(ka, now) &&
	       noise_keypair_can_send(ka, now - 1),
	   "keys are rejected at REJECT_AFTER_TIME");
	atomic_store(&ka->send_counter, REJECT_AFTER_MESSAGES - 1);
	ok(noise_keypair_next_counter(ka, &c) && c == REJECT_AFTER_MESSAGES - 1,
	   "the last nonce below REJECT_AFTER_MESSAGES is usable");
	ok(!noise_keypair_next_counter(ka, &c), "then the keypair stops sending");
	noise_keypair_put(ka);
	noise_keypairs_expire_current(&b.remote);
	ok(!atomic_load(&kb->can_send), "expire_current stops sending on next");
	teardown();
}

/* Garbage from the network never crashes and never passes. */
static void test_garbage(void)
{
	struct message_handshake_initiation mi, good;
	struct message_handshake_response mr;
	struct noise_remote *r;
	int i, passed = 0;

	setup(NULL, NULL);
	ok(!noise_create_initiation(&a.remote, &good, clock_wall_ns()),
	   "an initiation to aim responses at");
	for (i = 0; i < 500; ++i) {
		randombytes_buf(&mi, sizeof(mi));
		passed += noise_consume_initiation(&b.local, &mi, &r, clock_now_ns()) != -EINVAL;
		randombytes_buf(&mr, sizeof(mr));
		if (i % 2)
			mr.receiver_index = good.sender_index;
		passed += noise_consume_response(&a.local, &mr, &r) == 0;
	}
	is_int(passed, 0, "1000 random handshake messages are all refused");
	teardown();
}

int main(void)
{
	uint8_t psk[32];

	if (noise_init())
		return 1;
	clock_fake_install(&fake);
	pair_keys(&a);
	pair_keys(&b);
	test_handshake(NULL, "no PSK");
	randombytes_buf(psk, sizeof(psk));
	test_handshake(psk, "PSK");
	test_wrong_psk();
	test_replay_and_flood();
	test_bad_input();
	test_rotation();
	test_expiry();
	test_garbage();
	return tap_done();
}
