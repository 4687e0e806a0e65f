// SPDX-License-Identifier: GPL-2.0
/*
 * wg: configure WireGuard devices. Dispatches argv[1] through one table of
 * subcommands; `wg` alone is `wg show`.
 */
#include <stdio.h>
#include <string.h>

#include "key.h"
#include "wg.h"

#define WG_TOOLS_TWIN "1.0.20210914"

struct wg_cmd {
	const char *name;
	int (*fn)(int argc, const char *argv[]);
	const char *help;
};

static const struct wg_cmd wg_cmds[] = {
    {"show", show_main, "Shows the current configuration and device information"},
    {"showconf", showconf_main,
     "Shows the current configuration of a given WireGuard interface, for use with `setconf'"},
    {"set", set_main, "Change the current configuration, add peers, remove peers, or change peers"},
    {"setconf", setconf_main, "Applies a configuration file to a WireGuard interface"},
    {"addconf", setconf_main, "Appends a configuration file to a WireGuard interface"},
    {"syncconf", setconf_main, "Synchronizes a configuration file to a WireGuard interface"},
    {"genkey", genkey_main, "Generates a new private key and writes it to stdout"},
    {"genpsk", genkey_main, "Generates a new preshared key and writes it to stdout"},
    {"pubkey", pubkey_main, "Reads a private key from stdin and writes a public key to stdout"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", wg_prog_name);
	fprintf(f, "Available subcommands:\n");
	for (i = 0; i < sizeof(wg_cmds) / sizeof(wg_cmds[0]); ++i)
		fprintf(f, "  %s: %s\n", wg_cmds[i].name, wg_cmds[i].help);
	fprintf(f, "You may pass `--help' to any of these subcommands to view usage.\n");
}

static bool is_one_of(const char *arg, const char *a, const char *b, const char *c)
{
	return !strcmp(arg, a) || !strcmp(arg, b) || !strcmp(arg, c);
}

int main(int argc, const char *argv[])
{
	static const char *show_argv[] = {"show", NULL};
	size_t i;

	/*
	 * No sodium_init() here: only key generation and public keys need it,
	 * and lib/key calls it there; its entropy probes cost every other
	 * command start-up time.
	 */
	wg_prog_name = argv[0];
	if (argc == 2 && is_one_of(argv[1], "-v", "--version", "version")) {
		printf("wgkit v%s - wg compatible with wireguard-tools v%s\n", WG_VERSION,
		       WG_TOOLS_TWIN);
		return 0;
	}
	if (argc == 2 && is_one_of(argv[1], "-h", "--help", "help")) {
		usage(stdout);
		return 0;
	}
	if (argc == 1)
		return show_main(1, show_argv);
	for (i = 0; i < sizeof(wg_cmds) / sizeof(wg_cmds[0]); ++i) {
		if (!strcmp(argv[1], wg_cmds[i].name))
			return wg_cmds[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "Invalid subcommand: `%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
