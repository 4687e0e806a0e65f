/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The readers of the topology keys of `mesh:' (topology, hubs, links), into
 * m->topology, m->hubs and m->links; checked against the sites by topology.c.
 */
#ifndef MESH_SITES_TOPOLOGY_H
#define MESH_SITES_TOPOLOGY_H

#include "sites-yaml.h"

/* Handlers of mesh.topology, mesh.hubs and mesh.links (obj: the struct sites_mesh). */
void sites_topology_read(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj);
void sites_topology_read_hubs(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj);
void sites_topology_read_links(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj);
/* Frees m's hubs and links. */
void sites_topology_free(struct sites_mesh *m);

#endif
