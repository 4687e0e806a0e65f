// SPDX-License-Identifier: GPL-2.0
/* Placeholder bodies so the API links while the implementation lands. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <errno.h>
#include <stddef.h>
#include "ratelimiter.h"

struct ratelimiter *ratelimiter_new(unsigned int max_entries)
{
	return NULL;
}

void ratelimiter_free(struct ratelimiter *rl)
{
}

bool ratelimiter_allow(struct ratelimiter *rl, const struct sockaddr *src, uint64_t now_ns)
{
	return 0;
}

void ratelimiter_gc(struct ratelimiter *rl, uint64_t now_ns)
{
}

unsigned int ratelimiter_count(struct ratelimiter *rl)
{
	return 0;
}
