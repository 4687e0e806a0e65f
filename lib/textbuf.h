/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growing text buffer that may hold keys (wg-mesh's configs, wg-quick's wg
 * part): growth copies and wipes the old block, and textbuf_free wipes.
 * Appends are amortised O(1), so rendering a config is linear in its size.
 */
#ifndef WG_TEXTBUF_H
#define WG_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct textbuf {
	char *p;
	size_t len, cap;
	bool failed; /* an allocation failed; the content is incomplete */
};

bool textbuf_reserve(struct textbuf *b, size_t more);
void textbuf_printf(struct textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Wipes and frees. */
void textbuf_free(struct textbuf *b);
/* Wipes the content and keeps the memory for reuse. */
void textbuf_clear(struct textbuf *b);

static inline void textbuf_add(struct textbuf *b, const void *mem, size_t len)
{
	if (!textbuf_reserve(b, len))
		return;
	memcpy(b->p + b->len, mem, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static inline void textbuf_puts(struct textbuf *b, const char *s)
{
	textbuf_add(b, s, strlen(s));
}

#endif
