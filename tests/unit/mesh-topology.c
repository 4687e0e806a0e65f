// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh topologies: hub and spoke (spokes behind NAT included), `links:'
 * rules that add or remove single pairs, the routes every site ends up with
 * (every other site's prefixes exactly once, nothing more), forwarding on the
 * hubs, the graph and the summary, and every topology error at its position.
 */
#include <stdio.h>
#include "../lib/tap.h"
#include "tests/unit/mesh-fixture.h"
#include "wg-mesh/graph.h"
#include "wg-mesh/plandir.h"
#include "cidr.h"
#include "key.h"

static struct fixture f;
static char sec[8192];

/* Two hubs, two public spokes, two spokes behind NAT, a client on a spoke. */
static const char hub_sites[] = "mesh:\n"
				"  tunnel: [192.168.0.0/24, 'fd00:1::/64']\n"
				"  keepalive: 25\n"
				"  topology: hub\n"
				"  hubs: [tokyo, paris]\n"
				"sites:\n"
				"  tokyo: {endpoint: 192.0.2.1}\n"
				"  paris: {endpoint: 192.0.2.5, networks: [10.2.2.0/24]}\n"
				"  osaka: {endpoint: 192.0.2.9, networks: [10.3.3.0/24]}\n"
				"  lima: {endpoint: 192.0.2.13, networks: [10.4.4.0/24]}\n"
				"  branch: {networks: [10.5.5.0/24, '2001:db8:5::/64']}\n"
				"  depot: {networks: [10.6.6.0/24]}\n"
				"clients:\n"
				"  phone: {via: osaka}\n";

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every prefix of every AllowedIPs line of conf, sorted, one per line into out. */
static void routes_of(const char *conf, char *out, size_t len)
{
	static char copy[8192], *v[512];
	char *line, *save = NULL, *item, *save2;
	size_t n = 0, i, off = 0;

	snprintf(copy, sizeof(copy), "%s", conf);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "AllowedIPs = ", 13))
			continue;
		for (item = strtok_r(line + 13, ", ", &save2); item && n < 512;
		     item = strtok_r(NULL, ", ", &save2))
			v[n++] = item;
	}
	qsort(v, n, sizeof(*v), str_cmp);
	out[0] = '\0';
	for (i = 0; i < n; ++i)
		off += snprintf(out + off, len - off, "%s\n", v[i]);
}

static void add_prefix(char **v, size_t *n, const struct wgallowedip *ip, bool host)
{
	struct wgallowedip a = *ip;

	if (!a.family)
		return;
	if (host)
		a.cidr = cidr_max_len(a.family);
	v[*n] = malloc(CIDR_STR_LEN);
	cidr_print(v[(*n)++], CIDR_STR_LEN, &a);
}

/* What site i must route: every other site's addresses and networks, every client. */
static void routes_wanted(const struct plan *p, size_t i, char *out, size_t len)
{
	static char *v[512];
	size_t n = 0, j, k, off = 0;

	for (j = 0; j < p->n_sites; ++j) {
		for (k = 0; j != i && k < p->sites[j].n_addrs; ++k)
			add_prefix(v, &n, &p->sites[j].addrs[k], true);
		for (k = 0; j != i && k < p->sites[j].site->networks.n; ++k)
			add_prefix(v, &n, &p->sites[j].site->networks.v[k].ip, false);
	}
	for (j = 0; j < p->n_clients; ++j)
		for (k = 0; k < p->clients[j].n_addrs; ++k)
			add_prefix(v, &n, &p->clients[j].addrs[k], true);
	qsort(v, n, sizeof(*v), str_cmp);
	out[0] = '\0';
	for (j = 0; j < n; ++j) {
		off += snprintf(out + off, len - off, "%s\n", v[j]);
		free(v[j]);
	}
}

/* Each site routes every prefix of the mesh but its own, once, and nothing else. */
static void check_routes(const char *what)
{
	static char got[8192], want[8192];
	size_t i, bad = 0;

	for (i = 0; i < f.p.n_sites; ++i) {
		routes_of(fixture_render(&f, f.p.sites[i].name, 7), got, sizeof(got));
		routes_wanted(&f.p, i, want, sizeof(want));
		if (strcmp(got, want)) {
			printf("# %s: got\n%s# wanted\n%s", f.p.sites[i].name, got, want);
			bad++;
		}
	}
	ok(!bad, "%s: every site routes every other site's prefixes exactly once", what);
}

static void test_hub(void)
{
	const char *branch, *tokyo, *paris, *osaka;

	is_int(fixture_plan(&f, hub_sites, 0), 0, "hub: planned");
	is_int(f.d.count, 0, "hub: no errors");
	dump_errors(&f.d);
	ok(f.p.sites[0].is_hub && f.p.sites[1].is_hub && !f.p.sites[2].is_hub, "hubs are marked");
	is_int(f.p.n_direct, 9, "hub: 1 hub pair + 4 spokes x 2 hubs peer directly");
	is_int(f.p.n_relayed, 6, "hub: the 6 spoke pairs are relayed");
	is_int(plan_link(&f.p, 4, 5), 0, "spoke <-> spoke (both behind NAT) through the first hub");
	is_int(plan_link(&f.p, 2, 3), 0, "spoke <-> spoke (both public) through the first hub too");
	is_int(plan_link(&f.p, 0, 1), PLAN_DIRECT, "the hubs peer with each other");
	branch = fixture_render(&f, "branch", 0);
	tokyo = fixture_render(&f, "tokyo", 1);
	paris = fixture_render(&f, "paris", 2);
	osaka = fixture_render(&f, "osaka", 3);
	is_int(count(branch, "[Peer]"), 2, "a spoke has the hubs as its only peers");
	ok(strstr(branch, "# tokyo (and the sites it relays)") && strstr(branch, "# paris\n"),
	   "the spoke's peers are tokyo (relaying) and paris");
	peer_section(branch, "tokyo", sec, sizeof(sec));
	ok(strstr(sec, "10.6.6.0/24") && strstr(sec, "10.3.3.0/24") && strstr(sec, "10.4.4.0/24") &&
	       strstr(sec, "Endpoint = 192.0.2.1:51820\nPersistentKeepalive = 25\n"),
	   "a NAT spoke dials its hub, keeps it open and routes the other spokes' LANs to it");
	peer_section(branch, "paris", sec, sizeof(sec));
	ok(strstr(sec, "AllowedIPs = 192.168.0.2/32, fd00:1::2/128, 10.2.2.0/24\n") != NULL,
	   "the second hub carries its own prefixes only");
	peer_section(branch, "osaka", sec, sizeof(sec));
	peer_section(osaka, "client phone", sec, sizeof(sec));
	ok(strstr(sec, "AllowedIPs = 192.168.0.7/32, fd00:1::7/128\n") != NULL,
	   "a spoke still has its client");
	peer_section(branch, "tokyo", sec, sizeof(sec));
	ok(strstr(sec, "192.168.0.7/32") != NULL, "other spokes route the client through the hub");
	is_int(count(tokyo, "[Peer]"), 5, "a hub peers with every site");
	ok(strstr(tokyo, "net.ipv4.ip_forward=1") != NULL,
	   "the relaying hub forwards (no networks of its own)");
	ok(strstr(paris, "net.ipv4.ip_forward=1") != NULL, "the other hub forwards for its LAN");
	check_routes("hub");
	fixture_free(&f, 0);
}

static void test_hub_forwarding(void)
{
	static const char yaml[] = "mesh: {tunnel: [10.9.0.0/24], topology: hub, hubs: [h1, h2]}\n"
				   "sites:\n"
				   "  h1: {endpoint: 192.0.2.1}\n"
				   "  h2: {endpoint: 192.0.2.2}\n"
				   "  s1: {endpoint: 192.0.2.3}\n"
				   "  s2: {endpoint: 192.0.2.4}\n";

	is_int(fixture_plan(&f, yaml, 0), 0, "bare hubs: planned");
	ok(strstr(fixture_render(&f, "h1", 0), "ip_forward=1") != NULL,
	   "the hub that relays forwards");
	ok(!strstr(fixture_render(&f, "h2", 1), "ip_forward"),
	   "a hub that relays nothing and has no LAN does not");
	ok(!strstr(fixture_render(&f, "s1", 2), "ip_forward"), "nor does a bare spoke");
	check_routes("bare hubs");
	fixture_free(&f, 0);
}

static void test_links(void)
{
	static const char yaml[] = "mesh:\n"
				   "  tunnel: [10.9.0.0/24]\n"
				   "  topology: hub\n"
				   "  hubs: [h1, h2]\n"
				   "  links:\n"
				   "    - add: [s1, s2]\n"
				   "    - remove: [s3, h1]\n"
				   "sites:\n"
				   "  h1: {endpoint: 192.0.2.1, networks: [10.1.0.0/24]}\n"
				   "  h2: {endpoint: 192.0.2.2, networks: [10.2.0.0/24]}\n"
				   "  s1: {endpoint: 192.0.2.3, networks: [10.3.0.0/24]}\n"
				   "  s2: {networks: [10.4.0.0/24]}\n"
				   "  s3: {networks: [10.5.0.0/24]}\n";
	const char *s1, *s3;

	is_int(fixture_plan(&f, yaml, 0), 0, "links: planned");
	is_int(f.d.count, 0, "links: no errors");
	dump_errors(&f.d);
	is_int(plan_link(&f.p, 2, 3), PLAN_DIRECT, "an added link: two spokes peer directly");
	is_int(plan_link(&f.p, 0, 4), 1, "a removed hub link: through the other hub");
	is_int(plan_link(&f.p, 2, 4), 1, "and that spoke reaches the others through it too");
	s1 = fixture_render(&f, "s1", 0);
	s3 = fixture_render(&f, "s3", 1);
	peer_section(s1, "s2", sec, sizeof(sec));
	ok(strstr(sec, "AllowedIPs = 10.9.0.4/32, 10.4.0.0/24\n") && !strstr(sec, "Endpoint"),
	   "s1 lists s2 (behind NAT) without an endpoint");
	peer_section(fixture_render(&f, "s2", 2), "s1", sec, sizeof(sec));
	ok(strstr(sec, "Endpoint = 192.0.2.3:51820") != NULL, "s2 dials s1");
	is_int(count(s3, "[Peer]"), 1, "s3 peers with h2 only");
	peer_section(s3, "h2", sec, sizeof(sec));
	ok(strstr(sec, "10.1.0.0/24") && strstr(sec, "10.3.0.0/24"),
	   "s3 routes h1 and the spokes through h2");
	check_routes("links");
	fixture_free(&f, 0);
}

static void test_full_remove(void)
{
	static const char yaml[] = "mesh:\n"
				   "  tunnel: [10.9.0.0/24]\n"
				   "  links: [{remove: [a, c]}]\n"
				   "sites:\n"
				   "  a: {endpoint: 192.0.2.1, networks: [10.1.0.0/24]}\n"
				   "  b: {endpoint: 192.0.2.2}\n"
				   "  c: {endpoint: 192.0.2.3, networks: [10.3.0.0/24]}\n";

	is_int(fixture_plan(&f, yaml, 0), 0, "full mesh less a link: planned");
	is_int(f.d.count, 0, "no errors");
	is_int(plan_link(&f.p, 0, 2), 1, "the removed pair goes through the site both peer with");
	ok(strstr(fixture_render(&f, "b", 0), "ip_forward=1") != NULL, "which forwards");
	is_int(count(fixture_render(&f, "a", 1), "[Peer]"), 1, "a has b only");
	check_routes("full less a link");
	fixture_free(&f, 0);
}

static void test_graph_and_summary(void)
{
	struct plandir_summary sum = {0};
	char *buf;
	size_t len;
	FILE *fp;

	fixture_plan(&f, hub_sites, 0);
	fp = open_memstream(&buf, &len);
	is_int(graph_write(&f.p, fp), 0, "graph of a hub mesh");
	fclose(fp);
	ok(strstr(buf, "\"tokyo\" [label=\"tokyo\\n192.168.0.1\\nfd00:1::1\", peripheries=2];") !=
	       NULL,
	   "hubs have a double border");
	ok(strstr(buf, "\"paris\" -- \"branch\" [label=\"IPv4\"];") != NULL,
	   "spoke-hub links are drawn");
	is_int(count(buf, " -- "), 10,
	       "the hub pair, 8 spoke-hub links and the phone; no spoke pairs");
	ok(strstr(buf, "label=\"hub topology:") != NULL, "the graph says what the topology is");
	free(buf);
	fp = open_memstream(&buf, &len);
	plandir_print_summary(&f.p, &sum, fp);
	fclose(fp);
	ok(strstr(buf, "topology: hub (tokyo, paris)\n") != NULL, "the summary names the hubs");
	ok(strstr(buf, "peers:    10 pairs (9 site to site, 1 client to site)") != NULL,
	   "the summary counts direct pairs only");
	ok(strstr(buf, "relayed:  6 pairs (") != NULL, "and the relayed ones");
	free(buf);
	fixture_free(&f, 0);
}

#define SITES3 "sites:\n  a: {endpoint: 192.0.2.1}\n  b: {endpoint: 192.0.2.2}\n  c: {}\n"

static const struct bad_case bad[] = {
    {"unknown topology", "mesh: {tunnel: [10.0.0.0/24], topology: star}\n", 1, 41,
     "unknown topology `star'"},
    {"hub without hubs", "mesh:\n  tunnel: [10.0.0.0/24]\n  topology: hub\n" SITES3, 3, 13,
     "without hubs"},
    {"hubs without hub topology", "mesh:\n  tunnel: [10.0.0.0/24]\n  hubs: [a]\n" SITES3, 3, 9,
     "without `topology: hub'"},
    {"unknown hub", "mesh:\n  tunnel: [10.0.0.0/24]\n  topology: hub\n  hubs: [a, x]\n" SITES3, 4,
     13, "hub `x' is not a site"},
    {"hub twice", "mesh:\n  tunnel: [10.0.0.0/24]\n  topology: hub\n  hubs: [a, a]\n" SITES3, 4, 13,
     "named twice"},
    {"link to an unknown site",
     "mesh:\n  tunnel: [10.0.0.0/24]\n  links: [{remove: [a, zz]}]\n" SITES3, 3, 24,
     "`zz', which is not a site"},
    {"link to itself", "mesh:\n  tunnel: [10.0.0.0/24]\n  links: [{remove: [a, a]}]\n" SITES3, 3,
     24, "to itself"},
    {"link rule of the wrong shape",
     "mesh:\n  tunnel: [10.0.0.0/24]\n  links: [{remove: [a, b, c]}]\n" SITES3, 3, 20,
     "a pair of site names"},
    {"two rules in one item",
     "mesh:\n  tunnel: [10.0.0.0/24]\n  links: [{remove: [a, b], add: [a, c]}]\n" SITES3, 3, 11,
     "one rule here"},
    {"unknown rule", "mesh:\n  tunnel: [10.0.0.0/24]\n  links: [{drop: [a, b]}]\n" SITES3, 3, 12,
     "unknown link rule `drop'"},
    {"links not a list", "mesh:\n  tunnel: [10.0.0.0/24]\n  links: {add: [a, b]}\n" SITES3, 3, 10,
     "a list of link rules"},
    {"add what the full mesh has",
     "mesh:\n  tunnel: [10.0.0.0/24]\n  links: [{add: [a, b]}]\n" SITES3, 3, 12,
     "already peer in the full topology"},
    {"remove what the hub mesh lacks",
     "mesh:\n  tunnel: [10.0.0.0/24]\n  topology: hub\n  hubs: [a]\n"
     "  links: [{remove: [b, c]}]\n" SITES3,
     5, 12, "do not peer in the hub topology"},
    {"a second rule for a pair",
     "mesh:\n  tunnel: [10.0.0.0/24]\n  links:\n    - remove: [a, b]\n    - remove: [b, a]\n" SITES3,
     5, 7, "a second rule for `b' and `a' (line 4)"},
    {"add a pair that cannot open",
     "mesh:\n  tunnel: [10.0.0.0/24]\n  topology: hub\n  hubs: [a]\n  links: [{add: [c, d]}]\n"
     "sites:\n  a: {endpoint: 192.0.2.1}\n  c: {}\n  d: {}\n",
     5, 12, "cannot peer directly"},
    {"a removed link leaves a site unreachable",
     "mesh:\n  tunnel: [10.0.0.0/24]\n  topology: hub\n  hubs: [a]\n  links: [{remove: [a, b]}]\n" SITES3,
     5, 12, "leaves them no way to each other"},
    {"the only hub behind NAT",
     "mesh:\n  tunnel: [10.0.0.0/24]\n  topology: hub\n  hubs: [c]\n"
     "sites:\n  a: {endpoint: 192.0.2.1}\n  c: {}\n  d: {}\n",
     8, 3, "no hub peers with both"},
};

static void test_errors(void)
{
	fixture_check_errors(&f, bad, sizeof(bad) / sizeof(*bad));
}

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_hub();
	test_hub_forwarding();
	test_links();
	test_full_remove();
	test_graph_and_summary();
	test_errors();
	return tap_done();
}
