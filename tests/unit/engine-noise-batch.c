// SPDX-License-Identifier: GPL-2.0
/*
 * The batch calls of the Noise responder: eight initiators against one
 * responder that knows them all. A batch of initiations consumed together and
 * answered together gives every initiator a session whose keys match the
 * responder's; in a mixed batch every message gets the verdict it would get
 * alone; a handshake cleared between consume and create fails alone. All of
 * it on both X25519 paths (the wide 8-lane one where the CPU has it).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "clock.h"
#include "x25519-batch.h"
#include "../lib/engine-star.h"

#define N STAR_N

static struct clock_fake fake = {.mono_ns = 1000 * NSEC_PER_SEC,
				 .wall_ns = 1700000000ULL * NSEC_PER_SEC};
static struct star_responder resp;
static struct pair_side ini[N];

static int setup(void)
{
	return star_setup(&resp, ini);
}

static void teardown(void)
{
	star_free(&resp, ini);
}

/* The initiator's new current keypair and the responder's next one have crossed keys. */
static bool sessions_match(int i)
{
	struct noise_keypair *ka = ini[i].remote.current, *kb = resp.remote[i].next;

	return ka && kb && !memcmp(ka->send_key, kb->recv_key, 32) &&
	       !memcmp(ka->recv_key, kb->send_key, 32) && ka->remote_index == kb->entry.index &&
	       kb->remote_index == ka->entry.index;
}

/* Initiator i consumes response mr and both sides begin their sessions. */
static bool finish(int i, const struct message_handshake_response *mr)
{
	struct noise_remote *r;

	return noise_begin_session(&resp.remote[i], clock_now_ns()) == 0 &&
	       noise_consume_response(&ini[i].local, mr, &r) == 0 && r == &ini[i].remote &&
	       noise_begin_session(r, clock_now_ns()) == 0 && sessions_match(i);
}

/* Creates the responses of remotes rem[0..n) as one batch; how many succeeded. */
static int respond(struct noise_remote *const rem[], struct message_handshake_response mr[],
		   int ret[], unsigned int n)
{
	struct message_handshake_response *mp[N] = {0};
	int good = 0;

	for (unsigned int i = 0; i < n; ++i)
		mp[i] = &mr[i];
	noise_create_responses(rem, mp, n, ret);
	for (unsigned int i = 0; i < n; ++i)
		good += ret[i] == 0;
	return good;
}

/* A full batch of n initiators at once, each answered and each session checked. */
static void test_full_batch(unsigned int n, const char *path)
{
	struct message_handshake_initiation mi[N];
	const struct message_handshake_initiation *mp[N];
	struct message_handshake_response mr[N];
	struct noise_remote *rem[N];
	int ret[N], bad = 0, good;

	clock_fake_advance(&fake, NSEC_PER_SEC);
	for (unsigned int i = 0; i < n; ++i) {
		if (noise_create_initiation(&ini[i].remote, &mi[i], clock_wall_ns()))
			++bad;
		mp[i] = &mi[i];
	}
	noise_consume_initiations(&resp.local, mp, n, rem, ret, clock_now_ns());
	for (unsigned int i = 0; i < n; ++i)
		bad += ret[i] != 0 || rem[i] != &resp.remote[i];
	is_int(bad, 0, "%s: a batch of %u initiations is consumed, each finding its peer", path, n);
	good = respond(rem, mr, ret, n);
	is_int(good, (int)n, "%s: the %u responses are made together", path, n);
	bad = 0;
	for (unsigned int i = 0; i < n; ++i)
		bad += !finish((int)i, &mr[i]);
	is_int(bad, 0, "%s: all %u initiators derive the responder's keys", path, n);
}

/* Makes initiator i's initiation into m, a second later on both clocks. */
static void initiation(int i, struct message_handshake_initiation *m)
{
	clock_fake_advance(&fake, NSEC_PER_SEC);
	if (noise_create_initiation(&ini[i].remote, m, clock_wall_ns()))
		diag("create_initiation failed");
}

/* Every kind of verdict in one batch, each the same as alone. */
static void test_mixed_batch(const char *path)
{
	struct message_handshake_initiation mi[6], old;
	const struct message_handshake_initiation *mp[6] = {&old};
	struct noise_remote *rem[6];
	struct pair_side stranger;
	int ret[6];

	initiation(2, &old);
	noise_consume_initiations(&resp.local, mp, 1, rem, ret, clock_now_ns());
	initiation(0, &mi[0]);
	initiation(1, &mi[1]);
	mi[1].encrypted_static[5] ^= 1;
	pair_keys(&stranger);
	if (pair_init(&stranger, resp.pub, NULL, &resp))
		diag("pair_init failed");
	if (noise_create_initiation(&stranger.remote, &mi[2], clock_wall_ns()))
		diag("create_initiation failed");
	mi[3] = old;
	initiation(4, &mi[4]);
	/* An ephemeral of small order (0): the es DH is all zeros. */
	memset(mi[4].unencrypted_ephemeral, 0, 32);
	initiation(5, &mi[5]);
	for (int i = 0; i < 6; ++i)
		mp[i] = &mi[i];
	noise_consume_initiations(&resp.local, mp, 6, rem, ret, clock_now_ns());
	ok(ret[0] == 0 && rem[0] == &resp.remote[0], "%s: a good initiation passes", path);
	ok(ret[1] == -EINVAL && !rem[1], "%s: beside it a flipped bit fails (-EINVAL)", path);
	ok(ret[2] == -ENOENT && !rem[2], "%s: a stranger's is refused (-ENOENT)", path);
	ok(ret[3] == -EALREADY && !rem[3], "%s: a replay is refused (-EALREADY)", path);
	ok(ret[4] == -EINVAL && !rem[4], "%s: a small-order ephemeral fails (-EINVAL)", path);
	ok(ret[5] == 0 && rem[5] == &resp.remote[5], "%s: the last good one passes", path);
	pair_free(&stranger);
}

/* Two initiations of one peer in a batch: the second is a flood (-EBUSY), as alone. */
static void test_same_peer_twice(const char *path)
{
	struct message_handshake_initiation mi[2];
	const struct message_handshake_initiation *mp[2] = {&mi[0], &mi[1]};
	struct noise_remote *rem[2];
	int ret[2];

	initiation(3, &mi[0]);
	/* A newer timestamp, but no time passed for the flood guard. */
	fake.wall_ns += NSEC_PER_SEC;
	if (noise_create_initiation(&ini[3].remote, &mi[1], clock_wall_ns()))
		diag("create_initiation failed");
	noise_consume_initiations(&resp.local, mp, 2, rem, ret, clock_now_ns());
	ok(ret[0] == 0 && ret[1] == -EBUSY, "%s: the same peer twice in a batch: 0 then -EBUSY",
	   path);
}

/* A handshake cleared between consume and create fails alone; the others go on. */
static void test_cleared_between(const char *path)
{
	struct message_handshake_initiation mi[3];
	const struct message_handshake_initiation *mp[3] = {&mi[0], &mi[1], &mi[2]};
	struct message_handshake_response mr[3];
	struct noise_remote *rem[3];
	int ret[3];

	for (int i = 0; i < 3; ++i)
		initiation(i, &mi[i]);
	noise_consume_initiations(&resp.local, mp, 3, rem, ret, clock_now_ns());
	if (ret[0] || ret[1] || ret[2])
		diag("consume failed");
	noise_handshake_clear(&resp.remote[1]);
	respond(rem, mr, ret, 3);
	ok(ret[0] == 0 && ret[1] == -EINVAL && ret[2] == 0,
	   "%s: a handshake cleared before the response fails alone", path);
	ok(finish(0, &mr[0]) && finish(2, &mr[2]), "%s: its neighbours still complete", path);
}

static void run(bool wide)
{
	const char *path;

	x25519_batch_use_wide(wide);
	path = x25519_batch_is_wide() ? "wide" : "portable";
	if (wide && !x25519_batch_is_wide())
		diag("no wide X25519 here: the portable path twice");
	if (setup()) {
		ok(false, "%s: setup", path);
		return;
	}
	for (unsigned int n = 1; n <= N; ++n)
		test_full_batch(n, path);
	test_mixed_batch(path);
	test_same_peer_twice(path);
	test_cleared_between(path);
	teardown();
}

int main(void)
{
	if (noise_init())
		return 1;
	clock_fake_install(&fake);
	run(true);
	run(false);
	return tap_done();
}
