// SPDX-License-Identifier: GPL-2.0
/*
 * The `mesh:' mapping: the settings every site shares (interface, port,
 * tunnel pools, keepalive, pre-shared keys, MTU, key age, names). Its
 * topology keys are read by sites-topology.
 */
#include <stdlib.h>
#include <string.h>
#include "sites-topology.h"
#include "sites-mesh.h"

static void mesh_interface(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	const char *s = sites_yaml_scalar(c, v, "an interface name");
	struct sites_mesh *m = obj;

	if (!s)
		return;
	if (strlen(s) >= IFNAMSIZ || strpbrk(s, "/ \t\n:%") || !strcmp(s, ".") ||
	    !strcmp(s, "..")) {
		diag_add(c->d, pos_of(v),
			 "`%s' is not an interface name; expected up to %d "
			 "characters without '/', ':', '%%' or spaces",
			 s, IFNAMSIZ - 1);
		return;
	}
	free(m->interface);
	m->interface = strdup(s);
	m->interface_pos = pos_of(v);
}

static void mesh_port(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	sites_yaml_u16(c, v, &((struct sites_mesh *)obj)->port, 1, 65535, "a UDP port");
}

static void mesh_keepalive(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	sites_yaml_u16(c, v, &((struct sites_mesh *)obj)->keepalive, 0, 65535,
		       "a keepalive interval in seconds");
}

static void mesh_mtu(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	if (sites_yaml_u16(c, v, &((struct sites_mesh *)obj)->mtu, 1280, 65535, "an MTU"))
		((struct sites_mesh *)obj)->mtu_pos = pos_of(v);
}

static void mesh_tunnel(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_mesh *m = obj;

	m->pools_pos = pos_of(v);
	sites_yaml_each_scalar(c, v, "a tunnel address pool", sites_yaml_add_network, &m->pools);
}

static void mesh_psk(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
	const char *s = sites_yaml_scalar(c, v, "true or false");
	struct sites_mesh *m = obj;
	size_t i;

	for (i = 0; s && i < sizeof(yes) / sizeof(*yes); ++i) {
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			m->preshared_keys = !strcmp(s, yes[i]);
			return;
		}
	}
	if (s)
		diag_add(c->d, pos_of(v), "`%s' is not a boolean; expected true or false", s);
}

static void mesh_key_max_age(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	const char *s = sites_yaml_scalar(c, v, "an age such as 90d");
	struct sites_mesh *m = obj;

	if (!s)
		return;
	m->key_max_age_pos = pos_of(v);
	if (!strcmp(s, "off"))
		m->key_max_age = 0;
	else if (!sites_parse_age(&m->key_max_age, s))
		diag_add(c->d, pos_of(v),
			 "`%s' is not a key age; expected a number with h, d, w or y (hours, days, "
			 "weeks, years) such as 90d, or off",
			 s);
}

static void mesh_domain(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	const char *s = sites_yaml_scalar(c, v, "a domain such as mesh.example");
	struct sites_mesh *m = obj;
	size_t len = s ? strlen(s) : 0;

	if (!s)
		return;
	/* One trailing dot (the absolute form) is the same domain. */
	if (len > 1 && s[len - 1] == '.')
		--len;
	free(m->domain);
	m->domain = strndup(s, len);
	if (m->domain && !sites_is_hostname(m->domain)) {
		diag_add(c->d, pos_of(v),
			 "`%s' is not a domain; expected a DNS name of letters, digits, '-' and "
			 "'.' such as mesh.example",
			 s);
		free(m->domain);
		m->domain = NULL;
	}
}

static void mesh_dns(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	const char *s = sites_yaml_scalar(c, v, "a site name");
	struct sites_mesh *m = obj;

	if (!s)
		return;
	free(m->dns.name);
	sites_yaml_set_name(&m->dns, v, s);
}

static const struct sites_yaml_key mesh_keys[] = {
    {"interface", mesh_interface},
    {"port", mesh_port},
    {"tunnel", mesh_tunnel},
    {"keepalive", mesh_keepalive},
    {"preshared-keys", mesh_psk},
    {"mtu", mesh_mtu},
    {"topology", sites_topology_read},	  /* full or hub */
    {"hubs", sites_topology_read_hubs},	  /* topology: hub */
    {"links", sites_topology_read_links}, /* pairs added to or removed from the topology */
    {"key-max-age", mesh_key_max_age},	  /* warn about older keys */
    {"domain", mesh_domain},		  /* hosts and zone files */
    {"dns", mesh_dns},			  /* the site clients resolve with */
    {NULL, NULL},
};

void sites_mesh_read(struct sites_yaml_ctx *c, yaml_node_t *v, void *obj)
{
	if (v->type == YAML_MAPPING_NODE)
		sites_yaml_walk_mapping(c, v, "mesh", mesh_keys, obj);
	else if (!sites_yaml_is_null(v))
		diag_add(c->d, pos_of(v), "expected the mesh settings as a mapping");
}
