// SPDX-License-Identifier: GPL-2.0
/*
 * Plans interface MTUs from the paths between sites. One pass over the site
 * pairs, O(1) each: direct pairs lower both ends to their path's MTU, and a
 * relayed pair lowers each end to the relay's path onwards, so no packet a
 * site sends into the tunnel is too large for any leg it travels.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "mtu.h"

struct mtu_ctx {
	struct plan *p;
	uint16_t (*fam)[4]; /* per site and viewer wan mask: the family it is dialled on */
	unsigned int *mtu;  /* per site */
	long *limit;	    /* per site: the other site whose underlay set its MTU, or -1 */
	size_t n_mixed, mixed_a, mixed_b;
};

static bool has_underlay(const struct sites_mesh *m)
{
	size_t i;

	for (i = 0; i < m->n_sites; ++i)
		if (m->sites[i].underlay_mtu)
			return true;
	return false;
}

static unsigned int underlay(const struct plan *p, size_t i)
{
	unsigned int u = p->sites[i].site->underlay_mtu;

	return u ? u : MTU_UNDERLAY_DEFAULT;
}

static unsigned int overhead(uint16_t family)
{
	return family == AF_INET ? MTU_OVERHEAD_V4 : MTU_OVERHEAD_V6;
}

static const char *family_name(uint16_t family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/*
 * For each viewer mask, the family of the endpoint a viewer dials (the first
 * in a family it has, as plan.c picks it). A host name may resolve to either:
 * planned as IPv6, the larger overhead.
 */
static void endpoint_families(struct mtu_ctx *c)
{
	const struct plan *p = c->p;
	unsigned int viewer, mask;
	size_t i, e;

	for (i = 0; i < p->n_sites; ++i) {
		const struct sites_site *s = p->sites[i].site;

		for (viewer = 1; viewer < 4; ++viewer) {
			c->fam[i][viewer] = 0;
			for (e = 0; e < s->n_endpoints && !c->fam[i][viewer]; ++e) {
				uint16_t f = s->endpoints[e].family;

				mask = f == AF_INET ? PLAN_V4 : f == AF_INET6 ? PLAN_V6 : 3;
				if (mask & viewer)
					c->fam[i][viewer] = f ? f : AF_INET6;
			}
		}
	}
}

/* The family a dials b on; 0 when a cannot dial b. */
static uint16_t dials(const struct mtu_ctx *c, size_t a, size_t b)
{
	return plan_reaches(c->p, a, b) ? c->fam[b][c->p->sites[a].wan] : 0;
}

/* A direct path: the smaller underlay less the larger overhead of the ways it is dialled. */
static unsigned int path_mtu(const struct mtu_ctx *c, size_t a, size_t b)
{
	uint16_t x = dials(c, a, b), y = dials(c, b, a);
	unsigned int u =
	    underlay(c->p, a) < underlay(c->p, b) ? underlay(c->p, a) : underlay(c->p, b);
	unsigned int o = x ? overhead(x) : 0;

	if (y && overhead(y) > o)
		o = overhead(y);
	return u - o;
}

/* Site i carries the path x-y: its MTU is at most that path's. */
static void lower(struct mtu_ctx *c, size_t i, size_t x, size_t y)
{
	unsigned int m = path_mtu(c, x, y);
	size_t low = underlay(c->p, x) <= underlay(c->p, y) ? x : y;

	if (m >= c->mtu[i])
		return;
	c->mtu[i] = m;
	c->limit[i] = low != i && underlay(c->p, low) < underlay(c->p, i) ? (long)low : -1;
}

static void note_mixed(struct mtu_ctx *c, size_t a, size_t b)
{
	uint16_t x = dials(c, a, b), y = dials(c, b, a);

	if (!x || !y || x == y)
		return;
	if (!c->n_mixed++) {
		c->mixed_a = a;
		c->mixed_b = b;
	}
}

static void walk_pairs(struct mtu_ctx *c)
{
	const struct plan *p = c->p;
	size_t a, b;
	int32_t r;

	for (b = 1; b < p->n_sites; ++b) {
		for (a = 0; a < b; ++a) {
			r = plan_link(p, a, b);
			if (r == PLAN_DIRECT) {
				lower(c, a, a, b);
				lower(c, b, a, b);
				note_mixed(c, a, b);
			} else if (r >= 0) {
				lower(c, a, (size_t)r, b);
				lower(c, b, (size_t)r, a);
			}
		}
	}
}

/* A client's path to its via: the via's underlay (the client's is unknown: 1500). */
static void walk_clients(struct mtu_ctx *c)
{
	const struct plan *p = c->p;
	unsigned int m;
	size_t i;
	long v;

	for (i = 0; i < p->n_clients; ++i) {
		v = p->clients[i].via;
		if (v < 0)
			continue;
		m = underlay(p, v) - overhead(c->fam[v][PLAN_V4 | PLAN_V6]);
		if (m < c->mtu[v]) {
			c->mtu[v] = m;
			c->limit[v] = -1;
		}
	}
}

/* ---------------------------------------------------------------- reports */

static void report_too_low(const struct mtu_ctx *c, struct diag *d)
{
	const struct plan *p = c->p;
	size_t i;

	for (i = 0; i < p->n_sites; ++i) {
		size_t who = c->limit[i] >= 0 ? (size_t)c->limit[i] : i;
		const struct sites_site *s = p->sites[who].site;

		if (c->mtu[i] >= MTU_MIN || (c->limit[i] >= 0 && c->mtu[who] < MTU_MIN))
			continue; /* fine, or reported at the site that lowers it */
		diag_add(d, s->underlay_mtu_pos.line ? s->underlay_mtu_pos : s->pos,
			 "underlay-mtu %u of `%s' leaves `%s' a tunnel MTU of %u, below the %u "
			 "bytes IPv6 needs; expected an underlay-mtu of at least %u (or `mtu' "
			 "under `mesh')",
			 underlay(p, who), p->sites[who].name, p->sites[i].name, c->mtu[i], MTU_MIN,
			 MTU_MIN + underlay(p, who) - c->mtu[i]);
	}
}

/* One warning per site whose underlay lowers other sites' MTU. */
static void warn_lowered(const struct mtu_ctx *c)
{
	struct plan *p = c->p;
	size_t s, i, n, first;

	for (s = 0; s < p->n_sites; ++s) {
		for (i = 0, n = 0, first = 0; i < p->n_sites; ++i)
			if (c->limit[i] == (long)s && !n++)
				first = i;
		if (!n)
			continue;
		diag_add(&p->warnings, p->sites[s].site->underlay_mtu_pos,
			 "underlay-mtu %u of `%s' lowers the tunnel MTU of %zu other site%s "
			 "(`%s'%s) to %u: their packets to or through it may be no larger",
			 underlay(p, s), p->sites[s].name, n, n == 1 ? "" : "s",
			 p->sites[first].name, n > 1 ? " and others" : "", c->mtu[first]);
	}
}

static void warn_mixed(const struct mtu_ctx *c)
{
	struct plan *p = c->p;
	size_t a = c->mixed_a, b = c->mixed_b;

	if (!c->n_mixed)
		return;
	diag_add(&p->warnings, p->sites[b].site->pos,
		 "`%s' dials `%s' over %s but `%s' dials `%s' over %s%s: the two ends disagree "
		 "on the outer address family, so the path's overhead depends on who spoke "
		 "last; planned for IPv6 (%u bytes); list both sites' endpoints in the same "
		 "family order to make them agree",
		 p->sites[a].name, p->sites[b].name, family_name(dials(c, a, b)), p->sites[b].name,
		 p->sites[a].name, family_name(dials(c, b, a)),
		 c->n_mixed > 1 ? " (and other pairs)" : "", MTU_OVERHEAD_V6);
}

static void warn_explicit(const struct mtu_ctx *c)
{
	struct plan *p = c->p;
	size_t i, worst = 0;

	for (i = 1; i < p->n_sites; ++i)
		if (c->mtu[i] < c->mtu[worst])
			worst = i;
	if (!p->n_sites || p->m->mtu <= c->mtu[worst])
		return;
	diag_add(&p->warnings, p->m->mtu_pos,
		 "mtu %u is more than the %u bytes the paths of `%s' carry; larger packets "
		 "will be fragmented or lost; expected at most %u, or no `mtu' to plan it per "
		 "site from `underlay-mtu'",
		 p->m->mtu, c->mtu[worst], p->sites[worst].name, c->mtu[worst]);
}

/* ---------------------------------------------------------------- the plan */

static void assign(struct mtu_ctx *c)
{
	struct plan *p = c->p;
	size_t i;

	for (i = 0; i < p->n_sites; ++i)
		p->sites[i].mtu = (uint16_t)c->mtu[i];
	for (i = 0; i < p->n_clients; ++i)
		if (p->clients[i].via >= 0)
			p->clients[i].mtu = (uint16_t)c->mtu[p->clients[i].via];
}

int mtu_plan(struct plan *p, struct diag *d)
{
	struct mtu_ctx c = {.p = p};
	bool planned = has_underlay(p->m);
	size_t i;

	if (!planned && !p->m->mtu)
		return 0;
	c.fam = malloc((p->n_sites + 1) * sizeof(*c.fam));
	c.mtu = malloc((p->n_sites + 1) * sizeof(*c.mtu));
	c.limit = malloc((p->n_sites + 1) * sizeof(*c.limit));
	if (!c.fam || !c.mtu || !c.limit)
		goto out;
	for (i = 0; i < p->n_sites; ++i) {
		c.mtu[i] = UINT_MAX;
		c.limit[i] = -1;
	}
	endpoint_families(&c);
	walk_pairs(&c);
	walk_clients(&c);
	for (i = 0; i < p->n_sites; ++i)
		if (c.mtu[i] == UINT_MAX) /* no peers: plan for the worse family */
			c.mtu[i] = underlay(p, i) - MTU_OVERHEAD_V6;
	warn_mixed(&c);
	if (p->m->mtu) {
		warn_explicit(&c);
	} else {
		report_too_low(&c, d);
		warn_lowered(&c);
		assign(&c);
	}
out:
	free(c.fam);
	free(c.mtu);
	free(c.limit);
	return c.limit && c.mtu && c.fam ? 0 : -ENOMEM;
}
