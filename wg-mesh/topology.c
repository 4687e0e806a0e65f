// SPDX-License-Identifier: GPL-2.0
/*
 * The pair plan: which sites peer directly and which go through a relay. One
 * pass marks the pairs the topology wants and can open, the `links:' rules
 * then add or remove single pairs, and a last pass finds each remaining
 * pair's relay among the hubs (or all sites in a full mesh), in file order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "topology.h"

struct topo {
	struct plan *p;
	struct diag *d;
	size_t *cand; /* relay candidates, in the order they are tried */
	size_t n_cand;
	long *rule_a, *rule_b; /* each rule's sites, -1 when the rule is bad */
};

static bool is_hub_mesh(const struct plan *p)
{
	return p->m->topology == SITES_TOPOLOGY_HUB;
}

/* The topology's own answer, before any rule: should a and b peer directly? */
static bool wanted(const struct plan *p, size_t a, size_t b)
{
	return !is_hub_mesh(p) || p->sites[a].is_hub || p->sites[b].is_hub;
}

static bool can_open(const struct plan *p, size_t a, size_t b)
{
	return plan_reaches(p, a, b) || plan_reaches(p, b, a);
}

static int32_t *slot(struct plan *p, size_t a, size_t b)
{
	return &p->link[plan_pair_index(a, b)];
}

/* ---------------------------------------------------------------- hubs */

static void mark_hub(struct topo *t, size_t s)
{
	t->p->sites[s].is_hub = true;
	t->cand[t->n_cand++] = s;
}

static void mark_hubs(struct topo *t)
{
	const struct sites_mesh *m = t->p->m;
	size_t i;
	long s;

	if (is_hub_mesh(t->p) && !m->hubs.n)
		diag_add(t->d, m->topology_pos,
			 "`topology: hub' without hubs; expected `hubs: [SITE, ...]' under "
			 "`mesh', naming the sites the others peer with");
	if (!is_hub_mesh(t->p) && m->hubs.n)
		diag_add(t->d, m->hubs_pos,
			 "`hubs' without `topology: hub'; expected `topology: hub' under `mesh' "
			 "(or no `hubs' for a full mesh)");
	for (i = 0; i < m->hubs.n; ++i) {
		const struct sites_name *h = &m->hubs.v[i];

		s = sites_find_site(m, h->name);
		if (s < 0)
			diag_add(t->d, h->pos,
				 "hub `%s' is not a site; expected one of the names under `sites'",
				 h->name);
		else if (t->p->sites[s].is_hub)
			diag_add(t->d, h->pos, "hub `%s' is named twice; expected each hub once",
				 h->name);
		else if (is_hub_mesh(t->p))
			mark_hub(t, (size_t)s);
	}
	for (i = 0; !is_hub_mesh(t->p) && i < t->p->n_sites; ++i)
		t->cand[t->n_cand++] = i;
}

/* ---------------------------------------------------------------- rules */

static long rule_site(struct topo *t, const struct sites_name *n)
{
	long s = sites_find_site(t->p->m, n->name);

	if (s < 0)
		diag_add(t->d, n->pos,
			 "link to `%s', which is not a site; expected one of the names under "
			 "`sites'",
			 n->name);
	return s;
}

static bool same_pair(const struct topo *t, size_t i, size_t j)
{
	return (t->rule_a[i] == t->rule_a[j] && t->rule_b[i] == t->rule_b[j]) ||
	       (t->rule_a[i] == t->rule_b[j] && t->rule_b[i] == t->rule_a[j]);
}

/* A rule that adds what the topology has, or removes what it lacks, is a mistake. */
static bool rule_fits(struct topo *t, size_t i)
{
	const struct sites_link *l = &t->p->m->links[i];
	bool want = wanted(t->p, t->rule_a[i], t->rule_b[i]);
	const char *kind = is_hub_mesh(t->p) ? "hub" : "full";
	size_t j;

	for (j = 0; j < i; ++j) {
		if (t->rule_a[j] >= 0 && same_pair(t, i, j)) {
			diag_add(t->d, l->pos,
				 "a second rule for `%s' and `%s' (line %u); expected one rule "
				 "per pair",
				 l->a.name, l->b.name, t->p->m->links[j].pos.line);
			return false;
		}
	}
	if (l->add == want) {
		diag_add(t->d, l->pos,
			 l->add ? "`%s' and `%s' already peer in the %s topology; expected `add' "
				  "only for a pair the topology leaves out"
				: "`%s' and `%s' do not peer in the %s topology; expected `remove' "
				  "only for a pair the topology has",
			 l->a.name, l->b.name, kind);
		return false;
	}
	return true;
}

static void resolve_rules(struct topo *t)
{
	const struct sites_mesh *m = t->p->m;
	size_t i;

	for (i = 0; i < m->n_links; ++i) {
		const struct sites_link *l = &m->links[i];

		t->rule_a[i] = rule_site(t, &l->a);
		t->rule_b[i] = rule_site(t, &l->b);
		if (t->rule_a[i] >= 0 && t->rule_a[i] == t->rule_b[i])
			diag_add(t->d, l->b.pos,
				 "a link from `%s' to itself; expected two different sites",
				 l->a.name);
		if (t->rule_a[i] < 0 || t->rule_b[i] < 0 || t->rule_a[i] == t->rule_b[i] ||
		    !rule_fits(t, i))
			t->rule_a[i] = t->rule_b[i] = -1;
	}
}

static void apply_rules(struct topo *t)
{
	const struct sites_mesh *m = t->p->m;
	size_t i;

	for (i = 0; i < m->n_links; ++i) {
		size_t a = t->rule_a[i], b = t->rule_b[i];

		if (t->rule_a[i] < 0)
			continue;
		if (!m->links[i].add) {
			*slot(t->p, a, b) = PLAN_UNREACHABLE;
		} else if (can_open(t->p, a, b)) {
			*slot(t->p, a, b) = PLAN_DIRECT;
		} else {
			diag_add(t->d, m->links[i].pos,
				 "`%s' and `%s' cannot peer directly: neither has an endpoint in "
				 "an address family the other sends from; expected an `endpoint' "
				 "on one of them, or no `add' rule",
				 m->links[i].a.name, m->links[i].b.name);
			t->rule_a[i] = t->rule_b[i] = -1;
		}
	}
}

/* The `remove' rule for the pair (a, b), or -1. */
static long removed_by(const struct topo *t, size_t a, size_t b)
{
	size_t i;

	for (i = 0; i < t->p->m->n_links; ++i)
		if (t->rule_a[i] >= 0 && !t->p->m->links[i].add &&
		    (((size_t)t->rule_a[i] == a && (size_t)t->rule_b[i] == b) ||
		     ((size_t)t->rule_a[i] == b && (size_t)t->rule_b[i] == a)))
			return (long)i;
	return -1;
}

/* ---------------------------------------------------------------- relays */

static int32_t find_relay(const struct topo *t, size_t a, size_t b)
{
	size_t i, r;

	for (i = 0; i < t->n_cand; ++i) {
		r = t->cand[i];
		if (r != a && r != b && *slot(t->p, a, r) == PLAN_DIRECT &&
		    *slot(t->p, b, r) == PLAN_DIRECT)
			return (int32_t)r;
	}
	return PLAN_UNREACHABLE;
}

static void report_removed(struct topo *t, long rule)
{
	const struct sites_link *l = &t->p->m->links[rule];
	const char *who = is_hub_mesh(t->p) ? "hub" : "site";

	diag_add(t->d, l->pos,
		 "removing the link between `%s' and `%s' leaves them no way to each other: "
		 "no %s peers directly with both; expected to keep this link (or a %s that "
		 "peers with both)",
		 l->a.name, l->b.name, who, who);
	t->rule_a[rule] = t->rule_b[rule] = -1; /* once */
}

static void report_unreachable(struct topo *t, size_t b, size_t a, size_t others)
{
	struct plan *p = t->p;

	if (is_hub_mesh(p))
		diag_add(t->d, p->sites[b].site->pos,
			 "sites `%s' and `%s'%s cannot reach each other: they do not peer "
			 "directly and no hub peers with both; expected a hub with an endpoint "
			 "both reach (or a `links' rule that adds the pair)",
			 p->sites[b].name, p->sites[a].name, others ? " (and others)" : "");
	else
		diag_add(t->d, p->sites[b].site->pos,
			 "sites `%s' and `%s'%s cannot reach each other: no endpoint in an address "
			 "family the other has, and no relay site with an endpoint both reach; "
			 "expected an `endpoint' for one of them or for a site both can reach",
			 p->sites[b].name, p->sites[a].name, others ? " (and others)" : "");
}

/* Relays for the pairs of row b (all a < b) that do not peer directly. */
static void relay_row(struct topo *t, size_t b)
{
	struct plan *p = t->p;
	size_t a, bad = 0, first_bad = 0;
	long rule;
	int32_t r;

	for (a = 0; a < b; ++a) {
		if (*slot(p, a, b) == PLAN_DIRECT) {
			p->n_direct++;
			continue;
		}
		r = find_relay(t, a, b);
		*slot(p, a, b) = r;
		if (r >= 0) {
			p->sites[r].relays = true;
			p->n_relayed++;
		} else if ((rule = removed_by(t, a, b)) >= 0) {
			report_removed(t, rule);
		} else if (!bad++) {
			first_bad = a;
		}
	}
	if (bad)
		report_unreachable(t, b, first_bad, bad - 1);
}

/* ---------------------------------------------------------------- the pairs */

int topology_link(struct plan *p, struct diag *d)
{
	struct topo t = {.p = p, .d = d};
	size_t a, b, n_links = p->m->n_links;

	p->link = malloc((plan_site_pairs(p) + 1) * sizeof(*p->link));
	t.cand = malloc((p->n_sites + p->m->hubs.n + 1) * sizeof(*t.cand));
	t.rule_a = malloc((n_links + 1) * sizeof(*t.rule_a));
	t.rule_b = malloc((n_links + 1) * sizeof(*t.rule_b));
	if (!p->link || !t.cand || !t.rule_a || !t.rule_b) {
		free(t.cand);
		free(t.rule_a);
		free(t.rule_b);
		return -ENOMEM;
	}
	mark_hubs(&t);
	resolve_rules(&t);
	for (b = 1; b < p->n_sites; ++b)
		for (a = 0; a < b; ++a)
			*slot(p, a, b) =
			    wanted(p, a, b) && can_open(p, a, b) ? PLAN_DIRECT : PLAN_UNREACHABLE;
	apply_rules(&t);
	for (b = 1; b < p->n_sites; ++b)
		relay_row(&t, b);
	free(t.cand);
	free(t.rule_a);
	free(t.rule_b);
	return 0;
}
