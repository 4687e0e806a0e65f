// SPDX-License-Identifier: GPL-2.0
/*
 * Colour decisions and escape-sequence filtering. Output is formatted once,
 * with colour codes, and filtered on the way out, so printers need no
 * colour-less variants.
 */
#include "term.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

static int color_mode = -1;

void term_reset_mode(void)
{
	color_mode = -1;
}

bool term_color_enabled(FILE *f)
{
	const char *var;

	if (color_mode >= 0)
		return color_mode;
	var = getenv("WG_COLOR_MODE");
	if (var && !strcmp(var, "always"))
		color_mode = 1;
	else if (var && !strcmp(var, "never"))
		color_mode = 0;
	else
		color_mode = isatty(fileno(f));
	return color_mode;
}

size_t term_strip(char *s, size_t len)
{
	size_t in = 0, out = 0;

	while (in < len) {
		if (s[in] == '\x1b' && in + 1 < len && s[in + 1] == '[') {
			in += 2;
			while (in < len && !isalpha((unsigned char)s[in]))
				++in;
			if (in < len)
				++in;
			continue;
		}
		s[out++] = s[in++];
	}
	return out;
}

/* Skips the CSI sequence at S ("\x1b[" up to its first letter), as term_strip. */
static const char *skip_csi(const char *s)
{
	s += 2;
	while (*s && !isalpha((unsigned char)*s))
		++s;
	return *s ? s + 1 : s;
}

void term_puts(FILE *f, const char *s)
{
	size_t n;

	if (term_color_enabled(f)) {
		fputs(s, f);
		return;
	}
	while (*s) {
		n = strcspn(s, "\x1b");
		fwrite(s, 1, n, f);
		s += n;
		if (!*s)
			break;
		if (s[1] == '[')
			s = skip_csi(s);
		else
			putc(*s++, f);
	}
}

int term_fprintf(FILE *f, const char *fmt, ...)
{
	char small[512], *buf = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (term_color_enabled(f)) {
		n = vfprintf(f, fmt, ap);
		va_end(ap);
		return n;
	}
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(small)) {
		buf = malloc((size_t)n + 1);
		if (!buf)
			return -1;
		va_start(ap, fmt);
		vsnprintf(buf, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	n = (int)term_strip(buf, (size_t)n);
	fwrite(buf, 1, (size_t)n, f);
	/* The text may be a key shown with WG_HIDE_KEYS=never. */
	sodium_memzero(buf, (size_t)n);
	if (buf != small)
		free(buf);
	return n;
}
