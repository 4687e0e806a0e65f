// SPDX-License-Identifier: GPL-2.0
/*
 * The anti-replay window of RFC 6479: a ring of 64-bit words where the block
 * holding the highest counter is the newest; moving forward clears the blocks
 * passed over, so the cost does not grow with the size of the jump.
 */
#include <string.h>
#include "replay.h"

#define BITS_PER_WORD 64U
#define WORDS (REPLAY_BITS_TOTAL / BITS_PER_WORD)
#define WORD_LOG 6U

void replay_init(struct replay_window *w)
{
	memset(w, 0, sizeof(*w));
}

/* Moves the window forward so that its newest position is c; clears the words passed over. */
static void advance(struct replay_window *w, uint64_t c)
{
	uint64_t index = c >> WORD_LOG;
	uint64_t index_current = w->counter >> WORD_LOG;
	uint64_t top = index - index_current;
	uint64_t i;

	if (top > WORDS)
		top = WORDS;
	for (i = 1; i <= top; ++i)
		w->bitmap[(index_current + i) & (WORDS - 1)] = 0;
	w->counter = c;
}

bool replay_check(struct replay_window *w, uint64_t counter)
{
	uint64_t c, bit, *word;

	if (counter >= REJECT_AFTER_MESSAGES)
		return false;
	/* Positions are shifted by one so that an empty window (0) is below counter 0. */
	c = counter + 1;
	if (c + REPLAY_WINDOW_SIZE < w->counter)
		return false; /* too old */
	if (c > w->counter)
		advance(w, c);
	word = &w->bitmap[(c >> WORD_LOG) & (WORDS - 1)];
	bit = 1ULL << (c & (BITS_PER_WORD - 1));
	if (*word & bit)
		return false; /* seen */
	*word |= bit;
	return true;
}
