// SPDX-License-Identifier: GPL-2.0
/*
 * Reads sites.yaml with libyaml's document API into struct sites_mesh. Every
 * value keeps its line and column; every mistake (unknown key, wrong type, bad
 * address) is recorded in the diag and parsing goes on, so one run shows all.
 * This file loads the document and dispatches its top-level keys; the readers
 * of each part live in sites-mesh, sites-members, sites-topology, sites-access.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "sites-yaml.h"
#include "sites-mesh.h"
#include "sites-members.h"
#include "sites-topology.h"
#include "sites-access.h"

static const struct sites_yaml_key top_keys[] = {
    {"mesh", sites_mesh_read},
    {"sites", sites_members_read_sites},
    {"clients", sites_members_read_clients},
    {"groups", sites_access_read_groups},
    {"allow", sites_access_read_allow},
    {NULL, NULL},
};

static void report_syntax(struct diag *d, const yaml_parser_t *p)
{
	const yaml_mark_t *mark = p->problem ? &p->problem_mark : &p->context_mark;

	diag_add(d, (struct diag_pos){mark->line + 1, mark->column + 1},
		 "YAML syntax: %s%s%s; expected valid YAML (check indentation, ':' and quotes)",
		 p->problem ? p->problem : "unreadable", p->context ? " " : "",
		 p->context ? p->context : "");
}

static struct sites_mesh *mesh_new(void)
{
	struct sites_mesh *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->port = SITES_DEFAULT_PORT;
	m->preshared_keys = true;
	m->interface = strdup(SITES_DEFAULT_IFACE);
	if (!m->interface) {
		free(m);
		return NULL;
	}
	return m;
}

static void load_document(yaml_parser_t *p, struct diag *d, struct sites_mesh *m)
{
	yaml_document_t doc;
	yaml_node_t *root;
	struct sites_yaml_ctx c = {&doc, d, m};

	if (!yaml_parser_load(p, &doc)) {
		m->syntax_error = true;
		report_syntax(d, p);
		return;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE)
		sites_yaml_walk_mapping(&c, root, "the top level", top_keys, m);
	else
		diag_add(d, root ? pos_of(root) : (struct diag_pos){1, 1},
			 "expected a mapping with `mesh', `sites' and `clients' at the top level");
	yaml_document_delete(&doc);
}

struct sites_mesh *sites_load_string(const char *yaml, size_t len, struct diag *d)
{
	struct sites_mesh *m = mesh_new();
	yaml_parser_t p;

	if (!m)
		return NULL;
	if (!yaml_parser_initialize(&p)) {
		sites_free(m);
		errno = ENOMEM;
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
	load_document(&p, d, m);
	yaml_parser_delete(&p);
	return m;
}

struct sites_mesh *sites_load(const char *path, struct diag *d)
{
	struct sites_mesh *m;
	yaml_parser_t p;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	m = mesh_new();
	if (!m || !yaml_parser_initialize(&p)) {
		fclose(f);
		sites_free(m);
		errno = ENOMEM;
		return NULL;
	}
	yaml_parser_set_input_file(&p, f);
	load_document(&p, d, m);
	yaml_parser_delete(&p);
	fclose(f);
	return m;
}

void sites_free(struct sites_mesh *m)
{
	if (!m)
		return;
	sites_members_free(m);
	free(m->pools.v);
	sites_topology_free(m);
	sites_access_free(m);
	free(m->interface);
	free(m->domain);
	free(m->dns.name);
	free(m);
}

long sites_find_site(const struct sites_mesh *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n_sites; ++i)
		if (m->sites[i].name && !strcmp(m->sites[i].name, name))
			return (long)i;
	return -1;
}

long sites_find_client(const struct sites_mesh *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n_clients; ++i)
		if (m->clients[i].name && !strcmp(m->clients[i].name, name))
			return (long)i;
	return -1;
}
