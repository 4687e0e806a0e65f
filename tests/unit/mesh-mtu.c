// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh's MTU per path: underlay-mtu (PPPoE 1492) less 60 bytes over IPv4
 * or 80 over IPv6, each interface at the worst path it carries (relayed legs
 * included), clients at their via's, mesh.mtu winning, the MSS clamp
 * following the interface, and the warnings and errors at their positions.
 */
#include <stdio.h>
#include "../lib/tap.h"
#include "tests/unit/mesh-fixture.h"
#include "key.h"

static struct fixture f;

static const char *mtu_of(const char *name, int slot)
{
	static char buf[8][16];
	const char *conf = fixture_render(&f, name, slot), *s = strstr(conf, "\nMTU = ");

	snprintf(buf[slot], sizeof(buf[slot]), "%.*s", s ? (int)strcspn(s + 7, "\n") : 4,
		 s ? s + 7 : "none");
	return buf[slot];
}

static int has_warning(unsigned int line, unsigned int col, const char *what)
{
	return has_error(&f.p.warnings, line, col, what);
}

static void test_default(void)
{
	static const char yaml[] = "mesh: {tunnel: [10.9.0.0/24]}\nsites:\n"
				   "  a: {endpoint: 192.0.2.1}\n  b: {endpoint: '2001:db8::2'}\n"
				   "  c: {endpoint: [192.0.2.3, '2001:db8::3']}\n";

	is_int(fixture_plan(&f, yaml, 0), 0, "no underlay-mtu: planned");
	is_str(mtu_of("a", 0), "none", "no underlay-mtu anywhere: no MTU line, wg-quick decides");
	is_int(f.p.warnings.count, 0, "and no warnings");
	fixture_free(&f, 0);
}

static const char pppoe[] = "mesh:\n"
			    "  tunnel: [10.9.0.0/24]\n"
			    "sites:\n"
			    "  dual: {endpoint: [192.0.2.1, '2001:db8::1']}\n"
			    "  dual2: {endpoint: [192.0.2.2, '2001:db8::2']}\n"
			    "  dsl:\n"
			    "    endpoint: 192.0.2.3\n"
			    "    underlay-mtu: 1492\n"
			    "    networks: [10.3.0.0/24]\n"
			    "  v4: {endpoint: 192.0.2.4}\n"
			    "clients:\n"
			    "  phone: {via: v4}\n";

static void test_pppoe(void)
{
	const char *dsl;

	is_int(fixture_plan(&f, pppoe, 0), 0, "PPPoE site: planned");
	is_int(f.d.count, 0, "no errors");
	dump_errors(&f.d);
	is_str(mtu_of("dsl", 0), "1432", "PPPoE over IPv4: 1492 - 60");
	is_str(mtu_of("v4", 1), "1432", "an IPv4-only peer carries that path: 1432, not 1440");
	is_str(mtu_of("dual", 2), "1432", "so do dual-stack peers that dial it over IPv4");
	is_str(mtu_of("phone", 3), "1432", "a client gets its via site's MTU");
	dsl = fixture_render(&f, "dsl", 4);
	ok(strstr(dsl, "MTU = 1432\n") && strstr(dsl, "--clamp-mss-to-pmtu"),
	   "the MSS clamp follows the interface's MTU (clamp to PMTU)");
	if (!ok(has_warning(8, 19,
			    "lowers the tunnel MTU of 3 other sites (`dual' and others) to 1432"),
		"a warning at dsl's underlay-mtu: it lowers the others' MTU"))
		dump_errors(&f.p.warnings);
	fixture_free(&f, 0);
}

static void test_pppoe_v6(void)
{
	static const char yaml[] = "mesh: {tunnel: [10.9.0.0/24]}\nsites:\n"
				   "  a: {endpoint: '2001:db8::1', underlay-mtu: 1492}\n"
				   "  b: {endpoint: '2001:db8::2'}\n"
				   "  c: {endpoint: 192.0.2.3}\n"
				   "  d: {endpoint: [192.0.2.4, '2001:db8::4']}\n";

	is_int(fixture_plan(&f, yaml, 0), 0, "PPPoE over IPv6: planned");
	is_str(mtu_of("a", 0), "1412", "PPPoE over IPv6: 1492 - 80");
	is_str(mtu_of("b", 1), "1412", "its IPv6 peer too");
	is_str(mtu_of("c", 2), "1412",
	       "an IPv4-only site reaching it through the dual-stack relay: the relay's IPv6 leg");
	is_str(mtu_of("d", 3), "1412", "and the relay");
	fixture_free(&f, 0);
}

static void test_relayed(void)
{
	static const char yaml[] = "mesh: {tunnel: [10.9.0.0/24], topology: hub, hubs: [h]}\n"
				   "sites:\n"
				   "  h: {endpoint: 192.0.2.1}\n"
				   "  dsl: {endpoint: 192.0.2.2, underlay-mtu: 1400}\n"
				   "  far: {endpoint: 192.0.2.3}\n"
				   "  nat: {}\n";

	is_int(fixture_plan(&f, yaml, 0), 0, "relayed paths: planned");
	is_str(mtu_of("h", 0), "1340", "the hub carries the PPPoE path");
	is_str(mtu_of("far", 1), "1340", "a spoke's traffic to dsl goes on from the hub: 1340");
	is_str(mtu_of("nat", 2), "1340", "so does the NAT spoke's");
	is_str(mtu_of("dsl", 3), "1340", "and dsl's own");
	fixture_free(&f, 0);
}

static void test_explicit_and_names(void)
{
	static const char yaml[] = "mesh:\n  tunnel: [10.9.0.0/24]\n  mtu: 1420\nsites:\n"
				   "  a: {endpoint: 192.0.2.1, underlay-mtu: 1492}\n"
				   "  b: {endpoint: 192.0.2.2}\n";
	static const char names[] = "mesh: {tunnel: [10.9.0.0/24]}\nsites:\n"
				    "  a: {endpoint: 192.0.2.1, underlay-mtu: 1500}\n"
				    "  b: {endpoint: vpn.example.com}\n";

	is_int(fixture_plan(&f, yaml, 0), 0, "explicit mesh.mtu: planned");
	is_str(mtu_of("b", 0), "1420", "mesh.mtu wins over the planned 1432");
	ok(has_warning(3, 8, "mtu 1420 is more than the 1432") == 0 && f.p.warnings.count == 0,
	   "no warning when mesh.mtu fits every path");
	fixture_free(&f, 0);
	fixture_plan(&f,
		     "mesh:\n  tunnel: [10.9.0.0/24]\n  mtu: 1440\nsites:\n"
		     "  a: {endpoint: 192.0.2.1, underlay-mtu: 1492}\n"
		     "  b: {endpoint: 192.0.2.2}\n",
		     0);
	is_str(mtu_of("a", 0), "1440", "mesh.mtu wins even above a path");
	if (!ok(has_warning(3, 8, "mtu 1440 is more than the 1432 bytes"),
		"and a warning at mesh.mtu says the path carries less"))
		dump_errors(&f.p.warnings);
	fixture_free(&f, 0);
	is_int(fixture_plan(&f, names, 0), 0, "host name endpoints: planned");
	is_str(mtu_of("a", 0), "1420", "a host name may resolve to IPv6: planned for 80 bytes");
	fixture_free(&f, 0);
}

static void test_mixed_families(void)
{
	static const char yaml[] =
	    "mesh: {tunnel: [10.9.0.0/24]}\nsites:\n"
	    "  a: {endpoint: [192.0.2.1, '2001:db8::1'], underlay-mtu: 1500}\n"
	    "  b: {endpoint: ['2001:db8::2', 192.0.2.2]}\n";

	fixture_plan(&f, yaml, 0);
	is_str(mtu_of("a", 0), "1420",
	       "ends dialling each other over IPv4 and IPv6: planned for IPv6");
	if (!ok(has_warning(4, 3, "the two ends disagree on the outer address family"),
		"warning: the two ends disagree"))
		dump_errors(&f.p.warnings);
	fixture_free(&f, 0);
}

static const struct bad_case bad[] = {
    {"underlay-mtu out of range",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {endpoint: 192.0.2.1, underlay-mtu: 1000}\n", 3,
     42, "expected a number from 1280 to 65535"},
    {"a tunnel MTU below 1280",
     "mesh: {tunnel: [10.0.0.0/24]}\nsites:\n  a: {endpoint: '2001:db8::1', underlay-mtu: 1300}\n"
     "  b: {endpoint: '2001:db8::2'}\n",
     3, 46,
     "a tunnel MTU of 1220, below the 1280 bytes IPv6 needs; expected an underlay-mtu of at least 1360"},
};

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_default();
	test_pppoe();
	test_pppoe_v6();
	test_relayed();
	test_explicit_and_names();
	test_mixed_families();
	fixture_check_errors(&f, bad, sizeof(bad) / sizeof(*bad));
	return tap_done();
}
