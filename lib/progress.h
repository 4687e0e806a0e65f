/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A one-line progress counter for long operations ("writing configs:
 * 523/1000 (52%)"), redrawn in place on a terminal and cleared at the end.
 * Off when the stream is not a terminal, so scripts and logs never see it.
 */
#ifndef WG_PROGRESS_H
#define WG_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct progress {
	FILE *out; /* NULL: off */
	const char *what;
	size_t done, total;
	unsigned int shown; /* the percentage last drawn */
};

/*
 * Starts counting TOTAL steps of WHAT (a string that outlives the count) on
 * OUT. Drawn only when OUT is a terminal and TOTAL is more than MIN.
 */
void progress_start(struct progress *pr, FILE *out, const char *what, size_t total, size_t min);
/* One step done; redraws when the percentage changed. */
void progress_step(struct progress *pr);
/* Clears the line, leaving the terminal as it was. */
void progress_end(struct progress *pr);

#endif
