// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/rtnl: prefix parsing and printing, the `ip` command
 * printers wg-quick echoes, and, in a private network namespace when we may
 * make one, every operation against the real kernel: addresses, routes in a
 * numbered table, the match and table checks, rules, route lookups, MTU.
 */
#define _GNU_SOURCE
#include "../lib/tap.h"
#include "rtnl.h"

#include <errno.h>
#include <sched.h>
#include <arpa/inet.h>
#include <net/if.h>

static void test_prefix(void)
{
	static const struct {
		const char *in, *out;
		int family;
	} good[] = {
	    {"10.0.0.1/24", "10.0.0.1/24", AF_INET},
	    {"10.0.0.1", "10.0.0.1/32", AF_INET},
	    {"0.0.0.0/0", "0.0.0.0/0", AF_INET},
	    {"fd00::1/64", "fd00::1/64", AF_INET6},
	    {"::/0", "::/0", AF_INET6},
	    {"FD00::1", "fd00::1/128", AF_INET6},
	};
	static const char *const bad[] = {
	    "",	   "10.0.0.1/33", "fd00::/129",	 "10.0.0.1/",	"10.0.0/24",   "10.0.0.1/2x",
	    "/24", "x",		  "10.0.0.1/-1", "10.0.0.1/08", "10.0.0.1 /24"};
	struct rtnl_prefix p;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!ok(rtnl_prefix_parse(&p, good[i].in), "parses `%s'", good[i].in))
			continue;
		rtnl_prefix_print(buf, sizeof(buf), &p);
		is_str(buf, good[i].out, "`%s' prints back", good[i].in);
		is_int(p.family, good[i].family, "`%s' family", good[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!rtnl_prefix_parse(&p, bad[i]), "refuses `%s'", bad[i]);
}

static void test_printers(void)
{
	struct rtnl_rule not_mark = {.family = AF_INET,
				     .table = 51820,
				     .fwmark = 51820,
				     .has_fwmark = true,
				     .invert = true,
				     .suppress_prefixlen = -1};
	struct rtnl_rule suppress = {.family = AF_INET6, .table = 254, .suppress_prefixlen = 0};
	struct rtnl_rule del = {.family = AF_INET, .table = 51820, .suppress_prefixlen = -1};
	char buf[256];

	rtnl_cmd_link_add(buf, sizeof(buf), "wg0", "wireguard");
	is_str(buf, "ip link add wg0 type wireguard", "link add");
	rtnl_cmd_link_del(buf, sizeof(buf), "wg0");
	is_str(buf, "ip link delete dev wg0", "link delete");
	rtnl_cmd_link_mtu_up(buf, sizeof(buf), "wg0", 1420);
	is_str(buf, "ip link set mtu 1420 up dev wg0", "mtu and up");
	rtnl_cmd_addr_add(buf, sizeof(buf), AF_INET6, "fd00::1/64", "wg0");
	is_str(buf, "ip -6 address add fd00::1/64 dev wg0", "address add");
	rtnl_cmd_route_add(buf, sizeof(buf), AF_INET, "10.0.0.0/24", "wg0", NULL);
	is_str(buf, "ip -4 route add 10.0.0.0/24 dev wg0", "route add, main table");
	rtnl_cmd_route_add(buf, sizeof(buf), AF_INET, "0.0.0.0/0", "wg0", "51820");
	is_str(buf, "ip -4 route add 0.0.0.0/0 dev wg0 table 51820", "route add, table");
	rtnl_cmd_rule(buf, sizeof(buf), "add", &not_mark, "51820");
	is_str(buf, "ip -4 rule add not fwmark 51820 table 51820", "not fwmark rule");
	rtnl_cmd_rule(buf, sizeof(buf), "add", &suppress, "main");
	is_str(buf, "ip -6 rule add table main suppress_prefixlength 0", "suppress rule");
	rtnl_cmd_rule(buf, sizeof(buf), "delete", &del, "51820");
	is_str(buf, "ip -4 rule delete table 51820", "rule delete");
}

struct count {
	int n;
	uint32_t table;
	bool suppress;
};

static int count_rule(const struct rtnl_rule *r, void *arg)
{
	struct count *c = arg;

	if (r->table == c->table && (!c->suppress || r->suppress_prefixlen == 0))
		c->n++;
	return 0;
}

static int count_addr(const struct rtnl_prefix *p, void *arg)
{
	(void)p;
	++*(int *)arg;
	return 0;
}

/* Links and addresses on lo, in our own namespace. */
static void test_links(struct rtnl *rt, uint32_t lo)
{
	struct rtnl_prefix a;
	uint32_t mtu = 0;
	int n = 0, ret;

	ret = rtnl_link_add(rt, "wqu0", "no-such-kind");
	ok(ret < 0, "an unknown link kind fails (%d)", ret);
	ok(rtnl_errmsg(rt)[0] != '\0', "with the kernel's message: %s", rtnl_errmsg(rt));
	is_int(rtnl_link_index(rt, "wqu-none", &mtu), -ENODEV, "no such link: -ENODEV");
	is_int(rtnl_link_set_mtu_up(rt, lo, 9000), 0, "lo: mtu 9000 and up");
	is_int(rtnl_link_get_mtu(rt, lo, &mtu), 0, "lo: read the MTU");
	is_int(mtu, 9000, "lo: MTU is 9000");
	rtnl_prefix_parse(&a, "10.123.0.1/24");
	is_int(rtnl_addr_add(rt, lo, &a), 0, "address add");
	is_int(rtnl_addr_add(rt, lo, &a), -EEXIST, "the same address again: -EEXIST");
	rtnl_prefix_parse(&a, "fd12::1/64");
	is_int(rtnl_addr_add(rt, lo, &a), 0, "IPv6 address add");
	is_int(rtnl_addr_list(rt, lo, AF_INET, count_addr, &n), 0, "list IPv4 addresses");
	is_int(n, 2, "127.0.0.1 and ours");
	n = 0;
	is_int(rtnl_addr_list(rt, lo, AF_UNSPEC, count_addr, &n), 0, "list all addresses");
	is_int(n, 4, "two of each family");
}

static void test_routes(struct rtnl *rt, uint32_t lo)
{
	struct rtnl_prefix r, inside, outside, dflt;
	struct rtnl_route got;
	struct in_addr dst;

	rtnl_prefix_parse(&r, "10.124.0.0/16");
	rtnl_prefix_parse(&inside, "10.124.5.0/24");
	rtnl_prefix_parse(&outside, "10.125.0.0/24");
	rtnl_prefix_parse(&dflt, "0.0.0.0/0");
	is_int(rtnl_route_exists_match(rt, &inside, lo), 0, "no covering route yet");
	is_int(rtnl_route_add(rt, &r, lo, RTNL_TABLE_MAIN), 0, "route add in main");
	is_int(rtnl_route_exists_match(rt, &inside, lo), 1, "a /24 inside it matches");
	is_int(rtnl_route_exists_match(rt, &outside, lo), 0, "a /24 outside does not");
	is_int(rtnl_route_table_used(rt, AF_INET, 51820), 0, "table 51820 is empty");
	is_int(rtnl_route_add(rt, &dflt, lo, 51820), 0, "default route in table 51820");
	is_int(rtnl_route_table_used(rt, AF_INET, 51820), 1, "table 51820 is used");
	is_int(rtnl_route_table_used(rt, AF_INET6, 51820), 0, "not for IPv6");
	is_int(rtnl_route_add(rt, &dflt, lo, 51820), -EEXIST, "the same route again: -EEXIST");
	inet_pton(AF_INET, "10.124.9.9", &dst);
	is_int(rtnl_route_get(rt, AF_INET, &dst, &got), 0, "route lookup");
	is_int(got.oif, lo, "goes out lo");
	inet_pton(AF_INET, "192.0.2.1", &dst);
	ok(rtnl_route_get(rt, AF_INET, &dst, &got) < 0, "no route: an error");
}

static void test_rules(struct rtnl *rt)
{
	struct rtnl_rule not_mark = {.family = AF_INET6,
				     .table = 51820,
				     .fwmark = 51820,
				     .has_fwmark = true,
				     .invert = true,
				     .suppress_prefixlen = -1};
	struct rtnl_rule suppress = {.family = AF_INET6, .table = 254, .suppress_prefixlen = 0};
	struct count c = {.table = 51820};

	is_int(rtnl_rule_add(rt, &not_mark), 0, "not fwmark rule add");
	is_int(rtnl_rule_add(rt, &suppress), 0, "suppress rule add");
	is_int(rtnl_rule_list(rt, AF_INET6, count_rule, &c), 0, "rule list");
	is_int(c.n, 1, "one rule looks up 51820");
	c = (struct count){.table = 254, .suppress = true};
	is_int(rtnl_rule_list(rt, AF_INET6, count_rule, &c), 0, "rule list again");
	is_int(c.n, 1, "one suppress rule");
	c = (struct count){.table = 51820};
	is_int(rtnl_rule_list(rt, AF_INET, count_rule, &c), 0, "IPv4 rule list");
	is_int(c.n, 0, "no IPv4 rule for 51820");
}

static int del_cb(const struct rtnl_rule *r, void *arg)
{
	struct rtnl_rule *found = arg;

	if (r->table == 51820)
		*found = *r;
	return 0;
}

static void test_rule_delete(struct rtnl *rt)
{
	struct rtnl_rule found = {0};
	struct count c = {.table = 51820};

	ok(!rtnl_rule_list(rt, AF_INET6, del_cb, &found) && found.table == 51820,
	   "find the rule with its priority (%u)", found.priority);
	ok(found.invert && found.has_fwmark && found.fwmark == 51820, "as added: not fwmark 51820");
	is_int(rtnl_rule_del(rt, &found), 0, "delete it");
	is_int(rtnl_rule_list(rt, AF_INET6, count_rule, &c), 0, "list after delete");
	is_int(c.n, 0, "it is gone");
}

int main(void)
{
	struct rtnl *rt;
	uint32_t lo;

	test_prefix();
	test_printers();
	if (unshare(CLONE_NEWNET)) {
		diag("skipping kernel tests: cannot make a network namespace");
		return tap_done();
	}
	rt = rtnl_open();
	if (!ok(rt != NULL, "open rtnetlink"))
		return tap_done();
	if (ok(!rtnl_link_index(rt, "lo", &lo), "lo has an index")) {
		test_links(rt, lo);
		test_routes(rt, lo);
		test_rules(rt);
		test_rule_delete(rt);
	}
	rtnl_close(rt);
	return tap_done();
}
