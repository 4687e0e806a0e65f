// SPDX-License-Identifier: GPL-2.0
/* Placeholder bodies so the API links while the implementation lands. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <errno.h>
#include <stddef.h>
#include "noise.h"

int noise_init(void)
{
	return -ENOSYS;
}

int noise_local_init(struct noise_local *local, const struct index_ops *index,
		     struct noise_remote *(*lookup_remote)(void *, const uint8_t *), void *ctx)
{
	return -ENOSYS;
}

void noise_local_free(struct noise_local *local)
{
}

void noise_local_set_private_key(struct noise_local *local,
				 const uint8_t priv[NOISE_PUBLIC_KEY_LEN])
{
}

int noise_remote_init(struct noise_remote *remote, struct noise_local *local,
		      const uint8_t pub[NOISE_PUBLIC_KEY_LEN], const uint8_t psk[NOISE_SYMMETRIC_KEY_LEN],
		      void *peer)
{
	return -ENOSYS;
}

void noise_remote_free(struct noise_remote *remote)
{
}

void noise_remote_set_psk(struct noise_remote *remote, const uint8_t psk[NOISE_SYMMETRIC_KEY_LEN])
{
}

void noise_remote_precompute(struct noise_remote *remote)
{
}

void noise_handshake_clear(struct noise_remote *remote)
{
}

int noise_create_initiation(struct noise_remote *remote, struct message_handshake_initiation *msg)
{
	return -ENOSYS;
}

int noise_consume_initiation(struct noise_local *local,
			     const struct message_handshake_initiation *msg,
			     struct noise_remote **remote)
{
	return -ENOSYS;
}

int noise_create_response(struct noise_remote *remote, struct message_handshake_response *msg)
{
	return -ENOSYS;
}

int noise_consume_response(struct noise_local *local, const struct message_handshake_response *msg,
			   struct noise_remote **remote)
{
	return -ENOSYS;
}

int noise_begin_session(struct noise_remote *remote)
{
	return -ENOSYS;
}

bool noise_received_with_keypair(struct noise_remote *remote, struct noise_keypair *kp)
{
	return 0;
}

void noise_keypairs_clear(struct noise_remote *remote)
{
}

void noise_keypairs_expire_current(struct noise_remote *remote)
{
}

struct noise_keypair *noise_keypair_current_get(struct noise_remote *remote)
{
	return NULL;
}

struct noise_keypair *noise_keypair_get(struct noise_keypair *kp)
{
	return NULL;
}

void noise_keypair_put(struct noise_keypair *kp)
{
}

bool noise_keypair_next_counter(struct noise_keypair *kp, uint64_t *counter)
{
	return 0;
}

bool noise_keypair_check_counter(struct noise_keypair *kp, uint64_t counter)
{
	return 0;
}

bool noise_keypair_can_send(struct noise_keypair *kp, uint64_t now_ns)
{
	return 0;
}

bool noise_keypair_can_receive(struct noise_keypair *kp, uint64_t now_ns)
{
	return 0;
}

bool noise_keypair_wants_rekey_send(struct noise_keypair *kp, uint64_t now_ns)
{
	return 0;
}

bool noise_keypair_wants_rekey_receive(struct noise_keypair *kp, uint64_t now_ns)
{
	return 0;
}
