// SPDX-License-Identifier: GPL-2.0
/*
 * lib/progress: drawn on a terminal (a pty here), never on a file; one redraw
 * per percent; erased at the end; nothing below the threshold.
 */
#include <fcntl.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "progress.h"
#include "tests/lib/tap.h"

/* Runs STEPS steps of a TOTAL count on F, then ends it. */
static void count_to(FILE *f, size_t total, size_t steps, size_t min)
{
	struct progress pr;
	size_t i;

	progress_start(&pr, f, "writing configs", total, min);
	for (i = 0; i < steps; ++i)
		progress_step(&pr);
	progress_end(&pr);
}

/* What the pty's other side has received so far, as a string. */
static size_t drain(int master, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len - 1 && (r = read(master, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n;
}

static size_t count_of(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

static void test_file(void)
{
	FILE *f = tmpfile();

	count_to(f, 1000, 1000, 100);
	is_int(ftell(f), 0, "a file gets nothing");
	fclose(f);
}

static void test_pty(void)
{
	static char buf[1 << 16];
	struct termios raw;
	int master, slave;
	FILE *f;

	if (openpty(&master, &slave, NULL, NULL, NULL) < 0) {
		ok(1, "# SKIP no pty");
		return;
	}
	tcgetattr(slave, &raw);
	cfmakeraw(&raw);
	tcsetattr(slave, TCSANOW, &raw);
	fcntl(master, F_SETFL, O_NONBLOCK);
	f = fdopen(slave, "w");
	count_to(f, 1000, 1000, 100);
	drain(master, buf, sizeof(buf));
	is_int(count_of(buf, "writing configs: "), 101, "a terminal gets one line per percent");
	ok(strstr(buf, "\rwriting configs: 0/1000 (0%)") == buf, "the first is 0/1000 (0%%)");
	ok(strstr(buf, "\rwriting configs: 1000/1000 (100%)\r\x1b[K") != NULL,
	   "the last is 1000/1000 (100%%), then the line is erased");
	count_to(f, 100, 100, 100);
	is_int(drain(master, buf, sizeof(buf)), 0, "nothing for a total at the threshold");
	count_to(f, 7, 3, 0);
	drain(master, buf, sizeof(buf));
	ok(strstr(buf, "3/7 (42%)\r\x1b[K") != NULL, "stopping early still erases the line");
	fclose(f);
	close(master);
}

int main(void)
{
	test_file();
	test_pty();
	return tap_done();
}
