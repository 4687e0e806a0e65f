// SPDX-License-Identifier: GPL-2.0
/*
 * The receiver index table: a chained hashtable keyed by random 32-bit
 * indexes, behind one reader-writer lock. Indexes are random so that they
 * reveal nothing about how many sessions we hold.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sodium.h>
#include "index.h"
#include "lockassert.h"

struct index_table {
	pthread_rwlock_t lock;
	struct index_entry **buckets;
	unsigned int mask;
	unsigned int count;
	unsigned int max_entries;
};

struct index_table *index_table_new(unsigned int max_entries)
{
	struct index_table *t;
	unsigned int size = 64;

	while (size < max_entries && size < (1U << 22))
		size <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->buckets = calloc(size, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->mask = size - 1;
	t->max_entries = max_entries;
	pthread_rwlock_init(&t->lock, NULL);
	return t;
}

void index_table_free(struct index_table *t)
{
	if (!t)
		return;
	pthread_rwlock_destroy(&t->lock);
	free(t->buckets);
	free(t);
}

static struct index_entry **bucket(struct index_table *t, uint32_t index)
{
	/* Indexes are uniformly random, so their low bits make a fine hash. */
	return &t->buckets[index & t->mask];
}

static struct index_entry *find(struct index_table *t, uint32_t index)
{
	struct index_entry *e;

	for (e = *bucket(t, index); e; e = e->next)
		if (e->index == index)
			return e;
	return NULL;
}

/* Caller holds t->lock for writing. */
static void unlink_entry(struct index_table *t, struct index_entry *e)
{
	struct index_entry **pp;

	rwlock_assert_write_held(&t->lock);
	for (pp = bucket(t, e->index); *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			e->next = NULL;
			e->is_hashed = false;
			--t->count;
			return;
		}
	}
}

int index_insert(struct index_table *t, struct index_entry *e)
{
	struct index_entry **b;
	int ret = 0;

	rwlock_wrlock(&t->lock);
	if (e->is_hashed)
		unlink_entry(t, e);
	if (t->count >= t->max_entries) {
		ret = -ENOSPC;
		goto out;
	}
	do
		e->index = randombytes_random();
	while (find(t, e->index));
	b = bucket(t, e->index);
	e->next = *b;
	*b = e;
	e->is_hashed = true;
	++t->count;
out:
	rwlock_unlock(&t->lock);
	return ret;
}

void index_replace(struct index_table *t, struct index_entry *old_e, struct index_entry *new_e)
{
	struct index_entry **pp;

	rwlock_wrlock(&t->lock);
	if (new_e->is_hashed)
		unlink_entry(t, new_e);
	new_e->index = old_e->index;
	for (pp = bucket(t, old_e->index); old_e->is_hashed && *pp; pp = &(*pp)->next) {
		if (*pp != old_e)
			continue;
		new_e->next = old_e->next;
		*pp = new_e;
		new_e->is_hashed = true;
		old_e->next = NULL;
		old_e->is_hashed = false;
		break;
	}
	rwlock_unlock(&t->lock);
}

void index_remove(struct index_table *t, struct index_entry *e)
{
	rwlock_wrlock(&t->lock);
	if (e->is_hashed)
		unlink_entry(t, e);
	rwlock_unlock(&t->lock);
}

/* Raises e->refs unless it already reached 0 (the object is being freed). */
static bool get_unless_zero(struct index_entry *e)
{
	unsigned int refs = atomic_load(&e->refs);

	while (refs)
		if (atomic_compare_exchange_weak(&e->refs, &refs, refs + 1))
			return true;
	return false;
}

struct index_entry *index_lookup(struct index_table *t, uint32_t index, unsigned int kinds)
{
	struct index_entry *e;

	rwlock_rdlock(&t->lock);
	e = find(t, index);
	if (e && !(e->kind & kinds))
		e = NULL;
	if (e && e->kind == INDEX_KEYPAIR && !get_unless_zero(e))
		e = NULL;
	rwlock_unlock(&t->lock);
	return e;
}

unsigned int index_count(struct index_table *t)
{
	unsigned int n;

	rwlock_rdlock(&t->lock);
	n = t->count;
	rwlock_unlock(&t->lock);
	return n;
}

static int ops_insert(void *ctx, struct index_entry *e)
{
	return index_insert(ctx, e);
}

static void ops_replace(void *ctx, struct index_entry *old_e, struct index_entry *new_e)
{
	index_replace(ctx, old_e, new_e);
}

static void ops_remove(void *ctx, struct index_entry *e)
{
	index_remove(ctx, e);
}

static struct index_entry *ops_lookup(void *ctx, uint32_t index, unsigned int kinds)
{
	return index_lookup(ctx, index, kinds);
}

void index_table_ops(struct index_table *t, struct index_ops *ops)
{
	ops->insert = ops_insert;
	ops->replace = ops_replace;
	ops->remove = ops_remove;
	ops->lookup = ops_lookup;
	ops->ctx = t;
}
