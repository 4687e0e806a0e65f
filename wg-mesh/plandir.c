// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a plan's configs into the output directory and tells what changed.
 * A config whose bytes are unchanged is not rewritten, so `wg-mesh plan` on
 * an unchanged sites.yaml changes nothing at all on disk.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "textbuf.h"
#include "outfile.h"
#include "qr.h"
#include "render.h"
#include "names.h"
#include "reresolve.h"
#include "plandir.h"
#include "progress.h"

static void note(struct plandir_names *list, const char *name)
{
	const char **v;

	if (!(list->n & (list->n - 1)) || !list->n) {
		v = realloc(list->v, (list->n ? list->n * 2 : 1) * sizeof(*v));
		if (!v)
			return;
		list->v = v;
	}
	list->v[list->n++] = name;
}

struct pending {
	char *tmp, *path;
};

struct pending_list {
	struct pending *v;
	size_t n;
};

static int push_pending(struct pending_list *pl, char *tmp, char *path)
{
	struct pending *v;

	if (!(pl->n & (pl->n - 1)) || !pl->n) {
		v = realloc(pl->v, (pl->n ? pl->n * 2 : 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		pl->v = v;
	}
	pl->v[pl->n++] = (struct pending){tmp, path};
	return 0;
}

/* Writes a changed file to a temporary file beside path (then owned here); unchanged ones stay. */
static int write_path(char *path, const void *data, size_t len, bool *changed,
		      struct pending_list *pl)
{
	char *tmp = NULL;
	int ret;

	*changed = !outfile_has_content(path, data, len);
	if (!*changed) {
		free(path);
		return 0;
	}
	ret = outfile_write_temp(path, data, len, &tmp);
	if (!ret && !(ret = push_pending(pl, tmp, path)))
		return 0;
	if (tmp)
		unlink(tmp);
	free(tmp);
	fprintf(stderr, "Unable to write %s: %s\n", path, strerror(-ret));
	free(path);
	return ret;
}

/* DIR/NAME/IFACE.EXT, its directory made first. */
static int write_file(const char *dir, const char *iface, const char *name, const char *ext,
		      const void *data, size_t len, bool *changed, struct pending_list *pl)
{
	char *path;
	int ret;

	*changed = false;
	if (asprintf(&path, "%s/%s/%s.%s", dir, name, iface, ext) < 0)
		return -ENOMEM;
	*strrchr(path, '/') = '\0';
	ret = outfile_mkdirs(path);
	path[strlen(path)] = '/';
	if (!ret)
		return write_path(path, data, len, changed, pl);
	fprintf(stderr, "Unable to write %s: %s\n", path, strerror(-ret));
	free(path);
	return ret;
}

static int write_conf(const char *dir, const char *iface, const char *name, const struct textbuf *b,
		      struct plandir_summary *sum, struct pending_list *pl)
{
	bool changed, existed;
	char *path;
	int ret;

	if (b->failed || asprintf(&path, "%s/%s/%s.conf", dir, name, iface) < 0)
		return -ENOMEM;
	existed = !access(path, F_OK);
	free(path);
	ret = write_file(dir, iface, name, "conf", b->p, b->len, &changed, pl);
	if (!ret && !changed)
		sum->unchanged++;
	else if (!ret)
		note(existed ? &sum->changed : &sum->added, name);
	return ret;
}

/* A client's config as a QR code image beside it, for the mobile apps. */
static int write_qr(const char *dir, const char *iface, const char *name, const struct textbuf *b,
		    struct pending_list *pl)
{
	unsigned char *png;
	size_t len;
	bool changed;
	int ret = qr_png_of(b->p, &png, &len);

	if (ret == -EMSGSIZE) {
		fprintf(stderr, "Note: the config of `%s' is too large for a QR code; no %s.png\n",
			name, iface);
		return 0;
	}
	if (ret)
		return ret;
	ret = write_file(dir, iface, name, "png", png, len, &changed, pl);
	sodium_memzero(png, len);
	free(png);
	return ret;
}

/* DIR/NAME/FILE for each re-resolve file of site i, when it has any (reresolve.h). */
static int write_reresolve(const struct plan *p, size_t i, const char *dir, struct pending_list *pl)
{
	struct reresolve_files rr;
	char file[300], *path;
	bool changed;
	int k, ret = reresolve_render(p, i, &rr);

	for (k = 0; !ret && rr.planned && k < RERESOLVE_N_FILES; ++k) {
		reresolve_file_name(k, p->m->interface, file, sizeof(file));
		if (asprintf(&path, "%s/%s/%s", dir, p->sites[i].name, file) < 0)
			ret = -ENOMEM;
		else
			ret = write_path(path, rr.f[k].p, rr.f[k].len, &changed, pl);
	}
	reresolve_files_free(&rr);
	return ret;
}

/* DIR/FILE (hosts, DOMAIN.zone) from one of the names renderers. */
static int write_names_file(const struct plan *p, const char *dir, const char *file,
			    void (*fn)(const struct plan *, struct textbuf *),
			    struct pending_list *pl)
{
	struct textbuf b = {0};
	bool changed;
	char *path;
	int ret = -ENOMEM;

	fn(p, &b);
	if (!b.failed && asprintf(&path, "%s/%s", dir, file) >= 0)
		ret = write_path(path, b.p ? b.p : "", b.len, &changed, pl);
	textbuf_free(&b);
	return ret;
}

static int write_names(const struct plan *p, const char *dir, struct pending_list *pl)
{
	char *zone;
	int ret;

	if (!p->m->domain || !p->n_sites)
		return 0;
	ret = write_names_file(p, dir, "hosts", names_render_hosts, pl);
	if (ret || asprintf(&zone, "%s.zone", p->m->domain) < 0)
		return ret ? ret : -ENOMEM;
	ret = write_names_file(p, dir, zone, names_render_zone, pl);
	free(zone);
	return ret;
}

/* One syncfs for all the new files, then each is renamed into place. */
static int commit(struct pending_list *pl, const char *dir, int ret)
{
	size_t i;

	if (!ret && pl->n && (ret = outfile_sync_dir(dir)))
		fprintf(stderr, "Unable to sync %s: %s\n", dir, strerror(-ret));
	for (i = 0; i < pl->n; ++i) {
		if (!ret && rename(pl->v[i].tmp, pl->v[i].path) < 0) {
			ret = -errno;
			fprintf(stderr, "Unable to write %s: %s\n", pl->v[i].path, strerror(-ret));
		}
		if (ret)
			unlink(pl->v[i].tmp);
		free(pl->v[i].tmp);
		free(pl->v[i].path);
	}
	free(pl->v);
	return ret;
}

int plandir_write(const struct plan *p, const char *dir, struct plandir_summary *sum)
{
	struct pending_list pl = {0};
	struct render_scratch s;
	struct textbuf b = {0};
	struct progress pr;
	const char *iface = p->m->interface;
	size_t i;
	int ret = render_scratch_init(&s, p->n_sites, true);

	/* Rendering is where a big mesh spends its time (a PSK per pair). */
	progress_start(&pr, stderr, "writing configs", p->n_sites + p->n_clients,
		       PLANDIR_PROGRESS_MIN);
	for (i = 0; !ret && i < p->n_sites; ++i, progress_step(&pr)) {
		textbuf_clear(&b);
		render_site(p, i, &b, &s);
		ret = write_conf(dir, iface, p->sites[i].name, &b, sum, &pl);
		if (!ret)
			ret = write_reresolve(p, i, dir, &pl);
	}
	for (i = 0; !ret && i < p->n_clients; ++i, progress_step(&pr)) {
		textbuf_clear(&b);
		render_client(p, i, &b);
		ret = write_conf(dir, iface, p->clients[i].name, &b, sum, &pl);
		if (!ret)
			ret = write_qr(dir, iface, p->clients[i].name, &b, &pl);
	}
	progress_end(&pr);
	if (!ret)
		ret = write_names(p, dir, &pl);
	textbuf_free(&b);
	render_scratch_free(&s);
	return commit(&pl, dir, ret);
}

/* A site's re-resolve files, planned before and no longer. */
static void remove_reresolve(const char *dir, const char *name, const char *iface)
{
	char file[300], *path;
	int k;

	for (k = 0; k < RERESOLVE_N_FILES; ++k) {
		reresolve_file_name(k, iface, file, sizeof(file));
		if (asprintf(&path, "%s/%s/%s", dir, name, file) < 0)
			return;
		unlink(path);
		free(path);
	}
}

static void remove_conf(const char *dir, const char *name, const char *iface)
{
	char *path;

	remove_reresolve(dir, name, iface);
	if (asprintf(&path, "%s/%s/%s.conf", dir, name, iface) < 0)
		return;
	unlink(path);
	strcpy(path + strlen(path) - 4, "png"); /* a client's QR code, if any */
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path); /* only if empty: never delete what wg-mesh did not write */
	free(path);
}

/* NAME.zone for a NAME other than dom (NULL: any). */
static bool is_stale_zone(const char *file, const char *dom)
{
	size_t len = strlen(file);

	if (len <= 5 || strcmp(file + len - 5, ".zone"))
		return false;
	return !dom || strlen(dom) != len - 5 || strncmp(file, dom, len - 5);
}

/* The name files of a domain no longer planned: hosts, and every other DIR/\*.zone. */
static void remove_names(const struct plan *p, const char *dir)
{
	const char *dom = p->m->domain && p->n_sites ? p->m->domain : NULL;
	struct dirent *e;
	DIR *d;

	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		if (!dom && !strcmp(e->d_name, "hosts"))
			unlinkat(dirfd(d), e->d_name, 0);
		if (is_stale_zone(e->d_name, dom))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

void plandir_remove_stale(const struct plan *p, const char *dir, const char *old_iface,
			  struct plandir_summary *sum)
{
	struct keystore *ks = p->ks;
	size_t i;

	for (i = 0; i < ks->n; ++i) {
		const struct keystore_entry *e = &ks->entries[i];
		/* A site that became a client (or back) keeps its directory. */
		const struct keystore_entry *twin = keystore_find(ks, e->name, !e->is_client);

		if (!e->used && !(twin && twin->used)) {
			remove_conf(dir, e->name, p->m->interface);
			note(&sum->removed, e->name);
		}
		if (old_iface && strcmp(old_iface, p->m->interface))
			remove_conf(dir, e->name, old_iface);
	}
	for (i = 0; i < p->n_sites; ++i)
		if (!reresolve_planned(p, i))
			remove_reresolve(dir, p->sites[i].name, p->m->interface);
	remove_names(p, dir);
}

static void print_names(FILE *out, const char *what, const struct plandir_names *list)
{
	size_t i, shown = list->n < 8 ? list->n : 8;

	fprintf(out, "%zu %s", list->n, what);
	if (!list->n)
		return;
	fputs(" (", out);
	for (i = 0; i < shown; ++i)
		fprintf(out, "%s%s", i ? ", " : "", list->v[i]);
	if (shown < list->n)
		fprintf(out, ", and %zu more", list->n - shown);
	fputc(')', out);
}

static void print_relays(const struct plan *p, FILE *out)
{
	size_t a, b, shown = 0;
	int32_t r;

	fprintf(out, "relayed:  %zu pair%s", p->n_relayed, p->n_relayed == 1 ? "" : "s");
	for (b = 1; b < p->n_sites && shown < 4; ++b) {
		for (a = 0; a < b && shown < 4; ++a) {
			if ((r = plan_link(p, a, b)) < 0)
				continue;
			fprintf(out, "%s%s <-> %s via %s", shown++ ? ", " : " (", p->sites[a].name,
				p->sites[b].name, p->sites[r].name);
		}
	}
	if (!shown)
		fputc('\n', out);
	else
		fputs(shown < p->n_relayed ? ", ...)\n" : ")\n", out);
}

/* "full", or "hub (tokyo, paris)", and how many `links:' rules change it. */
static void print_topology(const struct plan *p, FILE *out)
{
	const struct sites_mesh *m = p->m;
	size_t i;

	fputs(m->topology == SITES_TOPOLOGY_HUB ? "topology: hub (" : "topology: full", out);
	for (i = 0; m->topology == SITES_TOPOLOGY_HUB && i < m->hubs.n; ++i)
		fprintf(out, "%s%s", i ? ", " : "", m->hubs.v[i].name);
	if (m->topology == SITES_TOPOLOGY_HUB)
		fputc(')', out);
	if (m->n_links)
		fprintf(out, ", %zu link rule%s", m->n_links, m->n_links == 1 ? "" : "s");
	fputc('\n', out);
}

/* The planned MTUs (when underlay-mtu planned them) and the access rules, if any. */
static void print_mtu_and_access(const struct plan *p, FILE *out)
{
	unsigned int lo = 0, hi = 0;
	size_t i;

	for (i = 0; i < p->n_sites; ++i) {
		if (!p->sites[i].mtu)
			continue;
		lo = !lo || p->sites[i].mtu < lo ? p->sites[i].mtu : lo;
		hi = p->sites[i].mtu > hi ? p->sites[i].mtu : hi;
	}
	if (lo == hi && lo)
		fprintf(out, "mtu:      %u (planned from underlay-mtu)\n", lo);
	else if (lo)
		fprintf(out, "mtu:      %u to %u (planned from underlay-mtu)\n", lo, hi);
	if (p->m->n_rules)
		fprintf(
		    out,
		    "access:   %zu allow rule%s over %zu group%s (an nftables table per site)\n",
		    p->m->n_rules, p->m->n_rules == 1 ? "" : "s", p->m->n_groups,
		    p->m->n_groups == 1 ? "" : "s");
}

/* The sites that get a re-resolve script and timer, when any does. */
static void print_reresolve(const struct plan *p, FILE *out)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_sites; ++i) {
		if (!reresolve_planned(p, i))
			continue;
		fprintf(out, "%s%s", n++ ? ", " : "reresolve: ", p->sites[i].name);
	}
	if (n)
		fprintf(out, " (peers by host name: SITE/%s.reresolve.sh, a systemd timer)\n",
			p->m->interface);
}

void plandir_print_summary(const struct plan *p, const struct plandir_summary *sum, FILE *out)
{
	size_t pairs = p->n_direct, clients = 0, i;

	for (i = 0; i < p->n_clients; ++i)
		clients += p->clients[i].via >= 0;
	fprintf(out, "sites:    %zu\nclients:  %zu\n", p->n_sites, p->n_clients);
	print_topology(p, out);
	print_mtu_and_access(p, out);
	fprintf(out, "peers:    %zu pairs (%zu site to site, %zu client to site), each with %s\n",
		pairs + clients, pairs, clients,
		p->m->preshared_keys ? "its own pre-shared key" : "no pre-shared key");
	print_relays(p, out);
	print_reresolve(p, out);
	fputs("changes:  ", out);
	print_names(out, "new", &sum->added);
	fputs(", ", out);
	print_names(out, "changed", &sum->changed);
	fputs(", ", out);
	print_names(out, "removed", &sum->removed);
	fprintf(out, ", %zu unchanged\n", sum->unchanged);
}

void plandir_summary_free(struct plandir_summary *sum)
{
	free(sum->added.v);
	free(sum->changed.v);
	free(sum->removed.v);
	memset(sum, 0, sizeof(*sum));
}
