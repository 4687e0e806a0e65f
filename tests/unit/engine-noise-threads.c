// SPDX-License-Identifier: GPL-2.0
/*
 * Keypair lifetimes under threads, as the device uses them: workers look
 * keypairs up by receiver index (taking references), check counters, confirm
 * next keypairs and send with the current one, while the main thread runs
 * handshakes that rotate and drop keypairs. ASan (make check) catches any
 * use after free; the counts show the workers really raced the rotations.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sodium.h>
#include "../lib/tap.h"
#include "clock.h"
#include "../lib/engine-pair.h"

#define HANDSHAKES 150

static struct pair_side a, b;
static struct clock_fake fake = {100 * NSEC_PER_SEC, 1600000000ULL * NSEC_PER_SEC};
static atomic_uint published_index;
static atomic_bool done;
static atomic_long found, confirmed, sent;

/* What a receive worker does with one data packet for B. */
static void receive_one(uint64_t counter)
{
	struct index_entry *e = index_lookup(b.table, atomic_load(&published_index), INDEX_KEYPAIR);
	struct noise_keypair *kp;
	uint8_t key_copy[32];

	if (!e)
		return;
	kp = (struct noise_keypair *)e;
	memcpy(key_copy, kp->recv_key, sizeof(key_copy));
	if (noise_keypair_check_counter(kp, counter))
		atomic_fetch_add(&found, 1);
	if (noise_received_with_keypair(&b.remote, kp))
		atomic_fetch_add(&confirmed, 1);
	noise_keypair_put(kp);
}

/* What a send worker does for A. */
static void send_one(void)
{
	struct noise_keypair *kp = noise_keypair_current_get(&a.remote);
	uint64_t c;

	if (!kp)
		return;
	if (noise_keypair_next_counter(kp, &c))
		atomic_fetch_add(&sent, 1);
	noise_keypair_put(kp);
}

static void *worker(void *arg)
{
	uint64_t counter = 0;

	(void)arg;
	while (!atomic_load(&done)) {
		receive_one(counter++);
		send_one();
	}
	return NULL;
}

int main(void)
{
	pthread_t th[2];
	int i, failures = 0;

	if (noise_init())
		return 1;
	clock_fake_install(&fake);
	if (pair_setup(&a, &b))
		return 1;
	for (i = 0; i < 2; ++i)
		pthread_create(&th[i], NULL, worker, NULL);
	for (i = 0; i < HANDSHAKES; ++i) {
		/* Mostly A initiates (B's keypairs wait in next), sometimes B does. */
		clock_fake_advance(&fake, NSEC_PER_SEC);
		failures += pair_handshake(i % 5 ? &a : &b, i % 5 ? &b : &a) != 0;
		if (a.remote.current)
			atomic_store(&published_index, a.remote.current->remote_index);
	}
	atomic_store(&done, true);
	for (i = 0; i < 2; ++i)
		pthread_join(th[i], NULL);
	is_int(failures, 0, "%d handshakes while workers use the keypairs", HANDSHAKES);
	ok(atomic_load(&found) > 0 && atomic_load(&sent) > 0,
	   "workers received (%ld) and sent (%ld) meanwhile", atomic_load(&found),
	   atomic_load(&sent));
	ok(atomic_load(&confirmed) > 0, "and confirmed responder keypairs (%ld)",
	   atomic_load(&confirmed));
	ok(index_count(b.table) <= 3 && index_count(a.table) <= 3,
	   "rotated-out keypairs left the index tables");
	noise_remote_free(&a.remote);
	noise_remote_free(&b.remote);
	is_int(index_count(a.table) + index_count(b.table), 0, "freeing the peers empties them");
	noise_local_free(&a.local);
	noise_local_free(&b.local);
	cookie_maker_free(&a.maker);
	cookie_maker_free(&b.maker);
	index_table_free(a.table);
	index_table_free(b.table);
	return tap_done();
}
