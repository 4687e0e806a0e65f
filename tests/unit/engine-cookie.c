// SPDX-License-Identifier: GPL-2.0
/*
 * mac1, mac2 and cookie replies: mac1 computed independently from the
 * whitepaper's definition, a wrong mac1 dropped, under load a message without
 * mac2 answered with a cookie reply that the initiator consumes so its retried
 * message passes, cookies bound to the source address and expiring with the
 * secret, and the rate limit under load.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "blake2s.h"
#include "clock.h"
#include "cookie.h"
#include "ratelimiter.h"

static struct clock_fake fake = {.mono_ns = 500 * NSEC_PER_SEC, .wall_ns = 1};
static struct cookie_checker checker;
static struct cookie_maker maker;
static uint8_t pub[32];
static struct sockaddr_in src4;
static struct sockaddr_in6 src6;

static void new_initiation(struct message_handshake_initiation *m)
{
	randombytes_buf(m, sizeof(*m));
	m->header.type = htole32(MESSAGE_HANDSHAKE_INITIATION);
	m->sender_index = htole32(0x1234);
}

static enum cookie_verdict check(const void *m, size_t len, const void *src, bool load)
{
	return cookie_checker_validate(&checker, m, len, src, load, NULL, clock_now_ns());
}

static void test_mac1(void)
{
	struct message_handshake_initiation m;
	struct message_handshake_response r;
	uint8_t key[32], want[16], buf[40];

	new_initiation(&m);
	cookie_maker_add_macs(&maker, &m, sizeof(m), clock_now_ns());
	/* mac1 = MAC(HASH("mac1----" || S_pub), msg_alpha) */
	memcpy(buf, "mac1----", 8);
	memcpy(buf + 8, pub, 32);
	blake2s(key, 32, buf, 40, NULL, 0);
	blake2s(want, 16, &m, offsetof(struct message_handshake_initiation, macs), key, 32);
	is_mem(m.macs.mac1, want, 16, "mac1 follows the whitepaper's definition");
	ok(sodium_is_zero(m.macs.mac2, 16), "mac2 is zero without a cookie");
	is_int(check(&m, sizeof(m), &src4, false), COOKIE_ACCEPT, "valid mac1, no load: accept");
	is_int(check(&m, sizeof(m) - 1, &src4, false), COOKIE_DROP, "wrong length: drop");
	m.macs.mac1[5] ^= 0x40;
	is_int(check(&m, sizeof(m), &src4, false), COOKIE_DROP, "wrong mac1: drop");
	is_int(check(&m, sizeof(m), &src4, true), COOKIE_DROP, "wrong mac1 under load: drop");
	m.macs.mac1[5] ^= 0x40;
	m.encrypted_static[0] ^= 1;
	is_int(check(&m, sizeof(m), &src4, false), COOKIE_DROP, "a changed body breaks mac1");
	randombytes_buf(&r, sizeof(r));
	r.header.type = htole32(MESSAGE_HANDSHAKE_RESPONSE);
	cookie_maker_add_macs(&maker, &r, sizeof(r), clock_now_ns());
	is_int(check(&r, sizeof(r), &src6, false), COOKIE_ACCEPT, "responses carry mac1 too");
}

/* Under load: no mac2 -> reply; consume; retry passes. Returns the reply. */
static void test_cookie_round_trip(void)
{
	struct message_handshake_initiation m;
	struct message_handshake_cookie reply;

	new_initiation(&m);
	cookie_maker_add_macs(&maker, &m, sizeof(m), clock_now_ns());
	is_int(check(&m, sizeof(m), &src4, true), COOKIE_SEND_REPLY,
	       "under load without mac2: send a cookie reply");
	is_int(cookie_reply_create(&checker, &reply, &m, sizeof(m), 0x1234, (void *)&src4,
				   clock_now_ns()),
	       0, "reply created");
	is_int(le32toh(reply.header.type), MESSAGE_HANDSHAKE_COOKIE, "reply is type 3");
	is_int(le32toh(reply.receiver_index), 0x1234, "reply goes to the sender's index");
	reply.encrypted_cookie[2] ^= 1;
	ok(cookie_reply_consume(&maker, &reply, clock_now_ns()) < 0, "a tampered reply is refused");
	reply.encrypted_cookie[2] ^= 1;
	is_int(cookie_reply_consume(&maker, &reply, clock_now_ns()), 0,
	       "the initiator consumes the reply");
	ok(cookie_reply_consume(&maker, &reply, clock_now_ns()) < 0, "a second copy is refused");
	new_initiation(&m);
	cookie_maker_add_macs(&maker, &m, sizeof(m), clock_now_ns());
	ok(!sodium_is_zero(m.macs.mac2, 16), "the retried initiation carries mac2");
	is_int(check(&m, sizeof(m), &src4, true), COOKIE_ACCEPT, "and passes under load");
	src4.sin_port = htons(51821);
	is_int(check(&m, sizeof(m), &src4, true), COOKIE_SEND_REPLY,
	       "the cookie does not work from another port");
	src4.sin_port = htons(51820);
	is_int(check(&m, sizeof(m), &src6, true), COOKIE_SEND_REPLY, "nor from another address");
}

static void test_reply_binding(void)
{
	struct message_handshake_initiation m1, m2;
	struct message_handshake_cookie reply;

	new_initiation(&m1);
	cookie_maker_add_macs(&maker, &m1, sizeof(m1), clock_now_ns());
	new_initiation(&m2);
	cookie_maker_add_macs(&maker, &m2, sizeof(m2), clock_now_ns());
	ok(!cookie_reply_create(&checker, &reply, &m1, sizeof(m1), 1, (void *)&src6,
				clock_now_ns()),
	   "reply to m1");
	ok(cookie_reply_consume(&maker, &reply, clock_now_ns()) < 0,
	   "a reply to an earlier message (other mac1) is refused");
}

static void test_expiry(void)
{
	struct message_handshake_initiation m;
	struct message_handshake_cookie reply;
	uint64_t cookie_time;

	/* Start with a fresh secret, as it rotates every COOKIE_SECRET_MAX_AGE. */
	clock_fake_advance(&fake, COOKIE_SECRET_MAX_AGE * NSEC_PER_SEC);
	new_initiation(&m);
	cookie_maker_add_macs(&maker, &m, sizeof(m), clock_now_ns());
	ok(!cookie_reply_create(&checker, &reply, &m, sizeof(m), 1, (void *)&src6,
				clock_now_ns()) &&
	       !cookie_reply_consume(&maker, &reply, clock_now_ns()),
	   "a fresh cookie from IPv6");
	cookie_time = fake.mono_ns;
	fake.mono_ns =
	    cookie_time + (COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY) * NSEC_PER_SEC - 1;
	new_initiation(&m);
	cookie_maker_add_macs(&maker, &m, sizeof(m), clock_now_ns());
	ok(!sodium_is_zero(m.macs.mac2, 16), "mac2 still sent just before MAX_AGE - LATENCY");
	is_int(check(&m, sizeof(m), &src6, true), COOKIE_ACCEPT, "and still accepted");
	fake.mono_ns = cookie_time + COOKIE_SECRET_MAX_AGE * NSEC_PER_SEC;
	is_int(check(&m, sizeof(m), &src6, true), COOKIE_SEND_REPLY,
	       "once the secret is COOKIE_SECRET_MAX_AGE old, old cookies fail");
	fake.mono_ns = cookie_time + (COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY) * NSEC_PER_SEC;
	new_initiation(&m);
	cookie_maker_add_macs(&maker, &m, sizeof(m), clock_now_ns());
	ok(sodium_is_zero(m.macs.mac2, 16), "the initiator stops using it at MAX_AGE - LATENCY");
}

static void test_ratelimited(void)
{
	struct message_handshake_initiation m;
	struct message_handshake_cookie reply;
	struct ratelimiter *rl = ratelimiter_new(16);
	int i, accepted = 0;

	new_initiation(&m);
	cookie_maker_add_macs(&maker, &m, sizeof(m), clock_now_ns());
	ok(!cookie_reply_create(&checker, &reply, &m, sizeof(m), 1, (void *)&src4,
				clock_now_ns()) &&
	       !cookie_reply_consume(&maker, &reply, clock_now_ns()),
	   "a cookie");
	new_initiation(&m);
	cookie_maker_add_macs(&maker, &m, sizeof(m), clock_now_ns());
	for (i = 0; i < 10; ++i)
		accepted += cookie_checker_validate(&checker, &m, sizeof(m), (void *)&src4, true,
						    rl, clock_now_ns()) == COOKIE_ACCEPT;
	is_int(accepted, RATELIMITER_PACKETS_BURST, "under load, a burst passes with mac2");
	is_int(cookie_checker_validate(&checker, &m, sizeof(m), (void *)&src4, true, rl,
				       clock_now_ns()),
	       COOKIE_RATELIMITED, "then the source is rate limited");
	is_int(cookie_checker_validate(&checker, &m, sizeof(m), (void *)&src4, false, rl,
				       clock_now_ns()),
	       COOKIE_ACCEPT, "without load there is no limit");
	ratelimiter_free(rl);
}

int main(void)
{
	uint8_t priv[32];

	if (sodium_init() < 0)
		return 1;
	clock_fake_install(&fake);
	crypto_box_keypair(pub, priv);
	src4.sin_family = AF_INET;
	src4.sin_port = htons(51820);
	inet_pton(AF_INET, "192.0.2.7", &src4.sin_addr);
	src6.sin6_family = AF_INET6;
	src6.sin6_port = htons(51820);
	inet_pton(AF_INET6, "2001:db8::7", &src6.sin6_addr);
	if (cookie_checker_init(&checker) || cookie_maker_init(&maker, pub))
		return 1;
	is_int(check(&(struct message_handshake_initiation){0}, 148, &src4, false), COOKIE_DROP,
	       "no keys yet: everything drops");
	cookie_checker_precompute(&checker, pub);
	test_mac1();
	test_cookie_round_trip();
	test_reply_binding();
	test_expiry();
	test_ratelimited();
	cookie_maker_free(&maker);
	cookie_checker_free(&checker);
	return tap_done();
}
