/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names for the tunnel addresses (`mesh.domain'): an /etc/hosts fragment and
 * a zone file of NAME.DOMAIN for every site and client, and the DNS line
 * `mesh.dns' gives clients (a site's tunnel addresses and the domain).
 */
#ifndef MESH_NAMES_H
#define MESH_NAMES_H

#include "textbuf.h"
#include "plan.h"

/* mesh.dns names a site and, with a domain, every name is a DNS label. */
void names_check(const struct plan *p, struct diag *d);
/* Appends the hosts fragment: `ADDRESS NAME.DOMAIN NAME', sites then clients. */
void names_render_hosts(const struct plan *p, struct textbuf *b);
/* Appends the zone of the domain: $ORIGIN, $TTL, SOA, NS, then A and AAAA records. */
void names_render_zone(const struct plan *p, struct textbuf *b);
/* Appends `DNS = ...' for client i (its own `dns:' or mesh.dns), or nothing. */
void names_put_client_dns(const struct plan *p, size_t i, struct textbuf *b);

#endif
