/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The receiver index table: every handshake in progress and every keypair has
 * a random 32-bit local index that the other side puts in its messages. The
 * table maps an index back to its entry (embedded in a noise_handshake or a
 * noise_keypair). It is internally locked (a reader-writer lock), so lookups
 * from worker threads and changes from the handshake thread may overlap.
 */
#ifndef ENGINE_INDEX_H
#define ENGINE_INDEX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum index_kind {
	INDEX_HANDSHAKE = 1 << 0,
	INDEX_KEYPAIR = 1 << 1,
};

/*
 * Embedded in the object it names. For INDEX_KEYPAIR entries refs is the
 * keypair's reference count, which index_lookup raises (unless it is 0).
 */
struct index_entry {
	struct index_entry *next; /* hash chain, owned by the table */
	void *peer;		  /* the device's peer, opaque here */
	uint32_t index;
	enum index_kind kind;
	bool is_hashed;
	atomic_uint refs;
};

struct index_table;

/* The operations noise uses, so that tests can supply their own table. */
struct index_ops {
	/* Gives e a fresh random index not in use and adds it (removing it first if hashed). */
	int (*insert)(void *ctx, struct index_entry *e);
	/* Gives new_e old_e's index and swaps it in place of old_e, atomically. */
	void (*replace)(void *ctx, struct index_entry *old_e, struct index_entry *new_e);
	/* Removes e if hashed. */
	void (*remove)(void *ctx, struct index_entry *e);
	/* Finds index among entries whose kind is in kinds; see index_lookup. */
	struct index_entry *(*lookup)(void *ctx, uint32_t index, unsigned int kinds);
	void *ctx;
};

/* A table sized for about max_entries live entries; NULL with errno on failure. */
struct index_table *index_table_new(unsigned int max_entries);
/* Frees the table (not the entries, which their owners free). */
void index_table_free(struct index_table *t);
/* 0, or -ENOSPC when the table is full. */
int index_insert(struct index_table *t, struct index_entry *e) __attribute__((warn_unused_result));
void index_replace(struct index_table *t, struct index_entry *old_e, struct index_entry *new_e);
void index_remove(struct index_table *t, struct index_entry *e);
/*
 * The entry with this index and a kind in kinds, or NULL. A keypair entry is
 * returned with a reference taken (release it with noise_keypair_put); a
 * handshake entry lives as long as its peer, which the device keeps alive.
 */
struct index_entry *index_lookup(struct index_table *t, uint32_t index, unsigned int kinds);
/* Fills ops with this table's functions. */
void index_table_ops(struct index_table *t, struct index_ops *ops);
/* Number of entries in the table. */
unsigned int index_count(struct index_table *t);

#endif
