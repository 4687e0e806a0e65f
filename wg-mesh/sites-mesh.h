/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reader of the `mesh:' mapping: the settings every site and client
 * shares, into the struct sites_mesh itself.
 */
#ifndef MESH_SITES_MESH_H
#define MESH_SITES_MESH_H

#include "sites-yaml.h"

/* Handler of the top-level key `mesh' (obj: the struct sites_mesh). */
void sites_mesh_read(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj);

#endif
