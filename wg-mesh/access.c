// SPDX-License-Identifier: GPL-2.0
/*
 * Compiles `groups:' and `allow:' into nftables hooks. Groups become member
 * bitmaps and, once, the text of their prefixes per address family, so each
 * site's rules cost O(rules x its own members) to write, whatever the size
 * of the groups they name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "cidr.h"
#include "access.h"

struct access_group {
	const char *name;
	uint8_t *member; /* per node (sites, then clients): 1 when in the group */
	char *text[2];	 /* its prefixes for IPv4 and IPv6, ", "-separated ("" if none) */
};

struct access {
	struct access_group *groups; /* the user's, then `all' */
	size_t n_groups;
	long *from, *to; /* per rule: the group, or -1 when the rule is bad */
};

#define TABLE "inet wg-mesh-%i"
#define TABLE_FMT "inet wg-mesh-%%i" /* the same inside a printf format */

static size_t n_nodes(const struct plan *p)
{
	return p->n_sites + p->n_clients;
}

static const struct plan_node *node(const struct plan *p, size_t k)
{
	return k < p->n_sites ? &p->sites[k] : &p->clients[k - p->n_sites];
}

static void add_text(struct textbuf *b, const struct wgallowedip *ip, bool host)
{
	struct wgallowedip a = *ip;
	char s[CIDR_STR_LEN];

	if (host)
		a.cidr = cidr_max_len(a.family);
	cidr_print(s, sizeof(s), &a);
	if (b->len)
		textbuf_add(b, ", ", 2);
	textbuf_puts(b, s);
}

/* Node k's tunnel addresses (and a site's networks) of one family. */
static void node_prefixes(const struct plan *p, size_t k, uint16_t family, struct textbuf *b)
{
	const struct plan_node *n = node(p, k);
	size_t i;

	for (i = 0; i < n->n_addrs; ++i)
		if (n->addrs[i].family == family)
			add_text(b, &n->addrs[i], true);
	for (i = 0; !n->is_client && i < n->site->networks.n; ++i)
		if (n->site->networks.v[i].ip.family == family)
			add_text(b, &n->site->networks.v[i].ip, false);
}

/* ---------------------------------------------------------------- groups */

static long find_node(const struct plan *p, const char *name)
{
	long k = sites_find_site(p->m, name);

	if (k >= 0)
		return k;
	k = sites_find_client(p->m, name);
	return k >= 0 ? (long)p->n_sites + k : -1;
}

static void resolve_members(struct plan *p, size_t g, struct diag *d)
{
	const struct sites_group *sg = &p->m->groups[g];
	struct access_group *ag = &p->access->groups[g];
	size_t i;
	long k;

	for (i = 0; i < sg->members.n; ++i) {
		const struct sites_name *mb = &sg->members.v[i];

		k = find_node(p, mb->name);
		if (k < 0)
			diag_add(d, mb->pos,
				 "`%s' in group `%s' is neither a site nor a client; expected "
				 "names from `sites' or `clients'",
				 mb->name, sg->name.name);
		else if (ag->member[k])
			diag_add(d, mb->pos, "`%s' is in group `%s' twice; expected it once",
				 mb->name, sg->name.name);
		else
			ag->member[k] = 1;
	}
}

static int group_text(const struct plan *p, struct access_group *g)
{
	struct textbuf b[2] = {{0}, {0}};
	size_t k, f;

	for (k = 0; k < n_nodes(p); ++k) {
		if (!g->member[k])
			continue;
		node_prefixes(p, k, AF_INET, &b[0]);
		node_prefixes(p, k, AF_INET6, &b[1]);
	}
	for (f = 0; f < 2; ++f) {
		if (b[f].failed || !textbuf_reserve(&b[f], 0)) {
			free(b[f].p);
			return -ENOMEM;
		}
		g->text[f] = b[f].p;
	}
	return 0;
}

static int make_groups(struct plan *p, struct diag *d)
{
	struct access *a = p->access;
	size_t g, n = n_nodes(p);

	a->n_groups = p->m->n_groups + 1;
	a->groups = calloc(a->n_groups, sizeof(*a->groups));
	if (!a->groups)
		return -ENOMEM;
	for (g = 0; g < a->n_groups; ++g) {
		a->groups[g].member = calloc(n + 1, 1);
		if (!a->groups[g].member)
			return -ENOMEM;
		a->groups[g].name = g < p->m->n_groups ? p->m->groups[g].name.name : "all";
		if (g < p->m->n_groups)
			resolve_members(p, g, d);
		else
			memset(a->groups[g].member, 1, n);
	}
	for (g = 0; g < a->n_groups; ++g)
		if (group_text(p, &a->groups[g]))
			return -ENOMEM;
	return 0;
}

/* ---------------------------------------------------------------- rules */

static long find_group(const struct access *a, const char *name)
{
	size_t g;

	for (g = 0; g < a->n_groups; ++g)
		if (!strcmp(a->groups[g].name, name))
			return (long)g;
	return -1;
}

static long rule_group(struct plan *p, const struct sites_name *n, struct diag *d)
{
	long g;

	if (!n->name)
		return -1; /* reported by the parser */
	g = find_group(p->access, n->name);
	if (g < 0)
		diag_add(d, n->pos,
			 "the rule names group `%s', which is not defined; expected a group "
			 "under `groups' (or all)",
			 n->name);
	return g;
}

static int resolve_rules(struct plan *p, struct diag *d)
{
	struct access *a = p->access;
	size_t i;

	a->from = calloc(p->m->n_rules + 1, sizeof(*a->from));
	a->to = calloc(p->m->n_rules + 1, sizeof(*a->to));
	if (!a->from || !a->to)
		return -ENOMEM;
	for (i = 0; i < p->m->n_rules; ++i) {
		const struct sites_rule *r = &p->m->rules[i];

		a->from[i] = rule_group(p, &r->from, d);
		a->to[i] = rule_group(p, &r->to, d);
		if (r->ports.n && r->proto == SITES_PROTO_ICMP)
			diag_add(d, r->proto_pos,
				 "ports with proto icmp; expected tcp or udp (or no proto: both) "
				 "with ports");
	}
	return 0;
}

int access_plan(struct plan *p, struct diag *d)
{
	if (!p->m->n_rules && !p->m->n_groups)
		return 0;
	p->access = calloc(1, sizeof(*p->access));
	if (!p->access)
		return -ENOMEM;
	if (make_groups(p, d))
		return -ENOMEM;
	return resolve_rules(p, d);
}

void access_free(struct plan *p)
{
	struct access *a = p->access;
	size_t g;

	if (!a)
		return;
	for (g = 0; a->groups && g < a->n_groups; ++g) {
		free(a->groups[g].member);
		free(a->groups[g].text[0]);
		free(a->groups[g].text[1]);
	}
	free(a->groups);
	free(a->from);
	free(a->to);
	free(a);
	p->access = NULL;
}

/* ---------------------------------------------------------------- hooks */

/* Site i's own nodes (itself and its clients) that are in group g, or all when g < 0. */
static void own_prefixes(const struct plan *p, size_t i, long g, uint16_t family, bool clients_only,
			 struct textbuf *b)
{
	const uint8_t *member = g >= 0 ? p->access->groups[g].member : NULL;
	size_t c;

	if (!clients_only && (!member || member[i]))
		node_prefixes(p, i, family, b);
	for (c = 0; c < p->n_clients; ++c)
		if (p->clients[c].via == (long)i && (!member || member[p->n_sites + c]))
			node_prefixes(p, p->n_sites + c, family, b);
}

static void put_match(struct textbuf *b, const struct sites_rule *r, uint16_t family)
{
	static const char *const l4[] = {"", "tcp", "udp", ""};
	size_t k;

	if (r->proto == SITES_PROTO_ICMP)
		textbuf_puts(b,
			     family == AF_INET ? " meta l4proto icmp" : " meta l4proto ipv6-icmp");
	else if (r->proto != SITES_PROTO_ANY)
		textbuf_printf(b, " meta l4proto %s", l4[r->proto]);
	else if (r->ports.n)
		textbuf_puts(b, " meta l4proto { tcp, udp }");
	for (k = 0; k < r->ports.n; ++k) {
		textbuf_puts(b, k ? ", " : " th dport { ");
		textbuf_printf(b, r->ports.v[k].lo == r->ports.v[k].hi ? "%u" : "%u-%u",
			       r->ports.v[k].lo, r->ports.v[k].hi);
	}
	if (r->ports.n)
		textbuf_puts(b, " }");
}

static void put_rule(const struct plan *p, size_t i, size_t rule, uint16_t family,
		     struct textbuf *b)
{
	const struct access *a = p->access;
	const char *from = a->groups[a->from[rule]].text[family == AF_INET6];
	const char *ip = family == AF_INET ? "ip" : "ip6";
	struct textbuf to = {0};

	own_prefixes(p, i, a->to[rule], family, false, &to);
	if (*from && to.len && !to.failed) {
		textbuf_printf(
		    b, "PostUp = nft add rule " TABLE_FMT " allow %s saddr { %s } %s daddr { ", ip,
		    from, ip);
		textbuf_add(b, to.p, to.len);
		textbuf_puts(b, " }");
		put_match(b, &p->m->rules[rule], family);
		textbuf_puts(b, " accept\n");
	}
	textbuf_free(&to);
}

/* The base chains: what comes from the tunnel for this site's own prefixes jumps to allow. */
static void put_guards(const struct plan *p, size_t i, struct textbuf *b)
{
	static const uint16_t families[] = {AF_INET, AF_INET6};
	struct textbuf own = {0};
	size_t f;
	int clients;

	textbuf_puts(b, "PostUp = nft add chain " TABLE
			" input '{ type filter hook input priority 0; }'\n"
			"PostUp = nft add chain " TABLE
			" forward '{ type filter hook forward priority 0; }'\n"
			"PostUp = nft add rule " TABLE " input iifname %i jump allow\n");
	for (clients = 0; clients < 2; ++clients) {
		for (f = 0; f < 2; ++f) {
			textbuf_clear(&own);
			own_prefixes(p, i, -1, families[f], clients, &own);
			if (!own.len || own.failed)
				continue;
			textbuf_printf(
			    b, "PostUp = nft add rule " TABLE_FMT " forward %s %%i %s daddr { ",
			    clients ? "oifname" : "iifname", f ? "ip6" : "ip");
			textbuf_add(b, own.p, own.len);
			textbuf_puts(b, " } jump allow\n");
		}
	}
	textbuf_free(&own);
}

void access_render(const struct plan *p, size_t i, struct textbuf *b, bool up)
{
	const struct access *a = p->access;
	size_t r;

	if (!a || !p->m->n_rules)
		return;
	if (!up) {
		textbuf_puts(b, "PostDown = nft delete table " TABLE " || true\n");
		return;
	}
	textbuf_puts(b,
		     "# Access rules (allow:): what comes from the tunnel for this site, its "
		     "LANs or its clients must match one, or be a reply.\n"
		     "PostUp = nft add table " TABLE "\n"
		     "PostUp = nft add chain " TABLE " allow\n"
		     "PostUp = nft add rule " TABLE " allow ct state established,related accept\n");
	for (r = 0; r < p->m->n_rules; ++r) {
		if (a->from[r] < 0 || a->to[r] < 0)
			continue;
		put_rule(p, i, r, AF_INET, b);
		put_rule(p, i, r, AF_INET6, b);
	}
	textbuf_puts(b, "PostUp = nft add rule " TABLE " allow drop\n");
	put_guards(p, i, b);
}
