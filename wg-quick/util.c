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
	textbuf_free(&q->wg_config);
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
