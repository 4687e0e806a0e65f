// SPDX-License-Identifier: GPL-2.0
/*
 * The growing buffer behind rendering: doubles, wipes what it leaves behind.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include "textbuf.h"

bool textbuf_reserve(struct textbuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->failed)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = malloc(cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	if (b->p) {
		memcpy(p, b->p, b->len + 1);
		sodium_memzero(b->p, b->cap);
		free(b->p);
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void textbuf_printf(struct textbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!textbuf_reserve(b, n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

void textbuf_clear(struct textbuf *b)
{
	if (b->p)
		sodium_memzero(b->p, b->len);
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void textbuf_free(struct textbuf *b)
{
	if (b->p)
		sodium_memzero(b->p, b->cap);
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}
