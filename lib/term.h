/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Terminal colours for human-readable output. Callers format with the escape
 * sequences below; term_printf() drops them when colour is off, which is what
 * WG_COLOR_MODE (always, never, auto: a tty) decides.
 */
#ifndef WG_TERM_H
#define WG_TERM_H

#include <stdbool.h>
#include <stdio.h>

#define TERM_FG_RED "\x1b[31m"
#define TERM_FG_GREEN "\x1b[32m"
#define TERM_FG_YELLOW "\x1b[33m"
#define TERM_FG_BLUE "\x1b[34m"
#define TERM_FG_MAGENTA "\x1b[35m"
#define TERM_FG_CYAN "\x1b[36m"
#define TERM_FG_DEFAULT "\x1b[39m"
#define TERM_BOLD "\x1b[1m"
#define TERM_RESET "\x1b[0m"

/* Whether output to F gets colour: WG_COLOR_MODE, else whether F is a tty. */
bool term_color_enabled(FILE *f);

/* Forgets the cached answer of term_color_enabled() (for tests). */
void term_reset_mode(void);

/*
 * Removes every CSI escape sequence ("\x1b[" up to the first letter) from the
 * LEN bytes at S in place, returning the new length.
 */
size_t term_strip(char *s, size_t len);

/* fputs to F, with escape sequences removed unless colour is on. */
void term_puts(FILE *f, const char *s);

/* printf to F, with escape sequences removed unless colour is on. */
__attribute__((format(printf, 2, 3))) int term_fprintf(FILE *f, const char *fmt, ...);

#endif
