/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Peers whose endpoint is a host name: wg resolves a name once, when the
 * config is set, so a peer that moves to a new address is lost until someone
 * sets its endpoint again. For each site with such peers, plan writes a POSIX
 * sh script that does it when a peer's last handshake is older than 135 s (as
 * wireguard-tools' contrib/reresolve-dns), and a systemd service and timer
 * that run it every 30 s; apply and the Ansible export install them.
 */
#ifndef MESH_RERESOLVE_H
#define MESH_RERESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include "textbuf.h"
#include "plan.h"

/* A handshake older than this (seconds), or none yet, sends the script to the name again. */
#define RERESOLVE_AGE 135
/* How often the timer runs the script (seconds). */
#define RERESOLVE_PERIOD 30

enum reresolve_file { RERESOLVE_SCRIPT, RERESOLVE_SERVICE, RERESOLVE_TIMER, RERESOLVE_N_FILES };

/* The files of one site; none planned when planned is false (all buffers empty). */
struct reresolve_files {
	bool planned;
	struct textbuf f[RERESOLVE_N_FILES];
};

/* True when a planned endpoint ("host:port", "[v6]:port") names a host, not an address. */
bool reresolve_is_name(const char *endpoint);
/* True when site i has a peer whose endpoint is a host name. */
bool reresolve_planned(const struct plan *p, size_t i);
/* Renders site i's files (nothing when it has no such peer); -ENOMEM or 0. */
int reresolve_render(const struct plan *p, size_t i, struct reresolve_files *out)
    __attribute__((warn_unused_result));
void reresolve_files_free(struct reresolve_files *f);

/*
 * The file's name in the plan directory and on the site (in reresolve_dir):
 * IFACE.reresolve.sh, wg-mesh-reresolve-IFACE.service, wg-mesh-reresolve-IFACE.timer.
 */
void reresolve_file_name(enum reresolve_file k, const char *iface, char *buf, size_t len);
/* /etc/wireguard for the script, /etc/systemd/system for the units. */
const char *reresolve_dir(enum reresolve_file k);
/* The mode on the site: 0600 for the script (run with /bin/sh), 0644 for the units. */
unsigned int reresolve_mode(enum reresolve_file k);

#endif
