// SPDX-License-Identifier: GPL-2.0
/*
 * The progress line: at most one redraw per percent, so counting a million
 * steps costs a hundred writes; the line is erased (CR, erase to end of line)
 * before the caller prints anything else.
 */
#include <unistd.h>
#include "progress.h"

static void draw(struct progress *pr)
{
	fprintf(pr->out, "\r%s: %zu/%zu (%u%%)", pr->what, pr->done, pr->total, pr->shown);
	fflush(pr->out);
}

void progress_start(struct progress *pr, FILE *out, const char *what, size_t total, size_t min)
{
	pr->out = total > min && isatty(fileno(out)) ? out : NULL;
	pr->what = what;
	pr->done = 0;
	pr->total = total;
	pr->shown = 0;
	if (pr->out)
		draw(pr);
}

void progress_step(struct progress *pr)
{
	unsigned int pct;

	if (!pr->out || pr->done >= pr->total)
		return;
	pr->done++;
	pct = (unsigned int)(pr->done * 100 / pr->total);
	if (pct == pr->shown && pr->done != pr->total)
		return;
	pr->shown = pct;
	draw(pr);
}

void progress_end(struct progress *pr)
{
	if (!pr->out)
		return;
	fputs("\r\x1b[K", pr->out);
	fflush(pr->out);
	pr->out = NULL;
}
