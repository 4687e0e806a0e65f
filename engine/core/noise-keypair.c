// SPDX-License-Identifier: GPL-2.0
/*
 * Keypairs: the session keys a finished handshake yields, their three slots
 * per peer (previous, current, next) with the paper's rotation and key
 * confirmation, their reference counts, nonces and lifetimes.
 */
#include <assert.h>
#include <stdlib.h>
#include <sodium.h>
#include "clock.h"
#include "lockassert.h"
#include "noise.h"

/*
 * current and next are read without the lock on the receive path (a pointer
 * comparison only), so they change with atomic stores. Caller holds
 * remote->keypairs_lock.
 */
static void publish(struct noise_keypair **slot, struct noise_keypair *kp)
{
	__atomic_store_n(slot, kp, __ATOMIC_RELEASE);
}

/* Takes kp out of service at once (its index goes now), then drops the slot's reference. */
static void keypair_drop(struct noise_keypair *kp)
{
	if (!kp)
		return;
	kp->index_ops.remove(kp->index_ops.ctx, &kp->entry);
	noise_keypair_put(kp);
}

/* Puts kp in the slots (whitepaper 6.2/6.3). Caller holds remote->keypairs_lock. */
void noise_keypair_add(struct noise_remote *remote, struct noise_keypair *kp)
{
	struct noise_keypair *old_prev = remote->previous, *old_cur = remote->current;
	struct noise_keypair *old_next = remote->next;

	mutex_assert_held(&remote->keypairs_lock);
	if (kp->is_initiator) {
		/*
		 * The response confirmed our keys, so they are usable now. A next
		 * keypair still waiting for confirmation becomes previous, so the
		 * peer may still use it a moment; otherwise current does.
		 */
		if (old_next) {
			publish(&remote->next, NULL);
			remote->previous = old_next;
			keypair_drop(old_cur);
		} else {
			remote->previous = old_cur;
		}
		keypair_drop(old_prev);
		publish(&remote->current, kp);
	} else {
		/*
		 * Responders may not send until the initiator uses the keys (key
		 * confirmation), so they wait in next; previous goes.
		 */
		publish(&remote->next, kp);
		keypair_drop(old_next);
		remote->previous = NULL;
		keypair_drop(old_prev);
	}
}

struct noise_keypair *noise_keypair_new(struct noise_remote *remote, uint64_t now)
{
	struct noise_keypair *kp = calloc(1, sizeof(*kp));

	if (!kp)
		return NULL;
	if (pthread_mutex_init(&kp->replay_lock, NULL)) {
		free(kp);
		return NULL;
	}
	kp->entry.kind = INDEX_KEYPAIR;
	kp->entry.peer = remote->peer;
	atomic_init(&kp->entry.refs, 1);
	kp->remote = remote;
	kp->index_ops = remote->local->index;
	replay_init(&kp->replay);
	atomic_init(&kp->send_counter, 0);
	kp->birthdate = now;
	atomic_init(&kp->can_send, true);
	atomic_init(&kp->can_receive, true);
	return kp;
}

bool noise_received_with_keypair(struct noise_remote *remote, struct noise_keypair *kp)
{
	struct noise_keypair *old_prev;

	/* Cheap test first: this runs for every received batch. */
	if (__atomic_load_n(&remote->next, __ATOMIC_ACQUIRE) != kp)
		return false;
	mutex_lock(&remote->keypairs_lock);
	if (remote->next != kp) {
		mutex_unlock(&remote->keypairs_lock);
		return false;
	}
	/* Confirmed: next slides into current, current into previous; the old previous goes. */
	old_prev = remote->previous;
	remote->previous = remote->current;
	publish(&remote->current, kp);
	publish(&remote->next, NULL);
	mutex_unlock(&remote->keypairs_lock);
	keypair_drop(old_prev);
	return true;
}

void noise_keypairs_clear(struct noise_remote *remote)
{
	struct noise_keypair *kps[3];
	int i;

	mutex_lock(&remote->keypairs_lock);
	kps[0] = remote->previous;
	kps[1] = remote->current;
	kps[2] = remote->next;
	remote->previous = NULL;
	publish(&remote->current, NULL);
	publish(&remote->next, NULL);
	mutex_unlock(&remote->keypairs_lock);
	for (i = 0; i < 3; ++i)
		keypair_drop(kps[i]);
}

void noise_keypairs_expire_current(struct noise_remote *remote)
{
	mutex_lock(&remote->keypairs_lock);
	if (remote->next)
		atomic_store(&remote->next->can_send, false);
	if (remote->current)
		atomic_store(&remote->current->can_send, false);
	mutex_unlock(&remote->keypairs_lock);
}

struct noise_keypair *noise_keypair_current_get(struct noise_remote *remote)
{
	struct noise_keypair *kp;

	mutex_lock(&remote->keypairs_lock);
	kp = remote->current;
	if (kp)
		noise_keypair_get(kp);
	mutex_unlock(&remote->keypairs_lock);
	return kp;
}

struct noise_keypair *noise_keypair_get(struct noise_keypair *kp)
{
	atomic_fetch_add(&kp->entry.refs, 1);
	return kp;
}

void noise_keypair_put(struct noise_keypair *kp)
{
	if (!kp || atomic_fetch_sub(&kp->entry.refs, 1) != 1)
		return;
	/* Nobody holds it and index_lookup can no longer take it: unhash and wipe. */
	kp->index_ops.remove(kp->index_ops.ctx, &kp->entry);
	pthread_mutex_destroy(&kp->replay_lock);
	sodium_memzero(kp, sizeof(*kp));
	free(kp);
}

bool noise_keypair_next_counter(struct noise_keypair *kp, uint64_t *counter)
{
	if (!atomic_load(&kp->can_send))
		return false;
	*counter = atomic_fetch_add(&kp->send_counter, 1);
	if (*counter < REJECT_AFTER_MESSAGES)
		return true;
	atomic_store(&kp->can_send, false);
	return false;
}

bool noise_keypair_check_counter(struct noise_keypair *kp, uint64_t counter)
{
	bool ok = false;

	pthread_mutex_lock(&kp->replay_lock);
	/*
	 * Once the counter REJECT_AFTER_MESSAGES - 1 was accepted the keypair is
	 * used up: older counters still inside the window are refused too, as
	 * the kernel's decrypt_packet does.
	 */
	if (kp->replay.counter >= REJECT_AFTER_MESSAGES)
		atomic_store(&kp->can_receive, false);
	else
		ok = replay_check(&kp->replay, counter);
	pthread_mutex_unlock(&kp->replay_lock);
	return ok;
}

bool noise_keypair_can_send(struct noise_keypair *kp, uint64_t now_ns)
{
	return atomic_load(&kp->can_send) &&
	       atomic_load(&kp->send_counter) < REJECT_AFTER_MESSAGES &&
	       !clock_has_expired(kp->birthdate, REJECT_AFTER_TIME, now_ns);
}

bool noise_keypair_can_receive(struct noise_keypair *kp, uint64_t now_ns)
{
	if (!atomic_load(&kp->can_receive))
		return false;
	if (!clock_has_expired(kp->birthdate, REJECT_AFTER_TIME, now_ns))
		return true;
	/* Too old (whitepaper 6.1): refused for good, even if the clock were to go back. */
	atomic_store(&kp->can_receive, false);
	return false;
}

bool noise_keypair_wants_rekey_send(struct noise_keypair *kp, uint64_t now_ns)
{
	return atomic_load(&kp->send_counter) > REKEY_AFTER_MESSAGES ||
	       (kp->is_initiator && clock_has_expired(kp->birthdate, REKEY_AFTER_TIME, now_ns));
}

bool noise_keypair_wants_rekey_receive(struct noise_keypair *kp, uint64_t now_ns)
{
	return kp->is_initiator &&
	       clock_has_expired(kp->birthdate,
				 REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT, now_ns);
}
