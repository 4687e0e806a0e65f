// SPDX-License-Identifier: GPL-2.0
/*
 * The futex mutex of mutex.h, the three-state design of Drepper's "Futexes
 * are tricky": unlocking makes a system call only when a waiter may sleep.
 * A contended lock spins briefly first, since peers' locks are held for a
 * few hundred nanoseconds; a holder that sleeps in a syscall costs waiters
 * one futex wait, not a spinning core (the machine has two).
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "lockassert.h"
#include "mutex.h"

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define TSAN(call) call
#else
#define TSAN(call) ((void)0)
#endif

#define SPINS 100

static void futex_wait(atomic_uint *word, unsigned int val)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake_one(atomic_uint *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Records (taken) or forgets the holder, for mutex_assert_held. */
static void set_owner(struct mutex *m, bool taken)
{
#ifndef NDEBUG
	atomic_store_explicit(&m->owner, taken ? lockassert_tid() : 0, memory_order_relaxed);
#else
	(void)m;
	(void)taken;
#endif
}

void mutex_init(struct mutex *m)
{
	atomic_init(&m->state, 0);
#ifndef NDEBUG
	atomic_init(&m->owner, 0);
#endif
	TSAN(__tsan_mutex_create(m, 0));
}

void mutex_destroy(struct mutex *m)
{
	TSAN(__tsan_mutex_destroy(m, 0));
	(void)m;
}

static bool try_take(struct mutex *m)
{
	unsigned int free_state = 0;

	return atomic_compare_exchange_strong_explicit(&m->state, &free_state, 1,
						       memory_order_acquire, memory_order_relaxed);
}

/* Contended: spin a little, then mark the lock as slept on (2) and sleep until it is free. */
static void lock_slow(struct mutex *m)
{
	for (int i = 0; i < SPINS; ++i) {
		if (atomic_load_explicit(&m->state, memory_order_relaxed) == 0 && try_take(m))
			return;
		__builtin_ia32_pause();
	}
	while (atomic_exchange_explicit(&m->state, 2, memory_order_acquire) != 0)
		futex_wait(&m->state, 2);
}

void mutex_lock(struct mutex *m)
{
	TSAN(__tsan_mutex_pre_lock(m, 0));
	if (!try_take(m))
		lock_slow(m);
	TSAN(__tsan_mutex_post_lock(m, 0, 0));
	set_owner(m, true);
}

bool mutex_trylock(struct mutex *m)
{
	bool taken;

	TSAN(__tsan_mutex_pre_lock(m, __tsan_mutex_try_lock));
	taken = try_take(m);
	TSAN(__tsan_mutex_post_lock(
	    m, taken ? __tsan_mutex_try_lock : __tsan_mutex_try_lock | __tsan_mutex_try_lock_failed,
	    0));
	if (taken)
		set_owner(m, true);
	return taken;
}

void mutex_unlock(struct mutex *m)
{
	set_owner(m, false);
	TSAN(__tsan_mutex_pre_unlock(m, 0));
	/* From 1 nobody waits; from 2 somebody may sleep: free it and wake one. */
	if (atomic_exchange_explicit(&m->state, 0, memory_order_release) == 2)
		futex_wake_one(&m->state);
	TSAN(__tsan_mutex_post_unlock(m, 0));
}

bool mutex_is_held(struct mutex *m)
{
#ifndef NDEBUG
	return atomic_load_explicit(&m->owner, memory_order_relaxed) == lockassert_tid();
#else
	(void)m;
	return true;
#endif
}
