/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The planner: turns sites.yaml into a mesh. It gives every site and
 * client its tunnel addresses (explicit, remembered in the keystore, or the
 * next free one of each pool), decides for every pair of sites whether they
 * talk directly (over an address family both have, as the topology and its
 * links allow: topology.c) or through a relay site that both peer with, and
 * which sites forward. Every mistake goes to the diag.
 */
#ifndef MESH_PLAN_H
#define MESH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "key.h"
#include "keystore.h"
#include "sites.h"

#define PLAN_DIRECT (-1)
#define PLAN_UNREACHABLE (-2)

/* Address family masks. */
#define PLAN_V4 1U
#define PLAN_V6 2U

struct plan_node {
	const char *name;
	bool is_client;
	struct keystore_entry *key;
	char public_key[KEY_B64_LEN];
	struct wgallowedip addrs[KEYSTORE_MAX_ADDRS]; /* tunnel addresses, one per pool */
	size_t n_addrs;
	const struct sites_site *site;	   /* sites only */
	const struct sites_client *client; /* clients only */
	unsigned int wan;		   /* families a site sends from */
	unsigned int reach;		   /* families its endpoints are reached on */
	char *endpoint[4];		   /* by the viewer's wan mask; NULL: none usable */
	uint16_t listen_port;
	uint16_t mtu;	  /* the interface MTU planned from its paths; 0: none planned */
	bool is_hub;	  /* named under mesh.hubs (topology: hub) */
	bool relays;	  /* carries traffic between two other sites */
	bool forwards;	  /* networks, relaying or clients: needs IP forwarding */
	bool nat_clients; /* has clients with route: all, so masquerades */
	char *own;	  /* its AllowedIPs as others see it: addresses, networks, clients */
	long via;	  /* clients: the site index */
};

struct plan {
	const struct sites_mesh *m;
	struct keystore *ks;
	struct plan_node *sites, *clients;
	size_t n_sites, n_clients;
	int32_t *link; /* per pair of sites: PLAN_DIRECT, PLAN_UNREACHABLE or the relay */
	size_t n_direct, n_relayed;
	struct diag warnings;  /* what is worth knowing but writes the plan anyway */
	struct access *access; /* groups and allow rules, resolved (access.c); NULL: none */
};

/*
 * Plans m with the keys of ks (adding keys for new names, marking used ones).
 * Returns 0 or -ENOMEM; input errors go to d and leave a partial plan that
 * must not be written.
 */
int plan_build(struct plan *p, const struct sites_mesh *m, struct keystore *ks, struct diag *d)
    __attribute__((warn_unused_result));
void plan_free(struct plan *p);

static inline size_t plan_pair_index(size_t a, size_t b)
{
	if (a > b) {
		size_t t = a;

		a = b;
		b = t;
	}
	return b * (b - 1) / 2 + a;
}

static inline int32_t plan_link(const struct plan *p, size_t a, size_t b)
{
	return p->link[plan_pair_index(a, b)];
}

/* True when site a can send to an endpoint of site b. */
static inline bool plan_reaches(const struct plan *p, size_t a, size_t b)
{
	return (p->sites[a].wan & p->sites[b].reach) != 0;
}

/* The endpoint site i lists for its peer site j; NULL when i cannot send to j. */
static inline const char *plan_peer_endpoint(const struct plan *p, size_t i, size_t j)
{
	return plan_reaches(p, i, j) ? p->sites[j].endpoint[p->sites[i].wan] : NULL;
}

/* Only site i can open the path to j (NAT, or a family j lacks): i keeps it open. */
static inline unsigned int plan_peer_keepalive(const struct plan *p, size_t i, size_t j)
{
	return plan_reaches(p, i, j) && !plan_reaches(p, j, i) ? p->m->keepalive : 0;
}

/*
 * The sites that site i reaches through each relay, as linked lists: for a
 * relay r, head[r], next[head[r]]... up to -1. head and next hold n_sites.
 */
void plan_relay_lists(const struct plan *p, size_t i, long *head, long *next);

/* Site pairs, and client pairs (each client with its via). */
static inline size_t plan_site_pairs(const struct plan *p)
{
	return p->n_sites * (p->n_sites ? p->n_sites - 1 : 0) / 2;
}

/* True when prefix contains the address (family and the first cidr bits). */
bool plan_prefix_contains(const struct wgallowedip *prefix, uint16_t family, const void *addr);

#endif
