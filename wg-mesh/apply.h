/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wg-mesh apply: the plan onto every site with an ssh: destination, over
 * OpenSSH. Per site: read what runs there, classify the change, copy the
 * config atomically and take the least disruptive action. Relays and the via
 * sites of clients go first, then the rest, a few sites at a time; one site's
 * failure never stops the others. Sites applied before and since removed from
 * sites.yaml are taken down and their config removed.
 */
#ifndef MESH_APPLY_H
#define MESH_APPLY_H

#include <stdbool.h>
#include <stdio.h>
#include "plan.h"
#include "remote.h"

#define APPLY_DEFAULT_JOBS 8
#define APPLY_MAX_JOBS 64

struct apply_opts {
	const char **only; /* --site NAME...; none: every site with ssh: */
	size_t n_only;
	bool dry_run;	   /* classify and print the commands, change nothing */
	unsigned int jobs; /* sites at once; 0: APPLY_DEFAULT_JOBS */
	bool progress;	   /* a line per finished site as it happens (a terminal) */
	const char *state; /* the applied list (applied.h), for removed sites; NULL: none */
	struct remote_limits limits;
};

/*
 * Applies the plan, printing the dry run or the per-site summary to out.
 * 0 when every site is in line, 1 when any failed (each said why), or
 * -errno (nothing done) when memory runs out.
 */
int apply_run(const struct plan *p, const struct apply_opts *o, FILE *out)
    __attribute__((warn_unused_result));

/* Checks --site names against the plan: false (with the reason on stderr) if one is wrong. */
bool apply_check_sites(const struct plan *p, const struct apply_opts *o);

#endif
