// SPDX-License-Identifier: GPL-2.0
/*
 * The walk over sites.yaml's libyaml document that every reader shares: keys
 * dispatched through tables, scalars and lists of scalars, each problem added
 * to the diag at the line and column of its node, and walking going on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cidr.h"
#include "num.h"
#include "sites-yaml.h"

bool sites_yaml_grow(void *arrp, size_t n, size_t size)
{
	void **arr = arrp;
	void *p;

	/* Doubling capacity: n is a power of two exactly when the array is full. */
	if (n && (n & (n - 1)))
		return true;
	p = realloc(*arr, (n ? n * 2 : 1) * size);
	if (!p)
		return false;
	*arr = p;
	return true;
}

bool sites_yaml_is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = (const char *)n->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

const char *sites_yaml_scalar(struct sites_yaml_ctx *c, yaml_node_t *n, const char *what)
{
	if (n->type == YAML_SCALAR_NODE && !sites_yaml_is_null(n))
		return (const char *)n->data.scalar.value;
	diag_add(c->d, pos_of(n), "expected %s here", what);
	return NULL;
}

/* Calls fn for a single scalar or for each scalar of a sequence. */
void sites_yaml_each_scalar(struct sites_yaml_ctx *c, yaml_node_t *n, const char *what,
			    void (*fn)(struct sites_yaml_ctx *, yaml_node_t *, const char *,
				       void *),
			    void *obj)
{
	yaml_node_item_t *it;
	const char *s;

	if (n->type != YAML_SEQUENCE_NODE) {
		if (sites_yaml_is_null(n))
			return;
		s = sites_yaml_scalar(c, n, what);
		if (s)
			fn(c, n, s, obj);
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; ++it) {
		yaml_node_t *item = node_at(c, *it);

		s = sites_yaml_scalar(c, item, what);
		if (s)
			fn(c, item, s, obj);
	}
}

static void list_keys(char *buf, size_t len, const struct sites_yaml_key *h)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; h->key && off < len; ++h)
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "", h->key);
}

static bool is_dup_key(struct sites_yaml_ctx *c, yaml_node_pair_t *first, yaml_node_pair_t *pair)
{
	const char *key = (const char *)node_at(c, pair->key)->data.scalar.value;
	yaml_node_pair_t *p;

	for (p = first; p < pair; ++p) {
		yaml_node_t *k = node_at(c, p->key);

		if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return true;
	}
	return false;
}

/* Dispatches each key of a mapping to its handler; unknown keys are errors. */
void sites_yaml_walk_mapping(struct sites_yaml_ctx *c, yaml_node_t *n, const char *where,
			     const struct sites_yaml_key *table, void *obj)
{
	yaml_node_pair_t *pair, *first = n->data.mapping.pairs.start;
	const struct sites_yaml_key *h;
	char keys[256];

	for (pair = first; pair < n->data.mapping.pairs.top; ++pair) {
		yaml_node_t *k = node_at(c, pair->key);
		const char *key = sites_yaml_scalar(c, k, "a key name");

		if (!key)
			continue;
		for (h = table; h->key && strcmp(h->key, key); ++h)
			;
		if (is_dup_key(c, first, pair)) {
			diag_add(c->d, pos_of(k), "`%s' given twice in %s; keep only one", key,
				 where);
		} else if (h->key) {
			h->fn(c, node_at(c, pair->value), obj);
		} else {
			list_keys(keys, sizeof(keys), table);
			diag_add(c->d, pos_of(k), "unknown key `%s' in %s; expected one of: %s",
				 key, where, keys);
		}
	}
}

void sites_yaml_walk_named(struct sites_yaml_ctx *c, yaml_node_t *v, const char *what,
			   void (*fn)(struct sites_yaml_ctx *, yaml_node_t *, yaml_node_t *))
{
	yaml_node_pair_t *pair, *first;

	if (v->type != YAML_MAPPING_NODE) {
		if (!sites_yaml_is_null(v))
			diag_add(c->d, pos_of(v),
				 "expected a mapping of %s names to their settings", what);
		return;
	}
	first = v->data.mapping.pairs.start;
	for (pair = first; pair < v->data.mapping.pairs.top; ++pair) {
		yaml_node_t *k = node_at(c, pair->key);
		const char *name = sites_yaml_scalar(c, k, "a name");

		if (!name)
			continue;
		if (is_dup_key(c, first, pair))
			diag_add(c->d, pos_of(k), "duplicate %s name `%s'; expected each name once",
				 what, name);
		else
			fn(c, k, node_at(c, pair->value));
	}
}

bool sites_yaml_u16(struct sites_yaml_ctx *c, yaml_node_t *n, uint16_t *out, unsigned int lo,
		    unsigned int hi, const char *what)
{
	const char *s = sites_yaml_scalar(c, n, what);
	uint16_t v;

	if (!s)
		return false;
	if (!num_parse_u16(&v, s) || v < lo || v > hi) {
		diag_add(c->d, pos_of(n), "`%s' is not %s; expected a number from %u to %u", s,
			 what, lo, hi);
		return false;
	}
	*out = v;
	return true;
}

/* Names become directory names and DOT identifiers: keep them plain. */
bool sites_yaml_check_name(struct sites_yaml_ctx *c, yaml_node_t *k, const char *name,
			   const char *what)
{
	size_t len = strlen(name);

	if (len && len <= 64 && name[0] != '.' && name[0] != '-' &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
		len)
		return true;
	diag_add(c->d, pos_of(k),
		 "`%s' is not a valid %s name; expected up to 64 letters, digits, '_', '.' or "
		 "'-', not starting with '.' or '-'",
		 name, what);
	return false;
}

static void add_prefix(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s, void *obj,
		       bool network)
{
	struct sites_prefixes *list = obj;
	struct wgallowedip ip = {0}, masked;
	char buf[CIDR_STR_LEN];

	if (!cidr_parse(&ip, s)) {
		diag_add(c->d, pos_of(n), "`%s' is not %s", s,
			 network
			     ? "a prefix; expected an address/length such as 10.1.1.0/24"
			     : "an address; expected an IPv4 or IPv6 address such as 192.168.0.1");
		return;
	}
	masked = ip;
	cidr_mask(&masked);
	if (network && memcmp(&masked.ip6, &ip.ip6, ip.family == AF_INET ? 4 : 16)) {
		cidr_print(buf, sizeof(buf), &masked);
		diag_add(c->d, pos_of(n), "`%s' has host bits set; expected %s", s, buf);
		return;
	}
	if (!network && ip.cidr != cidr_max_len(ip.family)) {
		diag_add(c->d, pos_of(n), "`%s' is a prefix; expected a single address (/%u)", s,
			 cidr_max_len(ip.family));
		return;
	}
	if (!sites_yaml_grow(&list->v, list->n, sizeof(*list->v)))
		return;
	list->v[list->n++] = (struct sites_prefix){.ip = ip, .pos = pos_of(n)};
}

void sites_yaml_add_network(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s, void *obj)
{
	add_prefix(c, n, s, obj, true);
}

void sites_yaml_add_address(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s, void *obj)
{
	add_prefix(c, n, s, obj, false);
}

void sites_yaml_add_string(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s, void *obj)
{
	struct sites_strings *list = obj;
	char *dup;

	(void)c;
	(void)n;
	dup = strdup(s);
	if (!dup || !sites_yaml_grow(&list->v, list->n, sizeof(*list->v))) {
		free(dup);
		return;
	}
	list->v[list->n++] = dup;
}

bool sites_yaml_set_name(struct sites_name *out, yaml_node_t *n, const char *s)
{
	out->name = strdup(s);
	out->pos = pos_of(n);
	return out->name != NULL;
}

void sites_yaml_add_name(struct sites_yaml_ctx *c, yaml_node_t *n, const char *s, void *obj)
{
	struct sites_names *list = obj;

	(void)c;
	if (!sites_yaml_grow(&list->v, list->n, sizeof(*list->v)))
		return;
	if (sites_yaml_set_name(&list->v[list->n], n, s))
		list->n++;
}

void sites_yaml_free_strings(struct sites_strings *s)
{
	size_t i;

	for (i = 0; i < s->n; ++i)
		free(s->v[i]);
	free(s->v);
}

void sites_yaml_free_names(struct sites_names *list)
{
	size_t i;

	for (i = 0; i < list->n; ++i)
		free(list->v[i].name);
	free(list->v);
}
