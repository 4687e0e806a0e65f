// SPDX-License-Identifier: GPL-2.0
/*
 * The wg-mesh planner: the four-site example (IPv4+IPv6 and IPv6-only sites),
 * sites behind NAT and their relay, clients, address pools, stable keys and
 * every input error with its line and column.
 */
#include <stdio.h>
#include "../lib/tap.h"
#include "tests/unit/mesh-fixture.h"
#include "key.h"

static struct fixture f;
static char sec[4096], sec2[4096];

static const char four_sites[] = "mesh:\n"
				 "  tunnel: [192.168.0.0/24, 2001:db8:12:34::/64]\n"
				 "  keepalive: 25\n"
				 "sites:\n"
				 "  tokyo:\n"
				 "    endpoint: [192.0.2.1, 2001:db8:1234:1::1]\n"
				 "    address: [192.168.0.1, 2001:db8:12:34::1]\n"
				 "    networks: [10.1.1.0/24, 2001:db8:1:1::/64]\n"
				 "  paris:\n"
				 "    endpoint: [192.0.2.5, 2001:db8:1234:2::1]\n"
				 "    networks: [10.2.2.0/24, 2001:db8:1:2::/64]\n"
				 "  osaka:\n"
				 "    endpoint: 2001:db8:1234:3::1\n"
				 "    networks: [10.3.3.0/24, 2001:db8:1:3::/64]\n"
				 "  lima:\n"
				 "    endpoint: \"[2001:db8:1234:4::1]:51821\"\n"
				 "    networks: [10.4.4.0/24]\n"
				 "clients:\n"
				 "  phone:\n"
				 "    via: tokyo\n"
				 "    dns: [10.1.1.53]\n"
				 "  laptop:\n"
				 "    via: paris\n"
				 "    route: all\n";

static const char nat_sites[] = "mesh:\n"
				"  tunnel: [192.168.0.0/24]\n"
				"  keepalive: 25\n"
				"sites:\n"
				"  osaka:\n"
				"    endpoint: 2001:db8:1234:3::1\n"
				"    networks: [10.3.3.0/24]\n"
				"  tokyo:\n"
				"    endpoint: [192.0.2.1, 2001:db8:1234:1::1]\n"
				"  branch:\n"
				"    networks: [10.5.5.0/24]\n"
				"  depot:\n"
				"    networks: [10.6.6.0/24]\n";

static void test_four_sites(void)
{
	const char *tokyo, *osaka, *lima;

	is_int(fixture_plan(&f, four_sites, 0), 0, "four sites: planned");
	is_int(f.d.count, 0, "four sites: no errors");
	dump_errors(&f.d);
	is_int(f.p.n_relayed, 0, "four sites: every pair direct");
	tokyo = fixture_render(&f, "tokyo", 0);
	osaka = fixture_render(&f, "osaka", 1);
	lima = fixture_render(&f, "lima", 2);
	ok(strstr(tokyo, "Address = 192.168.0.1/24, 2001:db8:12:34::1/64\n") != NULL,
	   "explicit addresses, with the pool's prefix length");
	ok(strstr(fixture_render(&f, "paris", 3),
		  "Address = 192.168.0.2/24, 2001:db8:12:34::2/64\n") != NULL,
	   "paris takes the next free address of each pool");
	peer_section(tokyo, "osaka", sec, sizeof(sec));
	ok(strstr(sec, "AllowedIPs = 192.168.0.3/32, 2001:db8:12:34::3/128, 10.3.3.0/24, "
		       "2001:db8:1:3::/64\n") != NULL,
	   "tokyo -> osaka: tunnel /32 /128 and LANs");
	ok(strstr(sec, "Endpoint = [2001:db8:1234:3::1]:51820\n") != NULL,
	   "tokyo reaches IPv6-only osaka over IPv6");
	ok(!strstr(sec, "PersistentKeepalive"), "no keepalive between public sites");
	peer_section(osaka, "tokyo", sec2, sizeof(sec2));
	ok(strstr(sec2, "Endpoint = [2001:db8:1234:1::1]:51820\n") != NULL,
	   "osaka picks tokyo's IPv6 endpoint, not its first (IPv4) one");
	peer_section(tokyo, "paris", sec, sizeof(sec));
	ok(strstr(sec, "Endpoint = 192.0.2.5:51820\n") != NULL, "dual-stack pair: first endpoint");
	peer_section(tokyo, "lima", sec, sizeof(sec));
	ok(strstr(sec, "Endpoint = [2001:db8:1234:4::1]:51821\n") != NULL, "explicit port kept");
	ok(strstr(lima, "ListenPort = 51821\n") != NULL, "a site listens on its endpoint's port");
	ok(strstr(tokyo, "PostUp = sysctl -n net.ipv4.ip_forward") != NULL &&
	       strstr(tokyo, "net.ipv6.conf.all.forwarding=1") != NULL &&
	       strstr(tokyo, "PostDown = [ ! -f /run/wg-mesh-%i.ipv4 ]") != NULL,
	   "sites with networks enable forwarding and restore it on down");
}

static void test_psk_and_clients(void)
{
	const char *tokyo = f.conf[0], *osaka = f.conf[1], *phone, *laptop, *paris;
	char *p1, *p2;

	peer_section(tokyo, "osaka", sec, sizeof(sec));
	peer_section(osaka, "tokyo", sec2, sizeof(sec2));
	p1 = strstr(sec, "PresharedKey = ");
	p2 = strstr(sec2, "PresharedKey = ");
	ok(p1 && p2 && !strncmp(p1, p2, 15 + 44), "both sides of a pair share its pre-shared key");
	peer_section(tokyo, "paris", sec2, sizeof(sec2));
	p2 = strstr(sec2, "PresharedKey = ");
	ok(p1 && p2 && strncmp(p1, p2, 15 + 44), "each pair has its own pre-shared key");
	phone = fixture_render(&f, "phone", 4);
	ok(strstr(phone, "AllowedIPs = 192.168.0.0/24, 2001:db8:12:34::/64, 10.1.1.0/24, ") != NULL,
	   "route: mesh sends the pools and every LAN through via");
	ok(strstr(phone, "Endpoint = 192.0.2.1:51820\nPersistentKeepalive = 25\n") != NULL,
	   "a client dials its via site with keepalives");
	ok(strstr(phone, "DNS = 10.1.1.53\n") != NULL, "client DNS");
	is_int(count(phone, "[Peer]"), 1, "a client has one peer");
	laptop = fixture_render(&f, "laptop", 5);
	ok(strstr(laptop, "AllowedIPs = 0.0.0.0/0, ::/0\n") != NULL, "route: all");
	peer_section(tokyo, "client phone", sec, sizeof(sec));
	ok(strstr(sec, "AllowedIPs = 192.168.0.5/32, 2001:db8:12:34::5/128\n") != NULL,
	   "via lists its client");
	peer_section(osaka, "tokyo", sec, sizeof(sec));
	ok(strstr(sec, "192.168.0.5/32") != NULL, "other sites route the client through via");
	peer_section(osaka, "client phone", sec, sizeof(sec));
	is_str(sec, "", "only via has the client as a peer");
	paris = fixture_render(&f, "paris", 3);
	ok(strstr(paris, "MASQUERADE") != NULL && !strstr(tokyo, "MASQUERADE"),
	   "route: all clients are masqueraded by their via only");
	fixture_free(&f, 1);
}

static char before[8192];

static void test_stable(void)
{
	uint8_t old_pub[WG_KEY_LEN];
	struct keystore_entry *e;

	snprintf(before, sizeof(before), "%s", f.conf[1]);
	is_int(fixture_plan(&f, four_sites, 1), 0, "planned again with the same keystore");
	is_str(fixture_render(&f, "osaka", 1), before, "same YAML, same keys: same config");
	fixture_free(&f, 1);
	e = keystore_find(&f.ks, "tokyo", false);
	memcpy(old_pub, e->public_key, WG_KEY_LEN);
	keystore_rotate(e);
	ok(!key_eq(old_pub, e->public_key), "rotate gives a new key");
	is_int(fixture_plan(&f, four_sites, 1), 0, "planned after rotating tokyo");
	fixture_render(&f, "osaka", 1);
	peer_section(before, "paris", sec, sizeof(sec));
	peer_section(f.conf[1], "paris", sec2, sizeof(sec2));
	is_str(sec2, sec, "rotating tokyo leaves osaka-paris alone");
	peer_section(before, "tokyo", sec, sizeof(sec));
	peer_section(f.conf[1], "tokyo", sec2, sizeof(sec2));
	ok(strcmp(sec, sec2) != 0, "rotating tokyo renews its key and pre-shared keys");
	fixture_free(&f, 0);
}

static void test_removed_and_new(void)
{
	static const char two[] = "mesh: {tunnel: [10.9.0.0/24]}\nsites:\n"
				  "  a: {endpoint: 192.0.2.1}\n  b: {endpoint: 192.0.2.2}\n";
	static const char swapped[] = "mesh: {tunnel: [10.9.0.0/24]}\nsites:\n"
				      "  c: {endpoint: 192.0.2.3}\n  b: {endpoint: 192.0.2.2}\n";
	char b_before[2048];

	fixture_plan(&f, two, 0);
	snprintf(b_before, sizeof(b_before), "%s", fixture_render(&f, "b", 0));
	fixture_free(&f, 1);
	fixture_plan(&f, swapped, 1);
	ok(strstr(fixture_render(&f, "b", 0), "Address = 10.9.0.2/24\n") != NULL,
	   "a site keeps its address when an earlier one is removed");
	ok(strstr(fixture_render(&f, "c", 1), "Address = 10.9.0.1/24\n") != NULL,
	   "a removed site's address is free for a new one");
	ok(keystore_find(&f.ks, "c", false)->created, "a new site gets a new key");
	ok(!keystore_find(&f.ks, "a", false)->used, "a removed site's key is not used (dropped)");
	fixture_free(&f, 0);
}

static void test_nat(void)
{
	const char *branch, *tokyo, *osaka, *depot;

	is_int(fixture_plan(&f, nat_sites, 0), 0, "NAT sites: planned");
	is_int(f.d.count, 0, "NAT sites: no errors");
	dump_errors(&f.d);
	is_int(f.p.n_relayed, 1, "the two NAT sites are relayed");
	is_int(plan_link(&f.p, 2, 3), 0, "through osaka, the first site both reach");
	branch = fixture_render(&f, "branch", 0);
	osaka = fixture_render(&f, "osaka", 1);
	tokyo = fixture_render(&f, "tokyo", 2);
	depot = fixture_render(&f, "depot", 3);
	peer_section(branch, "tokyo", sec, sizeof(sec));
	ok(strstr(sec, "Endpoint = 192.0.2.1:51820\nPersistentKeepalive = 25\n") != NULL,
	   "a NAT site dials public sites and keeps the path open");
	peer_section(tokyo, "branch", sec, sizeof(sec));
	ok(!strstr(sec, "Endpoint") && !strstr(sec, "PersistentKeepalive"),
	   "public sites wait for the NAT site");
	peer_section(branch, "osaka", sec, sizeof(sec));
	ok(strstr(sec, "# osaka (and the sites it relays)") &&
	       strstr(sec, "AllowedIPs = 192.168.0.1/32, 10.3.3.0/24, 192.168.0.4/32, "
			   "10.6.6.0/24\n"),
	   "the relay's entry carries the other NAT site's address and networks");
	is_int(count(branch, "# depot"), 0, "no direct peer between the NAT sites");
	peer_section(depot, "osaka", sec, sizeof(sec));
	ok(strstr(sec, "192.168.0.3/32, 10.5.5.0/24") != NULL, "and the same the other way");
	ok(strstr(osaka, "net.ipv4.ip_forward=1") != NULL, "the relay forwards");
	ok(!strstr(tokyo, "ip_forward"), "a site without networks, relaying or clients does not");
	fixture_free(&f, 0);
}

static void test_family_relay(void)
{
	static const char yaml[] = "mesh: {tunnel: [10.9.0.0/24]}\nsites:\n"
				   "  v4: {endpoint: 192.0.2.1, networks: [10.1.0.0/16]}\n"
				   "  v6: {endpoint: '2001:db8::6', networks: [10.2.0.0/16]}\n"
				   "  both: {endpoint: [192.0.2.3, '2001:db8::3']}\n";
	const char *v4;

	is_int(fixture_plan(&f, yaml, 0), 0, "IPv4-only and IPv6-only sites: planned");
	is_int(f.d.count, 0, "no errors: a dual-stack site can relay");
	is_int(plan_link(&f.p, 0, 1), 2,
	       "IPv4-only <-> IPv6-only goes through the dual-stack site");
	v4 = fixture_render(&f, "v4", 0);
	peer_section(v4, "both", sec, sizeof(sec));
	ok(strstr(sec, "10.2.0.0/16") && strstr(sec, "Endpoint = 192.0.2.3:51820\n"),
	   "the IPv4-only site reaches the relay over IPv4 and routes the other LAN there");
	peer_section(fixture_render(&f, "v6", 1), "both", sec, sizeof(sec));
	ok(strstr(sec, "10.1.0.0/16") && strstr(sec, "Endpoint = [2001:db8::3]:51820\n"),
	   "the IPv6-only site reaches it over IPv6");
	ok(strstr(fixture_render(&f, "both", 2), "ip_forward=1") != NULL, "the relay forwards");
	fixture_free(&f, 0);
}

static void test_names_and_explicit_client(void)
{
	static const char yaml[] =
	    "mesh: {tunnel: [10.9.0.0/24, 'fd09::/64'], port: 4000}\nsites:\n"
	    "  v6: {endpoint: '2001:db8::6'}\n"
	    "  named: {endpoint: vpn.example.com}\n"
	    "clients:\n  pad: {via: named, address: 10.9.0.200}\n";
	const char *pad;

	is_int(fixture_plan(&f, yaml, 0), 0, "host name endpoints: planned");
	is_int(f.d.count, 0, "no errors: a host name suits every address family");
	peer_section(fixture_render(&f, "v6", 0), "named", sec, sizeof(sec));
	ok(strstr(sec, "Endpoint = vpn.example.com:4000\n") != NULL,
	   "the IPv6-only site dials the name, on the mesh port");
	pad = fixture_render(&f, "pad", 1);
	ok(strstr(pad, "Address = 10.9.0.200/24, fd09::3/64\n") != NULL,
	   "a client's explicit address, and the next free one of the other pool");
	fixture_free(&f, 0);
}

static const struct bad_case bad[] = {
    {"duplicate site", "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {}\n  a: {}\n", 4, 3,
     "duplicate site name"},
    {"client named like a site",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {endpoint: h.example}\nclients:\n"
     "  a: {via: a}\n",
     5, 3, "already a site"},
    {"overlapping networks",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a:\n    networks: [10.1.0.0/16]\n"
     "  b:\n    networks: [10.1.2.0/24]\n",
     6, 16, "overlaps 10.1.0.0/16 of site `a'"},
    {"network over a pool",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {networks: [10.0.0.0/8]}\n", 3, 18,
     "overlaps tunnel pool 10.0.0.0/24"},
    {"address outside its pool",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {address: 10.0.1.1}\n", 3, 16,
     "outside the tunnel pools"},
    {"address used twice",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {address: 10.0.0.7}\n"
     "  b: {address: 10.0.0.7}\n",
     4, 16, "used twice"},
    {"exhausted pool",
     "mesh:\n  tunnel: [10.0.0.0/30]\nsites:\n  a: {endpoint: 192.0.2.1}\n"
     "  b: {endpoint: 192.0.2.2}\n  c: {endpoint: 192.0.2.3}\n",
     2, 12, "exhausted"},
    {"endpoint not an address or name",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {endpoint: 'my host'}\n", 3, 17,
     "not an endpoint"},
    {"endpoint with a bad port",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a:\n    endpoint: 192.0.2.1:70000\n", 4, 15,
     "not an endpoint"},
    {"unknown via",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {endpoint: 192.0.2.1}\nclients:\n"
     "  p: {via: b}\n",
     5, 12, "not a site"},
    {"via without endpoint",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {}\nclients:\n  p:\n    via: a\n", 6, 10,
     "has no endpoint"},
    {"YAML syntax", "mesh:\n  tunnel: [10.0.0.0/24\nsites: {}\n", 3, 6, "YAML syntax"},
    {"unknown key", "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a:\n    endpoints: 192.0.2.1\n", 4, 5,
     "unknown key `endpoints'"},
    {"wrong type", "mesh: {tunnel: [10.0.0.0/24], port: [1]}\n", 1, 37, "expected a UDP port"},
    {"no way between two NAT sites", "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {}\n  b: {}\n", 4,
     3, "cannot reach"},
    {"IPv4-only and IPv6-only without a relay",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {endpoint: 192.0.2.1}\n"
     "  b: {endpoint: '2001:db8::1'}\n",
     4, 3, "cannot reach"},
    {"endpoint inside a mesh network",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {networks: [10.1.0.0/16]}\n"
     "  b: {endpoint: 10.1.7.7}\n",
     4, 17, "inside a network of site `a'"},
    {"endpoint inside a tunnel pool",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  b: {endpoint: '10.0.0.9:1'}\n", 3, 17,
     "inside the tunnel pool 10.0.0.0/24"},
    {"host bits in a network",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {networks: [10.1.1.1/24]}\n", 3, 18,
     "expected 10.1.1.0/24"},
};

static void test_errors(void)
{
	fixture_check_errors(&f, bad, sizeof(bad) / sizeof(*bad));
}

static void test_all_errors_at_once(void)
{
	static const char yaml[] = "mesh:\n  tunnel: [10.0.0.0/24]\n  colour: blue\n"
				   "sites:\n  a: {endpoint: 'x y', address: 10.9.9.9}\n"
				   "  b: {networks: [10.0.0.0/16]}\nclients:\n  p: {via: zz}\n";

	fixture_plan(&f, yaml, 0);
	if (!ok(has_error(&f.d, 3, 3, "unknown key") && has_error(&f.d, 5, 17, "not an endpoint") &&
		    has_error(&f.d, 5, 33, "outside") && has_error(&f.d, 6, 18, "overlaps") &&
		    has_error(&f.d, 8, 12, "not a site"),
		"every error of a file in one run"))
		dump_errors(&f.d);
	fixture_free(&f, 0);
}

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_four_sites();
	test_psk_and_clients();
	test_stable();
	test_removed_and_new();
	test_nat();
	test_family_relay();
	test_names_and_explicit_client();
	test_errors();
	test_all_errors_at_once();
	return tap_done();
}
