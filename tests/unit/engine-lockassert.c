// SPDX-License-Identifier: GPL-2.0
/*
 * The lock assertions hold only for the thread that holds the lock: each one
 * is run in a child process, by the owner (it must pass) and by another thread
 * while the owner holds the lock (it must abort), for a mutex, a write lock
 * and a read lock; a lock nobody holds fails too.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include "../lib/tap.h"
#include "lockassert.h"

enum kind { MUTEX, WRITE, READ };

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t l = PTHREAD_RWLOCK_INITIALIZER;

static void take(enum kind k)
{
	if (k == MUTEX)
		pthread_mutex_lock(&m);
	else if (k == WRITE)
		rwlock_wrlock(&l);
	else
		rwlock_rdlock(&l);
}

static void check(enum kind k)
{
	if (k == MUTEX)
		mutex_assert_held(&m);
	else if (k == WRITE)
		rwlock_assert_write_held(&l);
	else
		rwlock_assert_held(&l);
}

static void *holder(void *arg)
{
	take((enum kind)(long)arg);
	pause();
	return NULL;
}

/* In a child: who == 0 the owner checks; 1 another thread holds it; 2 nobody does. */
static int run(enum kind k, int who)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		pthread_t t;

		/* No core file and no assertion text for the expected aborts. */
		signal(SIGABRT, SIG_DFL);
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		if (who == 0)
			take(k);
		if (who == 1) {
			pthread_create(&t, NULL, holder, (void *)(long)k);
			usleep(50000);
		}
		check(k);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

int main(void)
{
	static const char *const names[] = {"a mutex", "a write lock", "a read lock"};

	for (int k = MUTEX; k <= READ; ++k) {
		is_int(run(k, 0), 0, "%s: the owner's assertion passes", names[k]);
		is_int(run(k, 1), SIGABRT, "%s held by another thread: the assertion fails",
		       names[k]);
		is_int(run(k, 2), SIGABRT, "%s held by nobody: the assertion fails", names[k]);
	}
	rwlock_rdlock(&l);
	rwlock_rdlock(&l);
	rwlock_unlock(&l);
	rwlock_assert_held(&l);
	ok(1, "a read lock taken twice and released once is still held");
	rwlock_unlock(&l);
	return tap_done();
}
