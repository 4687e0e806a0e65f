/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The readers of `groups:' and `allow:', into m->groups and m->rules; the
 * names they hold are checked against the mesh by access.c.
 */
#ifndef MESH_SITES_ACCESS_H
#define MESH_SITES_ACCESS_H

#include "sites-yaml.h"

/* Handlers of the top-level keys `groups' and `allow' (obj unused). */
void sites_access_read_groups(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj);
void sites_access_read_allow(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj);
/* Frees m's groups and rules. */
void sites_access_free(struct sites_mesh *m);

#endif
