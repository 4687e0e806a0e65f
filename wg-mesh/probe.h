/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reads what every site runs, for status: over the SSH transport, a small
 * POSIX shell script prints the site's clock and `wg show IFACE dump' with
 * the private and pre-shared keys blanked out on the site itself, so no
 * secret ever crosses the connection. Sites are read in parallel.
 */
#ifndef MESH_PROBE_H
#define MESH_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include "remote.h"
#include "status.h"
#include "textbuf.h"

#define PROBE_JOBS 8		    /* sites read at once */
#define PROBE_COMMAND_TIMEOUT 30000 /* milliseconds per site, connect included */
#define PROBE_WHY_LEN 256

struct probe_site {
	struct status_obs obs;
	char why[PROBE_WHY_LEN];
};

/*
 * Fills sites[i] (p->n_sites of them) for every site of the plan: read over
 * SSH when it has an `ssh:' destination, STATUS_SITE_UNCHECKED otherwise.
 * Returns 0, or -errno when threads or memory ran out.
 */
int probe_sites(const struct plan *p, unsigned int jobs, const struct remote_limits *lim,
		struct probe_site *sites) __attribute__((warn_unused_result));
void probe_free(struct probe_site *sites, size_t n);

/* The script for interface iface (exposed for the tests). */
void probe_script(struct textbuf *b, const char *iface);
/* Judges one site from what the transport returned; local_now when its clock is unreadable. */
void probe_judge(struct probe_site *s, const struct remote_result *r, const char *iface,
		 int64_t local_now);

#endif
