/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MTU of each interface from the paths it carries: a path between two
 * sites carries the smaller of their `underlay-mtu's less WireGuard's
 * overhead in the outer address family (60 bytes over IPv4, 80 over IPv6),
 * and an interface carries its direct paths and, for the sites it reaches
 * through a relay, the relay's path onwards. An explicit mesh.mtu wins.
 */
#ifndef MESH_MTU_H
#define MESH_MTU_H

#include "diag.h"
#include "plan.h"

#define MTU_UNDERLAY_DEFAULT 1500
#define MTU_OVERHEAD_V4 60 /* IPv4 20 + UDP 8 + WireGuard header 16 + tag 16 */
#define MTU_OVERHEAD_V6 80 /* IPv6 40 + the same */
#define MTU_MIN 1280	   /* what IPv6 needs inside the tunnel */

/*
 * When a site declares `underlay-mtu', sets every site's and client's mtu;
 * a tunnel MTU below MTU_MIN goes to d (unless mesh.mtu overrides it), and
 * what deserves a look (ends dialling each other over different families,
 * a site lowering others' MTU, mesh.mtu above a path) to p->warnings.
 * Returns 0 or -ENOMEM.
 */
int mtu_plan(struct plan *p, struct diag *d) __attribute__((warn_unused_result));

#endif
