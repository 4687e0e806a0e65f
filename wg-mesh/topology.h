/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who peers with whom. The topology (every pair of sites, or spokes with hubs
 * only) and the `links:' rules say which pairs should peer directly; a pair
 * that should not, or cannot (no endpoint in a family the other has), goes
 * through a relay: the first hub (or, in a full mesh, the first site) that
 * peers directly with both.
 */
#ifndef MESH_TOPOLOGY_H
#define MESH_TOPOLOGY_H

#include "diag.h"
#include "plan.h"

/*
 * Marks the hubs and fills p->link for every pair of sites, counting direct
 * and relayed pairs and marking relays. Returns 0 or -ENOMEM; bad hub names,
 * bad rules and pairs left without a way to each other go to d.
 */
int topology_link(struct plan *p, struct diag *d) __attribute__((warn_unused_result));

#endif
