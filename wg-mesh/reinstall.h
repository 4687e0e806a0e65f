/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The re-resolve files on a site, for apply: what its probe reads of them,
 * and the shell commands that bring them in line with the plan (installed
 * atomically, the timer enabled where systemd runs; removed when the plan
 * has none). Pure, like the change classifier: every case is a unit test.
 */
#ifndef MESH_REINSTALL_H
#define MESH_REINSTALL_H

#include <stdbool.h>
#include "textbuf.h"
#include "reresolve.h"

/* What the site has, as its probe read it. */
struct reinstall_site {
	const char *file[RERESOLVE_N_FILES]; /* the installed bytes; NULL: no such file */
	bool systemd;			     /* systemd runs as PID 1 */
	bool enabled;			     /* the timer is enabled */
};

struct reinstall {
	bool installed;	 /* a file was (re)written */
	bool removed;	 /* files of a former plan go */
	bool no_systemd; /* planned, but only the script is installed: nothing runs it */
	/* Shell functions printing the new files (wg_mesh_reresolve_K): before the commands. */
	struct textbuf functions;
	/* The commands, one per line, for sh with `set -e'; empty when in line. */
	struct textbuf commands;
};

/*
 * The probe's lines: each installed file as the section `reresolve-K' (K the
 * index of enum reresolve_file), and `reresolve-enabled' when the timer is.
 */
void reinstall_probe(struct textbuf *b, const char *iface);
/* The section names the probe prints, for K < RERESOLVE_N_FILES. */
void reinstall_section(enum reresolve_file k, char *buf, size_t len);

/*
 * From what the site has to want (NULL or not planned: none), for the
 * interface iface (one plain word). 0, -ENOMEM, or -EINVAL when a planned
 * file could not be carried in a here-document.
 */
int reinstall_classify(const char *iface, const struct reinstall_site *site,
		       const struct reresolve_files *want, struct reinstall *c)
    __attribute__((warn_unused_result));
void reinstall_free(struct reinstall *c);

/* The temporary files the commands may leave when they fail: for apply's trap. */
void reinstall_temp_files(struct textbuf *b, const char *iface);

#endif
