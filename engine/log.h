/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging for wg-engine at wireguard-go's levels (LOG_LEVEL=verbose|debug|
 * error|silent), with a rate limit for the packet path so that a flood of bad
 * packets costs a counter, not a write per packet.
 */
#ifndef ENGINE_LOG_H
#define ENGINE_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_SILENT = 0,
	LOG_ERROR = 1,
	LOG_VERBOSE = 2,
};

/* Parses LOG_LEVEL's value; unknown or NULL means error. */
enum log_level log_level_parse(const char *s);
void log_set_level(enum log_level level);
/* True at LOG_LEVEL=verbose (skip building a line that would not be printed). */
bool log_is_verbose(void);
/* Sets the "(IFACE) " prefix printed before every line. */
void log_set_iface(const char *iface);

__attribute__((format(printf, 2, 3))) void log_printf(enum log_level level, const char *fmt, ...);
/* As log_printf, but at most a few lines per second across the whole process. */
__attribute__((format(printf, 1, 2))) void log_ratelimited(const char *fmt, ...);

#define log_err(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define log_info(...) log_printf(LOG_VERBOSE, __VA_ARGS__)

#endif
