// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh export ansible without Ansible: the inventory maps every ssh: form
 * to ansible_host/ansible_user/ansible_port and puts relays and via sites in
 * the first group, sites without ssh: are left out with a note, host_vars
 * hold each site's rendered config byte for byte (0600), and the playbook
 * runs the first group before the rest. ansible-playbook itself runs the
 * result in tests/netns/mesh-ansible.t.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "../lib/tap.h"
#include "tests/unit/mesh-fixture.h"
#include "key.h"
#include "wg-mesh/ansible.h"
#include "wg-mesh/reresolve.h"

static struct fixture f;
static char dir[] = "/tmp/ms-ansible-unit.XXXXXX";

static const char yaml[] = "mesh:\n"
			   "  interface: wgms9\n"
			   "  tunnel: [10.77.0.0/24]\n"
			   "sites:\n"
			   "  tokyo:\n"
			   "    endpoint: 192.0.2.1\n"
			   "    ssh: root@192.0.2.1\n"
			   "  paris:\n"
			   "    endpoint: 192.0.2.5\n"
			   "    ssh: paris-gw\n"
			   "  lima:\n"
			   "    endpoint: [192.0.2.9, 2001:db8::4]\n"
			   "    ssh: \"ssh://admin@[2001:db8::4]:2222\"\n"
			   "  branch:\n"
			   "    ssh: ssh://198.51.100.7\n"
			   "  depot:\n"
			   "    networks: [10.6.6.0/24]\n"
			   "clients:\n"
			   "  phone:\n"
			   "    via: paris\n";

static char *slurp(const char *name, mode_t *mode)
{
	char path[256], *text = NULL;
	size_t len = 0;
	struct stat st;
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) || !(in = fopen(path, "r")))
		return strdup("");
	*mode = st.st_mode & 07777;
	text = calloc(1, 1 << 16);
	len = fread(text, 1, (1 << 16) - 1, in);
	text[len] = '\0';
	fclose(in);
	return text;
}

static void test_inventory(void)
{
	mode_t mode = 0;
	char *inv = slurp("inventory.yml", &mode);

	is_int(mode, 0600, "inventory.yml is 0600");
	ok(strstr(inv, "    wgmesh_first:\n      hosts:\n        \"tokyo\":\n"
		       "          ansible_host: \"192.0.2.1\"\n          ansible_user: \"root\"\n"
		       "        \"paris\":\n          ansible_host: \"paris-gw\"\n"
		       "    wgmesh_rest:\n") != NULL,
	   "first: tokyo (the relay of branch and depot) and paris (the phone's via); an alias "
	   "as the host");
	ok(strstr(inv, "        \"lima\":\n          ansible_host: \"2001:db8::4\"\n"
		       "          ansible_user: \"admin\"\n          ansible_port: 2222\n") != NULL,
	   "ssh://user@[v6]:port: host without brackets, user and port");
	ok(strstr(inv, "        \"branch\":\n          ansible_host: \"198.51.100.7\"\n") &&
	       !strstr(inv, "198.51.100.7\"\n          ansible_"),
	   "ssh://host: neither user nor port");
	ok(!strstr(inv, "depot"), "a site without ssh: is not in the inventory");
	free(inv);
}

/* host_vars/NAME.yml holds exactly the config that plan writes, as a literal block. */
static void test_host_vars(const char *name)
{
	char file[64], *text, *block, *want, *p, *q;
	mode_t mode = 0;

	snprintf(file, sizeof(file), "host_vars/%s.yml", name);
	text = slurp(file, &mode);
	want = strdup(fixture_render(&f, name, 0));
	is_int(mode, 0600, "%s: 0600", file);
	block = strstr(text, "\nwgmesh_config: !unsafe |\n");
	ok(block != NULL, "%s: one vault-ready variable, never templated", file);
	if (block) {
		/* Drop the two spaces of indentation of every non-empty line. */
		for (p = q = block + strlen("\nwgmesh_config: !unsafe |\n"); *p;) {
			if (p[0] == ' ' && p[1] == ' ')
				p += 2;
			while (*p && *p != '\n')
				*q++ = *p++;
			if (*p)
				*q++ = *p++;
		}
		*q = '\0';
		is_str(block + strlen("\nwgmesh_config: !unsafe |\n"), want,
		       "%s: the config, byte for byte", file);
	}
	free(text);
	free(want);
}

static void test_playbook(void)
{
	mode_t mode = 0;
	char *pb = slurp("playbook.yml", &mode), *first, *rest;

	first = strstr(pb, "  hosts: wgmesh_first\n");
	rest = strstr(pb, "  hosts: wgmesh_rest\n");
	ok(first && rest && first < rest, "the first group's play comes first");
	ok(strstr(pb, "    wgmesh_interface: \"wgms9\"\n") != NULL, "the mesh's interface");
	free(pb);
	pb = slurp("wgmesh-tasks.yml", &mode);
	ok(strstr(pb, "    mode: \"0600\"\n    validate: \"sh -c ") &&
	       strstr(pb, "  no_log: true\n"),
	   "the config is copied 0600, validated by wg-quick strip, never logged");
	free(pb);
}

/* YAML's block of text, as put_block indents it: two spaces before each non-empty line. */
static char *indented(const char *text)
{
	char *out = calloc(1, 2 * strlen(text) + 1), *q = out;
	bool bol = true;

	for (; out && *text; ++text) {
		if (bol && *text != '\n') {
			*q++ = ' ';
			*q++ = ' ';
		}
		*q++ = *text;
		bol = *text == '\n';
	}
	return out;
}

/* paris by host name: tokyo's host_vars carry its re-resolve files, the tasks install them. */
static void test_reresolve(void)
{
	static const char *const vars[] = {"wgmesh_reresolve_script", "wgmesh_reresolve_service",
					   "wgmesh_reresolve_timer"};
	char named[sizeof(yaml) + 16], *at, *text, *block, *want;
	struct reresolve_files rr;
	mode_t mode;
	FILE *note = fopen("/dev/null", "w");
	int k;

	memcpy(named, yaml, sizeof(yaml));
	at = strstr(named, "192.0.2.5\n");
	memmove(at + strlen("paris.example.net"), at + strlen("192.0.2.5"),
		strlen(at + strlen("192.0.2.5")) + 1);
	memcpy(at, "paris.example.net", strlen("paris.example.net"));
	is_int(fixture_plan(&f, named, 0), 0, "paris by name: planned");
	is_int(ansible_export(&f.p, "sites.yaml", dir, note), 0, "paris by name: exported");
	fclose(note);
	is_int(reresolve_render(&f.p, sites_find_site(f.m, "tokyo"), &rr), 0, "tokyo's files");
	text = slurp("host_vars/tokyo.yml", &mode);
	for (k = 0; k < RERESOLVE_N_FILES; ++k) {
		want = indented(rr.f[k].p);
		if (asprintf(&block, "\n%s: !unsafe |\n%s", vars[k], want) < 0)
			block = NULL;
		ok(block && strstr(text, block), "tokyo's host_vars: %s, byte for byte", vars[k]);
		free(block);
		free(want);
	}
	ok(strstr(text, "wgmesh_reresolve_timer") < strstr(text, "\nwgmesh_config: "),
	   "before the config");
	free(text);
	text = slurp("host_vars/paris.yml", &mode);
	ok(!strstr(text, "wgmesh_reresolve"), "paris's peers are addresses: no such variable");
	free(text);
	text = slurp("wgmesh-tasks.yml", &mode);
	ok(strstr(text, "    dest: \"/etc/wireguard/{{ wgmesh_interface }}.reresolve.sh\"\n"
			"    mode: \"0600\"\n  when: wgmesh_reresolve_script is defined\n") &&
	       strstr(text, "    mode: \"0644\"\n  when: wgmesh_reresolve_script is defined and "
			    "wgmesh_systemd.stat.isdir | default(false)\n") &&
	       strstr(text,
		      "  ansible.builtin.systemd:\n    name: "
		      "\"wg-mesh-reresolve-{{ wgmesh_interface }}.timer\"\n    enabled: true\n"),
	   "the tasks: the script 0600, the units 0644 and the timer enabled where systemd runs");
	ok(strstr(text, "  when: wgmesh_reresolve_script is not defined\n") != NULL,
	   "and the files removed where none is planned");
	free(text);
	reresolve_files_free(&rr);
	fixture_free(&f, 0);
}

int main(void)
{
	FILE *note;
	char *notes = NULL;
	size_t len;

	if (key_init() < 0 || !mkdtemp(dir))
		return 1;
	if (!is_int(fixture_plan(&f, yaml, 0), 0, "planned") ||
	    !is_int(f.d.count, 0, "no errors")) {
		dump_errors(&f.d);
		fixture_free(&f, 0);
		return tap_done();
	}
	note = open_memstream(&notes, &len);
	is_int(ansible_export(&f.p, "sites.yaml", dir, note), 0, "exported");
	fclose(note);
	is_str(notes, "Note: site `depot' has no ssh: destination; it is not in the inventory\n",
	       "the site left out is named");
	test_inventory();
	test_host_vars("tokyo");
	test_host_vars("lima");
	test_playbook();
	free(notes);
	fixture_free(&f, 0);
	test_reresolve();
	if (system("rm -rf /tmp/ms-ansible-unit.*") != 0)
		diag("could not remove the temporary directory");
	return tap_done();
}
