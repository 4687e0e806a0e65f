/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plan directory: DIR/NAME/IFACE.conf (0600) for every site and client,
 * written only when its content changed, files of removed names deleted, and
 * a summary of what changed since the last plan.
 */
#ifndef MESH_PLANDIR_H
#define MESH_PLANDIR_H

#include <stdio.h>
#include "plan.h"

struct plandir_names {
	const char **v;
	size_t n;
};

struct plandir_summary {
	struct plandir_names added, changed, removed;
	size_t unchanged;
};

/* Meshes of more sites and clients than this show progress on a terminal. */
#define PLANDIR_PROGRESS_MIN 100

/*
 * Writes every config; 0 or -errno (with "Unable to write PATH" printed). On a
 * terminal, a mesh bigger than PLANDIR_PROGRESS_MIN counts its configs on stderr.
 */
int plandir_write(const struct plan *p, const char *dir, struct plandir_summary *sum)
    __attribute__((warn_unused_result));
/*
 * Deletes the files of names the plan no longer has, and those written under
 * the interface name of the last plan (old_iface, may be NULL) when it changed.
 */
void plandir_remove_stale(const struct plan *p, const char *dir, const char *old_iface,
			  struct plandir_summary *sum);
void plandir_print_summary(const struct plan *p, const struct plandir_summary *sum, FILE *out);
void plandir_summary_free(struct plandir_summary *sum);

#endif
