/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error collection for wg-mesh: every problem found in sites.yaml is kept with
 * its line and column, so one run reports them all, sorted, as
 * "sites.yaml:LINE:COL: what is wrong; what to do".
 */
#ifndef MESH_DIAG_H
#define MESH_DIAG_H

#include <stdio.h>
#include <stddef.h>

struct diag_pos {
	unsigned int line, col; /* 1-based; 0 when unknown */
};

struct diag_entry {
	struct diag_pos pos;
	size_t seq; /* insertion order, for a stable sort */
	char *msg;
};

struct diag {
	const char *file;
	const char *kind; /* what diag_print calls the entries; NULL: "error" */
	struct diag_entry *entries;
	size_t count, cap;
};

void diag_init(struct diag *d, const char *file);
void diag_free(struct diag *d);
/* Records one error; the message should say what was expected. */
void diag_add(struct diag *d, struct diag_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sorts by position and prints "file:line:col: error: msg" (or kind) for each. */
void diag_print(struct diag *d, FILE *out);

static inline int diag_has_errors(const struct diag *d)
{
	return d->count > 0;
}

#endif
