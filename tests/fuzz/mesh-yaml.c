// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for wg-mesh: the input is a sites.yaml, read, checked and
 * planned in memory with an empty keystore as `wg-mesh check` does, then, when
 * it holds no errors, every config rendered and the graph drawn into memory.
 * Nothing is written to disk; diagnostics are sorted and printed to memory too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "wg-mesh/diag.h"
#include "wg-mesh/graph.h"
#include "wg-mesh/keystore.h"
#include "wg-mesh/plan.h"
#include "wg-mesh/render.h"
#include "wg-mesh/sites.h"
#include "textbuf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps the planner's work (one X25519 key per name) bounded per input. */
#define MAX_YAML (64 * 1024)

/* Diagnostics are expected: -close_fd_mask=2 silences our stderr, not libFuzzer's reports. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char *args[64];
	static char mask[] = "-close_fd_mask=2";
	int i, n = *argc < 62 ? *argc : 62;

	for (i = 0; i < n; ++i)
		args[i] = (*argv)[i];
	args[n++] = mask;
	args[n] = NULL;
	*argc = n;
	*argv = args;
	if (sodium_init() < 0)
		abort();
	return 0;
}

/* The plan's invariants the renderers rely on. */
static void check_plan(const struct plan *p)
{
	size_t a, b;

	for (a = 0; a < p->n_sites; ++a) {
		for (b = 0; b < a; ++b) {
			int32_t l = plan_link(p, a, b);

			if (l != PLAN_DIRECT && l != PLAN_UNREACHABLE &&
			    (l < 0 || (size_t)l >= p->n_sites || (size_t)l == a || (size_t)l == b))
				abort();
		}
	}
	for (a = 0; a < p->n_clients; ++a) {
		if (p->clients[a].via < 0 || (size_t)p->clients[a].via >= p->n_sites)
			abort();
	}
}

/* Every config and the graph, as `wg-mesh plan' and `graph' would write them. */
static void render_all(const struct plan *p)
{
	struct render_scratch s;
	struct textbuf b = {0};
	char *dot = NULL;
	size_t i, dot_len = 0;
	FILE *f;

	if (!render_scratch_init(&s, p->n_sites, true)) {
		for (i = 0; i < p->n_sites; ++i) {
			render_site(p, i, &b, &s);
			textbuf_clear(&b);
		}
		render_scratch_free(&s);
	}
	for (i = 0; i < p->n_clients; ++i) {
		render_client(p, i, &b);
		textbuf_clear(&b);
	}
	textbuf_free(&b);
	f = open_memstream(&dot, &dot_len);
	if (!f)
		return;
	if (graph_write(p, f))
		dot_len = 0;
	fclose(f);
	free(dot);
}

/* Sorted diagnostics, into memory: the sort and the formatting are fuzzed too. */
static void print_diag(struct diag *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	diag_print(d, f);
	fclose(f);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keystore ks = {0};
	struct plan p = {0};
	struct sites_mesh *m;
	struct diag d;

	if (size > MAX_YAML)
		return 0;
	keystore_ensure_psk_secret(&ks);
	diag_init(&d, "sites.yaml");
	m = sites_load_string((const char *)data, size, &d);
	if (m && !m->syntax_error) {
		if (!plan_build(&p, m, &ks, &d) && !diag_has_errors(&d)) {
			check_plan(&p);
			render_all(&p);
		}
		plan_free(&p);
	}
	if (diag_has_errors(&d)) /* as wg-mesh does: it prints only when there is something */
		print_diag(&d);
	sites_free(m);
	diag_free(&d);
	keystore_free(&ks);
	return 0;
}
