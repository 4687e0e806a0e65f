// SPDX-License-Identifier: GPL-2.0
/*
 * The small futex mutex: mutual exclusion under contention (threads that
 * spin, then sleep while the holder is in a system call), trylock, and the
 * holder check behind mutex_assert_held, true for the holder only.
 */
#include <pthread.h>
#include <unistd.h>
#include "../lib/tap.h"
#include "mutex.h"

#define THREADS 4
#define ROUNDS 200000

static struct mutex m;
static unsigned long counter; /* guarded by m */

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; ++i) {
		mutex_lock(&m);
		++counter;
		/* Now and then hold it across a syscall, so that waiters sleep. */
		if (i % 50000 == 0)
			usleep(1000);
		mutex_unlock(&m);
	}
	return NULL;
}

static void *try_from_other(void *arg)
{
	bool *got = arg;

	*got = mutex_trylock(&m);
	if (*got)
		mutex_unlock(&m);
	return NULL;
}

static void *held_from_other(void *arg)
{
	bool *held = arg;

	*held = mutex_is_held(&m);
	return NULL;
}

static bool other_thread_holds_it(void)
{
	pthread_t t;
	bool held = true;

	pthread_create(&t, NULL, held_from_other, &held);
	pthread_join(t, NULL);
	return held;
}

static bool other_thread_gets_it(void)
{
	pthread_t t;
	bool got = false;

	pthread_create(&t, NULL, try_from_other, &got);
	pthread_join(t, NULL);
	return got;
}

int main(void)
{
	pthread_t t[THREADS];

	mutex_init(&m);
	for (int i = 0; i < THREADS; ++i)
		pthread_create(&t[i], NULL, adder, NULL);
	for (int i = 0; i < THREADS; ++i)
		pthread_join(t[i], NULL);
	is_int((int)counter, THREADS * ROUNDS, "%d threads adding under the lock lose nothing",
	       THREADS);
	ok(mutex_trylock(&m), "trylock takes a free lock");
	ok(!other_thread_gets_it(), "another thread's trylock fails while it is held");
	ok(mutex_is_held(&m), "the holder holds it");
	ok(!other_thread_holds_it(), "another thread does not");
	mutex_unlock(&m);
	ok(!mutex_is_held(&m), "released, nobody holds it");
	ok(other_thread_gets_it(), "another thread's trylock takes it once released");
	mutex_destroy(&m);
	return tap_done();
}
