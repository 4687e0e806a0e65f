// SPDX-License-Identifier: GPL-2.0
/*
 * apply's commands for the re-resolve files, table-driven: a fresh install
 * with and without systemd (the systemctl lines), files already in line, a
 * changed script alone, a timer that is not enabled, and removal when the
 * plan has none. The shell functions that carry the files are run with
 * /bin/sh to check they print them byte for byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "../lib/tap.h"
#include "wg-mesh/reinstall.h"

#define IF "rrwg0"

static const char script[] = "#!/bin/sh\necho 'it''s' \"$x\" `date` \\\\ done\n";
static const char service[] = "[Service]\nType=oneshot\nExecStart=/bin/sh /x\n";
static const char timer[] = "[Timer]\nOnUnitActiveSec=30s\n";
static const char old[] = "#!/bin/sh\necho old\n";

#define PUT_SCRIPT                                                                                 \
	"rm -f /etc/wireguard/.rrwg0.reresolve.sh.wg-mesh\n"                                       \
	"(umask 077 && set -C && wg_mesh_reresolve_0 > "                                           \
	"/etc/wireguard/.rrwg0.reresolve.sh.wg-mesh)\n"                                            \
	"mv -f /etc/wireguard/.rrwg0.reresolve.sh.wg-mesh /etc/wireguard/rrwg0.reresolve.sh\n"
#define PUT_UNITS                                                                                  \
	"rm -f /etc/systemd/system/.wg-mesh-reresolve-rrwg0.service.wg-mesh\n"                     \
	"(umask 022 && set -C && wg_mesh_reresolve_1 > "                                           \
	"/etc/systemd/system/.wg-mesh-reresolve-rrwg0.service.wg-mesh)\n"                          \
	"mv -f /etc/systemd/system/.wg-mesh-reresolve-rrwg0.service.wg-mesh "                      \
	"/etc/systemd/system/wg-mesh-reresolve-rrwg0.service\n"                                    \
	"rm -f /etc/systemd/system/.wg-mesh-reresolve-rrwg0.timer.wg-mesh\n"                       \
	"(umask 022 && set -C && wg_mesh_reresolve_2 > "                                           \
	"/etc/systemd/system/.wg-mesh-reresolve-rrwg0.timer.wg-mesh)\n"                            \
	"mv -f /etc/systemd/system/.wg-mesh-reresolve-rrwg0.timer.wg-mesh "                        \
	"/etc/systemd/system/wg-mesh-reresolve-rrwg0.timer\n"
#define ENABLE "systemctl enable --now wg-mesh-reresolve-rrwg0.timer\n"
#define RELOAD "systemctl daemon-reload\n"

struct reinstall_case {
	const char *name;
	struct reinstall_site site;
	bool planned;
	const char *commands;
	bool installed, removed, no_systemd;
};

static const struct reinstall_case cases[] = {
    {"systemd, nothing there: all three, daemon-reload, enable --now",
     {{NULL, NULL, NULL}, true, false},
     true,
     PUT_SCRIPT PUT_UNITS RELOAD ENABLE,
     true,
     false,
     false},
    {"systemd, in line and enabled: nothing",
     {{script, service, timer}, true, true},
     true,
     "",
     false,
     false,
     false},
    {"systemd, in line but not enabled: enable --now only",
     {{script, service, timer}, true, false},
     true,
     ENABLE,
     false,
     false,
     false},
    {"systemd, a new script only: the script, no systemctl (it runs the file each time)",
     {{old, service, timer}, true, true},
     true,
     PUT_SCRIPT,
     true,
     false,
     false},
    {"no systemd, nothing there: the script alone, and no systemctl",
     {{NULL, NULL, NULL}, false, false},
     true,
     PUT_SCRIPT,
     true,
     false,
     true},
    {"no systemd, the script in line: nothing",
     {{script, NULL, NULL}, false, false},
     true,
     "",
     false,
     false,
     true},
    {"systemd, no longer planned: disable --now, the files, daemon-reload",
     {{script, service, timer}, true, true},
     false,
     "systemctl disable --now wg-mesh-reresolve-rrwg0.timer\n"
     "rm -f /etc/wireguard/rrwg0.reresolve.sh\n"
     "rm -f /etc/systemd/system/wg-mesh-reresolve-rrwg0.service\n"
     "rm -f /etc/systemd/system/wg-mesh-reresolve-rrwg0.timer\n" RELOAD,
     false,
     true,
     false},
    {"no systemd, no longer planned: the script goes",
     {{script, NULL, NULL}, false, false},
     false,
     "rm -f /etc/wireguard/rrwg0.reresolve.sh\n",
     false,
     true,
     false},
    {"not planned and not there: nothing",
     {{NULL, NULL, NULL}, true, false},
     false,
     "",
     false,
     false,
     false},
};

static void want_files(struct reresolve_files *w)
{
	memset(w, 0, sizeof(*w));
	w->planned = true;
	textbuf_puts(&w->f[RERESOLVE_SCRIPT], script);
	textbuf_puts(&w->f[RERESOLVE_SERVICE], service);
	textbuf_puts(&w->f[RERESOLVE_TIMER], timer);
}

static void test_cases(const struct reresolve_files *w)
{
	struct reinstall c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); ++i) {
		const struct reinstall_case *t = &cases[i];

		is_int(reinstall_classify(IF, &t->site, t->planned ? w : NULL, &c), 0,
		       "%s: classified", t->name);
		is_str(c.commands.p ? c.commands.p : "", t->commands, "%s", t->name);
		ok(c.installed == t->installed && c.removed == t->removed &&
		       c.no_systemd == t->no_systemd,
		   "%s: installed %d, removed %d, no systemd %d", t->name, c.installed, c.removed,
		   c.no_systemd);
		reinstall_free(&c);
	}
}

/* Runs the functions, then one of them, with /bin/sh; its output into out. */
static int run_function(const struct textbuf *functions, int k, char *out, size_t len)
{
	char path[] = "/tmp/rr-reinstall.XXXXXX", cmd[128];
	int fd = mkstemp(path);
	FILE *sh;
	size_t n;

	if (fd < 0 || write(fd, functions->p, functions->len) != (ssize_t)functions->len)
		return -1;
	close(fd);
	snprintf(cmd, sizeof(cmd), ". %s && wg_mesh_reresolve_%d", path, k);
	sh = popen(cmd, "r");
	n = sh ? fread(out, 1, len - 1, sh) : 0;
	out[n] = '\0';
	if (sh)
		pclose(sh);
	unlink(path);
	return 0;
}

static void test_functions(const struct reresolve_files *w)
{
	const struct reinstall_site none = {{NULL, NULL, NULL}, true, false};
	struct reinstall c;
	char out[512];
	int k;

	is_int(reinstall_classify(IF, &none, w, &c), 0, "fresh install for the functions");
	for (k = 0; k < RERESOLVE_N_FILES; ++k) {
		is_int(run_function(&c.functions, k, out, sizeof(out)), 0, "ran function %d", k);
		is_str(out, w->f[k].p, "wg_mesh_reresolve_%d prints the file byte for byte", k);
	}
	reinstall_free(&c);
}

static void test_bad(void)
{
	const struct reinstall_site none = {{NULL, NULL, NULL}, false, false};
	struct reresolve_files w;
	struct reinstall c;

	want_files(&w);
	textbuf_clear(&w.f[RERESOLVE_SCRIPT]);
	textbuf_puts(&w.f[RERESOLVE_SCRIPT], "x\nWG_MESH_RERESOLVE_EOF\ny\n");
	is_int(reinstall_classify(IF, &none, &w, &c), -EINVAL,
	       "a file with the here-document's delimiter as a line is refused");
	reinstall_free(&c);
	textbuf_clear(&w.f[RERESOLVE_SCRIPT]);
	textbuf_puts(&w.f[RERESOLVE_SCRIPT], "no newline at the end");
	is_int(reinstall_classify(IF, &none, &w, &c), -EINVAL, "and one without a last newline");
	reinstall_free(&c);
	reresolve_files_free(&w);
}

static void test_probe(void)
{
	struct textbuf b = {0};

	reinstall_probe(&b, IF);
	ok(strstr(b.p,
		  "if [ -f /etc/wireguard/rrwg0.reresolve.sh ]; then echo; echo "
		  "'wg-mesh-section reresolve-0'; cat /etc/wireguard/rrwg0.reresolve.sh; fi\n") &&
	       strstr(b.p, "'wg-mesh-section reresolve-2'; cat "
			   "/etc/systemd/system/wg-mesh-reresolve-rrwg0.timer; fi\n") &&
	       strstr(b.p, "systemctl -q is-enabled wg-mesh-reresolve-rrwg0.timer"),
	   "the probe reads the three files and whether the timer is enabled");
	textbuf_free(&b);
}

int main(void)
{
	struct reresolve_files w;

	want_files(&w);
	test_cases(&w);
	test_functions(&w);
	reresolve_files_free(&w);
	test_bad();
	test_probe();
	return tap_done();
}
