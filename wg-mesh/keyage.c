// SPDX-License-Identifier: GPL-2.0
/*
 * Warns about keys that have lived longer than the mesh allows, and rotates
 * them on request. Ages come from the keystore's dates, so they need no
 * clock of their own beyond the `now' the caller passes.
 */
#include <inttypes.h>
#include <stdio.h>
#include "keyage.h"

void keyage_format(char *buf, size_t len, uint64_t age)
{
	if (age % 86400)
		snprintf(buf, len, "%" PRIu64 "h", age / 3600);
	else
		snprintf(buf, len, "%" PRIu64 "d", age / 86400);
}

static bool is_older(const struct keystore_entry *e, uint64_t age, time_t now)
{
	return e->made < now && (uint64_t)(now - e->made) > age;
}

static void warn_one(struct plan *p, const struct plan_node *n, const char *max, time_t now)
{
	char date[KEYSTORE_DATE_LEN];

	keystore_format_date(date, n->key->made);
	diag_add(&p->warnings, n->is_client ? n->client->pos : n->site->pos,
		 "the key of %s `%s' is %lld days old (made %s), older than key-max-age %s; "
		 "expected a newer key: `wg-mesh plan --rotate %s' (or --rotate-older-than %s "
		 "for every such key)",
		 n->is_client ? "client" : "site", n->name,
		 (long long)((now - n->key->made) / 86400), date, max, n->name, max);
}

void keyage_warn(struct plan *p, time_t now)
{
	uint64_t age = p->m->key_max_age;
	size_t i, old = 0;
	char max[24];

	if (!age)
		return;
	keyage_format(max, sizeof(max), age);
	for (i = 0; i < p->n_sites + p->n_clients; ++i) {
		const struct plan_node *n =
		    i < p->n_sites ? &p->sites[i] : &p->clients[i - p->n_sites];

		if (!n->key || !is_older(n->key, age, now))
			continue;
		if (old++ < KEYAGE_SHOWN)
			warn_one(p, n, max, now);
	}
	if (old > KEYAGE_SHOWN)
		diag_add(&p->warnings, p->m->key_max_age_pos,
			 "%zu more keys are older than key-max-age %s; expected newer keys: "
			 "`wg-mesh plan --rotate-older-than %s'",
			 old - KEYAGE_SHOWN, max, max);
}

size_t keyage_rotate_older(struct keystore *ks, uint64_t age, time_t now)
{
	size_t i, n = 0;

	for (i = 0; i < ks->n; ++i) {
		if (!is_older(&ks->entries[i], age, now))
			continue;
		keystore_rotate(&ks->entries[i]);
		n++;
	}
	return n;
}
