// SPDX-License-Identifier: GPL-2.0
/*
 * The planner. Each step reads sites.yaml's model and the keystore and fills
 * the plan; problems go to the diag with the position of the value at fault.
 * All steps are linear in sites, clients or site pairs, never worse: the
 * pair loop is the one O(n^2) part, and it does O(1) work per pair.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "cidr.h"
#include "textbuf.h"
#include "plan.h"
#include "topology.h"
#include "mtu.h"
#include "keyage.h"
#include "access.h"
#include "names.h"

struct addr_set {
	struct addr_slot {
		uint8_t addr[16];
		uint16_t family;
	} * slots;
	size_t mask;
};

struct pool_state {
	uint8_t next[16]; /* the next candidate address */
	bool exhausted;
	bool reported;
};

static const uint8_t *addr_bytes(const struct wgallowedip *ip)
{
	return (const uint8_t *)&ip->ip6; /* ip4 shares the union's start */
}

static size_t addr_len(uint16_t family)
{
	return family == AF_INET ? 4 : 16;
}

bool plan_prefix_contains(const struct wgallowedip *prefix, uint16_t family, const void *addr)
{
	const uint8_t *a = addr_bytes(prefix), *b = addr;
	unsigned int bits = prefix->cidr, full = bits / 8;

	if (prefix->family != family)
		return false;
	if (memcmp(a, b, full))
		return false;
	if (bits % 8 == 0)
		return true;
	return !((a[full] ^ b[full]) & (0xff00 >> (bits % 8)));
}

/* ---------------------------------------------------------------- address set */

static size_t addr_hash(uint16_t family, const uint8_t *addr)
{
	uint64_t h = 1469598103934665603ULL ^ family;
	size_t i;

	for (i = 0; i < addr_len(family); ++i)
		h = (h ^ addr[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static int set_init(struct addr_set *s, size_t count)
{
	size_t cap = 64;

	while (cap < count * 2)
		cap *= 2;
	s->slots = calloc(cap, sizeof(*s->slots));
	s->mask = cap - 1;
	return s->slots ? 0 : -ENOMEM;
}

/* Adds an address; false when it was there already. */
static bool set_add(struct addr_set *s, uint16_t family, const uint8_t *addr)
{
	size_t i = addr_hash(family, addr) & s->mask, len = addr_len(family);

	for (; s->slots[i].family; i = (i + 1) & s->mask)
		if (s->slots[i].family == family && !memcmp(s->slots[i].addr, addr, len))
			return false;
	s->slots[i].family = family;
	memcpy(s->slots[i].addr, addr, len);
	return true;
}

static bool set_has(const struct addr_set *s, uint16_t family, const uint8_t *addr)
{
	size_t i = addr_hash(family, addr) & s->mask, len = addr_len(family);

	for (; s->slots[i].family; i = (i + 1) & s->mask)
		if (s->slots[i].family == family && !memcmp(s->slots[i].addr, addr, len))
			return true;
	return false;
}

/* ---------------------------------------------------------------- names and keys */

static void check_names(struct plan *p, struct diag *d)
{
	const struct sites_mesh *m = p->m;
	size_t i;
	long s;

	for (i = 0; i < m->n_clients; ++i) {
		s = sites_find_site(m, m->clients[i].name);
		if (s >= 0)
			diag_add(d, m->clients[i].pos,
				 "duplicate name `%s': already a site (line %u); expected a name "
				 "used once among sites and clients",
				 m->clients[i].name, m->sites[s].pos.line);
	}
	if (m->pools.n > KEYSTORE_MAX_ADDRS)
		diag_add(d, m->pools_pos, "%zu tunnel pools; expected at most %d", m->pools.n,
			 KEYSTORE_MAX_ADDRS);
	if (!m->pools.n)
		diag_add(d, m->pools_pos.line ? m->pools_pos : (struct diag_pos){1, 1},
			 "no tunnel address pools; expected `tunnel: [192.168.0.0/24, "
			 "fd00:1::/64]' under `mesh'");
}

static int take_keys(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->ks->n; ++i)
		p->ks->entries[i].used = false;
	for (i = 0; i < p->n_sites + p->n_clients; ++i) {
		bool client = i >= p->n_sites;
		struct plan_node *n = client ? &p->clients[i - p->n_sites] : &p->sites[i];

		n->is_client = client;
		n->name = client ? p->m->clients[i - p->n_sites].name : p->m->sites[i].name;
		if (client)
			n->client = &p->m->clients[i - p->n_sites];
		else
			n->site = &p->m->sites[i];
		if (!keystore_get(p->ks, n->name, client))
			return -ENOMEM;
	}
	/* Adding entries may move the array: take the pointers afterwards. */
	for (i = 0; i < p->n_sites + p->n_clients; ++i) {
		struct plan_node *n = i >= p->n_sites ? &p->clients[i - p->n_sites] : &p->sites[i];

		n->key = keystore_find(p->ks, n->name, n->is_client);
		n->key->used = true;
		key_to_base64(n->public_key, n->key->public_key);
	}
	return 0;
}

/* ---------------------------------------------------------------- endpoints */

static unsigned int family_mask(uint16_t family)
{
	if (family == AF_INET)
		return PLAN_V4;
	if (family == AF_INET6)
		return PLAN_V6;
	return PLAN_V4 | PLAN_V6; /* a host name: resolved by whoever dials it */
}

static void listen_port(struct plan_node *n, uint16_t mesh_port, struct diag *d)
{
	const struct sites_site *s = n->site;
	const struct sites_endpoint *first = NULL;
	size_t i;

	n->listen_port = mesh_port;
	for (i = 0; i < s->n_endpoints; ++i) {
		const struct sites_endpoint *ep = &s->endpoints[i];

		if (!ep->port)
			continue;
		if (!first) {
			first = ep;
			n->listen_port = ep->port;
		} else if (ep->port != first->port) {
			diag_add(d, ep->pos,
				 "port %u differs from port %u of `%s' (line %u); expected one "
				 "listen port per site",
				 ep->port, first->port, first->host, first->pos.line);
		}
	}
}

static char *format_endpoint(const struct sites_endpoint *ep, uint16_t port)
{
	char *s;

	if (asprintf(&s, ep->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ep->host, port) < 0)
		return NULL;
	return s;
}

/* For each viewer mask, the first endpoint of the site in a family the viewer has. */
static int site_endpoints(struct plan_node *n, uint16_t mesh_port, struct diag *d)
{
	const struct sites_site *s = n->site;
	unsigned int viewer;
	size_t i;

	listen_port(n, mesh_port, d);
	n->wan = s->n_endpoints ? 0 : PLAN_V4 | PLAN_V6;
	for (i = 0; i < s->n_endpoints; ++i) {
		n->wan |= family_mask(s->endpoints[i].family);
		n->reach |= family_mask(s->endpoints[i].family);
	}
	for (viewer = 1; viewer < 4; ++viewer) {
		for (i = 0; i < s->n_endpoints; ++i) {
			if (!(family_mask(s->endpoints[i].family) & viewer))
				continue;
			n->endpoint[viewer] = format_endpoint(&s->endpoints[i], n->listen_port);
			if (!n->endpoint[viewer])
				return -ENOMEM;
			break;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- addresses */

static void addr_increment(uint8_t *a, size_t len)
{
	while (len-- && !++a[len])
		;
}

/* The pool's network address, and the IPv4 broadcast address, are never handed out. */
static bool is_reserved(const struct wgallowedip *pool, const uint8_t *a)
{
	size_t i, len = addr_len(pool->family);
	bool zero = true, ones = true;

	if (pool->cidr >= cidr_max_len(pool->family) - 1)
		return false;
	for (i = pool->cidr; i < len * 8; ++i) {
		bool bit = a[i / 8] & (0x80 >> (i % 8));

		zero &= !bit;
		ones &= bit;
	}
	return zero || (ones && pool->family == AF_INET);
}

static long find_pool(const struct sites_mesh *m, const struct wgallowedip *ip)
{
	size_t i;

	for (i = 0; i < m->pools.n; ++i)
		if (plan_prefix_contains(&m->pools.v[i].ip, ip->family, addr_bytes(ip)))
			return (long)i;
	return -1;
}

static const struct sites_prefixes *explicit_addrs(const struct plan_node *n)
{
	return n->is_client ? &n->client->addresses : &n->site->addresses;
}

static void take_explicit(struct plan *p, struct plan_node *n, struct addr_set *used,
			  struct diag *d)
{
	const struct sites_prefixes *list = explicit_addrs(n);
	char buf[CIDR_STR_LEN];
	size_t i;

	for (i = 0; i < list->n; ++i) {
		const struct sites_prefix *a = &list->v[i];
		long pool = find_pool(p->m, &a->ip);

		cidr_print_addr(buf, sizeof(buf), a->ip.family, addr_bytes(&a->ip));
		if (pool < 0)
			diag_add(d, a->pos,
				 "address %s of `%s' is outside the tunnel pools; "
				 "expected an address inside one of the `tunnel' prefixes",
				 buf, n->name);
		else if (n->addrs[pool].family)
			diag_add(d, a->pos,
				 "`%s' has a second address (%s) in the same pool; "
				 "expected one address per pool",
				 n->name, buf);
		else if (is_reserved(&p->m->pools.v[pool].ip, addr_bytes(&a->ip)))
			diag_add(d, a->pos,
				 "address %s is the pool's network or broadcast "
				 "address; expected a host address",
				 buf);
		else if (!set_add(used, a->ip.family, addr_bytes(&a->ip)))
			diag_add(d, a->pos,
				 "address %s is used twice; expected each tunnel "
				 "address once (or leave it out to take a free one)",
				 buf);
		else
			n->addrs[pool] = a->ip;
	}
}

static void take_stored(struct plan *p, struct plan_node *n, struct addr_set *used)
{
	size_t i;

	for (i = 0; i < n->key->n_addrs; ++i) {
		const struct wgallowedip *a = &n->key->addrs[i];
		long pool = find_pool(p->m, a);

		if (pool < 0 || n->addrs[pool].family ||
		    is_reserved(&p->m->pools.v[pool].ip, addr_bytes(a)))
			continue;
		if (set_add(used, a->family, addr_bytes(a))) {
			n->addrs[pool] = *a;
			n->addrs[pool].cidr = cidr_max_len(a->family);
		}
	}
}

static bool pool_next(const struct wgallowedip *pool, struct pool_state *st,
		      const struct addr_set *used, uint8_t *out)
{
	size_t len = addr_len(pool->family);

	while (!st->exhausted) {
		memcpy(out, st->next, len);
		addr_increment(st->next, len);
		if (!plan_prefix_contains(pool, pool->family, st->next) ||
		    !memcmp(st->next, addr_bytes(pool), len))
			st->exhausted = true; /* wrapped past the end of the prefix */
		if (!is_reserved(pool, out) && !set_has(used, pool->family, out))
			return true;
	}
	return false;
}

static void allocate(struct plan *p, struct plan_node *n, struct pool_state *states,
		     struct addr_set *used, struct diag *d)
{
	const struct sites_prefixes *pools = &p->m->pools;
	uint8_t a[16];
	char buf[CIDR_STR_LEN];
	size_t k;

	for (k = 0; k < pools->n; ++k) {
		struct wgallowedip *slot = &n->addrs[k];

		if (slot->family)
			continue;
		if (!pool_next(&pools->v[k].ip, &states[k], used, a)) {
			if (states[k].reported)
				continue;
			states[k].reported = true;
			cidr_print(buf, sizeof(buf), &pools->v[k].ip);
			diag_add(d, pools->v[k].pos,
				 "tunnel pool %s is exhausted at `%s' (%zu sites "
				 "and clients in all); expected a larger prefix",
				 buf, n->name, p->n_sites + p->n_clients);
			continue;
		}
		set_add(used, pools->v[k].ip.family, a);
		slot->family = pools->v[k].ip.family;
		slot->cidr = cidr_max_len(slot->family);
		memcpy((uint8_t *)&slot->ip6, a, addr_len(slot->family));
	}
}

static struct plan_node *node_at(struct plan *p, size_t i)
{
	return i < p->n_sites ? &p->sites[i] : &p->clients[i - p->n_sites];
}

static int assign_addresses(struct plan *p, struct diag *d)
{
	size_t i, k, total = p->n_sites + p->n_clients, n_pools = p->m->pools.n;
	struct pool_state *states = calloc(n_pools + 1, sizeof(*states));
	struct addr_set used;

	if (!states || set_init(&used, total * (n_pools + 1) + 16) < 0) {
		free(states);
		return -ENOMEM;
	}
	for (k = 0; k < n_pools; ++k)
		memcpy(states[k].next, addr_bytes(&p->m->pools.v[k].ip), 16);
	for (i = 0; i < total; ++i)
		take_explicit(p, node_at(p, i), &used, d);
	for (i = 0; i < total; ++i)
		take_stored(p, node_at(p, i), &used);
	for (i = 0; i < total; ++i) {
		struct plan_node *n = node_at(p, i);

		allocate(p, n, states, &used, d);
		n->n_addrs = n_pools < KEYSTORE_MAX_ADDRS ? n_pools : KEYSTORE_MAX_ADDRS;
		n->key->n_addrs = 0;
		for (k = 0; k < n->n_addrs; ++k)
			if (n->addrs[k].family)
				n->key->addrs[n->key->n_addrs++] = n->addrs[k];
	}
	free(used.slots);
	free(states);
	return 0;
}

/* ---------------------------------------------------------------- clients */

static void resolve_clients(struct plan *p, struct diag *d)
{
	size_t i;

	for (i = 0; i < p->n_clients; ++i) {
		struct plan_node *c = &p->clients[i];

		c->via = c->client->via ? sites_find_site(p->m, c->client->via) : -1;
		if (!c->client->via)
			continue; /* reported by the parser */
		if (c->via < 0) {
			diag_add(d, c->client->via_pos,
				 "client `%s' goes via `%s', which is not a "
				 "site; expected one of the names under `sites'",
				 c->name, c->client->via);
		} else if (!p->sites[c->via].site->n_endpoints) {
			diag_add(d, c->client->via_pos,
				 "client `%s' goes via `%s', which has no "
				 "endpoint; expected a site with an `endpoint'",
				 c->name, c->client->via);
			c->via = -1;
		}
	}
}

/* ---------------------------------------------------------------- overlaps */

struct net_ref {
	const struct sites_prefix *net;
	const char *owner; /* a site name, or NULL for a tunnel pool */
};

static int net_cmp(const void *x, const void *y)
{
	const struct net_ref *a = x, *b = y;
	int c;

	if (a->net->ip.family != b->net->ip.family)
		return a->net->ip.family < b->net->ip.family ? -1 : 1;
	c = memcmp(addr_bytes(&a->net->ip), addr_bytes(&b->net->ip), 16);
	if (c)
		return c;
	return a->net->ip.cidr < b->net->ip.cidr ? -1 : a->net->ip.cidr > b->net->ip.cidr;
}

static void report_overlap(struct diag *d, const struct net_ref *a, const struct net_ref *b)
{
	char x[CIDR_STR_LEN], y[CIDR_STR_LEN], ox[80], oy[80];
	const struct net_ref *later = b, *earlier = a;

	/* Point at whichever comes later in the file. */
	if (a->net->pos.line > b->net->pos.line ||
	    (a->net->pos.line == b->net->pos.line && a->net->pos.col > b->net->pos.col)) {
		later = a;
		earlier = b;
	}
	cidr_print(x, sizeof(x), &later->net->ip);
	cidr_print(y, sizeof(y), &earlier->net->ip);
	snprintf(ox, sizeof(ox), later->owner ? "network %s of site `%s'" : "tunnel pool %s%s", x,
		 later->owner ? later->owner : "");
	snprintf(oy, sizeof(oy), earlier->owner ? "%s of site `%s'" : "tunnel pool %s%s", y,
		 earlier->owner ? earlier->owner : "");
	diag_add(d, later->net->pos,
		 "%s overlaps %s (line %u); expected networks and pools "
		 "that do not overlap",
		 ox, oy, earlier->net->pos.line);
}

/* The last ref starting at or before addr (of its family), or -1. */
static long ref_before(const struct net_ref *refs, const size_t n, uint16_t family,
		       const uint8_t *addr)
{
	long lo = 0, hi = (long)n - 1, found = -1;

	while (lo <= hi) {
		long mid = (lo + hi) / 2;
		const struct wgallowedip *ip = &refs[mid].net->ip;
		int c = ip->family != family ? (ip->family < family ? -1 : 1)
					     : memcmp(addr_bytes(ip), addr, addr_len(family));

		if (c <= 0) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

/*
 * An endpoint inside a mesh network or pool would be routed into the tunnel
 * it carries once wg-quick installs the routes: a loop, and a dead link.
 */
static void check_endpoints(struct plan *p, const struct net_ref *refs, const size_t *cover,
			    size_t n, struct diag *d)
{
	uint8_t a[16];
	char net[CIDR_STR_LEN];
	size_t i, e;
	long r;

	for (i = 0; i < p->n_sites; ++i) {
		for (e = 0; e < p->sites[i].site->n_endpoints; ++e) {
			const struct sites_endpoint *ep = &p->sites[i].site->endpoints[e];

			if (!ep->family || inet_pton(ep->family, ep->host, a) != 1)
				continue;
			r = ref_before(refs, n, ep->family, a);
			if (r < 0 ||
			    (!plan_prefix_contains(&refs[r].net->ip, ep->family, a) &&
			     !plan_prefix_contains(&refs[r = cover[r]].net->ip, ep->family, a)))
				continue;
			cidr_print(net, sizeof(net), &refs[r].net->ip);
			diag_add(
			    d, ep->pos,
			    "endpoint %s is inside %s%s%s: its traffic would be routed into "
			    "the tunnel; expected an address outside the mesh's networks and pools",
			    ep->host, refs[r].owner ? "a network of site `" : "the tunnel pool ",
			    refs[r].owner ? refs[r].owner : net, refs[r].owner ? "'" : "");
		}
	}
}

static int check_overlaps(struct plan *p, struct diag *d)
{
	size_t i, j, n = p->m->pools.n, k = 0, *cover;
	struct net_ref *refs;

	for (i = 0; i < p->n_sites; ++i)
		n += p->sites[i].site->networks.n;
	refs = calloc(n + 1, sizeof(*refs));
	cover = calloc(n + 1, sizeof(*cover));
	if (!refs || !cover) {
		free(refs);
		free(cover);
		return -ENOMEM;
	}
	for (i = 0; i < p->m->pools.n; ++i)
		refs[k++] = (struct net_ref){&p->m->pools.v[i], NULL};
	for (i = 0; i < p->n_sites; ++i)
		for (j = 0; j < p->sites[i].site->networks.n; ++j)
			refs[k++] =
			    (struct net_ref){&p->sites[i].site->networks.v[j], p->sites[i].name};
	/* Sorted by start, prefixes either nest or are disjoint: one sweep finds all. */
	qsort(refs, n, sizeof(*refs), net_cmp);
	for (i = 1; i < n; ++i) {
		const struct wgallowedip *c = &refs[cover[i - 1]].net->ip, *x = &refs[i].net->ip;

		cover[i] = i;
		if (plan_prefix_contains(c, x->family, addr_bytes(x))) {
			report_overlap(d, &refs[cover[i - 1]], &refs[i]);
			cover[i] = cover[i - 1];
		}
	}
	check_endpoints(p, refs, cover, n, d);
	free(cover);
	free(refs);
	return 0;
}

void plan_relay_lists(const struct plan *p, size_t i, long *head, long *next)
{
	size_t j;
	int32_t r;

	for (j = 0; j < p->n_sites; ++j)
		head[j] = -1;
	for (j = 0; j < p->n_sites; ++j) {
		if (j == i || (r = plan_link(p, i, j)) < 0)
			continue;
		next[j] = head[r];
		head[r] = (long)j;
	}
}

/* ---------------------------------------------------------------- routes */

static void add_prefix_text(struct textbuf *b, const struct wgallowedip *ip)
{
	char s[CIDR_STR_LEN];

	if (!ip->family)
		return;
	cidr_print(s, sizeof(s), ip);
	if (b->len)
		textbuf_add(b, ", ", 2);
	textbuf_puts(b, s);
}

/* Each site's AllowedIPs as its peers list it: tunnel addresses, LANs, its clients. */
static int build_own(struct plan *p)
{
	struct textbuf *own = calloc(p->n_sites + 1, sizeof(*own));
	size_t i, k;
	int ret = 0;

	if (!own)
		return -ENOMEM;
	for (i = 0; i < p->n_sites; ++i) {
		for (k = 0; k < p->sites[i].n_addrs; ++k)
			add_prefix_text(&own[i], &p->sites[i].addrs[k]);
		for (k = 0; k < p->sites[i].site->networks.n; ++k)
			add_prefix_text(&own[i], &p->sites[i].site->networks.v[k].ip);
	}
	for (i = 0; i < p->n_clients; ++i) {
		struct plan_node *c = &p->clients[i];

		if (c->via < 0)
			continue;
		for (k = 0; k < c->n_addrs; ++k)
			add_prefix_text(&own[c->via], &c->addrs[k]);
		p->sites[c->via].forwards = true;
		p->sites[c->via].nat_clients |= c->client->route == SITES_ROUTE_ALL;
	}
	for (i = 0; i < p->n_sites; ++i) {
		if (own[i].failed || !textbuf_reserve(&own[i], 0))
			ret = -ENOMEM;
		p->sites[i].own = own[i].p;
		p->sites[i].forwards |= p->sites[i].relays || p->sites[i].site->networks.n;
	}
	free(own);
	return ret;
}

/* ---------------------------------------------------------------- the whole plan */

int plan_build(struct plan *p, const struct sites_mesh *m, struct keystore *ks, struct diag *d)
{
	size_t i;
	int ret;

	memset(p, 0, sizeof(*p));
	p->m = m;
	p->ks = ks;
	p->n_sites = m->n_sites;
	p->n_clients = m->n_clients;
	diag_init(&p->warnings, d->file);
	p->warnings.kind = "warning";
	p->sites = calloc(p->n_sites + 1, sizeof(*p->sites));
	p->clients = calloc(p->n_clients + 1, sizeof(*p->clients));
	if (!p->sites || !p->clients)
		return -ENOMEM;
	check_names(p, d);
	ret = take_keys(p);
	for (i = 0; !ret && i < p->n_sites; ++i)
		ret = site_endpoints(&p->sites[i], m->port, d);
	if (!ret && m->pools.n <= KEYSTORE_MAX_ADDRS)
		ret = assign_addresses(p, d);
	if (!ret)
		ret = check_overlaps(p, d);
	if (!ret)
		resolve_clients(p, d);
	if (!ret)
		names_check(p, d);
	if (!ret)
		ret = topology_link(p, d);
	if (!ret)
		ret = build_own(p);
	if (!ret)
		ret = access_plan(p, d);
	if (!ret && !diag_has_errors(d))
		ret = mtu_plan(p, d);
	if (!ret)
		keyage_warn(p, time(NULL));
	return ret;
}

void plan_free(struct plan *p)
{
	size_t i, v;

	for (i = 0; p->sites && i < p->n_sites; ++i) {
		for (v = 0; v < 4; ++v)
			free(p->sites[i].endpoint[v]);
		free(p->sites[i].own);
	}
	free(p->sites);
	free(p->clients);
	free(p->link);
	access_free(p);
	diag_free(&p->warnings);
	memset(p, 0, sizeof(*p));
}
