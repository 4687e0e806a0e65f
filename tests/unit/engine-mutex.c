// SPDX-License-Identifier: GPL-2.0
/*
 * The small futex mutex: mutual exclusion under contention (threads that
 * spin, then sleep), trylock, the holder check behind mutex_assert_held, and
 * waking a waiter that sleeps while the holder is in a system call.
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
#ifndef NDEBUG
	ok(mutex_is_held(&m), "the holder holds it");
#else
	ok(1, "the holder check is off with NDEBUG");
#endif
	mutex_unlock(&m);
#ifndef NDEBUG
	ok(!mutex_is_held(&m), "released, nobody holds it");
#else
	ok(1, "the holder check is off with NDEBUG");
#endif
	ok(other_thread_gets_it(), "another thread's trylock takes it once released");
	mutex_destroy(&m);
	return tap_done();
}
