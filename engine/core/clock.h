/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's one source of time: monotonic nanoseconds (CLOCK_BOOTTIME, so
 * suspend counts as elapsed, as the kernel's timers) and the wall clock for
 * TAI64N timestamps. Tests install a fake clock and move it by hand.
 */
#ifndef ENGINE_CLOCK_H
#define ENGINE_CLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "messages.h"

/* A replacement time source; both functions get ctx. */
struct clock_source {
	uint64_t (*mono_ns)(void *ctx);
	uint64_t (*wall_ns)(void *ctx); /* nanoseconds since the Unix epoch */
	void *ctx;
};

/*
 * A fake clock for tests: install it, then move it with clock_fake_advance.
 * The fields are atomic because the engine's threads read them while the test
 * moves them; plain reads and assignments of them stay valid (and atomic).
 */
struct clock_fake {
	_Atomic uint64_t mono_ns;
	_Atomic uint64_t wall_ns;
};

/* Monotonic nanoseconds; never 0 (starts at least at 1 s so 0 can mean "never"). */
uint64_t clock_now_ns(void);
/* Wall-clock nanoseconds since the Unix epoch. */
uint64_t clock_wall_ns(void);
/* Writes the current TAI64N label, nanoseconds rounded down to 2^24 ns to hide timing. */
void clock_tai64n(uint64_t wall_ns, uint8_t out[NOISE_TIMESTAMP_LEN]);
/* Replaces the time source; NULL restores the system clocks. Not thread-safe: call at start. */
void clock_set_source(const struct clock_source *src);
/*
 * For soak tests only: from now on the monotonic clock runs factor times as
 * fast as the system's (every protocol timer fires factor times as often);
 * the wall clock, and so TAI64N, stays real. Not thread-safe: call at start.
 */
void clock_speedup_install(unsigned int factor);
/* Installs f (its fields are the current times) as the time source. */
void clock_fake_install(struct clock_fake *f);
/* Moves both of f's clocks forward by ns. */
void clock_fake_advance(struct clock_fake *f, uint64_t ns);
/* True if birth + seconds is at or before now (0 birth counts as long expired). */
static inline bool clock_has_expired(uint64_t birth_ns, uint64_t seconds, uint64_t now_ns)
{
	return !birth_ns || birth_ns + seconds * NSEC_PER_SEC <= now_ns;
}

#endif
