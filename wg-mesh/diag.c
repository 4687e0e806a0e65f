// SPDX-License-Identifier: GPL-2.0
/*
 * Collects planner and parser errors so that a single run of wg-mesh reports
 * every mistake in sites.yaml at once, each at its own line and column.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"

void diag_init(struct diag *d, const char *file)
{
	memset(d, 0, sizeof(*d));
	d->file = file;
}

void diag_free(struct diag *d)
{
	size_t i;

	for (i = 0; i < d->count; ++i)
		free(d->entries[i].msg);
	free(d->entries);
	d->entries = NULL;
	d->count = d->cap = 0;
}

void diag_add(struct diag *d, struct diag_pos pos, const char *fmt, ...)
{
	struct diag_entry *e;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;

		e = realloc(d->entries, cap * sizeof(*e));
		if (!e) {
			free(msg);
			return;
		}
		d->entries = e;
		d->cap = cap;
	}
	e = &d->entries[d->count++];
	e->pos = pos;
	e->seq = d->count - 1;
	e->msg = msg;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct diag_entry *x = a, *y = b;

	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_print(struct diag *d, FILE *out)
{
	const char *kind = d->kind ? d->kind : "error";
	size_t i;

	if (d->count)
		qsort(d->entries, d->count, sizeof(*d->entries), entry_cmp);
	for (i = 0; i < d->count; ++i) {
		const struct diag_entry *e = &d->entries[i];
		const char *msg = e->msg ? e->msg : "out of memory";

		if (e->pos.line)
			fprintf(out, "%s:%u:%u: %s: %s\n", d->file, e->pos.line, e->pos.col, kind,
				msg);
		else
			fprintf(out, "%s: %s: %s\n", d->file, kind, msg);
	}
}
