// SPDX-License-Identifier: GPL-2.0
/*
 * Access rules as sites.yaml writes them: `groups:' of sites and clients and
 * the `allow:' rules between groups (protocol, ports). Rules naming unknown
 * groups are found later, by access.c, against the whole mesh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "num.h"
#include "sites-access.h"

static void parse_group(struct sites_yaml_ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	struct sites_mesh *m = c->m;
	struct sites_group *g;
	const char *name = (const char *)k->data.scalar.value;

	if (!sites_yaml_check_name(c, k, name, "group"))
		return;
	if (!strcmp(name, "all")) {
		diag_add(c->d, pos_of(k),
			 "`all' is the group of every site and client already; expected another "
			 "name");
		return;
	}
	if (!sites_yaml_grow(&m->groups, m->n_groups, sizeof(*m->groups)))
		return;
	g = &m->groups[m->n_groups];
	memset(g, 0, sizeof(*g));
	if (!sites_yaml_set_name(&g->name, k, name))
		return;
	m->n_groups++;
	if (v->type != YAML_SEQUENCE_NODE && v->type != YAML_SCALAR_NODE)
		diag_add(c->d, pos_of(v), "expected the members of group `%s' as a list of names",
			 name);
	else
		sites_yaml_each_scalar(c, v, "the name of a site or client", sites_yaml_add_name,
				       &g->members);
}

void sites_access_read_groups(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	(void)obj;
	sites_yaml_walk_named(c, v, "group", parse_group);
}

static void rule_group(struct sites_yaml_ctx *c, yaml_node_t *v, struct sites_name *out)
{
	const char *s = sites_yaml_scalar(c, v, "the name of a group (or all)");

	if (s && !out->name)
		sites_yaml_set_name(out, v, s);
}

static void rule_from(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	rule_group(c, v, &((struct sites_rule *)obj)->from);
}

static void rule_to(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	rule_group(c, v, &((struct sites_rule *)obj)->to);
}

static void rule_proto(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	static const char *const names[] = {"any", "tcp", "udp", "icmp"};
	struct sites_rule *r = obj;
	const char *s = sites_yaml_scalar(c, v, "tcp, udp, icmp or any");
	size_t i;

	for (i = 0; s && i < sizeof(names) / sizeof(*names); ++i) {
		if (!strcmp(s, names[i])) {
			r->proto = (enum sites_proto)i;
			r->proto_pos = pos_of(v);
			return;
		}
	}
	if (s)
		diag_add(c->d, pos_of(v), "unknown protocol `%s'; expected tcp, udp, icmp or any",
			 s);
}

static void add_port(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s, void *obj)
{
	struct sites_ports *ports = obj;
	struct sites_port_range r;
	char lo[8];
	const char *dash = strchr(s, '-');
	size_t len = dash ? (size_t)(dash - s) : strlen(s);

	snprintf(lo, sizeof(lo), "%.*s", (int)(len < sizeof(lo) - 1 ? len : sizeof(lo) - 1), s);
	if (len >= sizeof(lo) || !num_parse_u16(&r.lo, lo) || !r.lo ||
	    !num_parse_u16(&r.hi, dash ? dash + 1 : lo) || r.hi < r.lo) {
		diag_add(c->d, pos_of(n),
			 "`%s' is not a port; expected a number from 1 to 65535 or a range such "
			 "as 8000-8100",
			 s);
		return;
	}
	if (sites_yaml_grow(&ports->v, ports->n, sizeof(*ports->v)))
		ports->v[ports->n++] = r;
}

static void rule_ports(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	sites_yaml_each_scalar(c, v, "a port or a range of ports", add_port,
			       &((struct sites_rule *)obj)->ports);
}

static const struct sites_yaml_key rule_keys[] = {
    {"from", rule_from},   {"to", rule_to}, {"proto", rule_proto},
    {"ports", rule_ports}, {NULL, NULL},
};

static void add_rule(struct sites_yaml_ctx *c, yaml_node_t *item)
{
	struct sites_mesh *m = c->m;
	struct sites_rule *r;

	if (item->type != YAML_MAPPING_NODE) {
		diag_add(c->d, pos_of(item),
			 "expected a rule such as `{from: GROUP, to: GROUP, proto: tcp, ports: "
			 "[22]}'");
		return;
	}
	if (!sites_yaml_grow(&m->rules, m->n_rules, sizeof(*m->rules)))
		return;
	r = &m->rules[m->n_rules++];
	memset(r, 0, sizeof(*r));
	r->pos = pos_of(item);
	sites_yaml_walk_mapping(c, item, "an allow rule", rule_keys, r);
	if (!r->from.name || !r->to.name)
		diag_add(c->d, r->pos, "an allow rule without `%s'; expected both `from' and `to'",
			 r->from.name ? "to" : "from");
}

void sites_access_read_allow(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	yaml_node_item_t *it;

	(void)obj;
	if (v->type != YAML_SEQUENCE_NODE) {
		if (!sites_yaml_is_null(v))
			diag_add(c->d, pos_of(v),
				 "expected a list of rules such as `- {from: GROUP, to: GROUP}'");
		return;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; ++it)
		add_rule(c, node_at(c, *it));
}

void sites_access_free(struct sites_mesh *m)
{
	size_t i;

	for (i = 0; i < m->n_groups; ++i) {
		free(m->groups[i].name.name);
		sites_yaml_free_names(&m->groups[i].members);
	}
	free(m->groups);
	for (i = 0; i < m->n_rules; ++i) {
		free(m->rules[i].from.name);
		free(m->rules[i].to.name);
		free(m->rules[i].ports.v);
	}
	free(m->rules);
}
