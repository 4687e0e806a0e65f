// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh's input side: sites.yaml values with their positions, endpoint and
 * host name syntax, the keystore file (0600, round trip, damaged lines) and
 * the error list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "../lib/tap.h"
#include "tests/unit/mesh-fixture.h"
#include "key.h"
#include "cidr.h"

static struct fixture f;

static void test_values(void)
{
	static const char yaml[] =
	    "mesh:\n"
	    "  interface: wgm\n"
	    "  port: 51000\n"
	    "  tunnel: [192.168.0.0/24, 'fd00::/64']\n"
	    "  preshared-keys: false\n"
	    "  mtu: 1380\n"
	    "sites:\n"
	    "  tokyo:\n"
	    "    endpoint: [192.0.2.1, 'vpn.example.com:4000', 2001:db8::1]\n"
	    "    networks: 10.1.0.0/16\n"
	    "    post-up: [echo up]\n"
	    "  branch:\n"
	    "clients:\n"
	    "  phone: {via: tokyo, route: all}\n";
	const struct sites_mesh *m;
	const struct sites_site *s;

	fixture_plan(&f, yaml, 0);
	m = f.m;
	is_int(f.d.count, 0, "example parses without errors");
	is_str(m->interface, "wgm", "interface");
	is_int(m->port, 51000, "port");
	is_int(m->pools.n, 2, "two pools");
	is_int(m->preshared_keys, 0, "preshared-keys: false");
	is_int(m->mtu, 1380, "mtu");
	is_int(m->n_sites, 2, "two sites, one of them empty");
	s = &m->sites[0];
	is_int(s->n_endpoints, 3, "three endpoints");
	is_int(s->endpoints[0].family, AF_INET, "IPv4 endpoint");
	is_int(s->endpoints[1].family, 0, "host name endpoint");
	is_int(s->endpoints[1].port, 4000, "host name with a port");
	is_int(s->endpoints[2].family, AF_INET6, "bare IPv6 endpoint in a flow list");
	is_int(s->endpoints[1].pos.line, 9, "endpoint line");
	is_int(s->endpoints[1].pos.col, 27, "endpoint column");
	is_int(s->networks.n, 1, "a single network without brackets");
	is_str(s->post_up.v[0], "echo up", "post-up hook");
	is_int(m->clients[0].route, SITES_ROUTE_ALL, "route: all");
	ok(!strstr(fixture_render(&f, "tokyo", 0), "PresharedKey"), "no PSKs when switched off");
	ok(strstr(f.conf[0], "PostUp = echo up\n") != NULL, "extra hooks are kept");
	fixture_free(&f, 0);
}

static const struct {
	const char *in;
	int ok;
	uint16_t family, port;
} endpoints[] = {
    {"192.0.2.1", 1, AF_INET, 0},
    {"192.0.2.1:51821", 1, AF_INET, 51821},
    {"[2001:db8::1]:51821", 1, AF_INET6, 51821},
    {"2001:db8::1", 1, AF_INET6, 0},
    {"[2001:db8::1]", 1, AF_INET6, 0},
    {"vpn.example.com", 1, 0, 0},
    {"a-b.example:1", 1, 0, 1},
    {"192.0.2.1:0", 0, 0, 0},
    {"192.0.2.1:65536", 0, 0, 0},
    {"[vpn.example.com]:1", 0, 0, 0},
    {"300.1.1.1", 0, 0, 0},
    {"-bad.example", 0, 0, 0},
    {"bad-.example", 0, 0, 0},
    {"two..dots", 0, 0, 0},
    {"under_score", 0, 0, 0},
    {"", 0, 0, 0},
    {"[2001:db8::1", 0, 0, 0},
};

static void test_endpoints(void)
{
	struct sites_endpoint ep;
	size_t i;

	for (i = 0; i < sizeof(endpoints) / sizeof(*endpoints); ++i) {
		int got = sites_parse_endpoint(&ep, endpoints[i].in);

		if (!endpoints[i].ok) {
			ok(!got, "endpoint `%s' rejected", endpoints[i].in);
			continue;
		}
		ok(got && ep.family == endpoints[i].family && ep.port == endpoints[i].port,
		   "endpoint `%s'", endpoints[i].in);
	}
}

static const struct {
	const char *in;
	int ok;
	const char *user, *host;
	uint16_t port;
} ssh_forms[] = {
    {"root@203.0.113.1", 1, "root", "203.0.113.1", 0},
    {"tokyo-gw", 1, "", "tokyo-gw", 0},
    {"tokyo_gw", 1, "", "tokyo_gw", 0}, /* a Host alias of ssh_config */
    {"admin@vpn.example.com", 1, "admin", "vpn.example.com", 0},
    {"root@2001:db8::1", 1, "root", "2001:db8::1", 0},
    {"2001:db8::1", 1, "", "2001:db8::1", 0},
    {"ssh://admin@host:2222", 1, "admin", "host", 2222},
    {"ssh://host", 1, "", "host", 0},
    {"ssh://192.0.2.1:22", 1, "", "192.0.2.1", 22},
    {"ssh://root@[2001:db8::1]:2222", 1, "root", "2001:db8::1", 2222},
    {"ssh://[2001:db8::1]", 1, "", "2001:db8::1", 0},
    {"host:22", 0, NULL, NULL, 0},	/* a port needs the ssh:// form */
    {"root@host:22", 0, NULL, NULL, 0}, /* scp's syntax, not a destination */
    {"-oProxyCommand=x", 0, NULL, NULL, 0},
    {"root@-oProxyCommand=x", 0, NULL, NULL, 0},
    {"-root@host", 0, NULL, NULL, 0},
    {"@host", 0, NULL, NULL, 0},
    {"root@", 0, NULL, NULL, 0},
    {"a@b@c", 0, NULL, NULL, 0},
    {"my host", 0, NULL, NULL, 0},
    {"ssh://2001:db8::1", 0, NULL, NULL, 0},
    {"ssh://[2001:db8::1", 0, NULL, NULL, 0},
    {"ssh://[host]:22", 0, NULL, NULL, 0},
    {"ssh://host:0", 0, NULL, NULL, 0},
    {"ssh://host:65536", 0, NULL, NULL, 0},
    {"ssh://host/path", 0, NULL, NULL, 0},
    {"ssh://", 0, NULL, NULL, 0},
    {"sftp://host", 0, NULL, NULL, 0},
    {"[2001:db8::1]", 0, NULL, NULL, 0},
    {"", 0, NULL, NULL, 0},
};

static void test_ssh_forms(void)
{
	struct sites_ssh t;
	size_t i;

	for (i = 0; i < sizeof(ssh_forms) / sizeof(*ssh_forms); ++i) {
		int got = sites_parse_ssh(&t, ssh_forms[i].in);

		if (!ssh_forms[i].ok) {
			ok(!got, "ssh `%s' rejected", ssh_forms[i].in);
			continue;
		}
		ok(got && !strcmp(t.user, ssh_forms[i].user) &&
		       !strcmp(t.host, ssh_forms[i].host) && t.port == ssh_forms[i].port,
		   "ssh `%s'", ssh_forms[i].in);
	}
}

static void test_ssh_key(void)
{
	static const char yaml[] = "mesh: {tunnel: [10.0.0.0/24]}\n"
				   "sites:\n"
				   "  a:\n"
				   "    endpoint: 192.0.2.1\n"
				   "    ssh: ssh://root@[2001:db8::1]:2222\n"
				   "  b:\n"
				   "    endpoint: 192.0.2.2\n"
				   "    ssh: 'root@host:22'\n"
				   "  c:\n"
				   "    endpoint: 192.0.2.3\n"
				   "    ssh: [x, y]\n"
				   "  d: {endpoint: 192.0.2.4}\n";

	fixture_plan(&f, yaml, 0);
	is_str(f.m->sites[0].ssh, "ssh://root@[2001:db8::1]:2222", "ssh: kept as written");
	ok(f.m->sites[0].ssh_pos.line == 5 && f.m->sites[0].ssh_pos.col == 10, "ssh: position");
	ok(!f.m->sites[1].ssh && !f.m->sites[3].ssh, "no ssh: for a bad form or a site without");
	if (!ok(has_error(&f.d, 8, 10,
			  "`root@host:22' is not an SSH destination; expected user@host"),
		"an unknown ssh: form is an error at its line and column, with the forms"))
		dump_errors(&f.d);
	if (!ok(has_error(&f.d, 11, 10, "expected an SSH destination"), "ssh: takes one value"))
		dump_errors(&f.d);
	is_int(f.d.count, 2, "two errors and no more");
	fixture_free(&f, 0);
}

static void test_keystore_file(void)
{
	char dir[] = "/tmp/msh-unit.XXXXXX", path[64];
	struct keystore ks = {0}, again;
	struct keystore_entry *e;
	struct stat st;
	FILE *fp;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/sites.keys", dir);
	is_int(keystore_load(&ks, path), 0, "a missing keystore is empty");
	keystore_ensure_psk_secret(&ks);
	e = keystore_get(&ks, "tokyo", false);
	e->used = true;
	cidr_parse(&e->addrs[0], "192.168.0.1/32");
	e->n_addrs = 1;
	keystore_get(&ks, "gone", false); /* not used: dropped on save */
	is_int(keystore_save(&ks, path), 0, "keystore saved");
	ok(!stat(path, &st) && (st.st_mode & 0777) == 0600, "keystore is mode 0600");
	is_int(keystore_load(&again, path), 0, "keystore read back");
	e = keystore_find(&again, "tokyo", false);
	ok(e && key_eq(e->private_key, keystore_find(&ks, "tokyo", false)->private_key) &&
	       e->n_addrs == 1 && again.has_psk_secret && key_eq(again.psk_secret, ks.psk_secret),
	   "keys, addresses and the PSK secret survive");
	ok(!keystore_find(&again, "gone", false), "unused entries are dropped");
	keystore_free(&again);
	fp = fopen(path, "a");
	fputs("site broken not-a-key\n", fp);
	fclose(fp);
	ok(keystore_load(&again, path) < 0, "a damaged keystore is refused");
	keystore_free(&again);
	keystore_free(&ks);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	if (key_init() < 0)
		return 1;
	test_values();
	test_endpoints();
	test_ssh_forms();
	test_ssh_key();
	test_keystore_file();
	return tap_done();
}
