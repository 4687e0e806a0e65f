// SPDX-License-Identifier: GPL-2.0
/*
 * The human-readable status report: one row and one column per site, a row
 * per client, each cell the age of the pair's latest handshake or why there
 * is none; then what is wrong, site by site, and a one-line summary.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include "term.h"
#include "report.h"

#define CELL_MIN 11

void report_age(char *buf, size_t len, int64_t s)
{
	if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRId64 "d%02" PRId64 "h", s / 86400, s % 86400 / 3600);
}

static const char *state_color(const struct status_pair *x)
{
	if (status_pair_failed(x))
		return TERM_FG_RED;
	return x->state == STATUS_PAIR_UP ? TERM_FG_GREEN : TERM_FG_YELLOW;
}

/* What a cell says: the age when up, else the state (with the age when there is one). */
static void cell_text(const struct status_report *r, const struct status_pair *x, char *buf,
		      size_t len)
{
	char age[16];

	if (x->relay >= 0 && !status_pair_failed(x)) {
		snprintf(buf, len, "via %s", r->p->sites[x->relay].name);
		return;
	}
	if (x->age >= 0)
		report_age(age, sizeof(age), x->age);
	if (x->state == STATUS_PAIR_UP)
		snprintf(buf, len, "%s", age);
	else if (x->age >= 0 && (x->state == STATUS_PAIR_IDLE || x->state == STATUS_PAIR_STALE))
		snprintf(buf, len, "%s %s", status_pair_state_name(x->state), age);
	else if (x->state == STATUS_PAIR_UNCHECKED)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%s", status_pair_state_name(x->state));
}

static int column_width(const struct status_report *r)
{
	size_t i, w = CELL_MIN;

	for (i = 0; i < r->p->n_sites; ++i)
		if (strlen(r->p->sites[i].name) + 1 > w)
			w = strlen(r->p->sites[i].name) + 1;
	for (i = 0; i < r->p->n_clients; ++i)
		if (strlen(r->p->clients[i].name) + 1 > w)
			w = strlen(r->p->clients[i].name) + 1;
	return (int)w;
}

/* One cell, padded to w unless it ends the row (w 0): no trailing blanks. */
static void print_cell(const struct status_report *r, const struct status_pair *x, int w, FILE *out)
{
	char text[96];

	cell_text(r, x, text, sizeof(text));
	term_fprintf(out, " %s%-*s" TERM_RESET, state_color(x), w, text);
}

static int width_in_row(int w, size_t j, size_t n)
{
	return j + 1 < n ? w : 0;
}

static void print_header(const struct status_report *r, int w, FILE *out)
{
	size_t j;

	term_fprintf(out, TERM_BOLD "%-*s", w, "");
	for (j = 0; j < r->p->n_sites; ++j)
		term_fprintf(out, " %-*s", width_in_row(w, j, r->p->n_sites), r->p->sites[j].name);
	term_fprintf(out, TERM_RESET "\n");
}

static void print_matrix(const struct status_report *r, FILE *out)
{
	const struct plan *p = r->p;
	int w = column_width(r);
	size_t i, j;

	print_header(r, w, out);
	for (i = 0; i < p->n_sites; ++i) {
		term_fprintf(out, TERM_BOLD "%-*s" TERM_RESET, w, p->sites[i].name);
		for (j = 0; j < p->n_sites; ++j) {
			int cw = width_in_row(w, j, p->n_sites);

			if (i == j)
				fprintf(out, " %-*s", cw, "-");
			else
				print_cell(r, status_site_pair(r, i, j), cw, out);
		}
		fputc('\n', out);
	}
	for (i = 0; i < p->n_clients; ++i) {
		const struct status_pair *x = status_client_pair(r, i);

		term_fprintf(out, TERM_BOLD "%-*s" TERM_RESET, w, p->clients[i].name);
		for (j = 0; j < x->a; ++j)
			fprintf(out, " %-*s", w, "");
		print_cell(r, x, 0, out);
		fputc('\n', out);
	}
}

/* Text from a site (ssh's stderr) on one line: no controls, so no escape sequences either. */
static void put_line(FILE *out, const char *s)
{
	for (; *s; ++s)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
}

static void print_sites(const struct status_report *r, FILE *out)
{
	size_t i;

	for (i = 0; i < r->p->n_sites; ++i) {
		const struct status_obs *o = &r->obs[i];

		if (o->state == STATUS_SITE_UP)
			continue;
		term_fprintf(out, "%s%s" TERM_RESET ": %s",
			     o->state == STATUS_SITE_UNCHECKED ? TERM_FG_YELLOW : TERM_FG_RED,
			     r->p->sites[i].name,
			     o->state == STATUS_SITE_UNCHECKED ? "not checked"
							       : status_site_state_name(o->state));
		if (o->why) {
			fputs(" (", out);
			put_line(out, o->why);
			fputc(')', out);
		}
		fputc('\n', out);
	}
}

static void print_issue(const struct status_report *r, const struct status_issue *x, FILE *out)
{
	const char *site = r->p->sites[x->site].name;

	term_fprintf(out, "%s%s" TERM_RESET ": ",
		     status_issue_fails(x) ? TERM_FG_RED : TERM_FG_YELLOW, site);
	switch (x->kind) {
	case STATUS_ISSUE_KEY:
		fprintf(out, "runs public key %s; planned %s\n", x->runs, x->planned);
		break;
	case STATUS_ISSUE_PORT:
		fprintf(out, "listens on port %s; planned %s\n", x->runs, x->planned);
		break;
	case STATUS_ISSUE_MISSING:
		fprintf(out, "has no peer %s (planned key %s)\n", x->peer, x->planned);
		break;
	case STATUS_ISSUE_EXTRA:
		fprintf(out, "has a peer that is not planned: %s\n", x->runs);
		break;
	case STATUS_ISSUE_ALLOWED_IPS:
		fprintf(out, "peer %s has allowed IPs %s; planned %s\n", x->peer, x->runs,
			x->planned);
		break;
	case STATUS_ISSUE_ENDPOINT:
		fprintf(out, "peer %s is at %s; planned %s (roamed: not a failure)\n", x->peer,
			x->runs, x->planned);
		break;
	}
}

static void print_summary(const struct status_report *r, FILE *out)
{
	size_t k, pairs = plan_site_pairs(r->p), up = 0, clients_up = 0;

	for (k = 0; k < pairs; ++k)
		up += !status_pair_failed(&r->pairs[k]);
	for (k = 0; k < r->p->n_clients; ++k)
		clients_up += status_client_pair(r, k)->state == STATUS_PAIR_UP;
	term_fprintf(out, "%s%zu of %zu site pair%s up, %zu of %zu client%s connected: ",
		     r->n_failed ? TERM_FG_RED : TERM_FG_GREEN, up, pairs, pairs == 1 ? "" : "s",
		     clients_up, r->p->n_clients, r->p->n_clients == 1 ? "" : "s");
	if (r->n_failed)
		term_fprintf(out, "%zu problem%s" TERM_RESET "\n", r->n_failed,
			     r->n_failed == 1 ? "" : "s");
	else
		term_fprintf(out, "OK" TERM_RESET "\n");
}

void report_text(const struct status_report *r, FILE *out)
{
	size_t i;

	print_matrix(r, out);
	fputc('\n', out);
	print_sites(r, out);
	for (i = 0; i < r->n_issues; ++i)
		print_issue(r, &r->issues[i], out);
	print_summary(r, out);
}

/* ---------------------------------------------------------------- JSON */

/* Length of the UTF-8 sequence at s, or 0 when it is not valid (overlong, surrogate, cut). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2, i;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; ++i) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string: quotes, backslashes and controls escaped, invalid UTF-8 as U+FFFD. */
static void json_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	if (!str) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fprintf(out, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, out);
		} else if ((n = utf8_len(s))) {
			fwrite(s, 1, n, out);
			s += n;
		} else {
			fputs("\\ufffd", out);
			++s;
		}
	}
	fputc('"', out);
}

static const char *site_name(const struct status_report *r, long i)
{
	return i >= 0 ? r->p->sites[i].name : NULL;
}

static void json_sites(const struct status_report *r, FILE *out)
{
	size_t i;

	fputs("  \"sites\": [", out);
	for (i = 0; i < r->p->n_sites; ++i) {
		fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
		json_string(out, r->p->sites[i].name);
		fprintf(out, ", \"state\": \"%s\", \"reason\": ",
			status_site_state_name(r->obs[i].state));
		json_string(out, r->obs[i].why);
		fputc('}', out);
	}
	fputs("\n  ],\n", out);
}

static void json_pair(const struct status_report *r, const struct status_pair *x, FILE *out)
{
	fputs("{\"site\": ", out);
	json_string(out, r->p->sites[x->a].name);
	fputs(", \"peer\": ", out);
	json_string(out, x->client ? r->p->clients[x->b].name : r->p->sites[x->b].name);
	fprintf(out, ", \"client\": %s, \"via\": ", x->client ? "true" : "false");
	json_string(out, site_name(r, x->relay));
	fprintf(out, ", \"state\": \"%s\", \"up\": %s, \"failed\": %s, \"handshake_age\": ",
		status_pair_state_name(x->state), x->state == STATUS_PAIR_UP ? "true" : "false",
		status_pair_failed(x) ? "true" : "false");
	if (x->age >= 0)
		fprintf(out, "%" PRId64, x->age);
	else
		fputs("null", out);
	fprintf(out, ", \"keepalive\": %u, \"blame\": ", x->keepalive);
	json_string(out, site_name(r, x->blame));
	fputc('}', out);
}

static void json_issues(const struct status_report *r, FILE *out)
{
	size_t i;

	fputs("  \"issues\": [", out);
	for (i = 0; i < r->n_issues; ++i) {
		const struct status_issue *x = &r->issues[i];

		fprintf(out, "%s\n    {\"site\": ", i ? "," : "");
		json_string(out, r->p->sites[x->site].name);
		fprintf(out, ", \"kind\": \"%s\", \"peer\": ", status_issue_kind_name(x->kind));
		json_string(out, x->peer);
		fputs(", \"runs\": ", out);
		json_string(out, x->runs);
		fputs(", \"planned\": ", out);
		json_string(out, x->planned);
		fprintf(out, ", \"failed\": %s}", status_issue_fails(x) ? "true" : "false");
	}
	fputs("\n  ]\n", out);
}

void report_json(const struct status_report *r, FILE *out)
{
	size_t k;

	fprintf(out, "{\n  \"ok\": %s,\n  \"problems\": %zu,\n", r->n_failed ? "false" : "true",
		r->n_failed);
	json_sites(r, out);
	fputs("  \"pairs\": [", out);
	for (k = 0; k < r->n_pairs; ++k) {
		fprintf(out, "%s\n    ", k ? "," : "");
		json_pair(r, &r->pairs[k], out);
	}
	fputs("\n  ],\n", out);
	json_issues(r, out);
	fputs("}\n", out);
}

/* ---------------------------------------------------------------- Prometheus */

/* A label value: backslash, double quote and newline escaped, as the format wants. */
static void prom_value(FILE *out, const char *s)
{
	for (; *s; ++s) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void prom_head(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void prom_pair_labels(const struct status_report *r, const struct status_pair *x, FILE *out)
{
	fputs("{site=\"", out);
	prom_value(out, r->p->sites[x->a].name);
	fputs("\",peer=\"", out);
	prom_value(out, x->client ? r->p->clients[x->b].name : r->p->sites[x->b].name);
	fprintf(out, "\",kind=\"%s\"", x->client ? "client" : "site");
	if (x->relay >= 0) {
		fputs(",via=\"", out);
		prom_value(out, r->p->sites[x->relay].name);
		fputc('"', out);
	}
	fputc('}', out);
}

static void prom_sites(const struct status_report *r, FILE *out)
{
	size_t i;

	prom_head(out, "wgmesh_site_reachable",
		  "Whether wg-mesh status reached the site over SSH (sites without ssh: are left "
		  "out).");
	for (i = 0; i < r->p->n_sites; ++i) {
		enum status_site_state s = r->obs[i].state;

		if (s == STATUS_SITE_UNCHECKED)
			continue;
		fputs("wgmesh_site_reachable{site=\"", out);
		prom_value(out, r->p->sites[i].name);
		fprintf(out, "\"} %d\n", s != STATUS_SITE_UNREACHABLE);
	}
	prom_head(out, "wgmesh_site_interface_up", "Whether the site's WireGuard interface is up.");
	for (i = 0; i < r->p->n_sites; ++i) {
		enum status_site_state s = r->obs[i].state;

		if (s == STATUS_SITE_UNCHECKED || s == STATUS_SITE_UNREACHABLE)
			continue;
		fputs("wgmesh_site_interface_up{site=\"", out);
		prom_value(out, r->p->sites[i].name);
		fprintf(out, "\"} %d\n", s == STATUS_SITE_UP);
	}
}

static void prom_issues(const struct status_report *r, FILE *out)
{
	size_t i, k, n;

	prom_head(out, "wgmesh_site_problems",
		  "Differences from the plan that fail the check, per site (missing or extra "
		  "peers, allowed IPs, key, port).");
	for (i = 0; i < r->p->n_sites; ++i) {
		if (r->obs[i].state != STATUS_SITE_UP)
			continue;
		for (k = 0, n = 0; k < r->n_issues; ++k)
			n += r->issues[k].site == i && status_issue_fails(&r->issues[k]);
		fputs("wgmesh_site_problems{site=\"", out);
		prom_value(out, r->p->sites[i].name);
		fprintf(out, "\"} %zu\n", n);
	}
}

static void prom_pairs(const struct status_report *r, FILE *out)
{
	size_t k;

	prom_head(out, "wgmesh_pair_up",
		  "Whether the planned pair is up: 1 up or idle, 0 failing or never seen.");
	for (k = 0; k < r->n_pairs; ++k) {
		const struct status_pair *x = &r->pairs[k];

		if (x->state == STATUS_PAIR_UNCHECKED)
			continue;
		fputs("wgmesh_pair_up", out);
		prom_pair_labels(r, x, out);
		fprintf(out, " %d\n", x->state <= STATUS_PAIR_IDLE);
	}
	prom_head(out, "wgmesh_pair_handshake_age_seconds",
		  "Seconds since the pair's latest handshake, as the fresher side saw it.");
	for (k = 0; k < r->n_pairs; ++k) {
		const struct status_pair *x = &r->pairs[k];

		if (x->age < 0)
			continue;
		fputs("wgmesh_pair_handshake_age_seconds", out);
		prom_pair_labels(r, x, out);
		fprintf(out, " %" PRId64 "\n", x->age);
	}
}

void report_prometheus(const struct status_report *r, FILE *out)
{
	prom_head(out, "wgmesh_ok",
		  "1 when every planned pair that should be up is up and "
		  "every site runs its plan.");
	fprintf(out, "wgmesh_ok %d\n", !r->n_failed);
	prom_sites(r, out);
	prom_pairs(r, out);
	prom_issues(r, out);
}
