// SPDX-License-Identifier: GPL-2.0
/*
 * wg-quick: sets up a WireGuard interface from a config file, the C twin of
 * wireguard-tools' wg-quick(8) script: same commands, same `[#]` lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "quick.h"

static const char usage_text[] =
    "Usage: %s [ up | down | save | strip ] [ CONFIG_FILE | INTERFACE ]\n"
    "\n"
    "  CONFIG_FILE is a configuration file, whose filename is the interface name\n"
    "  followed by `.conf'. Otherwise, INTERFACE is an interface name, with\n"
    "  configuration found at /etc/wireguard/INTERFACE.conf. It is to be readable\n"
    "  by wg(8)'s `setconf' sub-command, with the exception of the following additions\n"
    "  to the [Interface] section, which are handled by %s:\n"
    "\n"
    "  - Address: may be specified one or more times and contains one or more\n"
    "    IP addresses (with an optional CIDR mask) to be set for the interface.\n"
    "  - DNS: an optional DNS server to use while the device is up.\n"
    "  - MTU: an optional MTU for the interface; if unspecified, auto-calculated.\n"
    "  - Table: an optional routing table to which routes will be added; if\n"
    "    unspecified or `auto', the default table is used. If `off', no routes\n"
    "    are added.\n"
    "  - PreUp, PostUp, PreDown, PostDown: script snippets which will be executed\n"
    "    by bash(1) at the corresponding phases of the link, most commonly used\n"
    "    to configure DNS. The string `%%i' is expanded to INTERFACE.\n"
    "  - SaveConfig: if set to `true', the configuration is saved from the current\n"
    "    state of the interface upon shutdown.\n"
    "\n"
    "See wg-quick(8) for more info and examples.\n";

static const struct {
	const char *name;
	int (*fn)(struct quick *q);
	bool parse_wg; /* only `up` needs the wg part parsed into a model */
} commands[] = {
    {"up", quick_up, true},
    {"down", quick_down, false},
    {"save", quick_save, false},
    {"strip", quick_strip, false},
};

static void usage(const char *program)
{
	fprintf(stderr, usage_text, program, program);
}

/* Not root: ask sudo to run us again, as the script's auto_su does. */
static void auto_su(const char *program, int argc, const char *argv[])
{
	char prompt[256], *self;
	const char **args;
	int i;

	if (!getuid())
		return;
	self = realpath("/proc/self/exe", NULL);
	args = calloc((size_t)argc + 5, sizeof(*args));
	if (!self || !args) {
		fprintf(stderr, "%s: must be run as root\n", program);
		exit(1);
	}
	snprintf(
	    prompt, sizeof(prompt),
	    "%s must be run as root. Please enter the password for %%u to continue: ", program);
	args[0] = "sudo";
	args[1] = "-p";
	args[2] = prompt;
	args[3] = "--";
	args[4] = self;
	for (i = 1; i < argc; i++)
		args[4 + i] = argv[i];
	execvp("sudo", (char *const *)args);
	fprintf(stderr, "%s: must be run as root, and sudo failed: %s\n", program, strerror(errno));
	exit(1);
}

/* As the script: our own folder first in PATH (for wg-engine and hooks), LC_ALL=C. */
static void set_env(void)
{
	char *self = realpath("/proc/self/exe", NULL), *path = NULL;
	const char *old = getenv("PATH");

	setenv("LC_ALL", "C", 1);
	if (self && asprintf(&path, "%s%s%s", dirname(self), old ? ":" : "", old ? old : "") >= 0)
		setenv("PATH", path, 1);
	free(path);
	free(self);
}

static int run(const char *program, int idx, const char *arg)
{
	struct quick q = {.program = program};
	int ret = quick_conf_load(&q, arg, commands[idx].parse_wg);

	if (!ret) {
		q.rt = rtnl_open();
		if (!q.rt) {
			quick_err(&q, "Unable to open rtnetlink: %s", strerror(errno));
			ret = 1;
		}
	}
	if (!ret)
		ret = commands[idx].fn(&q);
	quick_free(&q);
	return ret;
}

int main(int argc, const char *argv[])
{
	const char *program = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	size_t i;

	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		usage(program);
		return 0;
	}
	for (i = 0; argc == 3 && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		auto_su(program, argc, argv);
		if (sodium_init() < 0) {
			fprintf(stderr, "%s: Unable to initialise libsodium\n", program);
			return 1;
		}
		set_env();
		return run(program, (int)i, argv[2]);
	}
	usage(program);
	return 1;
}
