// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh's change classifier, table-driven: which changes are a syncconf,
 * a restart, an up or a down, the exact commands for each, and the routes
 * wg-quick would have added or removed for an allowed-IP change (main table
 * with its `match' rule, Table=N, Table=off, default routes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "../lib/tap.h"
#include "wg-mesh/change.h"

#define IF "wgma0"

static const char base[] = "# site tokyo\n"
			   "[Interface]\n"
			   "PrivateKey = K1\n"
			   "Address = 192.168.0.1/24, fd00::1/64\n"
			   "MTU = 1420\n"
			   "ListenPort = 51820\n"
			   "PostUp = echo up\n"
			   "\n"
			   "[Peer]\n"
			   "# paris\n"
			   "PublicKey = P2\n"
			   "PresharedKey = S2\n"
			   "AllowedIPs = 192.168.0.2/32, 10.2.2.0/24\n"
			   "Endpoint = 192.0.2.5:51820\n"
			   "\n"
			   "[Peer]\n"
			   "PublicKey = P3\n"
			   "AllowedIPs = 192.168.0.3/32, 10.3.3.0/24, 2001:db8:1:3::/64\n"
			   "Endpoint = [2001:db8::3]:51820\n"
			   "PersistentKeepalive = 25\n";

/* `wg showconf' of base: what wg holds, in its own order. */
static const char running[] = "[Interface]\n"
			      "ListenPort = 51820\n"
			      "PrivateKey = K1\n"
			      "\n"
			      "[Peer]\n"
			      "PublicKey = P2\n"
			      "PresharedKey = S2\n"
			      "AllowedIPs = 192.168.0.2/32, 10.2.2.0/24\n"
			      "Endpoint = 192.0.2.5:51820\n"
			      "\n"
			      "[Peer]\n"
			      "PublicKey = P3\n"
			      "AllowedIPs = 192.168.0.3/32, 10.3.3.0/24, 2001:db8:1:3::/64\n"
			      "Endpoint = [2001:db8::3]:51820\n"
			      "PersistentKeepalive = 25\n";

static const char routes4[] = "10.2.2.0/24 scope link \n"
			      "10.3.3.0/24 scope link \n"
			      "192.168.0.0/24 proto kernel scope link src 192.168.0.1 \n";
static const char routes6[] = "2001:db8:1:3::/64 metric 1024 pref medium\n"
			      "fd00::/64 proto kernel metric 256 pref medium\n"
			      "fe80::/64 proto kernel metric 256 pref medium\n";

#define INSTALL                                                                                    \
	"rm -f /etc/wireguard/.wgma0.conf.wg-mesh\n"                                               \
	"(umask 077 && set -C && wg_mesh_input > /etc/wireguard/.wgma0.conf.wg-mesh)\n"            \
	"mv -f /etc/wireguard/.wgma0.conf.wg-mesh /etc/wireguard/wgma0.conf\n"
#define SYNC                                                                                       \
	"(umask 077 && wg-quick strip wgma0 > /etc/wireguard/.wgma0.strip.wg-mesh)\n"              \
	"wg syncconf wgma0 /etc/wireguard/.wgma0.strip.wg-mesh\n"                                  \
	"rm -f /etc/wireguard/.wgma0.strip.wg-mesh\n"

/* base with the first `from' replaced by `to' (a few buffers in turn). */
static const char *with(const char *text, const char *from, const char *to)
{
	static char bufs[32][4096];
	static int next;
	char *out = bufs[next++ % 32];
	const char *at = strstr(text, from);

	if (!at) {
		diag("with(): the text to replace is not there");
		return text;
	}
	snprintf(out, sizeof(bufs[0]), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

struct expect {
	const char *name;
	const char *old, *run, *r4, *r6, *new;
	enum change_class class;
	const char *commands; /* exact; NULL: not checked */
	const char *why;      /* a substring of why; NULL: not checked */
	bool systemd, active;
};

static void check(const struct expect *e)
{
	struct change_site site = {e->old, e->run, e->r4, e->r6, e->systemd, e->active};
	struct change c;
	int ret = change_classify(IF, &site, e->new, &c);

	if (!ok(!ret && c.class == e->class, "%s: %s", e->name, change_class_str(e->class)))
		fprintf(stderr, "# got %d, %s (%s)\n", ret, change_class_str(c.class), c.why);
	if (e->commands &&
	    !is_str(c.commands.p ? c.commands.p : "", e->commands, "%s: the commands", e->name))
		fprintf(stderr, "# commands:\n%s", c.commands.p ? c.commands.p : "");
	if (e->why)
		ok(strstr(c.why, e->why) != NULL, "%s: says why (%s)", e->name, c.why);
	change_free(&c);
}

static void test_sync(void)
{
	const char *lan =
	    with(base, "10.3.3.0/24,", "10.3.3.0/24, 10.33.0.0/16, 2001:db8:33::/48,");
	const struct expect cases[] = {
	    {"no change", base, running, routes4, routes6, base, CHANGE_NONE, "", NULL, false,
	     false},
	    {"comments only", base, running, routes4, routes6, with(base, "# paris", "# Paris"),
	     CHANGE_NONE, INSTALL, "comments", false, false},
	    {"keys in another case", with(base, "MTU =", "mtu="), running, routes4, routes6, base,
	     CHANGE_NONE, NULL, NULL, false, false},
	    {"a new LAN", base, running, routes4, routes6, lan, CHANGE_SYNC,
	     INSTALL SYNC "ip -6 route add 2001:db8:33::/48 dev wgma0\n"
			  "ip -4 route add 10.33.0.0/16 dev wgma0\n",
	     "peers", false, false},
	    {"a peer removed", base, running, routes4, routes6,
	     with(base,
		  "[Peer]\n# paris\nPublicKey = P2\nPresharedKey = S2\n"
		  "AllowedIPs = 192.168.0.2/32, 10.2.2.0/24\nEndpoint = 192.0.2.5:51820\n",
		  ""),
	     CHANGE_SYNC, INSTALL SYNC "ip -4 route del 10.2.2.0/24 dev wgma0\n", NULL, false,
	     false},
	    {"a peer's key rotated", base, running, routes4, routes6, with(base, "= P3", "= P3new"),
	     CHANGE_SYNC, INSTALL SYNC, NULL, false, false},
	    {"our own key rotated", base, running, routes4, routes6, with(base, "= K1", "= K1new"),
	     CHANGE_SYNC, INSTALL SYNC, NULL, false, false},
	    {"a PSK", base, running, routes4, routes6, with(base, "= S2", "= S2new"), CHANGE_SYNC,
	     NULL, NULL, false, false},
	    {"an endpoint", base, running, routes4, routes6, with(base, "192.0.2.5:", "192.0.2.9:"),
	     CHANGE_SYNC, NULL, NULL, false, false},
	    {"a keepalive", base, running, routes4, routes6, with(base, "= 25", "= 15"),
	     CHANGE_SYNC, NULL, NULL, false, false},
	    {"a covered prefix: no route (wg-quick's match)", base, running, routes4, routes6,
	     with(base, "10.2.2.0/24\n", "10.2.2.0/24, 10.3.3.128/25\n"), CHANGE_SYNC, INSTALL SYNC,
	     NULL, false, false},
	    {"allowed IPs over two lines", base, running, routes4, routes6,
	     with(base, ", 10.2.2.0/24\n", "\nAllowedIPs = 10.2.2.0/24\n"), CHANGE_NONE, NULL, NULL,
	     false, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); ++i)
		check(&cases[i]);
}

static void test_running_differs(void)
{
	const char *roamed = with(running, "192.0.2.5:51820", "198.51.100.7:40000");
	const char *no_ep = with(base, "Endpoint = 192.0.2.5:51820\n", "");
	const struct expect cases[] = {
	    {"a roamed endpoint is not a change", base, roamed, routes4, routes6, base, CHANGE_NONE,
	     "", NULL, false, false},
	    {"a learnt endpoint of a peer behind NAT neither", no_ep, running, routes4, routes6,
	     no_ep, CHANGE_NONE, "", NULL, false, false},
	    {"the file is new but wg still runs the old peers", base,
	     with(running, "PublicKey = P3", "PublicKey = P3old"), routes4, routes6, base,
	     CHANGE_SYNC, SYNC, "running", false, false},
	    {"a route wg-quick made is missing", base, running,
	     "192.168.0.0/24 proto kernel scope link src 192.168.0.1\n10.3.3.0/24 scope link\n",
	     routes6, base, CHANGE_SYNC, SYNC "ip -4 route add 10.2.2.0/24 dev wgma0\n", "routes",
	     false, false},
	    {"a running config that does not parse", base, "garbage\n", routes4, routes6, base,
	     CHANGE_SYNC, SYNC, NULL, false, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); ++i)
		check(&cases[i]);
}

static void test_tables(void)
{
	const char *off = with(base, "MTU = 1420\n", "MTU = 1420\nTable = off\n");
	const char *t = with(base, "MTU = 1420\n", "MTU = 1420\nTable = 1234\n");
	const char *all = "0.0.0.0/0, ::/0, 192.168.0.3/32,";
	const struct expect cases[] = {
	    {"Table = off: no routes", off, running, "", "",
	     with(off, "10.3.3.0/24,", "10.9.0.0/16,"), CHANGE_SYNC, INSTALL SYNC, NULL, false,
	     false},
	    {"Table = 1234: routes there", t, running, "10.2.2.0/24 scope link\n", "",
	     with(t, "10.3.3.0/24,", "10.9.0.0/16,"), CHANGE_SYNC,
	     INSTALL SYNC "ip -6 route add 2001:db8:1:3::/64 dev wgma0 table 1234\n"
			  "ip -4 route add 192.168.0.3/32 dev wgma0 table 1234\n"
			  "ip -4 route add 192.168.0.2/32 dev wgma0 table 1234\n"
			  "ip -4 route add 10.9.0.0/16 dev wgma0 table 1234\n",
	     NULL, false, false},
	    {"Table = 1234: a default route is a route", t, running, "", "",
	     with(t, "192.168.0.3/32,", all), CHANGE_SYNC, NULL, NULL, false, false},
	    {"auto table: a new default route needs policy routing", base, running, routes4,
	     routes6, with(base, "192.168.0.3/32,", all), CHANGE_RESTART, NULL, "default route",
	     false, false},
	    {"a new table", base, running, routes4, routes6, t, CHANGE_RESTART, NULL, "table",
	     false, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); ++i)
		check(&cases[i]);
}

static void test_restart(void)
{
	static const char restart_cmds[] =
	    "cp -p /etc/wireguard/wgma0.conf /etc/wireguard/.wgma0.conf.wg-mesh-old\n"
	    "wg-quick down wgma0\n" INSTALL
	    "wg-quick up wgma0 || { mv -f /etc/wireguard/.wgma0.conf.wg-mesh-old "
	    "/etc/wireguard/wgma0.conf && wg-quick up wgma0; exit 1; }\n"
	    "rm -f /etc/wireguard/.wgma0.conf.wg-mesh-old\n";
	const struct expect cases[] = {
	    {"an address", base, running, routes4, routes6, with(base, "0.1/24", "0.9/24"),
	     CHANGE_RESTART, restart_cmds, "`address'", false, false},
	    {"the MTU", base, running, routes4, routes6, with(base, "1420", "1380"), CHANGE_RESTART,
	     NULL, "`mtu'", false, false},
	    {"DNS", base, running, routes4, routes6, with(base, "MTU", "DNS = 10.1.1.53\nMTU"),
	     CHANGE_RESTART, NULL, "`dns'", false, false},
	    {"a hook", base, running, routes4, routes6, with(base, "echo up", "echo UP"),
	     CHANGE_RESTART, NULL, "`postup'", false, false},
	    {"the port", base, running, routes4, routes6, with(base, "51820\nPost", "51821\nPost"),
	     CHANGE_RESTART, NULL, "ListenPort", false, false},
	    {"a fwmark", base, running, routes4, routes6, with(base, "MTU", "FwMark = 0x1234\nMTU"),
	     CHANGE_RESTART, NULL, "FwMark", false, false},
	    {"a fwmark of off is none", base, running, routes4, routes6,
	     with(base, "MTU", "FwMark = off\nMTU"), CHANGE_NONE, NULL, NULL, false, false},
	    {"under systemd", base, running, routes4, routes6, with(base, "0.1/24", "0.9/24"),
	     CHANGE_RESTART,
	     "cp -p /etc/wireguard/wgma0.conf /etc/wireguard/.wgma0.conf.wg-mesh-old\n"
	     "systemctl stop wg-quick@wgma0\n" INSTALL
	     "systemctl enable --now wg-quick@wgma0 || { mv -f /etc/wireguard/.wgma0.conf.wg-mesh-old "
	     "/etc/wireguard/wgma0.conf && systemctl enable --now wg-quick@wgma0; exit 1; }\n"
	     "rm -f /etc/wireguard/.wgma0.conf.wg-mesh-old\n",
	     NULL, true, true},
	    {"an old file that does not parse", "[Interface\n", running, routes4, routes6, base,
	     CHANGE_RESTART, NULL, "does not parse", false, false},
	    {"running without a file", NULL, running, routes4, routes6, base, CHANGE_RESTART,
	     "wg-quick down wgma0\n" INSTALL "wg-quick up wgma0\n", NULL, false, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); ++i)
		check(&cases[i]);
}

static void test_up_down(void)
{
	const struct expect cases[] = {
	    {"a new site", NULL, NULL, NULL, NULL, base, CHANGE_UP, INSTALL "wg-quick up wgma0\n",
	     NULL, false, false},
	    {"a new site under systemd", NULL, NULL, NULL, NULL, base, CHANGE_UP,
	     INSTALL "systemctl enable --now wg-quick@wgma0\n", NULL, true, false},
	    {"a file in place but down", base, NULL, NULL, NULL, base, CHANGE_UP,
	     "wg-quick up wgma0\n", NULL, false, false},
	    {"a removed site", base, running, NULL, NULL, NULL, CHANGE_DOWN,
	     "wg-quick down wgma0\nrm -f /etc/wireguard/wgma0.conf\n", NULL, false, false},
	    {"a removed site under systemd", base, running, NULL, NULL, NULL, CHANGE_DOWN,
	     "systemctl disable --now wg-quick@wgma0\nrm -f /etc/wireguard/wgma0.conf\n", NULL,
	     true, true},
	    {"a removed site already down", base, NULL, NULL, NULL, NULL, CHANGE_DOWN,
	     "rm -f /etc/wireguard/wgma0.conf\n", NULL, false, false},
	    {"a removed site already gone", NULL, NULL, NULL, NULL, NULL, CHANGE_NONE, "", NULL,
	     false, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); ++i)
		check(&cases[i]);
}

static void test_refused(void)
{
	struct change_site site = {base, running, routes4, routes6, false, false};
	struct change c;

	is_int(change_classify(IF, &site, "[Interface]\nAddress\n", &c), -EINVAL,
	       "a new config that does not parse is refused");
	change_free(&c);
	is_int(change_classify(IF, &site, "[Peer]\nAllowedIPs = 10.0.0.0/8\n", &c), -EINVAL,
	       "a peer without a public key is refused");
	change_free(&c);
	is_int(change_classify("wg0;reboot", &site, base, &c), -EINVAL,
	       "an interface name that is not one plain word is refused");
	change_free(&c);
	is_int(change_classify(IF, &site, with(base, "MTU", "Table = $(reboot)\nMTU"), &c), -EINVAL,
	       "so is a table that is not");
	change_free(&c);
}

int main(void)
{
	test_sync();
	test_running_differs();
	test_tables();
	test_restart();
	test_up_down();
	test_refused();
	return tap_done();
}
