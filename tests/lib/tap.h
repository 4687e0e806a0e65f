/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny TAP producer for the unit tests: each program includes this once,
 * calls ok()/is_int()/is_str()/is_mem() and ends with `return tap_done();`.
 */
#ifndef TESTS_TAP_H
#define TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		++tap_failed;
	fflush(stdout);
	return cond;
}

static inline void diag(const char *msg)
{
	printf("# %s\n", msg);
}

#define is_int(got, want, ...)                                                                     \
	({                                                                                         \
		long long __g = (long long)(got), __w = (long long)(want);                         \
		int __r = ok(__g == __w, __VA_ARGS__);                                             \
		if (!__r)                                                                          \
			printf("#   got %lld, want %lld\n", __g, __w);                             \
		__r;                                                                               \
	})

#define is_str(got, want, ...)                                                                     \
	({                                                                                         \
		const char *__g = (got), *__w = (want);                                            \
		int __r = ok(__g && __w && !strcmp(__g, __w), __VA_ARGS__);                        \
		if (!__r)                                                                          \
			printf("#   got '%s'\n#  want '%s'\n", __g ? __g : "(null)",               \
			       __w ? __w : "(null)");                                              \
		__r;                                                                               \
	})

#define is_mem(got, want, len, ...) ok(!memcmp((got), (want), (len)), __VA_ARGS__)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
