// SPDX-License-Identifier: GPL-2.0
/*
 * The members of the mesh: `sites:' and `clients:', each a name with a
 * mapping of its settings, read key by key into struct sites_site and
 * struct sites_client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sites-members.h"

static void add_endpoint(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s, void *obj)
{
	struct sites_site *site = obj;
	struct sites_endpoint ep;

	if (!sites_parse_endpoint(&ep, s)) {
		diag_add(c->d, pos_of(n),
			 "`%s' is not an endpoint; expected an IPv4 address, an IPv6 address or a "
			 "host name, with an optional :port (IPv6 as [addr]:port)",
			 s);
		return;
	}
	ep.pos = pos_of(n);
	if (!sites_yaml_grow(&site->endpoints, site->n_endpoints, sizeof(*site->endpoints)))
		return;
	site->endpoints[site->n_endpoints++] = ep;
}

static void site_endpoint(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	sites_yaml_each_scalar(c, v, "an endpoint (address or host name)", add_endpoint, obj);
}

static void site_address(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	sites_yaml_each_scalar(c, v, "a tunnel address", sites_yaml_add_address,
			       &((struct sites_site *)obj)->addresses);
}

static void site_networks(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	sites_yaml_each_scalar(c, v, "a network prefix", sites_yaml_add_network,
			       &((struct sites_site *)obj)->networks);
}

static void site_post_up(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	sites_yaml_each_scalar(c, v, "a shell command", sites_yaml_add_string,
			       &((struct sites_site *)obj)->post_up);
}

static void site_post_down(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	sites_yaml_each_scalar(c, v, "a shell command", sites_yaml_add_string,
			       &((struct sites_site *)obj)->post_down);
}

static void site_ssh(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_site *site = obj;
	const char *s = sites_yaml_scalar(c, v, "an SSH destination");

	if (!s)
		return;
	if (!sites_parse_ssh(NULL, s)) {
		diag_add(c->d, pos_of(v),
			 "`%s' is not an SSH destination; expected user@host, host (or a Host "
			 "alias of ssh_config) or ssh://[user@]host[:port] (IPv6 as "
			 "ssh://[addr]:port)",
			 s);
		return;
	}
	free(site->ssh);
	site->ssh = strdup(s);
	site->ssh_pos = pos_of(v);
}

static void site_underlay_mtu(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_site *site = obj;

	if (sites_yaml_u16(c, v, &site->underlay_mtu, 1280, 65535, "an underlay MTU"))
		site->underlay_mtu_pos = pos_of(v);
}

static const struct sites_yaml_key site_keys[] = {
    {"endpoint", site_endpoint},
    {"address", site_address},
    {"networks", site_networks},
    {"post-up", site_post_up},
    {"post-down", site_post_down},
    {"ssh", site_ssh},
    {"underlay-mtu", site_underlay_mtu}, /* the WAN link's MTU: PPPoE 1492 */
    {NULL, NULL},
};

static void parse_site(struct sites_yaml_ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	struct sites_mesh *m = c->m;
	struct sites_site *site;
	const char *name = (const char *)k->data.scalar.value;
	char where[96];

	if (!sites_yaml_check_name(c, k, name, "site") ||
	    !sites_yaml_grow(&m->sites, m->n_sites, sizeof(*m->sites)))
		return;
	site = &m->sites[m->n_sites++];
	memset(site, 0, sizeof(*site));
	site->name = strdup(name);
	site->pos = pos_of(k);
	snprintf(where, sizeof(where), "site `%s'", name);
	if (v->type == YAML_MAPPING_NODE)
		sites_yaml_walk_mapping(c, v, where, site_keys, site);
	else if (!sites_yaml_is_null(v))
		diag_add(c->d, pos_of(v),
			 "expected the settings of site `%s' (endpoint, address, "
			 "networks, post-up, post-down, ssh) as a mapping",
			 name);
}

static void client_via(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_client *cl = obj;
	const char *s = sites_yaml_scalar(c, v, "the name of a site");

	if (!s)
		return;
	free(cl->via);
	cl->via = strdup(s);
	cl->via_pos = pos_of(v);
}

static void client_address(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	sites_yaml_each_scalar(c, v, "a tunnel address", sites_yaml_add_address,
			       &((struct sites_client *)obj)->addresses);
}

static void client_dns(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	sites_yaml_each_scalar(c, v, "a DNS server or search domain", sites_yaml_add_string,
			       &((struct sites_client *)obj)->dns);
}

static void client_route(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_client *cl = obj;
	const char *s = sites_yaml_scalar(c, v, "`mesh' or `all'");

	if (!s)
		return;
	if (!strcmp(s, "mesh"))
		cl->route = SITES_ROUTE_MESH;
	else if (!strcmp(s, "all"))
		cl->route = SITES_ROUTE_ALL;
	else
		diag_add(c->d, pos_of(v),
			 "unknown route `%s'; expected `mesh' (the mesh networks) "
			 "or `all' (0.0.0.0/0 and ::/0 through via)",
			 s);
}

static const struct sites_yaml_key client_keys[] = {
    {"via", client_via}, {"address", client_address}, {"dns", client_dns}, {"route", client_route},
    {NULL, NULL},
};

static void parse_client(struct sites_yaml_ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	struct sites_mesh *m = c->m;
	struct sites_client *cl;
	const char *name = (const char *)k->data.scalar.value;
	char where[96];

	if (!sites_yaml_check_name(c, k, name, "client") ||
	    !sites_yaml_grow(&m->clients, m->n_clients, sizeof(*m->clients)))
		return;
	cl = &m->clients[m->n_clients++];
	memset(cl, 0, sizeof(*cl));
	cl->name = strdup(name);
	cl->pos = pos_of(k);
	snprintf(where, sizeof(where), "client `%s'", name);
	if (v->type == YAML_MAPPING_NODE)
		sites_yaml_walk_mapping(c, v, where, client_keys, cl);
	else
		diag_add(c->d, pos_of(v),
			 "expected the settings of client `%s' (via, address, "
			 "dns, route) as a mapping",
			 name);
	if (!cl->via)
		diag_add(c->d, cl->pos,
			 "client `%s' has no `via'; expected the site it connects "
			 "through, e.g. `via: tokyo'",
			 name);
}

void sites_members_read_sites(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	(void)obj;
	sites_yaml_walk_named(c, v, "site", parse_site);
}

void sites_members_read_clients(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	(void)obj;
	sites_yaml_walk_named(c, v, "client", parse_client);
}

void sites_members_free(struct sites_mesh *m)
{
	size_t i;

	for (i = 0; i < m->n_sites; ++i) {
		struct sites_site *s = &m->sites[i];

		free(s->name);
		free(s->ssh);
		free(s->endpoints);
		free(s->addresses.v);
		free(s->networks.v);
		sites_yaml_free_strings(&s->post_up);
		sites_yaml_free_strings(&s->post_down);
	}
	for (i = 0; i < m->n_clients; ++i) {
		free(m->clients[i].name);
		free(m->clients[i].via);
		free(m->clients[i].addresses.v);
		sites_yaml_free_strings(&m->clients[i].dns);
	}
	free(m->sites);
	free(m->clients);
}
