/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access rules: `groups:' of sites and clients and `allow:' rules between
 * them, compiled to an nftables table of our own (inet wg-mesh-IFACE) in each
 * site's PostUp and deleted in its PostDown. Each site guards what is its
 * own (its addresses, its LANs, its clients): traffic arriving from the
 * tunnel for them must match a rule, or be a reply. No rule: no table, and
 * everyone reaches everyone.
 */
#ifndef MESH_ACCESS_H
#define MESH_ACCESS_H

#include <stdbool.h>
#include "diag.h"
#include "textbuf.h"
#include "plan.h"

/* Resolves groups and rules into p->access; errors to d. 0 or -ENOMEM. */
int access_plan(struct plan *p, struct diag *d) __attribute__((warn_unused_result));
/* Appends site i's PostUp hooks (up) or its PostDown hook; nothing without rules. */
void access_render(const struct plan *p, size_t i, struct textbuf *b, bool up);
void access_free(struct plan *p);

#endif
