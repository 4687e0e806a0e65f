// SPDX-License-Identifier: GPL-2.0
/*
 * Brings a site's re-resolve files in line with the plan. Each file that
 * differs is written to a temporary file beside its place (the script with
 * umask 077, the units 022) and renamed over it, as apply writes configs.
 * The units go in only where systemd runs; elsewhere the script alone is
 * installed and the summary says that nothing runs it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "reinstall.h"
#include "remote.h"

#define DELIM "WG_MESH_RERESOLVE_EOF"

void reinstall_section(enum reresolve_file k, char *buf, size_t len)
{
	snprintf(buf, len, "reresolve-%d", (int)k);
}

static void path_of(enum reresolve_file k, const char *iface, bool temp, char *buf, size_t len)
{
	char name[300];

	reresolve_file_name(k, iface, name, sizeof(name));
	snprintf(buf, len, "%s/%s%s%s", reresolve_dir(k), temp ? "." : "", name,
		 temp ? ".wg-mesh" : "");
}

static void timer_name(const char *iface, char *buf, size_t len)
{
	reresolve_file_name(RERESOLVE_TIMER, iface, buf, len);
}

void reinstall_probe(struct textbuf *b, const char *iface)
{
	char path[400], section[32], timer[300];
	int k;

	for (k = 0; k < RERESOLVE_N_FILES; ++k) {
		path_of(k, iface, false, path, sizeof(path));
		reinstall_section(k, section, sizeof(section));
		textbuf_printf(b,
			       "if [ -f %1$s ]; then echo; echo 'wg-mesh-section %2$s'; cat %1$s; "
			       "fi\n",
			       path, section);
	}
	timer_name(iface, timer, sizeof(timer));
	textbuf_printf(b,
		       "[ -d /run/systemd/system ] && systemctl -q is-enabled %s 2>/dev/null && "
		       "{ echo; echo 'wg-mesh-section reresolve-enabled'; }\n",
		       timer);
}

void reinstall_temp_files(struct textbuf *b, const char *iface)
{
	char path[400];
	int k;

	for (k = 0; k < RERESOLVE_N_FILES; ++k) {
		path_of(k, iface, true, path, sizeof(path));
		textbuf_printf(b, " %s", path);
	}
}

void reinstall_free(struct reinstall *c)
{
	textbuf_free(&c->functions);
	textbuf_free(&c->commands);
}

static bool same(const char *installed, const struct textbuf *want)
{
	return installed && !strcmp(installed, want->p ? want->p : "");
}

/* The function that prints file k, and the commands that put it in place. */
static int install_file(const char *iface, enum reresolve_file k, const struct textbuf *want,
			struct reinstall *c)
{
	char tmp[400], path[400], func[32];

	if (!want->len || want->p[want->len - 1] != '\n' || strstr(want->p, "\n" DELIM "\n"))
		return -EINVAL;
	textbuf_printf(&c->functions, "wg_mesh_reresolve_%d() {\ncat <<'" DELIM "'\n", (int)k);
	textbuf_add(&c->functions, want->p, want->len);
	textbuf_puts(&c->functions, DELIM "\n}\n");
	path_of(k, iface, true, tmp, sizeof(tmp));
	path_of(k, iface, false, path, sizeof(path));
	snprintf(func, sizeof(func), "wg_mesh_reresolve_%d", (int)k);
	remote_install(&c->commands, func, reresolve_mode(k) == 0600 ? "077" : "022", tmp, path);
	c->installed = true;
	return 0;
}

static int install(const char *iface, const struct reinstall_site *site,
		   const struct reresolve_files *want, struct reinstall *c)
{
	bool units = false;
	char timer[300];
	int k, ret = 0;

	for (k = 0; !ret && k < RERESOLVE_N_FILES; ++k) {
		if (k != RERESOLVE_SCRIPT && !site->systemd)
			break;
		if (same(site->file[k], &want->f[k]))
			continue;
		ret = install_file(iface, k, &want->f[k], c);
		units = units || k != RERESOLVE_SCRIPT;
	}
	c->no_systemd = !site->systemd;
	if (ret || !site->systemd)
		return ret;
	timer_name(iface, timer, sizeof(timer));
	if (units)
		textbuf_puts(&c->commands, "systemctl daemon-reload\n");
	if (units || !site->enabled)
		textbuf_printf(&c->commands, "systemctl enable --now %s\n", timer);
	return 0;
}

/* The timer stopped and disabled first (where systemd can), then every file there is. */
static void remove_all(const char *iface, const struct reinstall_site *site, struct reinstall *c)
{
	bool units = site->file[RERESOLVE_SERVICE] || site->file[RERESOLVE_TIMER];
	char path[400], timer[300];
	int k;

	if (!units && !site->file[RERESOLVE_SCRIPT])
		return;
	timer_name(iface, timer, sizeof(timer));
	if (site->systemd && site->file[RERESOLVE_TIMER])
		textbuf_printf(&c->commands, "systemctl disable --now %s\n", timer);
	for (k = 0; k < RERESOLVE_N_FILES; ++k) {
		if (!site->file[k])
			continue;
		path_of(k, iface, false, path, sizeof(path));
		textbuf_printf(&c->commands, "rm -f %s\n", path);
	}
	if (site->systemd && units)
		textbuf_puts(&c->commands, "systemctl daemon-reload\n");
	c->removed = true;
}

int reinstall_classify(const char *iface, const struct reinstall_site *site,
		       const struct reresolve_files *want, struct reinstall *c)
{
	int ret = 0;

	memset(c, 0, sizeof(*c));
	if (want && want->planned)
		ret = install(iface, site, want, c);
	else
		remove_all(iface, site, c);
	if (!ret && (c->functions.failed || c->commands.failed))
		ret = -ENOMEM;
	return ret;
}
