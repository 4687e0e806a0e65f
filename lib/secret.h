/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers for buffers that held secrets: wipe before release.
 */
#ifndef WG_SECRET_H
#define WG_SECRET_H

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

/* Wipes a NUL-terminated string in place (NULL is fine). */
static inline void secret_wipe_str(char *s)
{
	if (s)
		sodium_memzero(s, strlen(s));
}

/* Wipes then frees a NUL-terminated string (NULL is fine). */
static inline void secret_free_str(char *s)
{
	secret_wipe_str(s);
	free(s);
}

/* Wipes then frees a buffer of known length (NULL is fine). */
static inline void secret_free(void *p, size_t len)
{
	if (p)
		sodium_memzero(p, len);
	free(p);
}

#endif
