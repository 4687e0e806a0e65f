// SPDX-License-Identifier: GPL-2.0
/* Placeholder bodies so the API links while the implementation lands. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <errno.h>
#include <stddef.h>
#include "allowedips.h"

void allowedips_init(struct allowedips *t)
{
}

void allowedips_free(struct allowedips *t)
{
}

int allowedips_insert(struct allowedips *t, int family, const void *addr, uint8_t cidr, void *peer)
{
	return -ENOSYS;
}

int allowedips_remove(struct allowedips *t, int family, const void *addr, uint8_t cidr, void *peer)
{
	return -ENOSYS;
}

void allowedips_remove_by_peer(struct allowedips *t, void *peer)
{
}

void *allowedips_lookup(const struct allowedips *t, int family, const void *addr)
{
	return NULL;
}

void *allowedips_lookup_dst(const struct allowedips *t, const uint8_t *packet, size_t len)
{
	return NULL;
}

void *allowedips_lookup_src(const struct allowedips *t, const uint8_t *packet, size_t len)
{
	return NULL;
}

int allowedips_walk_by_peer(const struct allowedips *t, void *peer, int (*fn)(void *ctx, int family, const uint8_t *addr, uint8_t cidr),
			    void *ctx)
{
	return -ENOSYS;
}
