/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debug checks behind every "Caller holds X" comment, true only when the
 * calling thread is the one holding the lock (a trylock that fails says only
 * that somebody does). Mutexes and write locks: glibc records the owner's
 * thread id in the lock itself. Read locks: each thread keeps the read locks
 * it holds, so rwlocks are taken and released through rwlock_rdlock,
 * rwlock_wrlock and rwlock_unlock. Our own struct mutex (mutex.h) records its
 * holder itself. With NDEBUG all of it compiles away.
 */
#ifndef ENGINE_CORE_LOCKASSERT_H
#define ENGINE_CORE_LOCKASSERT_H

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include "mutex.h"

#ifdef NDEBUG

#define rwlock_rdlock(l) pthread_rwlock_rdlock(l)
#define rwlock_wrlock(l) pthread_rwlock_wrlock(l)
#define rwlock_unlock(l) pthread_rwlock_unlock(l)
#define mutex_assert_held(m) ((void)0)
#define rwlock_assert_held(l) ((void)0)
#define rwlock_assert_write_held(l) ((void)0)

#else

/* This thread's id, as glibc stores it in a lock's owner fields. */
int lockassert_tid(void);
/* Notes that this thread took (or is about to release) l for reading. */
void lockassert_read_taken(const pthread_rwlock_t *l);
void lockassert_read_released(const pthread_rwlock_t *l);
/* True if this thread holds l for reading. */
bool lockassert_is_reading(const pthread_rwlock_t *l);

static inline int rwlock_rdlock(pthread_rwlock_t *l)
{
	int ret = pthread_rwlock_rdlock(l);

	if (!ret)
		lockassert_read_taken(l);
	return ret;
}

static inline int rwlock_wrlock(pthread_rwlock_t *l)
{
	return pthread_rwlock_wrlock(l);
}

static inline int rwlock_unlock(pthread_rwlock_t *l)
{
	lockassert_read_released(l);
	return pthread_rwlock_unlock(l);
}

static inline bool lockassert_pthread_mutex_held(pthread_mutex_t *m)
{
	return m->__data.__owner == lockassert_tid();
}

/* The calling thread holds mutex m (a pthread_mutex_t or a struct mutex). */
#define mutex_assert_held(m)                                                                       \
	assert(_Generic((m), struct mutex *                                                        \
			: mutex_is_held, default                                                   \
			: lockassert_pthread_mutex_held)(m))
/* The calling thread holds rwlock l for writing. */
#define rwlock_assert_write_held(l) assert((l)->__data.__cur_writer == lockassert_tid())
/* The calling thread holds rwlock l, for reading or for writing. */
#define rwlock_assert_held(l)                                                                      \
	assert((l)->__data.__cur_writer == lockassert_tid() || lockassert_is_reading(l))

#endif

#endif
