// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers shared by wg-quick's steps: string lists, the "[#]" echo,
 * error messages and PATH lookups.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quick.h"
#include "rtnl.h"
#include "secret.h"

int quick_strv_push(struct quick_strv *sv, const char *s)
{
	char **v;

	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;

		v = realloc(sv->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n] = strdup(s);
	if (!sv->v[sv->n])
		return -ENOMEM;
	sv->n++;
	return 0;
}

void quick_strv_free(struct quick_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

void quick_free(struct quick *q)
{
	quick_strv_free(&q->addresses);
	quick_strv_free(&q->dns);
	quick_strv_free(&q->dns_search);
	quick_strv_free(&q->pre_up);
	quick_strv_free(&q->post_up);
	quick_strv_free(&q->pre_down);
	quick_strv_free(&q->post_down);
	free(q->config_file);
	free(q->table_str);
	/* The wg part holds the private key. */
	quick_text_free(&q->wg_config);
	model_device_free(q->device);
	rtnl_close(q->rt);
	memset(q, 0, sizeof(*q));
}

void quick_echo(const char *fmt, ...)
{
	va_list ap;

	fputs("[#] ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void quick_err(const struct quick *q, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", q->program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

char *quick_which(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char *full;

	if (strchr(name, '/'))
		return access(name, X_OK) ? NULL : strdup(name);
	for (p = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin"; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (asprintf(&full, "%.*s/%s", (int)(end - p), end == p ? "." : p, name) < 0)
			return NULL;
		if (!access(full, X_OK))
			return full;
		free(full);
	}
	return NULL;
}

void quick_rtnl_error(struct quick *q, int err)
{
	const char *msg = q->rt ? rtnl_errmsg(q->rt) : "";
	size_t len = strlen(msg);

	if (len)
		fprintf(stderr, "Error: %s%s\n", msg, msg[len - 1] == '.' ? "" : ".");
	else
		fprintf(stderr, "RTNETLINK answers: %s\n", strerror(-err));
	q->status = 2;
}

/* Grows t to hold `more` bytes besides its NUL; old buffers are wiped, not just freed. */
static bool text_reserve(struct quick_text *t, size_t more)
{
	size_t cap = t->cap ? t->cap : 256;
	char *s;

	if (t->len + more + 1 <= t->cap)
		return true;
	while (cap < t->len + more + 1)
		cap *= 2;
	s = malloc(cap);
	if (!s) {
		t->failed = true;
		return false;
	}
	if (t->s) {
		memcpy(s, t->s, t->len + 1);
		sodium_memzero(t->s, t->cap);
		free(t->s);
	}
	t->s = s;
	t->cap = cap;
	return true;
}

void quick_text_add(struct quick_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->failed || n < 0 || !text_reserve(t, (size_t)n)) {
		t->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

void quick_text_free(struct quick_text *t)
{
	if (t->s) {
		sodium_memzero(t->s, t->cap);
		free(t->s);
	}
	memset(t, 0, sizeof(*t));
}
