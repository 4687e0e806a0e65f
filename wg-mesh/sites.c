// SPDX-License-Identifier: GPL-2.0
/*
 * Reads sites.yaml with libyaml's document API into struct sites_mesh. Every
 * value keeps its line and column; every mistake (unknown key, wrong type, bad
 * address) is recorded in the diag and parsing goes on, so one run shows all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <yaml.h>
#include "cidr.h"
#include "num.h"
#include "sites.h"

struct ctx {
	yaml_document_t *doc;
	struct diag *d;
	struct sites_mesh *m;
};

typedef void (*value_fn)(struct ctx *c, yaml_node_t *value, void *obj);

struct key_handler {
	const char *key;
	value_fn fn;
};

static struct diag_pos pos_of(const yaml_node_t *n)
{
	return (struct diag_pos){n->start_mark.line + 1, n->start_mark.column + 1};
}

static bool grow(void *arrp, size_t n, size_t size)
{
	void **arr = arrp;
	void *p;

	/* Doubling capacity: n is a power of two exactly when the array is full. */
	if (n && (n & (n - 1)))
		return true;
	p = realloc(*arr, (n ? n * 2 : 1) * size);
	if (!p)
		return false;
	*arr = p;
	return true;
}

static bool is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = (const char *)n->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static const char *scalar_of(struct ctx *c, yaml_node_t *n, const char *what)
{
	if (n->type == YAML_SCALAR_NODE && !is_null(n))
		return (const char *)n->data.scalar.value;
	diag_add(c->d, pos_of(n), "expected %s here", what);
	return NULL;
}

static yaml_node_t *node_at(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

/* Calls fn for a single scalar or for each scalar of a sequence. */
static void for_each_scalar(struct ctx *c, yaml_node_t *n, const char *what,
			    void (*fn)(struct ctx *, yaml_node_t *, const char *, void *),
			    void *obj)
{
	yaml_node_item_t *it;
	const char *s;

	if (n->type != YAML_SEQUENCE_NODE) {
		if (is_null(n))
			return;
		s = scalar_of(c, n, what);
		if (s)
			fn(c, n, s, obj);
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; ++it) {
		yaml_node_t *item = node_at(c, *it);

		s = scalar_of(c, item, what);
		if (s)
			fn(c, item, s, obj);
	}
}

static void list_keys(char *buf, size_t len, const struct key_handler *h)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; h->key && off < len; ++h)
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "", h->key);
}

static bool is_dup_key(struct ctx *c, yaml_node_pair_t *first, yaml_node_pair_t *pair)
{
	const char *key = (const char *)node_at(c, pair->key)->data.scalar.value;
	yaml_node_pair_t *p;

	for (p = first; p < pair; ++p) {
		yaml_node_t *k = node_at(c, p->key);

		if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return true;
	}
	return false;
}

/* Dispatches each key of a mapping to its handler; unknown keys are errors. */
static void walk_mapping(struct ctx *c, yaml_node_t *n, const char *where,
			 const struct key_handler *table, void *obj)
{
	yaml_node_pair_t *pair, *first = n->data.mapping.pairs.start;
	const struct key_handler *h;
	char keys[256];

	for (pair = first; pair < n->data.mapping.pairs.top; ++pair) {
		yaml_node_t *k = node_at(c, pair->key);
		const char *key = scalar_of(c, k, "a key name");

		if (!key)
			continue;
		for (h = table; h->key && strcmp(h->key, key); ++h)
			;
		if (is_dup_key(c, first, pair)) {
			diag_add(c->d, pos_of(k), "`%s' given twice in %s; keep only one", key,
				 where);
		} else if (h->key) {
			h->fn(c, node_at(c, pair->value), obj);
		} else {
			list_keys(keys, sizeof(keys), table);
			diag_add(c->d, pos_of(k), "unknown key `%s' in %s; expected one of: %s",
				 key, where, keys);
		}
	}
}

static bool parse_u16_at(struct ctx *c, yaml_node_t *n, uint16_t *out, unsigned int lo,
			 unsigned int hi, const char *what)
{
	const char *s = scalar_of(c, n, what);
	uint16_t v;

	if (!s)
		return false;
	if (!num_parse_u16(&v, s) || v < lo || v > hi) {
		diag_add(c->d, pos_of(n), "`%s' is not %s; expected a number from %u to %u", s,
			 what, lo, hi);
		return false;
	}
	*out = v;
	return true;
}

/* ---------------------------------------------------------------- values */

static void add_prefix(struct ctx *c, yaml_node_t *n, const char *s, void *obj, bool network)
{
	struct sites_prefixes *list = obj;
	struct wgallowedip ip = {0}, masked;
	char buf[CIDR_STR_LEN];

	if (!cidr_parse(&ip, s)) {
		diag_add(c->d, pos_of(n), "`%s' is not %s", s,
			 network
			     ? "a prefix; expected an address/length such as 10.1.1.0/24"
			     : "an address; expected an IPv4 or IPv6 address such as 192.168.0.1");
		return;
	}
	masked = ip;
	cidr_mask(&masked);
	if (network && memcmp(&masked.ip6, &ip.ip6, ip.family == AF_INET ? 4 : 16)) {
		cidr_print(buf, sizeof(buf), &masked);
		diag_add(c->d, pos_of(n), "`%s' has host bits set; expected %s", s, buf);
		return;
	}
	if (!network && ip.cidr != cidr_max_len(ip.family)) {
		diag_add(c->d, pos_of(n), "`%s' is a prefix; expected a single address (/%u)", s,
			 cidr_max_len(ip.family));
		return;
	}
	if (!grow(&list->v, list->n, sizeof(*list->v)))
		return;
	list->v[list->n++] = (struct sites_prefix){.ip = ip, .pos = pos_of(n)};
}

static void add_network(struct ctx *c, yaml_node_t *n, const char *s, void *obj)
{
	add_prefix(c, n, s, obj, true);
}

static void add_address(struct ctx *c, yaml_node_t *n, const char *s, void *obj)
{
	add_prefix(c, n, s, obj, false);
}

static void add_string(struct ctx *c, yaml_node_t *n, const char *s, void *obj)
{
	struct sites_strings *list = obj;
	char *dup;

	(void)c;
	(void)n;
	dup = strdup(s);
	if (!dup || !grow(&list->v, list->n, sizeof(*list->v))) {
		free(dup);
		return;
	}
	list->v[list->n++] = dup;
}

static void add_endpoint(struct ctx *c, yaml_node_t *n, const char *s, void *obj)
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
	if (!grow(&site->endpoints, site->n_endpoints, sizeof(*site->endpoints)))
		return;
	site->endpoints[site->n_endpoints++] = ep;
}

/* ---------------------------------------------------------------- endpoints */

bool sites_is_hostname(const char *s)
{
	size_t len = strlen(s), label = 0;
	const char *p;
	char prev = '.';

	if (!len || len > SITES_HOST_LEN - 1)
		return false;
	for (p = s; *p; prev = *p++) {
		if (*p == '.') {
			if (prev == '.' || prev == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
		if ((*p == '-' && prev == '.') || ++label > 63)
			return false;
	}
	/* A name of digits and dots only would be a mistyped IPv4 address. */
	return prev != '-' && strspn(s, "0123456789.") != len;
}

static bool split_port(char *host, uint16_t *port, const char *s)
{
	const char *colon = strrchr(s, ':');
	size_t len;

	*port = 0;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || (end[1] && (end[1] != ':' || !num_parse_u16(port, end + 2) || !*port)))
			return false;
		len = end - s - 1;
		s++;
	} else if (colon && colon == strchr(s, ':')) {
		if (!num_parse_u16(port, colon + 1) || !*port)
			return false;
		len = colon - s;
	} else {
		len = strlen(s); /* no colon, or a bare IPv6 address */
	}
	if (!len || len >= SITES_HOST_LEN)
		return false;
	memcpy(host, s, len);
	host[len] = '\0';
	return true;
}

bool sites_parse_endpoint(struct sites_endpoint *out, const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	bool bracketed = s[0] == '[';

	memset(out, 0, sizeof(*out));
	if (!split_port(out->host, &out->port, s))
		return false;
	if (inet_pton(AF_INET6, out->host, buf) == 1) {
		out->family = AF_INET6;
		/* A bare IPv6 address may not carry a port: "2001:db8::1:51820" is ambiguous. */
		return true;
	}
	if (bracketed)
		return false;
	if (inet_pton(AF_INET, out->host, buf) == 1) {
		out->family = AF_INET;
		return true;
	}
	return sites_is_hostname(out->host);
}

/* ---------------------------------------------------------------- ssh */

/* A login name: letters, digits, '.', '_' and '-', not starting with '-'. */
static bool is_ssh_user(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= SITES_SSH_USER_LEN || s[0] == '-')
		return false;
	for (i = 0; i < len; ++i)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    s[i]))
			return false;
	return true;
}

/* A host name, or a Host alias of ssh_config, which may also hold '_'. */
static bool is_ssh_name(const char *s)
{
	char copy[SITES_HOST_LEN];
	size_t i, len = strlen(s);

	if (!len || len >= sizeof(copy) || s[0] == '_')
		return false;
	for (i = 0; i <= len; ++i)
		copy[i] = s[i] == '_' ? 'u' : s[i];
	return sites_is_hostname(copy);
}

static bool is_address(int family, const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(family, s, buf) == 1;
}

/* host of a "user@host" or "host" form: a name, an IPv4 or a bare IPv6 address. */
static bool parse_ssh_host(struct sites_ssh *out, const char *s, size_t len, bool uri)
{
	if (!len || len >= SITES_HOST_LEN)
		return false;
	memcpy(out->host, s, len);
	out->host[len] = '\0';
	if (is_address(AF_INET, out->host) || is_ssh_name(out->host))
		return true;
	/* In a URI an IPv6 address needs its brackets: [addr]:port is unambiguous. */
	return !uri && is_address(AF_INET6, out->host);
}

/* "[2001:db8::1]:22", "host:22", "host" after ssh://[user@]. */
static bool parse_ssh_uri_host(struct sites_ssh *out, const char *s)
{
	const char *end = s, *colon;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || (size_t)(end - s - 1) >= SITES_HOST_LEN)
			return false;
		memcpy(out->host, s + 1, end - s - 1);
		out->host[end - s - 1] = '\0';
		if (!is_address(AF_INET6, out->host))
			return false;
		colon = ++end;
		if (!*colon)
			return true;
		if (*colon != ':')
			return false;
	} else {
		colon = strchr(s, ':');
		if (!parse_ssh_host(out, s, colon ? (size_t)(colon - s) : strlen(s), true))
			return false;
		if (!colon)
			return true;
	}
	return num_parse_u16(&out->port, colon + 1) && out->port;
}

bool sites_parse_ssh(struct sites_ssh *out, const char *s)
{
	struct sites_ssh tmp;
	const char *at, *host = s;

	if (!out)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	if (!strncmp(s, "ssh://", 6)) {
		out->is_uri = true;
		host = s += 6;
	}
	at = strchr(s, '@');
	if (at) {
		if (!is_ssh_user(s, at - s))
			return false;
		memcpy(out->user, s, at - s);
		host = at + 1;
	}
	if (out->is_uri)
		return parse_ssh_uri_host(out, host);
	return parse_ssh_host(out, host, strlen(host), false);
}

/* ---------------------------------------------------------------- sites */

static void site_endpoint(struct ctx *c, yaml_node_t *v, void *obj)
{
	for_each_scalar(c, v, "an endpoint (address or host name)", add_endpoint, obj);
}

static void site_address(struct ctx *c, yaml_node_t *v, void *obj)
{
	for_each_scalar(c, v, "a tunnel address", add_address,
			&((struct sites_site *)obj)->addresses);
}

static void site_networks(struct ctx *c, yaml_node_t *v, void *obj)
{
	for_each_scalar(c, v, "a network prefix", add_network,
			&((struct sites_site *)obj)->networks);
}

static void site_post_up(struct ctx *c, yaml_node_t *v, void *obj)
{
	for_each_scalar(c, v, "a shell command", add_string, &((struct sites_site *)obj)->post_up);
}

static void site_post_down(struct ctx *c, yaml_node_t *v, void *obj)
{
	for_each_scalar(c, v, "a shell command", add_string,
			&((struct sites_site *)obj)->post_down);
}

static void site_ssh(struct ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_site *site = obj;
	const char *s = scalar_of(c, v, "an SSH destination");

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

static void site_underlay_mtu(struct ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_site *site = obj;

	if (parse_u16_at(c, v, &site->underlay_mtu, 1280, 65535, "an underlay MTU"))
		site->underlay_mtu_pos = pos_of(v);
}

static const struct key_handler site_keys[] = {
    {"endpoint", site_endpoint},
    {"address", site_address},
    {"networks", site_networks},
    {"post-up", site_post_up},
    {"post-down", site_post_down},
    {"ssh", site_ssh},
    {"underlay-mtu", site_underlay_mtu}, /* the WAN link's MTU: PPPoE 1492 */
    {NULL, NULL},
};

/* Names become directory names and DOT identifiers: keep them plain. */
static bool check_name(struct ctx *c, yaml_node_t *k, const char *name, const char *what)
{
	size_t len = strlen(name);

	if (len && len <= 64 && name[0] != '.' && name[0] != '-' &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
		len)
		return true;
	diag_add(c->d, pos_of(k),
		 "`%s' is not a valid %s name; expected up to 64 letters, digits, '_', '.' or "
		 "'-', not starting with '.' or '-'",
		 name, what);
	return false;
}

static void parse_site(struct ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	struct sites_mesh *m = c->m;
	struct sites_site *site;
	const char *name = (const char *)k->data.scalar.value;
	char where[96];

	if (!check_name(c, k, name, "site") || !grow(&m->sites, m->n_sites, sizeof(*m->sites)))
		return;
	site = &m->sites[m->n_sites++];
	memset(site, 0, sizeof(*site));
	site->name = strdup(name);
	site->pos = pos_of(k);
	snprintf(where, sizeof(where), "site `%s'", name);
	if (v->type == YAML_MAPPING_NODE)
		walk_mapping(c, v, where, site_keys, site);
	else if (!is_null(v))
		diag_add(c->d, pos_of(v),
			 "expected the settings of site `%s' (endpoint, address, "
			 "networks, post-up, post-down, ssh) as a mapping",
			 name);
}

/* ---------------------------------------------------------------- clients */

static void client_via(struct ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_client *cl = obj;
	const char *s = scalar_of(c, v, "the name of a site");

	if (!s)
		return;
	free(cl->via);
	cl->via = strdup(s);
	cl->via_pos = pos_of(v);
}

static void client_address(struct ctx *c, yaml_node_t *v, void *obj)
{
	for_each_scalar(c, v, "a tunnel address", add_address,
			&((struct sites_client *)obj)->addresses);
}

static void client_dns(struct ctx *c, yaml_node_t *v, void *obj)
{
	for_each_scalar(c, v, "a DNS server or search domain", add_string,
			&((struct sites_client *)obj)->dns);
}

static void client_route(struct ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_client *cl = obj;
	const char *s = scalar_of(c, v, "`mesh' or `all'");

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

static const struct key_handler client_keys[] = {
    {"via", client_via}, {"address", client_address}, {"dns", client_dns}, {"route", client_route},
    {NULL, NULL},
};

static void parse_client(struct ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	struct sites_mesh *m = c->m;
	struct sites_client *cl;
	const char *name = (const char *)k->data.scalar.value;
	char where[96];

	if (!check_name(c, k, name, "client") ||
	    !grow(&m->clients, m->n_clients, sizeof(*m->clients)))
		return;
	cl = &m->clients[m->n_clients++];
	memset(cl, 0, sizeof(*cl));
	cl->name = strdup(name);
	cl->pos = pos_of(k);
	snprintf(where, sizeof(where), "client `%s'", name);
	if (v->type == YAML_MAPPING_NODE)
		walk_mapping(c, v, where, client_keys, cl);
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

/* ---------------------------------------------------------------- mesh */

static void mesh_interface(struct ctx *c, yaml_node_t *v, void *obj)
{
	const char *s = scalar_of(c, v, "an interface name");
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

static void mesh_port(struct ctx *c, yaml_node_t *v, void *obj)
{
	parse_u16_at(c, v, &((struct sites_mesh *)obj)->port, 1, 65535, "a UDP port");
}

static void mesh_keepalive(struct ctx *c, yaml_node_t *v, void *obj)
{
	parse_u16_at(c, v, &((struct sites_mesh *)obj)->keepalive, 0, 65535,
		     "a keepalive interval in seconds");
}

static void mesh_mtu(struct ctx *c, yaml_node_t *v, void *obj)
{
	if (parse_u16_at(c, v, &((struct sites_mesh *)obj)->mtu, 1280, 65535, "an MTU"))
		((struct sites_mesh *)obj)->mtu_pos = pos_of(v);
}

static void mesh_tunnel(struct ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_mesh *m = obj;

	m->pools_pos = pos_of(v);
	for_each_scalar(c, v, "a tunnel address pool", add_network, &m->pools);
}

static void mesh_psk(struct ctx *c, yaml_node_t *v, void *obj)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
	const char *s = scalar_of(c, v, "true or false");
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

/* ---------------------------------------------------------------- topology */

static void mesh_topology(struct ctx *c, yaml_node_t *v, void *obj)
{
	const char *s = scalar_of(c, v, "`full' or `hub'");
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

static bool set_name(struct sites_name *out, yaml_node_t *n, const char *s)
{
	out->name = strdup(s);
	out->pos = pos_of(n);
	return out->name != NULL;
}

static void add_name(struct ctx *c, yaml_node_t *n, const char *s, void *obj)
{
	struct sites_names *list = obj;

	(void)c;
	if (!grow(&list->v, list->n, sizeof(*list->v)))
		return;
	if (set_name(&list->v[list->n], n, s))
		list->n++;
}

static void mesh_hubs(struct ctx *c, yaml_node_t *v, void *obj)
{
	struct sites_mesh *m = obj;

	m->hubs_pos = pos_of(v);
	for_each_scalar(c, v, "the name of a site", add_name, &m->hubs);
}

#define LINK_SHAPE "expected `{add: [SITE, SITE]}' or `{remove: [SITE, SITE]}'"

/* The two site names of a rule: a sequence of exactly two scalars. */
static bool link_pair(struct ctx *c, yaml_node_t *v, struct sites_link *l)
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
	x = scalar_of(c, a, "the name of a site");
	y = scalar_of(c, b, "the name of a site");
	if (!x || !y)
		return false;
	if (set_name(&l->a, a, x) && set_name(&l->b, b, y))
		return true;
	free(l->a.name);
	return false;
}

static void add_link(struct ctx *c, yaml_node_t *item)
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
	key = scalar_of(c, k, "`add' or `remove'");
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
	if (!grow(&m->links, m->n_links, sizeof(*m->links))) {
		free(l.a.name);
		free(l.b.name);
		return;
	}
	m->links[m->n_links++] = l;
}

static void mesh_links(struct ctx *c, yaml_node_t *v, void *obj)
{
	yaml_node_item_t *it;

	(void)obj;
	if (v->type != YAML_SEQUENCE_NODE) {
		if (!is_null(v))
			diag_add(c->d, pos_of(v), "expected a list of link rules; " LINK_SHAPE);
		return;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; ++it)
		add_link(c, node_at(c, *it));
}

static void names_free(struct sites_names *list)
{
	size_t i;

	for (i = 0; i < list->n; ++i)
		free(list->v[i].name);
	free(list->v);
}

static void links_free(struct sites_mesh *m)
{
	size_t i;

	for (i = 0; i < m->n_links; ++i) {
		free(m->links[i].a.name);
		free(m->links[i].b.name);
	}
	free(m->links);
}

/* ---------------------------------------------------------------- key age */

bool sites_parse_age(uint64_t *secs, const char *s)
{
	static const struct {
		char unit;
		uint64_t secs;
	} units[] = {{'h', 3600}, {'d', 86400}, {'w', 7 * 86400}, {'y', 365 * 86400}};
	size_t digits = strspn(s, "0123456789"), i;
	uint64_t n = 0;

	if (!digits || digits > 6 || !s[digits] || s[digits + 1])
		return false;
	for (i = 0; i < digits; ++i)
		n = n * 10 + (uint64_t)(s[i] - '0');
	for (i = 0; i < sizeof(units) / sizeof(*units); ++i) {
		if (s[digits] == units[i].unit) {
			*secs = n * units[i].secs;
			return n > 0;
		}
	}
	return false;
}

static void mesh_key_max_age(struct ctx *c, yaml_node_t *v, void *obj)
{
	const char *s = scalar_of(c, v, "an age such as 90d");
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

/* ---------------------------------------------------------------- names */

static void mesh_domain(struct ctx *c, yaml_node_t *v, void *obj)
{
	const char *s = scalar_of(c, v, "a domain such as mesh.example");
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

static void mesh_dns(struct ctx *c, yaml_node_t *v, void *obj)
{
	const char *s = scalar_of(c, v, "a site name");
	struct sites_mesh *m = obj;

	if (!s)
		return;
	free(m->dns.name);
	set_name(&m->dns, v, s);
}

static const struct key_handler mesh_keys[] = {
    {"interface", mesh_interface},
    {"port", mesh_port},
    {"tunnel", mesh_tunnel},
    {"keepalive", mesh_keepalive},
    {"preshared-keys", mesh_psk},
    {"mtu", mesh_mtu},
    {"topology", mesh_topology},       /* full or hub */
    {"hubs", mesh_hubs},	       /* topology: hub */
    {"links", mesh_links},	       /* pairs added to or removed from the topology */
    {"key-max-age", mesh_key_max_age}, /* warn about older keys */
    {"domain", mesh_domain},	       /* hosts and zone files */
    {"dns", mesh_dns},		       /* the site clients resolve with */
    {NULL, NULL},
};

/* ---------------------------------------------------------------- top level */

static void walk_named(struct ctx *c, yaml_node_t *v, const char *what,
		       void (*fn)(struct ctx *, yaml_node_t *, yaml_node_t *))
{
	yaml_node_pair_t *pair, *first;

	if (v->type != YAML_MAPPING_NODE) {
		if (!is_null(v))
			diag_add(c->d, pos_of(v),
				 "expected a mapping of %s names to their settings", what);
		return;
	}
	first = v->data.mapping.pairs.start;
	for (pair = first; pair < v->data.mapping.pairs.top; ++pair) {
		yaml_node_t *k = node_at(c, pair->key);
		const char *name = scalar_of(c, k, "a name");

		if (!name)
			continue;
		if (is_dup_key(c, first, pair))
			diag_add(c->d, pos_of(k), "duplicate %s name `%s'; expected each name once",
				 what, name);
		else
			fn(c, k, node_at(c, pair->value));
	}
}

static void top_mesh(struct ctx *c, yaml_node_t *v, void *obj)
{
	if (v->type == YAML_MAPPING_NODE)
		walk_mapping(c, v, "mesh", mesh_keys, obj);
	else if (!is_null(v))
		diag_add(c->d, pos_of(v), "expected the mesh settings as a mapping");
}

static void top_sites(struct ctx *c, yaml_node_t *v, void *obj)
{
	(void)obj;
	walk_named(c, v, "site", parse_site);
}

static void top_clients(struct ctx *c, yaml_node_t *v, void *obj)
{
	(void)obj;
	walk_named(c, v, "client", parse_client);
}

/* ---------------------------------------------------------------- access rules */

static void parse_group(struct ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	struct sites_mesh *m = c->m;
	struct sites_group *g;
	const char *name = (const char *)k->data.scalar.value;

	if (!check_name(c, k, name, "group"))
		return;
	if (!strcmp(name, "all")) {
		diag_add(c->d, pos_of(k),
			 "`all' is the group of every site and client already; expected another "
			 "name");
		return;
	}
	if (!grow(&m->groups, m->n_groups, sizeof(*m->groups)))
		return;
	g = &m->groups[m->n_groups];
	memset(g, 0, sizeof(*g));
	if (!set_name(&g->name, k, name))
		return;
	m->n_groups++;
	if (v->type != YAML_SEQUENCE_NODE && v->type != YAML_SCALAR_NODE)
		diag_add(c->d, pos_of(v), "expected the members of group `%s' as a list of names",
			 name);
	else
		for_each_scalar(c, v, "the name of a site or client", add_name, &g->members);
}

static void top_groups(struct ctx *c, yaml_node_t *v, void *obj)
{
	(void)obj;
	walk_named(c, v, "group", parse_group);
}

static void rule_group(struct ctx *c, yaml_node_t *v, struct sites_name *out)
{
	const char *s = scalar_of(c, v, "the name of a group (or all)");

	if (s && !out->name)
		set_name(out, v, s);
}

static void rule_from(struct ctx *c, yaml_node_t *v, void *obj)
{
	rule_group(c, v, &((struct sites_rule *)obj)->from);
}

static void rule_to(struct ctx *c, yaml_node_t *v, void *obj)
{
	rule_group(c, v, &((struct sites_rule *)obj)->to);
}

static void rule_proto(struct ctx *c, yaml_node_t *v, void *obj)
{
	static const char *const names[] = {"any", "tcp", "udp", "icmp"};
	struct sites_rule *r = obj;
	const char *s = scalar_of(c, v, "tcp, udp, icmp or any");
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

static void add_port(struct ctx *c, yaml_node_t *n, const char *s, void *obj)
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
	if (grow(&ports->v, ports->n, sizeof(*ports->v)))
		ports->v[ports->n++] = r;
}

static void rule_ports(struct ctx *c, yaml_node_t *v, void *obj)
{
	for_each_scalar(c, v, "a port or a range of ports", add_port,
			&((struct sites_rule *)obj)->ports);
}

static const struct key_handler rule_keys[] = {
    {"from", rule_from},   {"to", rule_to}, {"proto", rule_proto},
    {"ports", rule_ports}, {NULL, NULL},
};

static void add_rule(struct ctx *c, yaml_node_t *item)
{
	struct sites_mesh *m = c->m;
	struct sites_rule *r;

	if (item->type != YAML_MAPPING_NODE) {
		diag_add(c->d, pos_of(item),
			 "expected a rule such as `{from: GROUP, to: GROUP, proto: tcp, ports: "
			 "[22]}'");
		return;
	}
	if (!grow(&m->rules, m->n_rules, sizeof(*m->rules)))
		return;
	r = &m->rules[m->n_rules++];
	memset(r, 0, sizeof(*r));
	r->pos = pos_of(item);
	walk_mapping(c, item, "an allow rule", rule_keys, r);
	if (!r->from.name || !r->to.name)
		diag_add(c->d, r->pos, "an allow rule without `%s'; expected both `from' and `to'",
			 r->from.name ? "to" : "from");
}

static void top_allow(struct ctx *c, yaml_node_t *v, void *obj)
{
	yaml_node_item_t *it;

	(void)obj;
	if (v->type != YAML_SEQUENCE_NODE) {
		if (!is_null(v))
			diag_add(c->d, pos_of(v),
				 "expected a list of rules such as `- {from: GROUP, to: GROUP}'");
		return;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; ++it)
		add_rule(c, node_at(c, *it));
}

static void access_free(struct sites_mesh *m)
{
	size_t i;

	for (i = 0; i < m->n_groups; ++i) {
		free(m->groups[i].name.name);
		names_free(&m->groups[i].members);
	}
	free(m->groups);
	for (i = 0; i < m->n_rules; ++i) {
		free(m->rules[i].from.name);
		free(m->rules[i].to.name);
		free(m->rules[i].ports.v);
	}
	free(m->rules);
}

static const struct key_handler top_keys[] = {
    {"mesh", top_mesh},	    {"sites", top_sites}, {"clients", top_clients},
    {"groups", top_groups}, {"allow", top_allow}, {NULL, NULL},
};

static void report_syntax(struct diag *d, const yaml_parser_t *p)
{
	const yaml_mark_t *mark = p->problem ? &p->problem_mark : &p->context_mark;

	diag_add(d, (struct diag_pos){mark->line + 1, mark->column + 1},
		 "YAML syntax: %s%s%s; expected valid YAML (check indentation, ':' and quotes)",
		 p->problem ? p->problem : "unreadable", p->context ? " " : "",
		 p->context ? p->context : "");
}

static struct sites_mesh *mesh_new(void)
{
	struct sites_mesh *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->port = SITES_DEFAULT_PORT;
	m->preshared_keys = true;
	m->interface = strdup(SITES_DEFAULT_IFACE);
	if (!m->interface) {
		free(m);
		return NULL;
	}
	return m;
}

static void load_document(yaml_parser_t *p, struct diag *d, struct sites_mesh *m)
{
	yaml_document_t doc;
	yaml_node_t *root;
	struct ctx c = {&doc, d, m};

	if (!yaml_parser_load(p, &doc)) {
		m->syntax_error = true;
		report_syntax(d, p);
		return;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE)
		walk_mapping(&c, root, "the top level", top_keys, m);
	else
		diag_add(d, root ? pos_of(root) : (struct diag_pos){1, 1},
			 "expected a mapping with `mesh', `sites' and `clients' at the top level");
	yaml_document_delete(&doc);
}

struct sites_mesh *sites_load_string(const char *yaml, size_t len, struct diag *d)
{
	struct sites_mesh *m = mesh_new();
	yaml_parser_t p;

	if (!m)
		return NULL;
	if (!yaml_parser_initialize(&p)) {
		sites_free(m);
		errno = ENOMEM;
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
	load_document(&p, d, m);
	yaml_parser_delete(&p);
	return m;
}

struct sites_mesh *sites_load(const char *path, struct diag *d)
{
	struct sites_mesh *m;
	yaml_parser_t p;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	m = mesh_new();
	if (!m || !yaml_parser_initialize(&p)) {
		fclose(f);
		sites_free(m);
		errno = ENOMEM;
		return NULL;
	}
	yaml_parser_set_input_file(&p, f);
	load_document(&p, d, m);
	yaml_parser_delete(&p);
	fclose(f);
	return m;
}

static void strings_free(struct sites_strings *s)
{
	size_t i;

	for (i = 0; i < s->n; ++i)
		free(s->v[i]);
	free(s->v);
}

void sites_free(struct sites_mesh *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_sites; ++i) {
		struct sites_site *s = &m->sites[i];

		free(s->name);
		free(s->ssh);
		free(s->endpoints);
		free(s->addresses.v);
		free(s->networks.v);
		strings_free(&s->post_up);
		strings_free(&s->post_down);
	}
	for (i = 0; i < m->n_clients; ++i) {
		free(m->clients[i].name);
		free(m->clients[i].via);
		free(m->clients[i].addresses.v);
		strings_free(&m->clients[i].dns);
	}
	free(m->sites);
	free(m->clients);
	free(m->pools.v);
	names_free(&m->hubs);
	links_free(m);
	access_free(m);
	free(m->interface);
	free(m->domain);
	free(m->dns.name);
	free(m);
}

long sites_find_site(const struct sites_mesh *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n_sites; ++i)
		if (m->sites[i].name && !strcmp(m->sites[i].name, name))
			return (long)i;
	return -1;
}

long sites_find_client(const struct sites_mesh *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n_clients; ++i)
		if (m->clients[i].name && !strcmp(m->clients[i].name, name))
			return (long)i;
	return -1;
}
