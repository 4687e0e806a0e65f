// SPDX-License-Identifier: GPL-2.0
/*
 * DOT output of a plan. Names are restricted by the parser to characters
 * that need no escaping inside a quoted DOT identifier.
 */
#include <errno.h>
#include "cidr.h"
#include "graph.h"

static void node_label(const struct plan_node *n, const struct sites_prefixes *nets, FILE *out)
{
	char s[CIDR_STR_LEN];
	size_t k;

	fprintf(out, "\t\"%s\" [label=\"%s", n->name, n->name);
	for (k = 0; k < n->n_addrs; ++k) {
		if (!n->addrs[k].family)
			continue;
		cidr_print_addr(s, sizeof(s), n->addrs[k].family, &n->addrs[k].ip6);
		fprintf(out, "\\n%s", s);
	}
	for (k = 0; nets && k < nets->n; ++k) {
		cidr_print(s, sizeof(s), &nets->v[k].ip);
		fprintf(out, "\\nLAN %s", s);
	}
	fputc('"', out);
}

static const char *family_label(unsigned int mask)
{
	static const char *const names[4] = {"", "IPv4", "IPv6", "IPv4, IPv6"};

	return names[mask & 3];
}

static bool is_spoke_pair(const struct plan *p, size_t a, size_t b)
{
	return p->m->topology == SITES_TOPOLOGY_HUB && !p->sites[a].is_hub && !p->sites[b].is_hub;
}

static void site_edges(const struct plan *p, size_t b, FILE *out)
{
	size_t a;

	for (a = 0; a < b; ++a) {
		const struct plan_node *x = &p->sites[a], *y = &p->sites[b];
		int32_t r = plan_link(p, a, b);

		/* In a hub mesh, spokes reaching each other through a hub is the rule: not drawn.
		 */
		if (r >= 0 && is_spoke_pair(p, a, b))
			continue;
		if (r >= 0)
			fprintf(out, "\t\"%s\" -- \"%s\" [style=dashed, label=\"via %s\"];\n",
				x->name, y->name, p->sites[r].name);
		else if (r == PLAN_DIRECT)
			fprintf(out, "\t\"%s\" -- \"%s\" [label=\"%s\"];\n", x->name, y->name,
				family_label((x->wan & y->reach) | (y->wan & x->reach)));
	}
}

int graph_write(const struct plan *p, FILE *out)
{
	size_t i;

	fputs("graph mesh {\n\tgraph [overlap=false, splines=true];\n\tnode [shape=box];\n", out);
	if (p->m->topology == SITES_TOPOLOGY_HUB)
		fputs("\tlabel=\"hub topology: spokes (single border) reach each other through "
		      "the hubs (double border)\";\n",
		      out);
	for (i = 0; i < p->n_sites; ++i) {
		node_label(&p->sites[i], &p->sites[i].site->networks, out);
		if (p->sites[i].is_hub)
			fputs(", peripheries=2", out);
		fputs(p->sites[i].site->n_endpoints ? "];\n" : ", style=dashed];\n", out);
	}
	for (i = 0; i < p->n_clients; ++i) {
		node_label(&p->clients[i], NULL, out);
		fputs(", shape=ellipse];\n", out);
	}
	for (i = 1; i < p->n_sites; ++i)
		site_edges(p, i, out);
	for (i = 0; i < p->n_clients; ++i)
		if (p->clients[i].via >= 0)
			fprintf(out, "\t\"%s\" -- \"%s\" [style=dotted];\n", p->clients[i].name,
				p->sites[p->clients[i].via].name);
	fputs("}\n", out);
	return ferror(out) ? -EIO : 0;
}
