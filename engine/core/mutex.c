// SPDX-License-Identifier: GPL-2.0
/*
 * The futex mutex of mutex.h, after the three-state design of Drepper's
 * "Futexes are tricky", with the holder's thread id beside the state in the
 * same word: unlocking makes a system call only when a waiter may sleep. A
 * contended lock spins briefly first, since most peers' locks are held for a
 * few hundred nanoseconds; a holder that sleeps in a syscall costs waiters
 * one futex wait, not a spinning core (the machine has two).
 */
#include <linux/futex.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "mutex.h"

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define TSAN(call) call
#else
#define TSAN(call) ((void)0)
#endif

/*
 * About a microsecond of pause instructions: enough for the short holds
 * (state, FIFOs, nonces), little waste when the holder is in a syscall (the
 * flush locks are held across sendmmsg and TUN writes), where waiters sleep.
 */
#define SPINS 32
#define STATE_MASK 3U
#define HELD 1U
#define CONTENDED 2U

/* One spin: a pause hint where the CPU has one, so a sibling thread gets the core. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
	__asm__ __volatile__("yield");
#endif
}

static __thread unsigned int self_tag; /* this thread's id, shifted past the state */

static unsigned int self(void)
{
	if (!self_tag)
		self_tag = (unsigned int)syscall(SYS_gettid) << 2;
	return self_tag;
}

static void futex_wait(atomic_uint *word, unsigned int val)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake_one(atomic_uint *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void mutex_init(struct mutex *m)
{
	atomic_init(&m->word, 0);
	TSAN(__tsan_mutex_create(m, 0));
}

void mutex_destroy(struct mutex *m)
{
	TSAN(__tsan_mutex_destroy(m, 0));
	(void)m;
}

static bool try_take(struct mutex *m, unsigned int state)
{
	unsigned int free_word = 0;

	return atomic_compare_exchange_strong_explicit(&m->word, &free_word, self() | state,
						       memory_order_acquire, memory_order_relaxed);
}

/*
 * Contended: spin a little, then mark the word as slept on and sleep until it
 * changes. Once we have slept we take the lock as CONTENDED, since others
 * may sleep too (Drepper's conservative choice).
 */
static void lock_slow(struct mutex *m)
{
	unsigned int w;

	for (int i = 0; i < SPINS; ++i) {
		if (atomic_load_explicit(&m->word, memory_order_relaxed) == 0 && try_take(m, HELD))
			return;
		cpu_relax();
	}
	for (;;) {
		w = atomic_load_explicit(&m->word, memory_order_relaxed);
		if (w == 0) {
			if (try_take(m, CONTENDED))
				return;
			continue;
		}
		if ((w & STATE_MASK) != CONTENDED &&
		    !atomic_compare_exchange_weak_explicit(
			&m->word, &w, (w & ~STATE_MASK) | CONTENDED, memory_order_relaxed,
			memory_order_relaxed))
			continue;
		futex_wait(&m->word, (w & ~STATE_MASK) | CONTENDED);
	}
}

void mutex_lock(struct mutex *m)
{
	TSAN(__tsan_mutex_pre_lock(m, 0));
	if (!try_take(m, HELD))
		lock_slow(m);
	TSAN(__tsan_mutex_post_lock(m, 0, 0));
}

bool mutex_trylock(struct mutex *m)
{
	bool taken;

	TSAN(__tsan_mutex_pre_lock(m, __tsan_mutex_try_lock));
	taken = try_take(m, HELD);
	TSAN(__tsan_mutex_post_lock(
	    m, taken ? __tsan_mutex_try_lock : __tsan_mutex_try_lock | __tsan_mutex_try_lock_failed,
	    0));
	return taken;
}

void mutex_unlock(struct mutex *m)
{
	TSAN(__tsan_mutex_pre_unlock(m, 0));
	/* Held: nobody waits. Contended: somebody may sleep; free it and wake one. */
	if ((atomic_exchange_explicit(&m->word, 0, memory_order_release) & STATE_MASK) == CONTENDED)
		futex_wake_one(&m->word);
	TSAN(__tsan_mutex_post_unlock(m, 0));
}

bool mutex_is_held(struct mutex *m)
{
	return (atomic_load_explicit(&m->word, memory_order_relaxed) & ~STATE_MASK) == self();
}
