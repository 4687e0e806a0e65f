// SPDX-License-Identifier: GPL-2.0
/*
 * status' side of the SSH transport. The script answers with a header line
 * ("wg-mesh-status SECONDS"), then "down" or "up" and the dump. Threads take
 * sites from a shared counter; each writes only its own probe_site.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dump.h"
#include "probe.h"

#define HEADER "wg-mesh-status "

/*
 * Only wg, a POSIX shell and date(1) on the site. The keys are blanked with
 * parameter expansion, line by line, before anything is printed.
 */
static const char script_body[] =
    "t=$(printf '\\t')\n"
    "command -v wg >/dev/null 2>&1 || { echo 'wg: command not found' >&2; exit 127; }\n"
    "ifaces=$(wg show interfaces) || exit\n"
    "echo \"" HEADER "$(date +%s)\"\n"
    "case \" $ifaces \" in *\" $i \"*) ;; *) echo down; exit 0 ;; esac\n"
    "dump=$(wg show \"$i\" dump) || exit\n"
    "echo up\n"
    "first=1\n"
    "printf '%s\\n' \"$dump\" | while IFS= read -r line; do\n"
    "\tif [ -n \"$first\" ]; then first=; printf '(hidden)\\t%s\\n' \"${line#*\"$t\"}\"; "
    "continue; fi\n"
    "\tkey=${line%%\"$t\"*}; rest=${line#*\"$t\"}; psk=${rest%%\"$t\"*}; rest=${rest#*\"$t\"}\n"
    "\t[ \"$psk\" = '(none)' ] || psk='(hidden)'\n"
    "\tprintf '%s\\t%s\\t%s\\n' \"$key\" \"$psk\" \"$rest\"\n"
    "done\n";

void probe_script(struct textbuf *b, const char *iface)
{
	textbuf_puts(b, "i=");
	remote_quote(b, iface);
	textbuf_puts(b, "\n");
	textbuf_puts(b, script_body);
}

/* The last non-empty line of text, for a one-line reason. */
static void last_line(char *out, size_t len, const char *text)
{
	const char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
		--end;
	for (start = end; start > text && start[-1] != '\n';)
		--start;
	snprintf(out, len, "%.*s", (int)(end - start), start);
}

static void judge_failure(struct probe_site *s, const struct remote_result *r)
{
	char line[PROBE_WHY_LEN - 40];

	last_line(line, sizeof(line), r->err.p ? r->err.p : "");
	if (r->verdict == REMOTE_TIMEOUT) {
		s->obs.state = STATUS_SITE_UNREACHABLE;
		snprintf(s->why, sizeof(s->why), "timed out");
	} else if (r->verdict == REMOTE_UNREACHABLE) {
		s->obs.state = STATUS_SITE_UNREACHABLE;
		snprintf(s->why, sizeof(s->why), "%s", *line ? line : "ssh failed");
	} else {
		s->obs.state = STATUS_SITE_FAILED;
		snprintf(s->why, sizeof(s->why), "%.200s%sexit status %d", line, *line ? "; " : "",
			 r->status);
	}
}

static void judge_output(struct probe_site *s, const char *out, const char *iface,
			 int64_t local_now)
{
	const char *nl = strchr(out, '\n');
	char msg[DUMP_MSG_LEN], *end;
	long long now;

	s->obs.state = STATUS_SITE_FAILED;
	if (strncmp(out, HEADER, strlen(HEADER)) || !nl) {
		snprintf(s->why, sizeof(s->why), "unexpected output from the site's shell");
		return;
	}
	now = strtoll(out + strlen(HEADER), &end, 10);
	s->obs.now = end == nl && now > 0 ? now : local_now;
	if (!strcmp(nl + 1, "down\n")) {
		s->obs.state = STATUS_SITE_DOWN;
		snprintf(s->why, sizeof(s->why), "interface %s is not up", iface);
	} else if (strncmp(nl + 1, "up\n", 3)) {
		snprintf(s->why, sizeof(s->why), "unexpected output from the site's shell");
	} else if (!(s->obs.dev = dump_parse(nl + 4, strlen(nl + 4), msg, sizeof(msg)))) {
		snprintf(s->why, sizeof(s->why), "unreadable `wg show %.16s dump': %.200s", iface,
			 msg);
	} else {
		s->obs.state = STATUS_SITE_UP;
	}
}

void probe_judge(struct probe_site *s, const struct remote_result *r, const char *iface,
		 int64_t local_now)
{
	s->obs = (struct status_obs){.now = local_now, .why = s->why};
	s->why[0] = '\0';
	if (r->verdict == REMOTE_OK)
		judge_output(s, r->out.p ? r->out.p : "", iface, local_now);
	else
		judge_failure(s, r);
	if (s->obs.state == STATUS_SITE_UP)
		s->obs.why = NULL;
}

struct pool {
	const struct plan *p;
	const struct remote_limits *lim;
	struct probe_site *sites;
	const char *script;
	atomic_size_t next;
};

static void probe_one(struct pool *pool, size_t i)
{
	const struct plan_node *n = &pool->p->sites[i];
	struct remote_target t = {.name = n->name, .dest = n->site->ssh};
	struct remote_result r = {0};
	int ret = remote_run(&t, pool->script, NULL, 0, pool->lim, &r);

	if (ret) {
		pool->sites[i].obs = (struct status_obs){
		    .state = STATUS_SITE_UNREACHABLE, .now = time(NULL), .why = pool->sites[i].why};
		snprintf(pool->sites[i].why, PROBE_WHY_LEN, "unable to run ssh: %s",
			 strerror(-ret));
	} else {
		probe_judge(&pool->sites[i], &r, pool->p->m->interface, time(NULL));
	}
	remote_result_free(&r);
}

static void *worker(void *arg)
{
	struct pool *pool = arg;
	size_t i;

	while ((i = atomic_fetch_add(&pool->next, 1)) < pool->p->n_sites)
		if (pool->p->sites[i].site->ssh)
			probe_one(pool, i);
	return NULL;
}

static void mark_unchecked(const struct plan *p, struct probe_site *sites)
{
	size_t i;

	for (i = 0; i < p->n_sites; ++i) {
		sites[i] = (struct probe_site){.obs = {.state = STATUS_SITE_UNCHECKED}};
		snprintf(sites[i].why, sizeof(sites[i].why), "no ssh: destination in the file");
		sites[i].obs.why = sites[i].why;
		sites[i].obs.now = time(NULL);
	}
}

int probe_sites(const struct plan *p, unsigned int jobs, const struct remote_limits *lim,
		struct probe_site *sites)
{
	struct textbuf script = {0};
	struct pool pool = {.p = p, .lim = lim, .sites = sites};
	pthread_t *threads;
	size_t n = 0, k;
	int ret = 0;

	mark_unchecked(p, sites);
	probe_script(&script, p->m->interface);
	jobs = jobs ? jobs : PROBE_JOBS;
	threads = calloc(jobs, sizeof(*threads));
	if (script.failed || !threads) {
		ret = -ENOMEM;
		goto out;
	}
	pool.script = script.p;
	for (n = 0; n < jobs && n < p->n_sites; ++n) {
		ret = -pthread_create(&threads[n], NULL, worker, &pool);
		if (ret)
			break;
	}
	if (!n && !ret)
		goto out;
	if (!n)
		worker(&pool);
	for (k = 0; k < n; ++k)
		pthread_join(threads[k], NULL);
	ret = 0;
out:
	free(threads);
	textbuf_free(&script);
	return ret;
}

void probe_free(struct probe_site *sites, size_t n)
{
	size_t i;

	for (i = 0; i < n; ++i) {
		model_device_free(sites[i].obs.dev);
		sites[i].obs.dev = NULL;
	}
}
