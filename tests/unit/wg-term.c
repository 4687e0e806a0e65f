// SPDX-License-Identifier: GPL-2.0
/*
 * lib/term: WG_COLOR_MODE decides, and escape sequences are removed exactly
 * (up to and including the first letter) when colour is off.
 */
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "tests/lib/tap.h"

static const char *strip(const char *in, char *buf)
{
	size_t n = strlen(in);

	memcpy(buf, in, n);
	buf[term_strip(buf, n)] = '\0';
	return buf;
}

/* What term_fprintf writes with WG_COLOR_MODE=MODE. */
static const char *printed(const char *mode, char *buf, size_t len)
{
	FILE *f = tmpfile();
	size_t n;

	setenv("WG_COLOR_MODE", mode, 1);
	term_reset_mode();
	term_fprintf(f, TERM_BOLD "%s" TERM_RESET ": %d\n", "label", 42);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* What term_puts writes with WG_COLOR_MODE=MODE. */
static const char *put(const char *mode, const char *s, char *buf, size_t len)
{
	FILE *f = tmpfile();
	size_t n;

	setenv("WG_COLOR_MODE", mode, 1);
	term_reset_mode();
	term_puts(f, s);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static __attribute__((noinline)) void test_puts(void)
{
	static const char *const cases[] = {
	    "\x1b[1mab\x1b[0mc",
	    "\x1b[38;5;208mx",
	    "a\x1b"
	    "b",
	    "a\x1b[12",
	    "",
	    "plain",
	    "\x1b[0m\x1b[32m\x1b[1minterface\x1b[0m: ",
	    "\x1b",
	    "x\x1b[",
	};
	char got[256], want[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
		is_str(put("never", cases[i], got, sizeof(got)), strip(cases[i], want),
		       "term_puts filters case %zu as term_strip does", i);
		is_str(put("always", cases[i], got, sizeof(got)), cases[i],
		       "term_puts keeps case %zu whole with colour", i);
	}
}

int main(void)
{
	char buf[2048], big[1500];

	is_str(strip("\x1b[1mab\x1b[0mc", buf), "abc", "strips SGR sequences");
	is_str(strip("\x1b[38;5;208mx", buf), "x", "strips sequences with parameters");
	is_str(strip("a\x1b"
		     "b",
		     buf),
	       "a\x1b"
	       "b",
	       "keeps a lone escape");
	is_str(strip("a\x1b[12", buf), "a", "drops an unterminated sequence");
	is_str(strip("", buf), "", "empty stays empty");
	is_str(printed("never", buf, sizeof(buf)), "label: 42\n", "never: no colour");
	is_str(printed("always", buf, sizeof(buf)), "\x1b[1mlabel\x1b[0m: 42\n", "always: colour");
	is_str(printed("auto", buf, sizeof(buf)), "label: 42\n", "auto: no colour into a file");
	is_str(printed("bogus", buf, sizeof(buf)), "label: 42\n", "unknown modes mean auto");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		FILE *f = tmpfile();
		size_t n;

		setenv("WG_COLOR_MODE", "never", 1);
		term_reset_mode();
		term_fprintf(f, TERM_FG_RED "%s" TERM_RESET, big);
		rewind(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		is_int(n, sizeof(big) - 1, "long output is filtered whole");
		ok(!strchr(buf, '\x1b'), "without escapes");
	}
	test_puts();
	return tap_done();
}
