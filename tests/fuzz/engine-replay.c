// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for engine/replay, checked against an oracle that keeps
 * every counter it accepted: a counter passes if it is below
 * REJECT_AFTER_MESSAGES, was never accepted, and is no more than
 * REPLAY_WINDOW_SIZE behind the highest one. Counters come near the highest
 * seen (behind and ahead, across word and ring boundaries), near the limit,
 * or anywhere.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 4096

static uint64_t seen[MAX_STEPS];
static size_t n_seen;

static bool oracle_check(uint64_t *highest, bool *any, uint64_t counter)
{
	if (counter >= REJECT_AFTER_MESSAGES)
		return false;
	if (*any && counter + REPLAY_WINDOW_SIZE < *highest)
		return false;
	for (size_t i = 0; i < n_seen; ++i)
		if (seen[i] == counter)
			return false;
	seen[n_seen++] = counter;
	if (!*any || counter > *highest)
		*highest = counter;
	*any = true;
	return true;
}

/* Four bytes: how to pick the counter, then a 24-bit distance. */
static uint64_t next_counter(const uint8_t *d, uint64_t highest)
{
	uint64_t dist = (uint64_t)d[1] | (uint64_t)d[2] << 8 | (uint64_t)d[3] << 16;

	switch (d[0] % 6) {
	case 0:
		return highest + (dist & 0xffff);
	case 1:
		return highest >= dist ? highest - dist : dist;
	case 2:
		return highest - (highest >= (dist & 0x3fff) ? dist & 0x3fff : 0);
	case 3:
		return REJECT_AFTER_MESSAGES - 1 - (dist & 0xffff) + (d[0] >> 7) * 0x10000;
	case 4:
		return highest + dist * 64 * (1 + (d[0] >> 4));
	default:
		return dist | (uint64_t)d[0] << 56;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_window w;
	uint64_t highest = 0;
	bool any = false;

	replay_init(&w);
	n_seen = 0;
	for (; size >= 4 && n_seen < MAX_STEPS; data += 4, size -= 4) {
		uint64_t counter = next_counter(data, highest);
		bool want = oracle_check(&highest, &any, counter);

		if (replay_check(&w, counter) != want)
			abort();
	}
	return 0;
}
