// SPDX-License-Identifier: GPL-2.0
/*
 * Who peers with whom, as sites.yaml writes it: `mesh.topology' (full or
 * hub), `mesh.hubs' and the `mesh.links' rules that add or remove a pair.
 * Whether the names are sites is the planner's check, not this reader's.
 */
#include <stdlib.h>
#include <string.h>
#include "sites-topology.h"

void sites_topology_read(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	const char *s = sites_yaml_scalar(c, v, "`full' or `hub'");
	struct sites_mesh *m = obj;

	if (!s)
		return;
	m->topology_pos = pos_of(v);
	if (!strcmp(s, "full"))
		m->topology = SITES_TOPOLOGY_FULL;
	else if (!strcmp(s, "hub"))
		m->topology = SITES_TOPOLOGY_HUB;
	else
		diag_add(c->d, pos_of(v),
			 "unknown topology `%s'; expected `full' (every pair of sites peers) or "
			 "`hub' (spokes peer with the `hubs' only)",
			 s);
}

void sites_topology_read_hubs(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_mesh *m = obj;

	m->hubs_pos = pos_of(v);
	sites_yaml_each_scalar(c, v, "the name of a site", sites_yaml_add_name, &m->hubs);
}

#define LINK_SHAPE "expected `{add: [SITE, SITE]}' or `{remove: [SITE, SITE]}'"

/* The two site names of a rule: a sequence of exactly two scalars. */
static bool link_pair(struct sites_yaml_ctx *c, yaml_node_t *v, struct sites_link *l)
{
	yaml_node_t *a, *b;
	const char *x, *y;

	if (v->type != YAML_SEQUENCE_NODE ||
	    v->data.sequence.items.top - v->data.sequence.items.start != 2) {
		diag_add(c->d, pos_of(v), "expected a pair of site names such as `[tokyo, paris]'");
		return false;
	}
	a = node_at(c, v->data.sequence.items.start[0]);
	b = node_at(c, v->data.sequence.items.start[1]);
	x = sites_yaml_scalar(c, a, "the name of a site");
	y = sites_yaml_scalar(c, b, "the name of a site");
	if (!x || !y)
		return false;
	if (sites_yaml_set_name(&l->a, a, x) && sites_yaml_set_name(&l->b, b, y))
		return true;
	free(l->a.name);
	return false;
}

static void add_link(struct sites_yaml_ctx *c, yaml_node_t *item)
{
	struct sites_mesh *m = c->m;
	struct sites_link l = {0};
	yaml_node_t *k, *v;
	const char *key;

	if (item->type != YAML_MAPPING_NODE ||
	    item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1) {
		diag_add(c->d, pos_of(item), "expected one rule here; " LINK_SHAPE);
		return;
	}
	k = node_at(c, item->data.mapping.pairs.start->key);
	v = node_at(c, item->data.mapping.pairs.start->value);
	key = sites_yaml_scalar(c, k, "`add' or `remove'");
	if (!key)
		return;
	if (strcmp(key, "add") && strcmp(key, "remove")) {
		diag_add(c->d, pos_of(k), "unknown link rule `%s'; " LINK_SHAPE, key);
		return;
	}
	l.add = !strcmp(key, "add");
	l.pos = pos_of(k);
	if (!link_pair(c, v, &l))
		return;
	if (!sites_yaml_grow(&m->links, m->n_links, sizeof(*m->links))) {
		free(l.a.name);
		free(l.b.name);
		return;
	}
	m->links[m->n_links++] = l;
}

void sites_topology_read_links(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	yaml_node_item_t *it;

	(void)obj;
	if (v->type != YAML_SEQUENCE_NODE) {
		if (!sites_yaml_is_null(v))
			diag_add(c->d, pos_of(v), "expected a list of link rules; " LINK_SHAPE);
		return;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; ++it)
		add_link(c, node_at(c, *it));
}

void sites_topology_free(struct sites_mesh *m)
{
	size_t i;

	sites_yaml_free_names(&m->hubs);
	for (i = 0; i < m->n_links; ++i) {
		free(m->links[i].a.name);
		free(m->links[i].b.name);
	}
	free(m->links);
}
