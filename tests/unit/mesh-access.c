// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh access rules: `groups:' and `allow:' compiled to each site's
 * nftables hooks (our own table, deleted on down), the match on protocol and
 * ports, what each site guards (its addresses, LANs and clients, never
 * relayed traffic), no table without rules, and every mistake at its place.
 */
#include <stdio.h>
#include "../lib/tap.h"
#include "tests/unit/mesh-fixture.h"
#include "key.h"

static struct fixture f;

static const char yaml[] = "mesh:\n"
			   "  tunnel: [192.168.0.0/24, 'fd00:1::/64']\n"
			   "groups:\n"
			   "  offices: [tokyo, paris]\n"
			   "  shops: [branch]\n"
			   "  phones: [phone]\n"
			   "allow:\n"
			   "  - {from: offices, to: shops}\n"
			   "  - {from: phones, to: offices, proto: tcp, ports: [22, 8000-8100]}\n"
			   "  - {from: all, to: offices, proto: icmp}\n"
			   "sites:\n"
			   "  tokyo: {endpoint: 192.0.2.1, networks: [10.1.1.0/24]}\n"
			   "  paris: {endpoint: 192.0.2.5, networks: [10.2.2.0/24]}\n"
			   "  branch: {networks: [10.5.5.0/24]}\n"
			   "  depot: {}\n"
			   "clients:\n"
			   "  phone: {via: tokyo}\n";

#define RULE "PostUp = nft add rule inet wg-mesh-%i "

static void test_rules(void)
{
	const char *tokyo, *branch, *depot;

	is_int(fixture_plan(&f, yaml, 0), 0, "access rules: planned");
	is_int(f.d.count, 0, "no errors");
	dump_errors(&f.d);
	tokyo = fixture_render(&f, "tokyo", 0);
	branch = fixture_render(&f, "branch", 1);
	depot = fixture_render(&f, "depot", 2);
	ok(strstr(branch, "PostUp = nft add table inet wg-mesh-%i\n") &&
	       strstr(branch, "PostDown = nft delete table inet wg-mesh-%i || true\n"),
	   "a table of our own, deleted on down");
	ok(strstr(branch, RULE "allow ct state established,related accept\n") != NULL,
	   "replies always pass");
	ok(strstr(branch, RULE "allow ip saddr { 192.168.0.1/32, 10.1.1.0/24, 192.168.0.2/32, "
			       "10.2.2.0/24 } ip daddr { 192.168.0.3/32, 10.5.5.0/24 } accept\n") &&
	       strstr(branch, RULE "allow ip6 saddr { fd00:1::1/128, fd00:1::2/128 } ip6 daddr { "
				   "fd00:1::3/128 } accept\n"),
	   "offices -> shops at branch: the offices' addresses and LANs to branch's, both families");
	ok(strstr(branch, RULE "allow drop\n") != NULL, "anything else is dropped");
	ok(!strstr(branch, "l4proto"), "branch is no office: the port and icmp rules are not its");
	ok(strstr(tokyo, RULE
		  "allow ip saddr { 192.168.0.5/32 } ip daddr { 192.168.0.1/32, "
		  "10.1.1.0/24 } meta l4proto tcp th dport { 22, 8000-8100 } accept\n") != NULL,
	   "phones -> offices: tcp to port 22 and the range 8000-8100");
	ok(strstr(tokyo, "meta l4proto icmp accept\n") &&
	       strstr(tokyo, "meta l4proto ipv6-icmp accept\n"),
	   "icmp per family");
	ok(strstr(tokyo, RULE "input iifname %i jump allow\n") &&
	       strstr(tokyo, RULE "forward iifname %i ip daddr { 192.168.0.1/32, 10.1.1.0/24, "
				  "192.168.0.5/32 } jump allow\n"),
	   "what comes from the tunnel for tokyo, its LAN or its phone is checked");
	ok(strstr(tokyo, RULE "forward oifname %i ip daddr { 192.168.0.5/32 } jump allow\n") !=
	       NULL,
	   "and whatever goes to its phone (which cannot filter itself)");
	ok(strstr(depot, RULE "allow ct state") && !strstr(depot, "saddr"),
	   "a site no rule lets anyone reach still gets the table: replies only");
	fixture_free(&f, 0);
}

static void test_none(void)
{
	static const char none[] =
	    "mesh: {tunnel: [10.9.0.0/24]}\n"
	    "groups: {g: [a]}\n"
	    "sites:\n  a: {endpoint: 192.0.2.1}\n  b: {endpoint: 192.0.2.2}\n";

	is_int(fixture_plan(&f, none, 0), 0, "groups without rules: planned");
	ok(!strstr(fixture_render(&f, "a", 0), "nft"),
	   "no rule: no table, everyone reaches everyone");
	fixture_free(&f, 0);
}

static void test_relay_untouched(void)
{
	static const char hub[] =
	    "mesh: {tunnel: [10.9.0.0/24], topology: hub, hubs: [h]}\n"
	    "groups: {spokes: [s1, s2]}\n"
	    "allow: [{from: spokes, to: spokes}]\n"
	    "sites:\n  h: {endpoint: 192.0.2.1}\n"
	    "  s1: {networks: [10.1.0.0/24]}\n  s2: {networks: [10.2.0.0/24]}\n";
	const char *h;

	is_int(fixture_plan(&f, hub, 0), 0, "rules in a hub mesh: planned");
	h = fixture_render(&f, "h", 0);
	ok(strstr(h, RULE "forward iifname %i ip daddr { 10.9.0.1/32 } jump allow\n") &&
	       !strstr(h, "daddr { 10.9.0.2"),
	   "the hub guards only its own address: spoke-to-spoke traffic it relays is for the "
	   "spokes to judge");
	ok(strstr(fixture_render(&f, "s2", 1),
		  RULE "allow ip saddr { 10.9.0.2/32, 10.1.0.0/24, 10.9.0.3/32, 10.2.0.0/24 } ip "
		       "daddr { 10.9.0.3/32, 10.2.0.0/24 } accept\n") != NULL,
	   "s2 lets s1 in");
	fixture_free(&f, 0);
}

#define BASE "mesh: {tunnel: [10.0.0.0/24]}\nsites: {a: {}, b: {endpoint: 192.0.2.1}}\n"

static const struct bad_case bad[] = {
    {"a rule naming no group", BASE "groups: {g: [a]}\nallow:\n  - {from: g, to: nowhere}\n", 5, 19,
     "group `nowhere', which is not defined"},
    {"an unknown member", BASE "groups:\n  g: [a, zz]\n", 4, 10, "`zz' in group `g' is neither"},
    {"a member twice", BASE "groups:\n  g: [a, a]\n", 4, 10, "twice"},
    {"a group called all", BASE "groups:\n  all: [a]\n", 4, 3, "`all' is the group of every"},
    {"ports with icmp", BASE "allow:\n  - {from: all, to: all, proto: icmp, ports: [1]}\n", 4, 33,
     "ports with proto icmp"},
    {"a bad port", BASE "allow:\n  - {from: all, to: all, ports: [0]}\n", 4, 34, "not a port"},
    {"a backwards range", BASE "allow:\n  - {from: all, to: all, ports: [90-80]}\n", 4, 34,
     "not a port"},
    {"an unknown protocol", BASE "allow:\n  - {from: all, to: all, proto: sctp}\n", 4, 33,
     "unknown protocol `sctp'"},
    {"a rule without to", BASE "allow:\n  - {from: all}\n", 4, 5, "without `to'"},
    {"an unknown rule key", BASE "allow:\n  - {from: all, to: all, port: 22}\n", 4, 26,
     "unknown key `port' in an allow rule"},
    {"allow not a list", BASE "allow: {from: all, to: all}\n", 3, 8, "a list of rules"},
};

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_rules();
	test_none();
	test_relay_untouched();
	fixture_check_errors(&f, bad, sizeof(bad) / sizeof(*bad));
	return tap_done();
}
