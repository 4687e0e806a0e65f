// SPDX-License-Identifier: GPL-2.0
/*
 * Time for the engine: the system's boottime and realtime clocks, or a
 * source a test installed. TAI64N labels come from the wall clock.
 */
#include <time.h>
#include "clock.h"

static uint64_t system_mono_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	/* Offset by a second so that 0 always means "never" to callers. */
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec + NSEC_PER_SEC;
}

static uint64_t system_wall_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static const struct clock_source system_source = {
    .mono_ns = system_mono_ns,
    .wall_ns = system_wall_ns,
};

/* Spelled out again: a static initializer may not read another object, even a const one. */
static struct clock_source current_source = {
    .mono_ns = system_mono_ns,
    .wall_ns = system_wall_ns,
};

uint64_t clock_now_ns(void)
{
	return current_source.mono_ns(current_source.ctx);
}

uint64_t clock_wall_ns(void)
{
	return current_source.wall_ns(current_source.ctx);
}

void clock_tai64n(uint64_t wall, uint8_t out[NOISE_TIMESTAMP_LEN])
{
	/* TAI64 labels count from 2^62, and TAI is 10 s ahead of UTC's 1970 epoch. */
	const uint64_t tai64_base = (1ULL << 62) + 10;
	uint64_t sec = tai64_base + wall / NSEC_PER_SEC;
	/*
	 * Rounding nanoseconds down to 2^24 ns (under 1/50 s) keeps the label
	 * from revealing precise timing while still allowing INITIATIONS_PER_SECOND.
	 */
	uint32_t nsec = (uint32_t)(wall % NSEC_PER_SEC) & ~((1U << 24) - 1);
	int i;

	for (i = 0; i < 8; ++i)
		out[i] = (uint8_t)(sec >> (56 - 8 * i));
	for (i = 0; i < 4; ++i)
		out[8 + i] = (uint8_t)(nsec >> (24 - 8 * i));
}

void clock_set_source(const struct clock_source *src)
{
	current_source = src ? *src : system_source;
}

/* The system's monotonic time when the speed-up began, and the factor. */
struct speedup {
	uint64_t start;
	uint64_t factor;
};

static uint64_t speedup_mono_ns(void *ctx)
{
	const struct speedup *s = ctx;

	return s->start + (system_mono_ns(NULL) - s->start) * s->factor;
}

void clock_speedup_install(unsigned int factor)
{
	static struct speedup s;
	struct clock_source src = {
	    .mono_ns = speedup_mono_ns, .wall_ns = system_wall_ns, .ctx = &s};

	s.start = system_mono_ns(NULL);
	s.factor = factor ? factor : 1;
	clock_set_source(&src);
}

/*
 * Readers run on the engine's threads while the test advances the clock, so
 * every access is atomic. Relaxed order is enough: a time value publishes
 * nothing else, and tests order their steps with locks or joins of their own.
 */
static uint64_t fake_mono_ns(void *ctx)
{
	return atomic_load_explicit(&((struct clock_fake *)ctx)->mono_ns, memory_order_relaxed);
}

static uint64_t fake_wall_ns(void *ctx)
{
	return atomic_load_explicit(&((struct clock_fake *)ctx)->wall_ns, memory_order_relaxed);
}

void clock_fake_install(struct clock_fake *f)
{
	struct clock_source src = {.mono_ns = fake_mono_ns, .wall_ns = fake_wall_ns, .ctx = f};

	clock_set_source(&src);
}

void clock_fake_advance(struct clock_fake *f, uint64_t ns)
{
	atomic_fetch_add_explicit(&f->mono_ns, ns, memory_order_relaxed);
	atomic_fetch_add_explicit(&f->wall_ns, ns, memory_order_relaxed);
}
