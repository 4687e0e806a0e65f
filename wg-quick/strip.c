// SPDX-License-Identifier: GPL-2.0
/*
 * `wg-quick strip`: the configuration without wg-quick's own keys, which is
 * what `wg setconf` and `wg syncconf` accept.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "quick.h"

int quick_strip(struct quick *q)
{
	/* The script's `echo "$WG_CONFIG"`: the kept lines, then one more newline. */
	if (q->wg_config.p)
		fputs(q->wg_config.p, stdout);
	putchar('\n');
	return fflush(stdout) ? 1 : 0;
}
