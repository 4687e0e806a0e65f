/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The change classifier: from what a site runs (its config file, `wg
 * showconf', the routes on the interface) and the new config, the least
 * disruptive way there and the exact shell commands that take it. Pure: no
 * I/O, no name resolution, so every case is a unit test.
 */
#ifndef MESH_CHANGE_H
#define MESH_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include "textbuf.h"

enum change_class {
	CHANGE_NONE,	/* nothing to do (the file may still be rewritten: comments) */
	CHANGE_SYNC,	/* peers, keys, endpoints, PSKs, keepalives, allowed IPs: syncconf */
	CHANGE_RESTART, /* address, MTU, port, table, DNS, hooks, fwmark: down and up */
	CHANGE_UP,	/* not running yet */
	CHANGE_DOWN,	/* no longer planned: down, and its file removed */
};

/* What a site runs, as read from the site itself. */
struct change_site {
	const char *conf;    /* /etc/wireguard/IFACE.conf; NULL: no such file */
	const char *running; /* `wg showconf IFACE'; NULL: the interface is not there */
	/* `ip -4 route show dev IFACE [table T]' and `ip -6 ...' (T: the new Table=). */
	const char *routes4, *routes6;
	bool systemd;	  /* systemd runs as PID 1 (/run/systemd/system exists) */
	bool unit_active; /* wg-quick@IFACE is active */
};

struct change {
	enum change_class class;
	char why[80]; /* the first difference found, e.g. "interface setting `address' changed" */
	bool write_conf;  /* the file's bytes change */
	bool remove_conf; /* DOWN: the file goes */
	size_t routes_add, routes_del;
	/*
	 * The commands, one per line, for sh with `set -e' and the new config
	 * readable from the function wg_mesh_input (see remote.h). Empty when
	 * there is nothing to do.
	 */
	struct textbuf commands;
};

/*
 * Classifies the move from site to new_conf (NULL: the site is no longer
 * planned) for interface iface. 0, or -ENOMEM, or -EINVAL for a new config
 * that does not parse (old ones that do not parse mean a restart).
 */
int change_classify(const char *iface, const struct change_site *site, const char *new_conf,
		    struct change *c) __attribute__((warn_unused_result));
void change_free(struct change *c);

/* "unchanged", "sync", "restart", "up", "down". */
const char *change_class_str(enum change_class c);

/* Where apply puts the file while writing it, and the stripped config: beside the file. */
#define CHANGE_DIR "/etc/wireguard"

#endif
