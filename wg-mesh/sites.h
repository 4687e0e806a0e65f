/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sites.yaml in memory: the mesh settings, its sites and its clients, each
 * value with the line and column it came from so the planner can point at it.
 * Read with libyaml's document API; every problem goes to a struct diag.
 * The syntax of endpoints, SSH destinations and ages is sites-values.h.
 */
#ifndef MESH_SITES_H
#define MESH_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "diag.h"
#include "sites-values.h"

#define SITES_DEFAULT_IFACE "wg0"
#define SITES_DEFAULT_PORT 51820

struct sites_prefix {
	struct wgallowedip ip; /* family, address and cidr; next_allowedip unused */
	struct diag_pos pos;
};

struct sites_strings {
	char **v;
	size_t n;
};

struct sites_prefixes {
	struct sites_prefix *v;
	size_t n;
};

struct sites_site {
	char *name;
	struct diag_pos pos;
	struct sites_endpoint *endpoints;
	size_t n_endpoints;
	struct sites_prefixes addresses, networks;
	struct sites_strings post_up, post_down;
	char *ssh; /* the SSH destination as written, NULL when the site has none */
	struct diag_pos ssh_pos;
	uint16_t underlay_mtu; /* 0: not given (1500) */
	struct diag_pos underlay_mtu_pos;
};

enum sites_route { SITES_ROUTE_MESH, SITES_ROUTE_ALL };

/* Who peers with whom: every pair of sites, or spokes with hubs only. */
enum sites_topology { SITES_TOPOLOGY_FULL, SITES_TOPOLOGY_HUB };

struct sites_name {
	char *name;
	struct diag_pos pos;
};

struct sites_names {
	struct sites_name *v;
	size_t n;
};

/* One `links:' rule: peer a and b directly (add) or never directly (remove). */
struct sites_link {
	bool add;
	struct sites_name a, b;
	struct diag_pos pos; /* of the `add' or `remove' key */
};

struct sites_client {
	char *name;
	struct diag_pos pos;
	char *via;
	struct diag_pos via_pos;
	struct sites_prefixes addresses;
	struct sites_strings dns;
	enum sites_route route;
};

/* A named set of sites and clients (`groups:'). */
struct sites_group {
	struct sites_name name;
	struct sites_names members;
};

enum sites_proto { SITES_PROTO_ANY, SITES_PROTO_TCP, SITES_PROTO_UDP, SITES_PROTO_ICMP };

struct sites_ports {
	struct sites_port_range {
		uint16_t lo, hi;
	} * v;
	size_t n;
};

/* One `allow:' rule: members of `from' may open connections to members of `to'. */
struct sites_rule {
	struct diag_pos pos;
	struct sites_name from, to; /* group names; name NULL when missing */
	enum sites_proto proto;
	struct diag_pos proto_pos;
	struct sites_ports ports; /* none: every port */
};

struct sites_mesh {
	char *interface;
	struct diag_pos interface_pos;
	uint16_t port;
	struct sites_prefixes pools;
	struct diag_pos pools_pos;
	uint16_t keepalive; /* 0: off */
	bool preshared_keys;
	uint16_t mtu; /* 0: wg-quick decides */
	struct diag_pos mtu_pos;
	uint64_t key_max_age; /* seconds; 0: off */
	struct diag_pos key_max_age_pos;
	char *domain;	       /* names NAME.DOMAIN for the tunnel addresses; NULL: none */
	struct sites_name dns; /* the site whose resolver clients use; name NULL: none */
	struct sites_site *sites;
	size_t n_sites;
	struct sites_client *clients;
	size_t n_clients;
	enum sites_topology topology;
	struct diag_pos topology_pos;
	struct sites_names hubs;
	struct diag_pos hubs_pos;
	struct sites_link *links;
	size_t n_links;
	struct sites_group *groups;
	size_t n_groups;
	struct sites_rule *rules;
	size_t n_rules;
	bool syntax_error; /* the YAML did not parse: nothing more to check */
};

/*
 * Reads sites.yaml (path for opening; d->file is what errors print). Returns
 * NULL on a read failure (errno set) or when memory runs out; syntax and
 * content errors go to d and still return the parts that were understood.
 */
struct sites_mesh *sites_load(const char *path, struct diag *d);
/* The same from a string in memory (the tests use it). */
struct sites_mesh *sites_load_string(const char *yaml, size_t len, struct diag *d);
void sites_free(struct sites_mesh *m);

/* Index of a site or client by name, or -1. */
long sites_find_site(const struct sites_mesh *m, const char *name);
long sites_find_client(const struct sites_mesh *m, const char *name);

#endif
