/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The three faces of a status report: a sites-by-sites matrix for people
 * (colours on a terminal only), JSON for scripts, and Prometheus' text
 * exposition format for node_exporter's textfile collector. All three say
 * the same facts; none of them decides anything (status.c does).
 */
#ifndef MESH_REPORT_H
#define MESH_REPORT_H

#include <stdio.h>
#include "status.h"

/* Matrix, site states, problems and a summary line; colour per lib/term. */
void report_text(const struct status_report *r, FILE *out);
/* One JSON object: "ok", "sites", "pairs", "issues". */
void report_json(const struct status_report *r, FILE *out);
/* HELP/TYPE lines and gauges wgmesh_*, labelled with site and peer names. */
void report_prometheus(const struct status_report *r, FILE *out);

/* "12s", "3m05s", "2h07m", "3d04h": a handshake age in at most 6 characters. */
void report_age(char *buf, size_t len, int64_t seconds);

#endif
