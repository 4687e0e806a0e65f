// SPDX-License-Identifier: GPL-2.0
/* Placeholder bodies so the API links while the implementation lands. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <errno.h>
#include <stddef.h>
#include "cookie.h"

int cookie_checker_init(struct cookie_checker *checker)
{
	return -ENOSYS;
}

void cookie_checker_free(struct cookie_checker *checker)
{
}

void cookie_checker_precompute(struct cookie_checker *checker,
			       const uint8_t local_public[NOISE_PUBLIC_KEY_LEN])
{
}

int cookie_maker_init(struct cookie_maker *maker, const uint8_t remote_public[NOISE_PUBLIC_KEY_LEN])
{
	return -ENOSYS;
}

void cookie_maker_free(struct cookie_maker *maker)
{
}

enum cookie_verdict cookie_checker_validate(struct cookie_checker *checker, const void *msg,
					    size_t len, const struct sockaddr *src, bool under_load,
					    struct ratelimiter *rl)
{
	return 0;
}

bool cookie_checker_mac1_ok(struct cookie_checker *checker, const void *msg, size_t len)
{
	return 0;
}

bool cookie_checker_mac2_ok(struct cookie_checker *checker, const void *msg, size_t len,
			    const struct sockaddr *src)
{
	return 0;
}

int cookie_reply_create(struct cookie_checker *checker, struct message_handshake_cookie *reply,
			const void *msg, size_t len, uint32_t sender_index,
			const struct sockaddr *src)
{
	return -ENOSYS;
}

int cookie_reply_consume(struct cookie_maker *maker, const struct message_handshake_cookie *reply)
{
	return -ENOSYS;
}

void cookie_maker_add_macs(struct cookie_maker *maker, void *msg, size_t len)
{
}
