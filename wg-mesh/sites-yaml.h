/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The walk over sites.yaml's document, shared by the readers of its parts
 * (sites-mesh, sites-members, sites-topology, sites-access): a mapping's keys
 * go to the handlers of a table, scalars and lists of scalars to adders, and
 * every problem goes to the diag at its node's line and column.
 */
#ifndef MESH_SITES_YAML_H
#define MESH_SITES_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>
#include "sites.h"

/* What a reader needs: the document, where errors go and the mesh it fills. */
struct sites_yaml_ctx {
	yaml_document_t *doc;
	struct diag *d;
	struct sites_mesh *m;
};

/* Reads the value of one key into obj (a site, a client, the mesh, a rule). */
typedef void (*sites_yaml_fn)(struct sites_yaml_ctx *c, yaml_node_t *value, void *obj);

/* One row of a key table; a table ends with {NULL, NULL}. */
struct sites_yaml_key {
	const char *key;
	sites_yaml_fn fn;
};

/* Adds one scalar s (at node n) to the list obj. */
typedef void (*sites_yaml_add_fn)(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s,
				  void *obj);

/* The 1-based line and column of a node, as errors print them. */
static inline struct diag_pos pos_of(const yaml_node_t *n)
{
	return (struct diag_pos){n->start_mark.line + 1, n->start_mark.column + 1};
}

static inline yaml_node_t *node_at(struct sites_yaml_ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

/* Makes room for element n of *arrp (capacity doubles); false when memory ran out. */
bool sites_yaml_grow(void *arrp, size_t n, size_t size);
/* A plain empty, ~ or null scalar: the key is there without a value. */
bool sites_yaml_is_null(const yaml_node_t *n);
/* The text of a scalar, or NULL after `expected WHAT here'. */
const char *sites_yaml_scalar(struct sites_yaml_ctx *c, yaml_node_t *n, const char *what);
/* Calls fn for a single scalar or for each scalar of a sequence; null is nothing. */
void sites_yaml_each_scalar(struct sites_yaml_ctx *c, yaml_node_t *n, const char *what,
			    sites_yaml_add_fn fn, void *obj);
/* Dispatches each key of a mapping to its handler; unknown and repeated keys are errors. */
void sites_yaml_walk_mapping(struct sites_yaml_ctx *c, yaml_node_t *n, const char *where,
			     const struct sites_yaml_key *table, void *obj);
/* Calls fn for each NAME: VALUE of a mapping of named things (sites, clients, groups). */
void sites_yaml_walk_named(struct sites_yaml_ctx *c, yaml_node_t *v, const char *what,
			   void (*fn)(struct sites_yaml_ctx *, yaml_node_t *, yaml_node_t *));
/* A number from lo to hi into *out: false, with an error naming what, otherwise. */
bool sites_yaml_u16(struct sites_yaml_ctx *c, yaml_node_t *n, uint16_t *out, unsigned int lo,
		    unsigned int hi, const char *what);
/* Names become directory names and DOT identifiers: true when name is plain. */
bool sites_yaml_check_name(struct sites_yaml_ctx *c, yaml_node_t *k, const char *name,
			   const char *what);

/* Adders for sites_yaml_each_scalar: obj is the list named. */
void sites_yaml_add_network(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s,
			    void *obj); /* struct sites_prefixes, prefixes without host bits */
void sites_yaml_add_address(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s,
			    void *obj); /* struct sites_prefixes, single addresses */
void sites_yaml_add_string(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s,
			   void *obj); /* struct sites_strings */
void sites_yaml_add_name(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s,
			 void *obj); /* struct sites_names */
/* A copy of s with the position of n; false when memory ran out. */
bool sites_yaml_set_name(struct sites_name *out, yaml_node_t *n, const char *s);

void sites_yaml_free_strings(struct sites_strings *s);
void sites_yaml_free_names(struct sites_names *list);

#endif
