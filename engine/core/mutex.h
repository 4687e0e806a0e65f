/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small mutex for the locks every peer has (its state, its FIFOs, its
 * keypairs, its handshake, its cookie): one 32-bit futex word that also holds
 * the owner's thread id, where pthread_mutex_t takes 40 bytes. With nine of
 * them per peer that was a third of a peer. Locks held across a syscall are
 * fine: waiters sleep in the kernel after a short spin. ThreadSanitizer sees
 * it as a mutex through its annotations (and through the C11 atomics alone).
 */
#ifndef ENGINE_CORE_MUTEX_H
#define ENGINE_CORE_MUTEX_H

#include <stdatomic.h>
#include <stdbool.h>

/*
 * One futex word: the low two bits are the state (0 free, 1 held, 2 held and
 * somebody may sleep on it), the rest the holder's thread id, for
 * mutex_assert_held (Linux thread ids fit in 30 bits: PID_MAX_LIMIT is 2^22).
 */
struct mutex {
	atomic_uint word;
};

void mutex_init(struct mutex *m);
void mutex_destroy(struct mutex *m);
void mutex_lock(struct mutex *m);
/* Takes m if nobody holds it; true if it did. */
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
/* True if the calling thread holds m (for mutex_assert_held in lockassert.h). */
bool mutex_is_held(struct mutex *m);

#endif
