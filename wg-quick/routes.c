// SPDX-License-Identifier: GPL-2.0
/*
 * A route per allowed IP, longest prefix first, skipping those the main table
 * already covers on the interface. A default route (/0) goes into its own table
 * chosen by the fwmark, reached through a `not fwmark` rule, with the main
 * table consulted first for everything but its default routes
 * (suppress_prefixlength 0): the tunnel's own packets never loop into it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ipc.h"
#include "quick.h"

#define QUICK_TABLE_FIRST 51820

struct route_item {
	struct rtnl_prefix dst;
	char str[INET6_ADDRSTRLEN + 8];
};

/* The main-table routes on our interface, read once, plus those we add. */
struct route_cache {
	struct rtnl_prefix *v;
	size_t n, cap;
	uint32_t ifindex;
};

static int cache_push(struct route_cache *c, const struct rtnl_prefix *p)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct rtnl_prefix *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *p;
	return 0;
}

static int cache_cb(const struct rtnl_route *r, void *arg)
{
	struct route_cache *c = arg;

	if (r->table != RTNL_TABLE_MAIN || r->oif != c->ifindex)
		return 0;
	return cache_push(c, &r->dst);
}

/* True when p lies within the first `bits` bits of net. */
static bool prefix_within(const struct rtnl_prefix *net, const struct rtnl_prefix *p)
{
	const uint8_t *a = (const uint8_t *)&net->ip6, *b = (const uint8_t *)&p->ip6;
	unsigned int full = net->len / 8, rest = net->len % 8;

	if (net->family != p->family || net->len > p->len || memcmp(a, b, full))
		return false;
	return !rest || !((a[full] ^ b[full]) & (uint8_t)(0xff00 >> rest));
}

/* As `ip route show dev IFACE match PREFIX` being non-empty. */
static bool cache_match(const struct route_cache *c, const struct rtnl_prefix *p)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (prefix_within(&c->v[i], p))
			return true;
	}
	return false;
}

/* Longest prefix first, then as `sort -nr -k 2 -t /` breaks ties: whole line, reversed. */
static int item_cmp(const void *a, const void *b)
{
	const struct route_item *x = a, *y = b;

	if (x->dst.len != y->dst.len)
		return x->dst.len > y->dst.len ? -1 : 1;
	return -strcmp(x->str, y->str);
}

static int items_collect(const struct wgdevice *dev, struct route_item **out, size_t *n)
{
	const struct wgpeer *peer;
	const struct wgallowedip *aip;
	struct route_item *v = NULL, *grown;
	size_t cap = 0;

	*n = 0;
	for_each_wgpeer (dev, peer) {
		for_each_wgallowedip (peer, aip) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				grown = realloc(v, cap * sizeof(*v));
				if (!grown) {
					free(v);
					return -ENOMEM;
				}
				v = grown;
			}
			memset(&v[*n], 0, sizeof(*v));
			v[*n].dst.family = aip->family;
			v[*n].dst.len = aip->cidr;
			memcpy(&v[*n].dst.ip6, &aip->ip6, aip->family == AF_INET6 ? 16 : 4);
			rtnl_prefix_print(v[*n].str, sizeof(v[*n].str), &v[*n].dst);
			(*n)++;
		}
	}
	qsort(v, *n, sizeof(*v), item_cmp);
	*out = v;
	return 0;
}

static int set_fwmark(struct quick *q, uint32_t fwmark)
{
	struct wgdevice *dev = model_device_new();
	int ret;

	if (!dev)
		return -1;
	snprintf(dev->name, sizeof(dev->name), "%s", q->iface);
	dev->flags = WGDEVICE_HAS_FWMARK;
	dev->fwmark = fwmark;
	quick_echo("wg set %s fwmark %u", q->iface, fwmark);
	ret = ipc_set_device(dev);
	model_device_free(dev);
	if (ret) {
		fprintf(stderr, "Unable to modify interface: %s\n", strerror(-ret));
		return -1;
	}
	q->fwmark = fwmark;
	return 0;
}

/* The fwmark's table, or the first free one from 51820 marked on the device. */
static int default_table(struct quick *q, uint32_t *table)
{
	uint32_t t = QUICK_TABLE_FIRST;
	int v4, v6;

	if (q->fwmark) {
		*table = q->fwmark;
		return 0;
	}
	for (;; t++) {
		v4 = rtnl_route_table_used(q->rt, AF_INET, t);
		v6 = rtnl_route_table_used(q->rt, AF_INET6, t);
		if (v4 < 0 || v6 < 0)
			return -1;
		if (!v4 && !v6)
			break;
	}
	*table = t;
	return set_fwmark(q, t);
}

static int rule_add(struct quick *q, const struct rtnl_rule *rule, const char *table)
{
	char cmd[160];
	int ret;

	rtnl_cmd_rule(cmd, sizeof(cmd), "add", rule, table);
	quick_echo("%s", cmd);
	ret = rtnl_rule_add(q->rt, rule);
	if (ret)
		quick_rtnl_error(q, ret);
	return ret ? -1 : 0;
}

static int route_add(struct quick *q, const struct route_item *it, uint32_t table,
		     const char *table_str)
{
	char cmd[256];
	int ret;

	rtnl_cmd_route_add(cmd, sizeof(cmd), it->dst.family, it->str, q->iface, table_str);
	quick_echo("%s", cmd);
	ret = rtnl_route_add(q->rt, &it->dst, q->ifindex, table);
	if (ret)
		quick_rtnl_error(q, ret);
	return ret ? -1 : 0;
}

static int add_default(struct quick *q, const struct route_item *it)
{
	struct rtnl_rule not_mark = {
	    .family = it->dst.family, .has_fwmark = true, .invert = true, .suppress_prefixlen = -1};
	struct rtnl_rule suppress = {
	    .family = it->dst.family, .table = RTNL_TABLE_MAIN, .suppress_prefixlen = 0};
	char table_str[16];
	uint32_t table;

	if (default_table(q, &table))
		return -1;
	snprintf(table_str, sizeof(table_str), "%u", table);
	not_mark.table = not_mark.fwmark = table;
	if (route_add(q, it, table, table_str) || rule_add(q, &not_mark, table_str) ||
	    rule_add(q, &suppress, "main"))
		return -1;
	return quick_firewall_add(q, it->dst.family, table);
}

static int add_route(struct quick *q, struct route_cache *cache, const struct route_item *it)
{
	if (q->table == QUICK_TABLE_ID)
		return route_add(q, it, q->table_id, q->table_str);
	if (!it->dst.len)
		return add_default(q, it);
	if (cache_match(cache, &it->dst))
		return 0;
	if (route_add(q, it, RTNL_TABLE_MAIN, NULL))
		return -1;
	return cache_push(cache, &it->dst) ? -1 : 0;
}

int quick_routes_add(struct quick *q)
{
	struct route_cache cache = {.ifindex = q->ifindex};
	struct wgdevice *dev = NULL;
	struct route_item *items = NULL;
	size_t n = 0, i;
	int ret = -1;

	if (q->table == QUICK_TABLE_OFF)
		return 0;
	if (quick_link_read(q, &dev) || items_collect(dev, &items, &n))
		goto out;
	q->fwmark = dev->fwmark;
	if (rtnl_route_list(q->rt, AF_INET, cache_cb, &cache) ||
	    rtnl_route_list(q->rt, AF_INET6, cache_cb, &cache))
		goto out;
	for (i = 0; i < n; i++) {
		if (add_route(q, &cache, &items[i]))
			goto out;
	}
	ret = 0;
out:
	free(cache.v);
	free(items);
	model_device_free(dev);
	return ret;
}

int quick_routes_has_default(const struct wgdevice *dev)
{
	const struct wgpeer *peer;
	const struct wgallowedip *aip;

	for_each_wgpeer (dev, peer) {
		for_each_wgallowedip (peer, aip) {
			if (!aip->cidr)
				return 1;
		}
	}
	return 0;
}

struct rules_found {
	struct rtnl_rule v[64];
	size_t n;
	uint32_t table;
	bool suppress;
};

static int rules_cb(const struct rtnl_rule *r, void *arg)
{
	struct rules_found *f = arg;
	bool match = f->suppress ? r->table == RTNL_TABLE_MAIN && r->suppress_prefixlen == 0 &&
				       !r->has_fwmark && !r->invert
				 : r->table == f->table;

	if (match && f->n < sizeof(f->v) / sizeof(f->v[0]))
		f->v[f->n++] = *r;
	return 0;
}

/* Deletes every rule of one kind ("lookup TABLE" or main's suppress rule). */
static void rules_del(struct quick *q, int family, uint32_t table, bool suppress)
{
	struct rules_found *f = calloc(1, sizeof(*f));
	struct rtnl_rule shown = {.family = family, .table = table, .suppress_prefixlen = -1};
	char cmd[160], table_str[16];
	size_t i;
	int ret;

	if (!f)
		return;
	f->table = table;
	f->suppress = suppress;
	if (suppress)
		shown.suppress_prefixlen = 0;
	snprintf(table_str, sizeof(table_str), "%u", table);
	rtnl_cmd_rule(cmd, sizeof(cmd), "delete", &shown, suppress ? "main" : table_str);
	if (!rtnl_rule_list(q->rt, family, rules_cb, f)) {
		for (i = 0; i < f->n; i++) {
			quick_echo("%s", cmd);
			ret = rtnl_rule_del(q->rt, &f->v[i]);
			if (ret)
				quick_rtnl_error(q, ret);
		}
	}
	free(f);
}

void quick_routes_del_rules(struct quick *q)
{
	struct wgdevice *dev = NULL;

	int ret;

	if (q->table != QUICK_TABLE_AUTO)
		return;
	/* As `wg show IFACE fwmark` in the script, which complains when it cannot. */
	ret = ipc_get_device(&dev, q->iface);
	if (ret) {
		fprintf(stderr, "Unable to access interface: %s\n", strerror(-ret));
		return;
	}
	if (dev->fwmark && quick_routes_has_default(dev)) {
		rules_del(q, AF_INET, dev->fwmark, false);
		rules_del(q, AF_INET, RTNL_TABLE_MAIN, true);
		rules_del(q, AF_INET6, dev->fwmark, false);
		rules_del(q, AF_INET6, RTNL_TABLE_MAIN, true);
	}
	model_device_free(dev);
}
