// SPDX-License-Identifier: GPL-2.0
/*
 * Batches of X25519: the portable path calls libsodium once per lane. The
 * path is chosen once, before main, from what the CPU can do.
 */
#include <sodium.h>
#include "x25519-batch.h"

typedef unsigned int (*batch_fn)(uint8_t *const out[], const uint8_t *const scalar[],
				 const uint8_t *const point[], unsigned int n);

/* libsodium, one lane after the other; its -1 means an all-zero output. */
static unsigned int batch_portable(uint8_t *const out[], const uint8_t *const scalar[],
				   const uint8_t *const point[], unsigned int n)
{
	unsigned int zero = 0;

	for (unsigned int i = 0; i < n; ++i)
		if (crypto_scalarmult_curve25519(out[i], scalar[i], point[i]))
			zero |= 1u << i;
	return zero;
}

static batch_fn best = batch_portable;
static batch_fn active = batch_portable;

__attribute__((constructor)) static void select_best(void)
{
	__atomic_store_n(&active, best, __ATOMIC_RELAXED);
}

unsigned int x25519_batch(uint8_t *const out[], const uint8_t *const scalar[],
			  const uint8_t *const point[], unsigned int n)
{
	if (n > X25519_BATCH_MAX)
		n = X25519_BATCH_MAX;
	return __atomic_load_n(&active, __ATOMIC_RELAXED)(out, scalar, point, n);
}

bool x25519_batch_is_wide(void)
{
	return __atomic_load_n(&active, __ATOMIC_RELAXED) != batch_portable;
}

void x25519_batch_use_wide(bool wide)
{
	__atomic_store_n(&active, wide ? best : batch_portable, __ATOMIC_RELAXED);
}
