// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer pools: bounded, all-or-none, memory touched only as objects are
 * first handed out (resident pages counted with mincore), and given back,
 * wiped, at the end of a window in which they stayed free (though other
 * objects were taken meanwhile), except the pages an object still taken sits on.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "../lib/tap.h"
#include "queue.h"

#define OBJ 2112
#define COUNT 1024
#define IDLE 1000

static unsigned int inits;

static void count_init(void *obj)
{
	(void)obj;
	++inits;
}

/* Resident pages of the pool's mapping. */
static size_t resident(const struct queue_pool *p)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = p->map_len / page, r = 0;
	unsigned char *v = malloc(n);

	if (!v || mincore(p->mem, p->map_len, v)) {
		free(v);
		return (size_t)-1;
	}
	for (size_t i = 0; i < n; ++i)
		r += v[i] & 1;
	free(v);
	return r;
}

static void test_grows_on_demand(struct queue_pool *p, void **objs)
{
	ok(resident(p) == 0, "a new pool has no resident pages (%zu)", resident(p));
	is_int((int)queue_pool_used_bytes(p), 0, "and no used bytes");
	is_int((int)queue_pool_get(p, objs, 8), 8, "8 objects");
	is_int((int)inits, 8, "each initialised once, as first handed out");
	memset(objs[0], 0xa5, OBJ);
	ok(resident(p) <= 6, "only their pages are resident (%zu)", resident(p));
	is_int((int)queue_pool_get(p, objs + 8, COUNT), 0, "more than what is left: none");
	is_int((int)queue_pool_get(p, objs + 8, COUNT - 8), COUNT - 8, "all the rest");
	is_int((int)queue_pool_get(p, objs + COUNT, 1), 0, "the pool is bounded");
	queue_pool_put(p, objs, COUNT);
	is_int((int)queue_pool_get(p, objs, COUNT), COUNT, "everything again, from the free list");
	is_int((int)inits, COUNT, "no object initialised twice");
	queue_pool_put(p, objs, COUNT);
}

static void test_trim(struct queue_pool *p, void **objs)
{
	size_t before, page = (size_t)sysconf(_SC_PAGESIZE);

	if (queue_pool_get(p, objs, COUNT) != COUNT)
		return;
	for (int i = 0; i < COUNT; ++i)
		memset(objs[i], 0x5a, OBJ); /* a load's packets */
	queue_pool_put(p, objs, COUNT);
	before = resident(p);
	ok(before >= COUNT * OBJ / page, "after a full load every page is resident (%zu)", before);
	is_int((int)queue_pool_trim(p, 1, IDLE), 0, "the first trim only starts a window");
	is_int((int)queue_pool_trim(p, IDLE, IDLE), 0, "nothing given back before it ends");
	/* A keepalive: one object taken and given back, then one kept. */
	is_int((int)queue_pool_get(p, objs, 1), 1, "one taken");
	queue_pool_put(p, objs, 1);
	is_int((int)queue_pool_get(p, objs, 1), 1, "and again, and kept");
	ok(queue_pool_trim(p, IDLE + 1, IDLE) > 0,
	   "at the window's end what nobody took in it goes back");
	ok(resident(p) <= 2, "only the pages of the one taken object stay (%zu)", resident(p));
	ok(queue_pool_used_bytes(p) == p->size, "the free objects are fresh again");
	is_int((int)queue_pool_trim(p, 2 * IDLE + 2, IDLE), 0,
	       "the next window finds nothing to give");
	inits = 0;
	is_int((int)queue_pool_get(p, objs + 1, COUNT - 1), COUNT - 1,
	       "the rest, as fresh objects");
	is_int((int)inits, COUNT - 1, "initialised again");
	ok(((unsigned char *)objs[1])[OBJ - 1] == 0 && ((unsigned char *)objs[COUNT - 1])[8] == 0,
	   "and wiped");
	queue_pool_put(p, objs, COUNT);
}

/* Objects in use during a window stay, the rest of a load's go back. */
static void test_trim_keeps_working_set(struct queue_pool *p, void **objs)
{
	if (queue_pool_get(p, objs, COUNT) != COUNT)
		return;
	for (int i = 0; i < COUNT; ++i)
		memset(objs[i], 0x5a, OBJ);
	queue_pool_put(p, objs, COUNT);
	queue_pool_trim(p, 10 * IDLE, IDLE); /* the window with the load ends */
	for (int round = 0; round < 3; ++round) {
		is_int((int)queue_pool_get(p, objs, 100), 100, "a light load takes 100");
		queue_pool_put(p, objs, 100);
	}
	ok(queue_pool_trim(p, 11 * IDLE, IDLE) > 0, "what it did not take goes back");
	ok(queue_pool_used_bytes(p) == 100 * p->size, "its 100 stay (%zu bytes used)",
	   queue_pool_used_bytes(p));
	ok(resident(p) <= 100 * OBJ / (size_t)sysconf(_SC_PAGESIZE) + 3,
	   "and only their pages are resident (%zu)", resident(p));
}

int main(void)
{
	static void *objs[COUNT + 1];
	struct queue_pool p;

	if (queue_pool_init(&p, OBJ, COUNT))
		return 1;
	p.init = count_init;
	test_grows_on_demand(&p, objs);
	test_trim(&p, objs);
	test_trim_keeps_working_set(&p, objs);
	queue_pool_free(&p);
	return tap_done();
}
