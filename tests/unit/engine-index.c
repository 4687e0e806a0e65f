// SPDX-License-Identifier: GPL-2.0
/*
 * The receiver index table: unique random indexes, lookup by kind, replace
 * (a handshake's index passing to its keypair), removal, a full table, and
 * references taken on keypair entries (never on one whose count reached 0).
 */
#include <errno.h>
#include "../lib/tap.h"
#include "index.h"

#define N 1000

static struct index_entry entries[N];

static void test_insert_lookup(struct index_table *t)
{
	int i, unique = 1, found = 1;

	for (i = 0; i < N; ++i) {
		entries[i].kind = i % 2 ? INDEX_KEYPAIR : INDEX_HANDSHAKE;
		atomic_init(&entries[i].refs, 1);
		if (index_insert(t, &entries[i]))
			unique = 0;
	}
	is_int(index_count(t), N, "1000 entries inserted");
	for (i = 1; i < N; ++i)
		unique &= entries[i].index != entries[i - 1].index;
	ok(unique, "neighbouring indexes differ");
	for (i = 0; i < N; ++i)
		found &= index_lookup(t, entries[i].index, INDEX_HANDSHAKE | INDEX_KEYPAIR) ==
			 &entries[i];
	ok(found, "every entry is found by its index");
	ok(!index_lookup(t, entries[0].index, INDEX_KEYPAIR), "a handshake is not a keypair");
	ok(index_lookup(t, entries[0].index, INDEX_HANDSHAKE) == &entries[0], "but is a handshake");
	is_int(atomic_load(&entries[1].refs), 2, "keypair lookups took a reference each");
	is_int(atomic_load(&entries[0].refs), 1, "handshake lookups take none");
}

static void test_replace_remove(struct index_table *t)
{
	struct index_entry kp = {.kind = INDEX_KEYPAIR};
	uint32_t idx = entries[0].index;

	atomic_init(&kp.refs, 1);
	index_replace(t, &entries[0], &kp);
	ok(kp.index == idx && kp.is_hashed && !entries[0].is_hashed,
	   "replace hands the index over");
	ok(index_lookup(t, idx, INDEX_KEYPAIR) == &kp, "the index now finds the keypair");
	is_int(index_count(t), N, "the count is unchanged");
	atomic_store(&kp.refs, 0);
	ok(!index_lookup(t, idx, INDEX_KEYPAIR), "a keypair being freed (refs 0) is not returned");
	index_remove(t, &kp);
	index_remove(t, &kp);
	ok(!index_lookup(t, idx, INDEX_KEYPAIR | INDEX_HANDSHAKE) && index_count(t) == N - 1,
	   "removal (twice is harmless)");
	idx = entries[2].index;
	ok(!index_insert(t, &entries[2]) && entries[2].index != idx &&
	       !index_lookup(t, idx, INDEX_HANDSHAKE) && index_count(t) == N - 1,
	   "inserting a hashed entry again moves it to a new index");
}

static void test_full(void)
{
	struct index_table *t = index_table_new(2);
	struct index_entry e[3] = {
	    {.kind = INDEX_HANDSHAKE}, {.kind = INDEX_HANDSHAKE}, {.kind = INDEX_HANDSHAKE}};

	ok(!index_insert(t, &e[0]) && !index_insert(t, &e[1]), "two fit");
	is_int(index_insert(t, &e[2]), -ENOSPC, "the third does not");
	index_remove(t, &e[0]);
	is_int(index_insert(t, &e[2]), 0, "after a removal it does");
	index_table_free(t);
}

int main(void)
{
	struct index_table *t = index_table_new(N);
	int i;

	test_insert_lookup(t);
	test_replace_remove(t);
	for (i = 0; i < N; ++i)
		index_remove(t, &entries[i]);
	is_int(index_count(t), 0, "all removed");
	index_table_free(t);
	test_full();
	return tap_done();
}
