/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mesh as Graphviz DOT: sites (dashed when behind NAT, hubs with a double
 * border), clients, direct links labelled with the address family they use,
 * relayed pairs dashed and labelled with their relay (but for spoke pairs
 * through a hub, which a hub topology implies).
 */
#ifndef MESH_GRAPH_H
#define MESH_GRAPH_H

#include <stdio.h>
#include "plan.h"

int graph_write(const struct plan *p, FILE *out) __attribute__((warn_unused_result));

#endif
