/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wg-quick configs from a plan: one per site (every other site as a peer,
 * relayed sites' routes on their relay, its clients) and one per client (its
 * via site only). Rendering is linear in the size of the output.
 */
#ifndef MESH_RENDER_H
#define MESH_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include "textbuf.h"
#include "plan.h"

#define RENDER_PSK_LEN (KEY_B64_LEN - 1)

struct render_scratch {
	long *head, *next; /* per site: sites relayed through it, as linked lists */
	/*
	 * With all_sites, each pair's pre-shared key in base64, kept from the
	 * first side rendered for the second: sites must then be rendered in
	 * order 0, 1, 2... Wiped by render_scratch_free.
	 */
	char (*psk)[RENDER_PSK_LEN];
	size_t n_psk;
};

int render_scratch_init(struct render_scratch *s, size_t n_sites, bool all_sites)
    __attribute__((warn_unused_result));
void render_scratch_free(struct render_scratch *s);

/* Appends site i's config to b (which then holds its private key: textbuf_free wipes it). */
void render_site(const struct plan *p, size_t i, struct textbuf *b, struct render_scratch *s);
/* Appends client i's config to b. */
void render_client(const struct plan *p, size_t i, struct textbuf *b);
/* Either, by name; -ENOENT when name is neither a site nor a client. */
int render_by_name(const struct plan *p, const char *name, struct textbuf *b)
    __attribute__((warn_unused_result));

#endif
