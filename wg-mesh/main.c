// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh: plans a full WireGuard mesh of sites and clients from sites.yaml
 * and writes one wg-quick config per site and client, with stable keys, QR
 * codes for phones and a Graphviz picture of the mesh; apply puts the plan on
 * every site over OpenSSH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include "key.h"
#include "textbuf.h"
#include "diag.h"
#include "outfile.h"
#include "graph.h"
#include "ansible.h"
#include "applied.h"
#include "apply.h"
#include "keystore.h"
#include "keyage.h"
#include "plandir.h"
#include "plan.h"
#include "probe.h"
#include "qr.h"
#include "report.h"
#include "render.h"
#include "sites.h"
#include "status.h"

#define PROG_NAME "wg-mesh"

#ifndef WG_VERSION
#define WG_VERSION "unknown"
#endif

struct opts {
	const char *out, *keys, *png, *svg;
	const char **rotate;
	size_t n_rotate;
	const char **only; /* apply --site */
	size_t n_only;
	bool dry_run;
	long jobs;	       /* 0: not given */
	bool json, prometheus; /* status */
	uint64_t rotate_age;   /* --rotate-older-than, in seconds; 0: not given */
	int argc;	       /* positional arguments after the command */
	char **argv;
};

struct mesh {
	const char *yaml;
	char *keys_path, *out_dir;
	struct diag d;
	struct sites_mesh *m;
	struct keystore ks;
	struct plan p;
	int lock_fd; /* the keystore's directory, flock'ed while we read and write it */
};

struct command {
	const char *name;
	int (*fn)(struct mesh *x, const struct opts *o);
	int min_args, max_args; /* positional arguments after sites.yaml */
	const char *help;
};

static int cmd_plan(struct mesh *x, const struct opts *o);
static int cmd_check(struct mesh *x, const struct opts *o);
static int cmd_show(struct mesh *x, const struct opts *o);
static int cmd_qr(struct mesh *x, const struct opts *o);
static int cmd_graph(struct mesh *x, const struct opts *o);
static int cmd_apply(struct mesh *x, const struct opts *o);
static int cmd_status(struct mesh *x, const struct opts *o);
static int cmd_export(struct mesh *x, const struct opts *o);

static const struct command commands[] = {
    {"plan", cmd_plan, 0, 0, "check sites.yaml and write DIR/NAME/IFACE.conf for all"},
    {"check", cmd_check, 0, 0, "only check sites.yaml"},
    {"show", cmd_show, 1, 1, "print the config of one site or client"},
    {"qr", cmd_qr, 1, 1, "show a client's config as a QR code (or --png/--svg FILE)"},
    {"graph", cmd_graph, 0, 0, "print the mesh as Graphviz DOT"},
    {"apply", cmd_apply, 0, 0, "plan, then bring every site with ssh: in line over SSH"},
    {"status", cmd_status, 0, 0, "compare what every site runs (over SSH) with the plan"},
    {"export", cmd_export, 1, 1, "ansible sites.yaml DIR: inventory, host_vars and playbook"},
};

static void usage(FILE *out, const char *prog)
{
	size_t i;

	fprintf(out, "Usage: %s COMMAND sites.yaml [ARGS] [OPTIONS]\n\nCommands:\n", prog);
	for (i = 0; i < sizeof(commands) / sizeof(*commands); ++i)
		fprintf(out, "  %-6s %s\n", commands[i].name, commands[i].help);
	fputs(
	    "\nOptions:\n"
	    "  -o, --output DIR   where plan writes configs (default: out/ beside sites.yaml)\n"
	    "  -k, --keys FILE    the keystore (default: sites.keys beside sites.yaml)\n"
	    "      --rotate NAME  plan, apply: give NAME a new key (repeatable)\n"
	    "      --rotate-older-than AGE\n"
	    "                     plan, apply: new keys for all keys older than AGE (90d, 12w, 1y)\n"
	    "      --site NAME    apply: only this site (repeatable)\n"
	    "      --dry-run      apply: print each site's change and commands, change nothing\n"
	    "  -j, --jobs N       apply: sites at once (default 8)\n"
	    "      --png FILE     qr: write a PNG image instead of printing\n"
	    "      --svg FILE     qr: write an SVG image instead of printing\n"
	    "      --json         status: JSON instead of the matrix\n"
	    "      --prometheus   status: Prometheus text format (node_exporter textfile)\n"
	    "  -h, --help         this help\n"
	    "  -V, --version      the version\n\n"
	    "Examples:\n  wg-mesh plan sites.yaml -o out\n  wg-mesh qr sites.yaml phone\n"
	    "  wg-mesh apply sites.yaml --dry-run\n"
	    "See wg-mesh(8).\n",
	    out);
}

/* sites.yaml -> sites.keys and out/, beside it. */
static int default_paths(struct mesh *x, const struct opts *o)
{
	const char *dot = strrchr(x->yaml, '.'), *slash = strrchr(x->yaml, '/');
	int base = (int)strlen(x->yaml);
	char *copy;

	if (dot && (!slash || dot > slash) && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml")))
		base = (int)(dot - x->yaml);
	if (o->keys ? !(x->keys_path = strdup(o->keys))
		    : asprintf(&x->keys_path, "%.*s.keys", base, x->yaml) < 0)
		return -ENOMEM;
	if (o->out)
		return (x->out_dir = strdup(o->out)) ? 0 : -ENOMEM;
	copy = strdup(x->yaml);
	if (!copy || asprintf(&x->out_dir, "%s/out", dirname(copy)) < 0)
		x->out_dir = NULL;
	free(copy);
	return x->out_dir ? 0 : -ENOMEM;
}

static void rotate_keys(struct mesh *x, const struct opts *o)
{
	struct keystore_entry *e;
	size_t i;

	for (i = 0; i < o->n_rotate; ++i) {
		bool client = sites_find_site(x->m, o->rotate[i]) < 0;

		if (client && sites_find_client(x->m, o->rotate[i]) < 0) {
			diag_add(&x->d, (struct diag_pos){0, 0},
				 "--rotate %s: no site or client of that name; expected one of the "
				 "names in the file",
				 o->rotate[i]);
			continue;
		}
		e = keystore_find(&x->ks, o->rotate[i], client);
		if (e)
			keystore_rotate(e);
	}
	if (o->rotate_age)
		keyage_rotate_older(&x->ks, o->rotate_age, time(NULL));
}

/* Reads sites.yaml and the keystore and plans; 0, 1 (input errors, printed) or -errno. */
/*
 * Two `wg-mesh plan' runs at once would each add keys the other never saw:
 * plan holds an exclusive lock on the keystore's directory, the others a
 * shared one. A directory we cannot open (not there yet) needs no lock.
 */
static void lock_keystore(struct mesh *x, bool exclusive)
{
	char *copy = strdup(x->keys_path);

	x->lock_fd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	free(copy);
	if (x->lock_fd >= 0 && flock(x->lock_fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		fprintf(stderr, "Note: unable to lock the keystore: %s\n", strerror(errno));
}

static int load(struct mesh *x, const struct opts *o, bool exclusive)
{
	int ret = default_paths(x, o);

	if (ret)
		return ret;
	lock_keystore(x, exclusive);
	x->m = sites_load(x->yaml, &x->d);
	if (!x->m) {
		fprintf(stderr, "Unable to read %s: %s\n", x->yaml, strerror(errno));
		return 1;
	}
	if (keystore_load(&x->ks, x->keys_path))
		return 1;
	keystore_ensure_psk_secret(&x->ks);
	rotate_keys(x, o);
	ret = x->m->syntax_error ? 0 : plan_build(&x->p, x->m, &x->ks, &x->d);
	if (ret)
		return ret;
	diag_print(&x->p.warnings, stderr);
	if (!diag_has_errors(&x->d))
		return 0;
	diag_print(&x->d, stderr);
	fprintf(stderr, "%s: %zu error%s; nothing was written\n", x->yaml, x->d.count,
		x->d.count == 1 ? "" : "s");
	return 1;
}

static void print_keys_summary(const struct mesh *x)
{
	size_t i, created = 0, rotated = 0;

	for (i = 0; i < x->ks.n; ++i) {
		created += x->ks.entries[i].used && x->ks.entries[i].created;
		rotated += x->ks.entries[i].used && x->ks.entries[i].rotated;
	}
	printf("keys:     %s (%zu new, %zu rotated)\nconfigs:  %s/NAME/%s.conf\n", x->keys_path,
	       created, rotated, x->out_dir, x->m->interface);
	if (x->m->domain && x->m->n_sites)
		printf("names:    %s/hosts, %s/%s.zone\n", x->out_dir, x->out_dir, x->m->domain);
}

static int cmd_plan(struct mesh *x, const struct opts *o)
{
	struct plandir_summary sum = {0};
	char *old_iface = x->ks.interface;
	int ret;

	(void)o;
	x->ks.interface = strdup(x->m->interface);
	/* Keys first: a config must never name a key the keystore lost. */
	ret = x->ks.interface ? keystore_save(&x->ks, x->keys_path) : -ENOMEM;
	if (ret)
		fprintf(stderr, "Unable to write %s: %s\n", x->keys_path, strerror(-ret));
	else if ((ret = outfile_mkdirs(x->out_dir)))
		fprintf(stderr, "Unable to create %s: %s\n", x->out_dir, strerror(-ret));
	else
		ret = plandir_write(&x->p, x->out_dir, &sum);
	if (!ret) {
		plandir_remove_stale(&x->p, x->out_dir, old_iface, &sum);
		plandir_print_summary(&x->p, &sum, stdout);
		print_keys_summary(x);
	}
	plandir_summary_free(&sum);
	free(old_iface);
	return ret ? 1 : 0;
}

static int cmd_check(struct mesh *x, const struct opts *o)
{
	(void)o;
	printf("%s: OK: %zu site%s, %zu client%s, %zu direct and %zu relayed pair%s\n", x->yaml,
	       x->p.n_sites, x->p.n_sites == 1 ? "" : "s", x->p.n_clients,
	       x->p.n_clients == 1 ? "" : "s", x->p.n_direct, x->p.n_relayed,
	       x->p.n_relayed == 1 ? "" : "s");
	return 0;
}

/* The config of a planned name; NULL (with the reason printed) otherwise. */
static int render_planned(struct mesh *x, const char *name, struct textbuf *b)
{
	long site = sites_find_site(x->m, name);
	const struct keystore_entry *e = keystore_find(&x->ks, name, site < 0);
	size_t i;
	int ret;

	if (!e || e->created) {
		fprintf(stderr, "Unable to show `%s': %s\n", name,
			!e ? "no site or client of that name in the file"
			   : "it has no keys yet; run `wg-mesh plan' first");
		return 1;
	}
	for (i = 0; i < x->ks.n; ++i)
		if (x->ks.entries[i].used && x->ks.entries[i].created)
			fprintf(stderr,
				"Note: `%s' is not planned yet; run `wg-mesh plan' before using "
				"this config\n",
				x->ks.entries[i].name);
	ret = render_by_name(&x->p, name, b);
	if (ret)
		fprintf(stderr, "Unable to show `%s': %s\n", name, strerror(-ret));
	return ret ? 1 : 0;
}

static int cmd_show(struct mesh *x, const struct opts *o)
{
	struct textbuf b = {0};
	int ret = render_planned(x, o->argv[0], &b);

	if (!ret)
		fwrite(b.p, 1, b.len, stdout);
	textbuf_free(&b);
	return ret;
}

static int cmd_qr(struct mesh *x, const struct opts *o)
{
	struct textbuf b = {0};
	const char *what = o->png ? o->png : o->svg ? o->svg : "the terminal";
	int ret = render_planned(x, o->argv[0], &b);

	if (ret)
		goto out;
	if (o->png)
		ret = qr_write_png(b.p, o->png);
	else if (o->svg)
		ret = qr_write_svg(b.p, o->svg);
	else
		ret = qr_print_terminal(b.p, stdout);
	if (ret == -EMSGSIZE)
		fprintf(stderr,
			"Unable to make a QR code of `%s': its config is %zu bytes, more than "
			"a QR code holds (2953 at most); copy the file from `wg-mesh show' "
			"instead\n",
			o->argv[0], b.len);
	else if (ret)
		fprintf(stderr, "Unable to write the QR code to %s: %s\n", what, strerror(-ret));
	ret = ret ? 1 : 0;
out:
	textbuf_free(&b);
	return ret;
}

static int cmd_graph(struct mesh *x, const struct opts *o)
{
	(void)o;
	return graph_write(&x->p, stdout) ? 1 : 0;
}

static int cmd_apply(struct mesh *x, const struct opts *o)
{
	char *state = NULL;
	struct apply_opts ao = {
	    .only = o->only,
	    .n_only = o->n_only,
	    .dry_run = o->dry_run,
	    .jobs = (unsigned int)o->jobs,
	    .progress = isatty(STDOUT_FILENO),
	};
	int ret;

	if (!apply_check_sites(&x->p, &ao))
		return 1;
	if (asprintf(&state, "%s/%s", x->out_dir, APPLIED_FILE) < 0)
		return 1;
	ao.state = state;
	/* Keys and configs are saved first: a site must never run a key the keystore lost. */
	if (!o->dry_run && cmd_plan(x, o))
		return 1;
	fflush(stdout);
	ret = apply_run(&x->p, &ao, stdout);
	if (ret < 0)
		fprintf(stderr, "Unable to apply: %s\n", strerror(-ret));
	free(state);
	return ret ? 1 : 0;
}

/* Status and export need the keys the sites run: a name the keystore does not know has none. */
static bool all_planned(const struct mesh *x, const char *verb)
{
	size_t i;

	for (i = 0; i < x->ks.n; ++i) {
		if (x->ks.entries[i].used && x->ks.entries[i].created) {
			fprintf(stderr,
				"Unable to %s `%s': it is not planned yet; run `wg-mesh plan'%s\n",
				verb, x->ks.entries[i].name,
				strcmp(verb, "check") ? " first" : " and apply it first");
			return false;
		}
	}
	return true;
}

static bool any_ssh(const struct mesh *x)
{
	size_t i;

	for (i = 0; i < x->m->n_sites; ++i)
		if (x->m->sites[i].ssh)
			return true;
	fprintf(stderr,
		"Unable to check %s: no site has an `ssh:' destination; add one such as "
		"`ssh: root@203.0.113.1' to each site to check\n",
		x->yaml);
	return false;
}

/* Exit status: 0 when the mesh runs as planned, 2 when it does not, 1 when we cannot tell. */
static int cmd_status(struct mesh *x, const struct opts *o)
{
	struct remote_limits lim = {.command_timeout_ms = PROBE_COMMAND_TIMEOUT};
	struct probe_site *sites;
	struct status_obs *obs;
	struct status_report r;
	size_t i;
	int ret = 1;

	if (!all_planned(x, "check") || !any_ssh(x))
		return 1;
	sites = calloc(x->p.n_sites + 1, sizeof(*sites));
	obs = calloc(x->p.n_sites + 1, sizeof(*obs));
	if (!sites || !obs || (ret = probe_sites(&x->p, (unsigned int)o->jobs, &lim, sites)))
		goto out;
	for (i = 0; i < x->p.n_sites; ++i)
		obs[i] = sites[i].obs;
	ret = status_compare(&r, &x->p, obs);
	if (ret)
		goto out;
	if (o->json)
		report_json(&r, stdout);
	else if (o->prometheus)
		report_prometheus(&r, stdout);
	else
		report_text(&r, stdout);
	ret = r.n_failed ? 2 : 0;
	status_report_free(&r);
out:
	if (ret < 0 || (!sites || !obs))
		fprintf(stderr, "Unable to check %s: %s\n", x->yaml,
			strerror(ret < 0 ? -ret : ENOMEM));
	if (sites)
		probe_free(sites, x->p.n_sites);
	free(sites);
	free(obs);
	return ret < 0 ? 1 : ret;
}

/* `export ansible sites.yaml DIR': Ansible is the one format so far. */
static int cmd_export(struct mesh *x, const struct opts *o)
{
	if (!all_planned(x, "export"))
		return 1;
	return ansible_export(&x->p, x->yaml, o->argv[0], stdout) ? 1 : 0;
}

/* "export FORMAT sites.yaml ...": drops FORMAT, which must be ansible. */
static bool take_export_format(struct opts *o)
{
	if (o->argc < 1 || strcmp(o->argv[0], "export"))
		return true;
	if (o->argc < 2 || strcmp(o->argv[1], "ansible")) {
		fprintf(stderr, "%s: export needs a format: `export ansible sites.yaml DIR'\n",
			PROG_NAME);
		return false;
	}
	o->argv[1] = o->argv[0];
	o->argv++;
	o->argc--;
	return true;
}

static const struct option longs[] = {
    {"output", required_argument, NULL, 'o'},
    {"keys", required_argument, NULL, 'k'},
    {"rotate", required_argument, NULL, 'r'},
    {"png", required_argument, NULL, 'p'},
    {"svg", required_argument, NULL, 's'},
    {"site", required_argument, NULL, 'S'},
    {"dry-run", no_argument, NULL, 'n'},
    {"jobs", required_argument, NULL, 'j'},
    {"json", no_argument, NULL, 'J'},
    {"prometheus", no_argument, NULL, 'P'},
    {"rotate-older-than", required_argument, NULL, 'a'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* -j N: 1 to APPLY_MAX_JOBS. */
static bool parse_jobs(struct opts *o, const char *s)
{
	char *end;

	errno = 0;
	o->jobs = strtol(s, &end, 10);
	if (!errno && *s && !*end && o->jobs >= 1 && o->jobs <= APPLY_MAX_JOBS)
		return true;
	fprintf(stderr, "%s: -j `%s' is not a number of sites from 1 to %d\n", PROG_NAME, s,
		APPLY_MAX_JOBS);
	return false;
}

static int parse_opts(struct opts *o, int argc, char *argv[])
{
	int c;

	o->rotate = calloc(argc + 1, sizeof(*o->rotate));
	o->only = calloc(argc + 1, sizeof(*o->only));
	if (!o->rotate || !o->only)
		return 1;
	while ((c = getopt_long(argc, argv, "o:k:j:hV", longs, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'k':
			o->keys = optarg;
			break;
		case 'r':
			o->rotate[o->n_rotate++] = optarg;
			break;
		case 'a':
			if (sites_parse_age(&o->rotate_age, optarg))
				break;
			fprintf(stderr,
				"%s: --rotate-older-than `%s' is not an age; expected a number "
				"with h, d, w or y, such as 90d\n",
				PROG_NAME, optarg);
			return 1;
		case 'p':
			o->png = optarg;
			break;
		case 's':
			o->svg = optarg;
			break;
		case 'S':
			o->only[o->n_only++] = optarg;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'J':
			o->json = true;
			break;
		case 'P':
			o->prometheus = true;
			break;
		case 'j':
			if (!parse_jobs(o, optarg))
				return 1;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		case 'V':
			printf("wg-mesh v%s\n", WG_VERSION);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 1;
		}
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	return -1;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(*commands); ++i)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Options that only make sense for one command are refused elsewhere. */
static bool options_fit(const struct command *cmd, const struct opts *o)
{
	const char *bad = NULL;

	if ((o->n_rotate || o->out || o->rotate_age) && cmd->fn != cmd_plan && cmd->fn != cmd_apply)
		bad = o->n_rotate ? "--rotate" : o->rotate_age ? "--rotate-older-than" : "--output";
	else if ((o->n_only || o->dry_run) && cmd->fn != cmd_apply)
		bad = o->n_only ? "--site" : "--dry-run";
	else if (o->jobs && cmd->fn != cmd_apply && cmd->fn != cmd_status)
		bad = "--jobs";
	else if ((o->png || o->svg) && cmd->fn != cmd_qr)
		bad = o->png ? "--png" : "--svg";
	else if (o->png && o->svg)
		bad = "--png with --svg";
	else if ((o->json || o->prometheus) && cmd->fn != cmd_status)
		bad = o->json ? "--json" : "--prometheus";
	else if (o->json && o->prometheus)
		bad = "--json with --prometheus";
	if (bad)
		fprintf(stderr, "%s: %s does not go with `%s'\n", PROG_NAME, bad, cmd->name);
	return !bad;
}

static void mesh_free(struct mesh *x)
{
	if (x->lock_fd >= 0)
		close(x->lock_fd);
	plan_free(&x->p);
	keystore_free(&x->ks);
	sites_free(x->m);
	diag_free(&x->d);
	free(x->keys_path);
	free(x->out_dir);
}

int main(int argc, char *argv[])
{
	struct opts o = {0};
	struct mesh x = {.lock_fd = -1};
	const struct command *cmd;
	int ret = parse_opts(&o, argc, argv);

	if (ret >= 0)
		goto out;
	ret = 1;
	cmd = take_export_format(&o) && o.argc >= 2 ? find_command(o.argv[0]) : NULL;
	if (!cmd || o.argc - 2 < cmd->min_args || o.argc - 2 > cmd->max_args ||
	    !options_fit(cmd, &o)) {
		usage(stderr, argv[0]);
		goto out;
	}
	if (key_init() < 0) {
		fputs("Unable to initialise libsodium\n", stderr);
		goto out;
	}
	x.yaml = o.argv[1];
	diag_init(&x.d, x.yaml);
	o.argv += 2;
	o.argc -= 2;
	ret = load(&x, &o, cmd->fn == cmd_plan || (cmd->fn == cmd_apply && !o.dry_run));
	if (ret < 0)
		fprintf(stderr, "Unable to plan %s: %s\n", x.yaml, strerror(-ret));
	else if (!ret)
		ret = cmd->fn(&x, &o);
	ret = ret < 0 ? 1 : ret;
	mesh_free(&x);
out:
	free(o.rotate);
	free(o.only);
	return ret;
}
