// SPDX-License-Identifier: GPL-2.0
/*
 * wg-mesh apply: per site, a read-only probe script (the config file, `wg
 * showconf', the interface's routes, whether systemd runs), the change
 * classifier, then one script with the commands it chose and the new config
 * on stdin. Sites run on worker threads, relays and via sites first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secret.h"
#include "applied.h"
#include "change.h"
#include "reinstall.h"
#include "render.h"
#include "apply.h"

#define SECTION "\nwg-mesh-section "

struct site_run {
	size_t idx; /* in the plan's sites */
	const char *name, *dest, *iface;
	unsigned int phase;    /* 0: relays and via sites, 1: the rest */
	bool removed;	       /* no longer in sites.yaml: conf is empty, the site goes down */
	const char *old_iface; /* mesh.interface was renamed since this site was applied */
	struct textbuf conf;
	struct change change, retired; /* retired: taking old_iface down first */
	struct reresolve_files want;   /* the planned re-resolve files (reresolve.h) */
	struct reinstall rr;	       /* and what puts them on the site */
	bool classified, ran, failed;
	char error[240];
};

struct apply_ctx {
	const struct plan *p;
	const struct apply_opts *o;
	struct site_run *v;
	size_t n, next, finished;
	unsigned int phase;
	pthread_mutex_t lock;
	FILE *out;
	struct applied applied;
};

/* ---------------------------------------------------------------- selection */

static bool is_selected(const struct apply_opts *o, const char *name)
{
	size_t i;

	if (!o->n_only)
		return true;
	for (i = 0; i < o->n_only; ++i)
		if (!strcmp(o->only[i], name))
			return true;
	return false;
}

bool apply_check_sites(const struct plan *p, const struct apply_opts *o)
{
	bool good = true;
	size_t i;
	long s;

	for (i = 0; i < o->n_only; ++i) {
		s = sites_find_site(p->m, o->only[i]);
		if (s < 0)
			fprintf(stderr,
				"Unable to apply: --site %s: no site of that name in the file\n",
				o->only[i]);
		else if (!p->sites[s].site->ssh)
			fprintf(stderr,
				"Unable to apply: --site %s: it has no `ssh:' destination; add one "
				"(e.g. `ssh: root@%s') under the site\n",
				o->only[i], o->only[i]);
		good = good && s >= 0 && p->sites[s].site->ssh;
	}
	return good;
}

/* Relays carry other sites' traffic and clients arrive through via sites: first. */
static unsigned int phase_of(const struct plan *p, size_t i)
{
	size_t c;

	if (p->sites[i].relays)
		return 0;
	for (c = 0; c < p->n_clients; ++c)
		if (p->clients[c].via == (long)i)
			return 0;
	return 1;
}

/* The sites to apply, their configs rendered in plan order (PSKs are per pair). */
static int select_sites(struct apply_ctx *x)
{
	const struct plan *p = x->p;
	struct render_scratch s;
	struct textbuf b = {0};
	size_t i;
	int ret = render_scratch_init(&s, p->n_sites, true);

	x->v = calloc(p->n_sites ? p->n_sites : 1, sizeof(*x->v));
	if (ret || !x->v) {
		render_scratch_free(&s);
		return -ENOMEM;
	}
	for (i = 0; i < p->n_sites; ++i) {
		textbuf_clear(&b);
		render_site(p, i, &b, &s);
		if (!p->sites[i].site->ssh || !is_selected(x->o, p->sites[i].name))
			continue;
		x->v[x->n] = (struct site_run){.idx = i,
					       .name = p->sites[i].name,
					       .dest = p->sites[i].site->ssh,
					       .iface = p->m->interface};
		x->v[x->n].phase = phase_of(p, i);
		if (reresolve_render(p, i, &x->v[x->n].want))
			ret = -ENOMEM;
		textbuf_add(&x->v[x->n++].conf, b.p, b.len);
	}
	ret = b.failed ? -ENOMEM : ret;
	for (i = 0; i < x->n; ++i)
		ret = x->v[i].conf.failed ? -ENOMEM : ret;
	textbuf_free(&b);
	render_scratch_free(&s);
	return ret;
}

/* Sites apply configured before that are no longer sites of the plan (all of them: no --site). */
static int select_removed(struct apply_ctx *x)
{
	const struct applied_entry *e;
	struct site_run *grown;
	size_t i;
	int ret = x->o->state ? applied_load(&x->applied, x->o->state) : 0;

	if (ret)
		return ret;
	for (i = 0; i < x->n; ++i) {
		e = applied_find(&x->applied, x->v[i].name);
		if (e && strcmp(e->iface, x->v[i].iface))
			x->v[i].old_iface = e->iface;
	}
	for (i = 0; !x->o->n_only && i < x->applied.n; ++i) {
		e = &x->applied.v[i];
		if (sites_find_site(x->p->m, e->name) >= 0)
			continue;
		grown = realloc(x->v, (x->n + 1) * sizeof(*x->v));
		if (!grown)
			return -ENOMEM;
		x->v = grown;
		x->v[x->n++] = (struct site_run){.name = e->name,
						 .dest = e->dest,
						 .iface = e->iface,
						 .phase = 1,
						 .removed = true};
	}
	return 0;
}

/* Every site tried is remembered (it may have a file now); removed ones once they are gone. */
static void save_applied(struct apply_ctx *x)
{
	const struct site_run *s;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < x->n; ++i) {
		s = &x->v[i];
		if (!s->removed && !(s->failed && s->old_iface))
			ret = applied_set(&x->applied, s->name, s->iface, s->dest);
		else if (!s->failed)
			applied_remove(&x->applied, s->name);
	}
	if (!ret)
		ret = applied_save(&x->applied, x->o->state);
	if (ret)
		fprintf(stderr,
			"Note: unable to write %s: %s; sites removed later may need a "
			"manual `wg-quick down'\n",
			x->o->state, strerror(-ret));
}

/* ---------------------------------------------------------------- reading a site */

static void probe_script(struct textbuf *b, const char *iface)
{
	textbuf_printf(
	    b,
	    "f=" CHANGE_DIR "/%1$s.conf\n"
	    "[ -d /run/systemd/system ] && { echo; echo 'wg-mesh-section systemd'; }\n"
	    "[ -d /run/systemd/system ] && systemctl -q is-active wg-quick@%1$s && "
	    "{ echo; echo 'wg-mesh-section active'; }\n"
	    "if [ -f \"$f\" ]; then echo; echo 'wg-mesh-section conf'; cat \"$f\"; fi\n"
	    "if wg showconf %1$s > /dev/null 2>&1; then echo; "
	    "echo 'wg-mesh-section running'; wg showconf %1$s; fi\n"
	    "echo; echo 'wg-mesh-section routes4'; ip -4 route show dev %1$s 2>/dev/null\n"
	    "echo; echo 'wg-mesh-section routes6'; ip -6 route show dev %1$s 2>/dev/null\n",
	    iface);
	reinstall_probe(b, iface);
	textbuf_puts(b, "echo; echo 'wg-mesh-section end'\n");
}

/*
 * The body of one section of the probe's output, malloc'd, or NULL when the
 * section is not there. Each body ends where "\nwg-mesh-section " begins.
 */
static char *section(const struct textbuf *out, const char *name)
{
	char head[64];
	const char *at, *end;
	char *body;

	snprintf(head, sizeof(head), SECTION "%s\n", name);
	at = strstr(out->p, head);
	if (!at)
		return NULL;
	at += strlen(head);
	end = strstr(at, SECTION);
	if (!end)
		end = at + strlen(at);
	body = strndup(at, end - at);
	return body;
}

struct probe {
	char *conf, *running, *routes4, *routes6; /* conf and running hold the private key */
	char *rr[RERESOLVE_N_FILES];		  /* the installed re-resolve files */
	bool systemd, active, rr_enabled, complete;
};

static void probe_free(struct probe *pr)
{
	secret_free_str(pr->conf);
	secret_free_str(pr->running);
	free(pr->routes4);
	free(pr->routes6);
	for (int k = 0; k < RERESOLVE_N_FILES; ++k)
		free(pr->rr[k]);
}

/* A section that is there or not. */
static bool has_section(const struct textbuf *out, const char *name)
{
	char *body = section(out, name);
	bool there = body != NULL;

	free(body);
	return there;
}

static void probe_parse(struct probe *pr, const struct textbuf *out)
{
	char name[32];
	int k;

	memset(pr, 0, sizeof(*pr));
	pr->conf = section(out, "conf");
	pr->running = section(out, "running");
	pr->routes4 = section(out, "routes4");
	pr->routes6 = section(out, "routes6");
	for (k = 0; k < RERESOLVE_N_FILES; ++k) {
		reinstall_section(k, name, sizeof(name));
		pr->rr[k] = section(out, name);
	}
	pr->systemd = has_section(out, "systemd");
	pr->active = has_section(out, "active");
	pr->rr_enabled = has_section(out, "reresolve-enabled");
	pr->complete = strstr(out->p, SECTION "end\n") != NULL;
}

/* ---------------------------------------------------------------- one site */

/* The last line of what went wrong: ssh's or the script's own words. */
static void set_error(struct site_run *s, const char *what, const struct remote_result *r)
{
	const char *err = r ? r->err.p : "", *end = err + strlen(err), *line;

	while (end > err && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		--end;
	for (line = end; line > err && line[-1] != '\n'; --line)
		;
	s->failed = true;
	snprintf(s->error, sizeof(s->error), "%s%s%.*s", what, line < end ? ": " : "",
		 (int)(end - line), line);
}

static void set_run_error(struct site_run *s, const char *step, const struct remote_result *r)
{
	char what[96];

	if (r->verdict == REMOTE_UNREACHABLE)
		snprintf(what, sizeof(what), "unreachable (ssh exit %d)", r->status);
	else if (r->verdict == REMOTE_TIMEOUT)
		snprintf(what, sizeof(what), "%s timed out", step);
	else
		snprintf(what, sizeof(what), "%s failed (exit %d)", step, r->status);
	set_error(s, what, r);
}

static bool read_site(struct apply_ctx *x, struct site_run *s, struct probe *pr)
{
	const struct remote_target t = {s->name, s->dest};
	struct textbuf script = {0};
	struct remote_result r;
	int ret;

	probe_script(&script, s->iface);
	ret = script.failed ? -ENOMEM : remote_run(&t, script.p, NULL, 0, &x->o->limits, &r);
	textbuf_free(&script);
	if (ret) {
		snprintf(s->error, sizeof(s->error), "Unable to run ssh: %s", strerror(-ret));
		s->failed = true;
	} else if (r.verdict != REMOTE_OK) {
		set_run_error(s, "reading the site", &r);
	} else {
		probe_parse(pr, &r.out);
		if (!pr->complete)
			set_error(s, "reading the site: its output was cut short", NULL);
	}
	remote_result_free(&r);
	return !s->failed;
}

static bool classify_site(struct site_run *s, const struct probe *pr)
{
	const struct change_site cs = {pr->conf,    pr->running, pr->routes4,
				       pr->routes6, pr->systemd, pr->active};
	const struct reinstall_site rs = {
	    {pr->rr[0], pr->rr[1], pr->rr[2]}, pr->systemd, pr->rr_enabled};
	int ret = change_classify(s->iface, &cs, s->removed ? NULL : s->conf.p, &s->change);

	if (!ret &&
	    (ret = reinstall_classify(s->iface, &rs, s->removed ? NULL : &s->want, &s->rr))) {
		snprintf(s->error, sizeof(s->error), "Unable to plan the re-resolve files: %s",
			 strerror(-ret));
		s->failed = true;
		return false;
	}
	if (ret == -EINVAL)
		snprintf(s->error, sizeof(s->error),
			 "Unable to classify: the interface name `%s' is not one plain word",
			 s->iface);
	else if (ret)
		snprintf(s->error, sizeof(s->error), "Unable to classify: %s", strerror(-ret));
	s->failed = ret != 0;
	s->classified = !ret;
	return !ret;
}

static void add_text(struct textbuf *b, const struct textbuf *t)
{
	if (t->len)
		textbuf_add(b, t->p, t->len);
}

/* Commands to run on the site: the config's, then the re-resolve files'. */
static bool has_commands(const struct site_run *s)
{
	return s->change.commands.len || s->rr.commands.len;
}

/* set -e: the first command that fails ends the script; temporary files never stay. */
static void change_script(struct textbuf *b, const struct site_run *s)
{
	textbuf_printf(b,
		       "set -e\n"
		       "trap 'rm -f " CHANGE_DIR "/.%1$s.conf.wg-mesh " CHANGE_DIR
		       "/.%1$s.strip.wg-mesh",
		       s->iface);
	reinstall_temp_files(b, s->iface);
	textbuf_puts(b, "' EXIT\n");
	add_text(b, &s->rr.functions);
	add_text(b, &s->change.commands);
	add_text(b, &s->rr.commands);
}

static void change_site(struct apply_ctx *x, struct site_run *s)
{
	const struct remote_target t = {s->name, s->dest};
	struct textbuf script = {0};
	struct remote_result r;
	int ret;

	change_script(&script, s);
	ret = script.failed ? -ENOMEM
			    : remote_run(&t, script.p, s->removed ? NULL : s->conf.p, s->conf.len,
					 &x->o->limits, &r);
	textbuf_free(&script);
	s->ran = true;
	if (ret) {
		snprintf(s->error, sizeof(s->error), "Unable to run ssh: %s", strerror(-ret));
		s->failed = true;
	} else if (r.verdict != REMOTE_OK) {
		set_run_error(s, change_class_str(s->change.class), &r);
	}
	remote_result_free(&r);
}

/* The same steps for old_iface with no new config: down, its file removed. */
static bool retire_old_iface(struct apply_ctx *x, struct site_run *s)
{
	struct site_run old = {
	    .name = s->name, .dest = s->dest, .iface = s->old_iface, .removed = true};
	struct probe pr = {0};

	if (read_site(x, &old, &pr) && classify_site(&old, &pr) && !x->o->dry_run &&
	    has_commands(&old))
		change_site(x, &old);
	probe_free(&pr);
	/* Only removals: the old interface's re-resolve files are shown with its commands. */
	add_text(&old.change.commands, &old.rr.commands);
	reinstall_free(&old.rr);
	s->retired = old.change;
	s->ran = old.ran;
	if (old.failed) {
		s->failed = true;
		snprintf(s->error, sizeof(s->error), "taking the old interface %s down: %.*s",
			 s->old_iface, (int)(sizeof(s->error) / 2), old.error);
	}
	return !old.failed;
}

static void apply_site(struct apply_ctx *x, struct site_run *s)
{
	struct probe pr = {0};

	if (s->old_iface && !retire_old_iface(x, s))
		return;
	if (read_site(x, s, &pr) && classify_site(s, &pr) && !x->o->dry_run && has_commands(s))
		change_site(x, s);
	probe_free(&pr);
}

/* ---------------------------------------------------------------- workers */

static const char *outcome(const struct site_run *s)
{
	if (s->failed)
		return "FAILED";
	if (s->change.class == CHANGE_NONE &&
	    (s->change.write_conf || s->rr.installed || s->rr.removed))
		return "file";
	return change_class_str(s->change.class);
}

static void print_progress(struct apply_ctx *x, const struct site_run *s)
{
	fprintf(x->out, "[%zu/%zu] %s: %s%s%s\n", x->finished, x->n, s->name, outcome(s),
		s->failed ? ": " : "", s->failed ? s->error : "");
	fflush(x->out);
}

static void *worker(void *arg)
{
	struct apply_ctx *x = arg;
	struct site_run *s;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&x->lock);
		for (i = x->next; i < x->n && x->v[i].phase != x->phase; ++i)
			;
		x->next = i + 1;
		pthread_mutex_unlock(&x->lock);
		if (i >= x->n)
			return NULL;
		s = &x->v[i];
		apply_site(x, s);
		pthread_mutex_lock(&x->lock);
		x->finished++;
		if (x->o->progress)
			print_progress(x, s);
		pthread_mutex_unlock(&x->lock);
	}
}

/* Up to jobs sites of the current phase at once; a thread that cannot start leaves it to the
 * others. */
static void run_phase(struct apply_ctx *x, unsigned int phase)
{
	pthread_t tids[APPLY_MAX_JOBS];
	unsigned int jobs = x->o->jobs ? x->o->jobs : APPLY_DEFAULT_JOBS, n = 0, i;

	x->phase = phase;
	x->next = 0;
	if (jobs > APPLY_MAX_JOBS)
		jobs = APPLY_MAX_JOBS;
	if (jobs > x->n)
		jobs = (unsigned int)x->n;
	for (i = 0; i < jobs; ++i)
		if (!pthread_create(&tids[n], NULL, worker, x))
			++n;
	if (!n)
		worker(x);
	for (i = 0; i < n; ++i)
		pthread_join(tids[i], NULL);
}

/* ---------------------------------------------------------------- report */

static void print_commands(FILE *out, const struct textbuf *cmds)
{
	const char *p = cmds->p, *nl;

	for (; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;
		fprintf(out, "    %.*s\n", (int)(nl - p), p);
	}
}

static void print_dry_run(const struct apply_ctx *x)
{
	const struct site_run *s;
	size_t i;

	for (i = 0; i < x->n; ++i) {
		s = &x->v[i];
		if (s->failed) {
			fprintf(x->out, "%s (%s): FAILED: %s\n", s->name, s->dest, s->error);
			continue;
		}
		fprintf(x->out, "%s (%s): %s: %s%s\n", s->name, s->dest,
			change_class_str(s->change.class), s->change.why,
			has_commands(s) || s->retired.commands.len ? "; would run:"
								   : "; nothing to run");
		print_commands(x->out, &s->retired.commands);
		print_commands(x->out, &s->change.commands);
		print_commands(x->out, &s->rr.commands);
	}
	fprintf(x->out, "dry run: nothing was changed\n");
}

/* What happened to the re-resolve files, when anything did. */
static void print_reresolve(const struct apply_ctx *x, const struct site_run *s)
{
	char name[300];

	if (s->rr.installed && s->rr.no_systemd) {
		reresolve_file_name(RERESOLVE_SCRIPT, s->iface, name, sizeof(name));
		fprintf(x->out,
			" (re-resolve script installed; no systemd to run it: run `sh %s/%s' "
			"every %d s, e.g. from cron)",
			reresolve_dir(RERESOLVE_SCRIPT), name, RERESOLVE_PERIOD);
	} else if (s->rr.commands.len && !s->rr.removed) {
		reresolve_file_name(RERESOLVE_TIMER, s->iface, name, sizeof(name));
		fprintf(x->out, " (re-resolve timer %s %s)", name,
			s->rr.installed ? "installed" : "enabled");
	} else if (s->rr.removed) {
		fputs(" (re-resolve files removed)", x->out);
	}
}

static void print_site(const struct apply_ctx *x, const struct site_run *s, int width)
{
	const struct change *c = &s->change;

	if (s->failed) {
		fprintf(x->out, "  %-*s  %-9s  %s\n", width, s->name, "FAILED", s->error);
		return;
	}
	fprintf(x->out, "  %-*s  %-9s  %s", width, s->name, outcome(s),
		c->class == CHANGE_NONE && !c->write_conf ? "" : c->why);
	if (c->routes_add || c->routes_del)
		fprintf(x->out, " (%zu route%s added, %zu removed)", c->routes_add,
			c->routes_add == 1 ? "" : "s", c->routes_del);
	if (s->retired.class == CHANGE_DOWN)
		fprintf(x->out, " (%s taken down first)", s->old_iface);
	print_reresolve(x, s);
	fputc('\n', x->out);
}

static void print_summary(const struct apply_ctx *x)
{
	size_t i, failed = 0, changed = 0;
	int width = 4;

	for (i = 0; i < x->n; ++i) {
		if ((int)strlen(x->v[i].name) > width)
			width = (int)strlen(x->v[i].name);
		failed += x->v[i].failed;
		changed += !x->v[i].failed && x->v[i].ran;
	}
	for (i = 0; i < x->n; ++i)
		print_site(x, &x->v[i], width);
	if (!failed && !changed)
		fprintf(x->out, "apply: nothing to change; %zu site%s already run%s the plan\n",
			x->n, x->n == 1 ? "" : "s", x->n == 1 ? "s" : "");
	else
		fprintf(x->out, "apply: %zu site%s changed, %zu unchanged, %zu failed\n", changed,
			changed == 1 ? "" : "s", x->n - changed - failed, failed);
}

/* Sites without ssh: are left alone; say which, so none is forgotten silently. */
static void print_skipped(const struct apply_ctx *x)
{
	const struct plan *p = x->p;
	size_t i, n = 0;

	for (i = 0; !x->o->n_only && i < p->n_sites; ++i) {
		if (p->sites[i].site->ssh)
			continue;
		fprintf(x->out, "%s%s",
			n++ ? ", " : "not applied (no ssh: destination): ", p->sites[i].name);
	}
	if (n)
		fputc('\n', x->out);
}

int apply_run(const struct plan *p, const struct apply_opts *o, FILE *out)
{
	struct apply_ctx x = {.p = p, .o = o, .out = out};
	size_t i, failed = 0;
	int ret = select_sites(&x);

	if (!ret)
		ret = select_removed(&x);
	if (!ret && !x.n) {
		fprintf(stderr, "Unable to apply: no site has an `ssh:' destination; add one to "
				"each site to manage (e.g. `ssh: root@vpn.example.com')\n");
		ret = 1;
	}
	if (!ret) {
		pthread_mutex_init(&x.lock, NULL);
		run_phase(&x, 0);
		run_phase(&x, 1);
		pthread_mutex_destroy(&x.lock);
		print_skipped(&x);
		if (o->dry_run) {
			print_dry_run(&x);
		} else {
			print_summary(&x);
			if (o->state)
				save_applied(&x);
		}
		for (i = 0; i < x.n; ++i)
			failed += x.v[i].failed;
		ret = failed ? 1 : 0;
	}
	for (i = 0; x.v && i < x.n; ++i) {
		textbuf_free(&x.v[i].conf);
		change_free(&x.v[i].change);
		change_free(&x.v[i].retired);
		reresolve_files_free(&x.v[i].want);
		reinstall_free(&x.v[i].rr);
	}
	free(x.v);
	applied_free(&x.applied);
	return ret;
}
