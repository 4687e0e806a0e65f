// SPDX-License-Identifier: GPL-2.0
/*
 * The replay window's edges: counter 0, the window size, duplicates, too old,
 * far jumps, out-of-order delivery inside the window, and the
 * REJECT_AFTER_MESSAGES limit; plus random traffic against a set-based oracle.
 */
#include <stdlib.h>
#include <string.h>
#include "../lib/tap.h"
#include "replay.h"

static struct replay_window w;

static void test_edges(void)
{
	const uint64_t ws = REPLAY_WINDOW_SIZE;
	uint64_t i;
	bool all;

	replay_init(&w);
	ok(replay_check(&w, 0), "counter 0 is accepted first");
	ok(!replay_check(&w, 0), "counter 0 again is a replay");
	ok(replay_check(&w, 1), "counter 1");
	ok(replay_check(&w, ws), "counter = window size");
	ok(replay_check(&w, 2), "counter 2, out of order inside the window");
	ok(!replay_check(&w, 1), "counter 1 again is a replay");
	ok(replay_check(&w, ws + 1), "window size + 1");
	ok(replay_check(&w, 3), "3 is still inside the window (highest - window size + 2)");
	ok(!replay_check(&w, 0), "0 is now too old or seen");
	replay_init(&w);
	ok(replay_check(&w, ws + 10), "jump to window size + 10");
	ok(replay_check(&w, 10), "exactly window size behind the highest is accepted");
	ok(!replay_check(&w, 9), "one more behind is too old");
	ok(replay_check(&w, 1000000), "a far jump");
	ok(!replay_check(&w, ws + 10), "the old highest is now far too old");
	ok(replay_check(&w, 1000000 - ws), "the bottom of the new window is fresh");
	ok(!replay_check(&w, 1000000 - ws - 1), "below it is too old");
	ok(!replay_check(&w, 1000000), "the highest again is a replay");
	all = true;
	for (i = 1000001; i < 1000001 + 3 * REPLAY_BITS_TOTAL; ++i)
		all &= replay_check(&w, i);
	ok(all, "three windows' worth in order all pass (bits are cleared as it slides)");
	all = true;
	for (i = 1000001 + 3 * REPLAY_BITS_TOTAL - ws; i < 1000001 + 3 * REPLAY_BITS_TOTAL; ++i)
		all &= !replay_check(&w, i);
	ok(all, "and all of the window is now replays");
}

static void test_limit(void)
{
	replay_init(&w);
	ok(replay_check(&w, REJECT_AFTER_MESSAGES - 1),
	   "REJECT_AFTER_MESSAGES - 1 is the last valid");
	ok(!replay_check(&w, REJECT_AFTER_MESSAGES), "REJECT_AFTER_MESSAGES is refused");
	ok(!replay_check(&w, UINT64_MAX), "UINT64_MAX is refused");
	ok(!replay_check(&w, REJECT_AFTER_MESSAGES - 1), "and the last one only once");
	ok(replay_check(&w, REJECT_AFTER_MESSAGES - 2), "its neighbour is fresh");
}

/* Random counters near a moving front, against "seen set + highest" rules. */
static void test_oracle(void)
{
	enum { N = 60000, SPAN = 3 * REPLAY_WINDOW_SIZE };
	uint8_t *seen = calloc(N + SPAN, 1);
	uint64_t highest = 0, c;
	bool any = false, want, got;
	int i, bad = 0;

	replay_init(&w);
	srand(7);
	for (i = 0; i < N; ++i) {
		c = (uint64_t)i + (uint64_t)(rand() % SPAN);
		c = c > (uint64_t)(SPAN / 2) ? c - SPAN / 2 : c;
		want = !seen[c] && (!any || c + REPLAY_WINDOW_SIZE >= highest);
		got = replay_check(&w, c);
		bad += want != got;
		if (got) {
			seen[c] = 1;
			if (!any || c > highest)
				highest = c;
			any = true;
		}
	}
	is_int(bad, 0, "60000 random counters agree with the oracle");
	free(seen);
}

int main(void)
{
	test_edges();
	test_limit();
	test_oracle();
	return tap_done();
}
