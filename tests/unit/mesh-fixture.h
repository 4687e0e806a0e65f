/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the wg-mesh unit tests: plan a YAML string with an in-memory
 * keystore, render a config, cut one [Peer] section out of it, and look for
 * an error at a given line and column (one TAP line per case of a table).
 */
#ifndef TESTS_MESH_FIXTURE_H
#define TESTS_MESH_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "wg-mesh/diag.h"
#include "wg-mesh/keystore.h"
#include "wg-mesh/plan.h"
#include "wg-mesh/render.h"
#include "wg-mesh/sites.h"
#include "textbuf.h"
#include "tests/lib/tap.h"

struct fixture {
	struct diag d;
	struct sites_mesh *m;
	struct keystore ks;
	struct plan p;
	char conf[8][8192]; /* scratch for rendered configs */
};

/* Plans yaml; keeps ks if keep_keys (to plan again with the same keys). */
static inline int fixture_plan(struct fixture *f, const char *yaml, int keep_keys)
{
	int ret = 0;

	if (!keep_keys) {
		memset(&f->ks, 0, sizeof(f->ks));
		keystore_ensure_psk_secret(&f->ks);
	}
	diag_init(&f->d, "sites.yaml");
	f->m = sites_load_string(yaml, strlen(yaml), &f->d);
	if (!f->m)
		return -1;
	if (!f->m->syntax_error)
		ret = plan_build(&f->p, f->m, &f->ks, &f->d);
	return ret;
}

/* Frees the plan and the model; the keystore too unless keep_keys. */
static inline void fixture_free(struct fixture *f, int keep_keys)
{
	plan_free(&f->p);
	sites_free(f->m);
	f->m = NULL;
	diag_free(&f->d);
	if (!keep_keys)
		keystore_free(&f->ks);
}

/* Renders name into f->conf[slot]; returns it ("" on failure). */
static inline const char *fixture_render(struct fixture *f, const char *name, int slot)
{
	struct textbuf b = {0};

	f->conf[slot][0] = '\0';
	if (!render_by_name(&f->p, name, &b) && b.len < sizeof(f->conf[slot]))
		memcpy(f->conf[slot], b.p, b.len + 1);
	textbuf_free(&b);
	return f->conf[slot];
}

/* The [Peer] section whose comment names peer, copied into out. */
static inline const char *peer_section(const char *conf, const char *peer, char *out, size_t len)
{
	char needle[96];
	const char *s, *e;

	snprintf(needle, sizeof(needle), "[Peer]\n# %s", peer);
	out[0] = '\0';
	for (s = strstr(conf, needle); s; s = strstr(s + 1, needle)) {
		char c = s[strlen(needle)];

		if (c == '\n' || c == ' ')
			break;
	}
	if (!s)
		return out;
	e = strstr(s + 1, "\n[Peer]");
	if (!e)
		e = s + strlen(s);
	if ((size_t)(e - s) < len) {
		memcpy(out, s, e - s);
		out[e - s] = '\0';
	}
	return out;
}

/* How many times needle occurs in hay. */
static inline int count(const char *hay, const char *needle)
{
	int n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		++n;
	return n;
}

/* True when an error at line:col mentions what. */
static inline int has_error(const struct diag *d, unsigned int line, unsigned int col,
			    const char *what)
{
	size_t i;

	for (i = 0; i < d->count; ++i)
		if (d->entries[i].pos.line == line && d->entries[i].pos.col == col &&
		    d->entries[i].msg && strstr(d->entries[i].msg, what))
			return 1;
	return 0;
}

static inline void dump_errors(const struct diag *d)
{
	size_t i;

	for (i = 0; i < d->count; ++i)
		printf("#   %u:%u: %s\n", d->entries[i].pos.line, d->entries[i].pos.col,
		       d->entries[i].msg);
}

/* A YAML file with a mistake, and the error expected at line:col. */
struct bad_case {
	const char *name, *yaml;
	unsigned int line, col;
	const char *what;
};

/* Plans each case and checks its error, one TAP line each. */
static inline void fixture_check_errors(struct fixture *f, const struct bad_case *bad, size_t n)
{
	size_t i;

	for (i = 0; i < n; ++i) {
		fixture_plan(f, bad[i].yaml, 0);
		if (!ok(has_error(&f->d, bad[i].line, bad[i].col, bad[i].what),
			"error: %s at %u:%u", bad[i].name, bad[i].line, bad[i].col))
			dump_errors(&f->d);
		fixture_free(f, 0);
	}
}

#endif
