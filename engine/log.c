// SPDX-License-Identifier: GPL-2.0
/*
 * Log lines go to stderr as "LEVEL: (iface) date message", like wireguard-go.
 * The rate limiter is a one-second window shared by every thread.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "log.h"

#define LOG_BURST 10

/* Atomic: tests turn verbose logging on and off while the engine runs. */
static _Atomic enum log_level log_level = LOG_ERROR;
static char log_iface[32];
static atomic_long log_window;
static atomic_int log_in_window;

enum log_level log_level_parse(const char *s)
{
	if (!s)
		return LOG_ERROR;
	if (!strcmp(s, "verbose") || !strcmp(s, "debug"))
		return LOG_VERBOSE;
	if (!strcmp(s, "silent"))
		return LOG_SILENT;
	return LOG_ERROR;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

bool log_is_verbose(void)
{
	return log_level >= LOG_VERBOSE;
}

void log_set_iface(const char *iface)
{
	snprintf(log_iface, sizeof(log_iface), "%s", iface);
}

static void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	char stamp[32], line[512];
	struct tm tm;
	time_t now = time(NULL);

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y/%m/%d %H:%M:%S", &tm);
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s: (%s) %s %s\n", level == LOG_ERROR ? "ERROR" : "DEBUG", log_iface,
		stamp, line);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

void log_ratelimited(const char *fmt, ...)
{
	long now = (long)time(NULL);
	long was = atomic_load(&log_window);
	va_list ap;

	if (LOG_VERBOSE > log_level)
		return;
	if (was != now && atomic_compare_exchange_strong(&log_window, &was, now))
		atomic_store(&log_in_window, 0);
	if (atomic_fetch_add(&log_in_window, 1) >= LOG_BURST)
		return;
	va_start(ap, fmt);
	log_vprintf(LOG_VERBOSE, fmt, ap);
	va_end(ap);
}
