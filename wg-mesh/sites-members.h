/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The readers of `sites:' and `clients:': each name and the mapping of its
 * settings into m->sites and m->clients, in the order written.
 */
#ifndef MESH_SITES_MEMBERS_H
#define MESH_SITES_MEMBERS_H

#include "sites-yaml.h"

/* Handlers of the top-level keys `sites' and `clients' (obj unused). */
void sites_members_read_sites(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj);
void sites_members_read_clients(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj);
/* Frees m's sites and clients, everything they hold included. */
void sites_members_free(struct sites_mesh *m);

#endif
