/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What apply has put where: DIR/.wg-mesh-applied, one "NAME IFACE DEST" line
 * per site it configured. A site removed from sites.yaml has no ssh: left to
 * reach it by; this list remembers it until it is down and its file gone,
 * and the interface each site had, for a rename of mesh.interface.
 */
#ifndef MESH_APPLIED_H
#define MESH_APPLIED_H

#include <stddef.h>

#define APPLIED_FILE ".wg-mesh-applied"

struct applied_entry {
	char *name, *iface, *dest;
};

struct applied {
	struct applied_entry *v;
	size_t n;
};

/* A missing file is an empty list; damaged lines are skipped. 0 or -errno. */
int applied_load(struct applied *a, const char *path) __attribute__((warn_unused_result));
/* Written atomically, mode 0600. 0 or -errno. */
int applied_save(const struct applied *a, const char *path) __attribute__((warn_unused_result));
const struct applied_entry *applied_find(const struct applied *a, const char *name);
/* Adds or replaces name's entry. 0 or -ENOMEM. */
int applied_set(struct applied *a, const char *name, const char *iface, const char *dest)
    __attribute__((warn_unused_result));
void applied_remove(struct applied *a, const char *name);
void applied_free(struct applied *a);

#endif
