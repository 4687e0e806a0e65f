// SPDX-License-Identifier: GPL-2.0
/*
 * PreUp, PostUp, PreDown and PostDown: each snippet, with %i replaced by the
 * interface name, is echoed and run by bash(1), in the order written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quick.h"

/* A copy of hook with every "%i" replaced by iface; NULL on ENOMEM. */
static char *hook_expand(const char *hook, const char *iface)
{
	size_t n = 0, ilen = strlen(iface);
	const char *p;
	char *out, *o;

	for (p = strstr(hook, "%i"); p; p = strstr(p + 2, "%i"))
		n++;
	out = malloc(strlen(hook) + n * ilen + 1);
	if (!out)
		return NULL;
	for (o = out; *hook;) {
		if (hook[0] == '%' && hook[1] == 'i') {
			memcpy(o, iface, ilen);
			o += ilen;
			hook += 2;
		} else {
			*o++ = *hook++;
		}
	}
	*o = '\0';
	return out;
}

/*
 * The script evaluates hooks in a subshell of itself, so they run under its
 * `set -e -o pipefail` and extglob, and see its INTERFACE and CONFIG_FILE.
 */
static const char hook_prelude[] = "INTERFACE=$1 CONFIG_FILE=$2; shift 2; eval \"$1\"";

int quick_hooks_run(struct quick *q, const struct quick_strv *hooks)
{
	size_t i;
	int ret;

	for (i = 0; i < hooks->n; i++) {
		char *cmd = hook_expand(hooks->v[i], q->iface);
		const char *argv[] = {"bash",	      "-e", "-o",	  "pipefail", "-O",
				      "extglob",      "-c", hook_prelude, "wg-quick", q->iface,
				      q->config_file, cmd,  NULL};

		if (!cmd)
			return -1;
		quick_echo("%s", cmd);
		ret = quick_run(argv, NULL, 0, NULL);
		free(cmd);
		if (quick_run_result(q, ret))
			return -1;
	}
	return 0;
}
