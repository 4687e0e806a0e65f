// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for wg-mesh's keystore: the input is a sites.keys file,
 * loaded as `wg-mesh plan' does, then, when it loads, a fixed mesh of sites
 * and clients is planned and rendered with its keys and remembered addresses
 * (which may be outside the pools, duplicated or of the wrong family). The
 * file lives in one temporary file in /dev/shm (or $TMPDIR), rewritten per
 * input and removed at exit: keystore_load opens a path with O_NOFOLLOW.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "wg-mesh/diag.h"
#include "wg-mesh/keystore.h"
#include "wg-mesh/plan.h"
#include "wg-mesh/render.h"
#include "wg-mesh/sites.h"
#include "textbuf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char yaml[] = "mesh:\n"
			   "  tunnel: [192.168.0.0/24, 2001:db8:12:34::/64]\n"
			   "  preshared-keys: true\n"
			   "sites:\n"
			   "  tokyo:\n"
			   "    endpoint: [192.0.2.1, 2001:db8:1234:1::1]\n"
			   "    networks: [10.1.1.0/24]\n"
			   "  paris:\n"
			   "    endpoint: 192.0.2.5\n"
			   "  osaka:\n"
			   "    endpoint: 2001:db8:1234:3::1\n"
			   "  branch:\n"
			   "    networks: [10.5.5.0/24]\n"
			   "clients:\n"
			   "  phone: {via: tokyo}\n"
			   "  laptop: {via: paris, route: all}\n";

static char path[256];
static int fd = -1;

static void remove_file(void)
{
	unlink(path);
}

/* Diagnostics are expected: -close_fd_mask=2 silences our stderr, not libFuzzer's reports. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char *args[64];
	static char mask[] = "-close_fd_mask=2";
	const char *dir = access("/dev/shm", W_OK) ? getenv("TMPDIR") : "/dev/shm";
	int i, n = *argc < 62 ? *argc : 62;

	for (i = 0; i < n; ++i)
		args[i] = (*argv)[i];
	args[n++] = mask;
	args[n] = NULL;
	*argc = n;
	*argv = args;
	if (sodium_init() < 0)
		abort();
	snprintf(path, sizeof(path), "%s/mesh-keystore-fuzz.XXXXXX", dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	atexit(remove_file);
	return 0;
}

static void render_all(const struct plan *p)
{
	struct render_scratch s;
	struct textbuf b = {0};
	size_t i;

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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keystore ks;
	struct plan p = {0};
	struct sites_mesh *m;
	struct diag d;

	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (keystore_load(&ks, path)) {
		keystore_free(&ks);
		return 0;
	}
	keystore_ensure_psk_secret(&ks);
	diag_init(&d, "sites.yaml");
	m = sites_load_string(yaml, sizeof(yaml) - 1, &d);
	if (!m || m->syntax_error || diag_has_errors(&d))
		abort(); /* the fixed mesh is valid */
	if (!plan_build(&p, m, &ks, &d) && !diag_has_errors(&d))
		render_all(&p);
	plan_free(&p);
	sites_free(m);
	diag_free(&d);
	keystore_free(&ks);
	return 0;
}
