// SPDX-License-Identifier: GPL-2.0
/*
 * The per-thread record of read locks held, for rwlock_assert_held. A thread
 * holds a few at a time (config, identity, handshake); the record is a small
 * array that a debug build checks on every read lock and unlock.
 */
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "lockassert.h"

#ifndef NDEBUG

#define READS_MAX 16

static __thread const pthread_rwlock_t *reads[READS_MAX];
static __thread unsigned int n_reads;
static __thread int tid;

int lockassert_tid(void)
{
	if (!tid)
		tid = (int)syscall(SYS_gettid);
	return tid;
}

void lockassert_read_taken(const pthread_rwlock_t *l)
{
	/* More at once than any path takes: a leak of read locks, or a missing unlock. */
	assert(n_reads < READS_MAX);
	if (n_reads < READS_MAX)
		reads[n_reads++] = l;
}

void lockassert_read_released(const pthread_rwlock_t *l)
{
	/* The newest first: locks are mostly released in reverse order. */
	for (unsigned int i = n_reads; i-- > 0;) {
		if (reads[i] == l) {
			reads[i] = reads[--n_reads];
			return;
		}
	}
}

bool lockassert_is_reading(const pthread_rwlock_t *l)
{
	for (unsigned int i = 0; i < n_reads; ++i)
		if (reads[i] == l)
			return true;
	return false;
}

#endif
