// SPDX-License-Identifier: GPL-2.0
/*
 * The list of sites apply has configured, kept beside the plan's configs so a
 * site later removed from sites.yaml can still be reached, taken down and
 * cleaned up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "textbuf.h"
#include "outfile.h"
#include "applied.h"

static void entry_free(struct applied_entry *e)
{
	free(e->name);
	free(e->iface);
	free(e->dest);
}

void applied_free(struct applied *a)
{
	size_t i;

	for (i = 0; i < a->n; ++i)
		entry_free(&a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

const struct applied_entry *applied_find(const struct applied *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; ++i)
		if (!strcmp(a->v[i].name, name))
			return &a->v[i];
	return NULL;
}

int applied_set(struct applied *a, const char *name, const char *iface, const char *dest)
{
	struct applied_entry e = {strdup(name), strdup(iface), strdup(dest)}, *grown;

	if (!e.name || !e.iface || !e.dest) {
		entry_free(&e);
		return -ENOMEM;
	}
	applied_remove(a, name);
	grown = realloc(a->v, (a->n + 1) * sizeof(*a->v));
	if (!grown) {
		entry_free(&e);
		return -ENOMEM;
	}
	a->v = grown;
	a->v[a->n++] = e;
	return 0;
}

void applied_remove(struct applied *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; ++i) {
		if (strcmp(a->v[i].name, name))
			continue;
		entry_free(&a->v[i]);
		memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof(*a->v));
		a->n--;
		return;
	}
}

int applied_load(struct applied *a, const char *path)
{
	char line[1024], name[128], iface[32], dest[640];
	FILE *f = fopen(path, "re");
	int ret = 0;

	memset(a, 0, sizeof(*a));
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (line[0] != '#' && sscanf(line, "%127s %31s %639s", name, iface, dest) == 3)
			ret = applied_set(a, name, iface, dest);
	}
	fclose(f);
	return ret;
}

int applied_save(const struct applied *a, const char *path)
{
	struct textbuf b = {0};
	size_t i;
	int ret;

	textbuf_puts(&b, "# Sites wg-mesh apply configured: NAME IFACE SSH-DESTINATION\n");
	for (i = 0; i < a->n; ++i)
		textbuf_printf(&b, "%s %s %s\n", a->v[i].name, a->v[i].iface, a->v[i].dest);
	ret = b.failed ? -ENOMEM : outfile_write_atomic(path, b.p, b.len);
	textbuf_free(&b);
	return ret;
}
