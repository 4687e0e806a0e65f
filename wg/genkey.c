// SPDX-License-Identifier: GPL-2.0
/*
 * `wg genkey` and `wg genpsk`: a fresh key in base64 on stdout. Redirected to
 * a file others could read, it warns first, as wireguard-tools does.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>

#include "key.h"
#include "wg.h"

static void warn_if_world_accessible(void)
{
	struct stat st;

	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fputs("Warning: writing to world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n",
		      stderr);
}

int genkey_main(int argc, const char *argv[])
{
	uint8_t key[WG_KEY_LEN];
	char b64[KEY_B64_LEN];

	if (argc != 1) {
		fprintf(stderr, "Usage: %s %s\n", wg_prog_name, argv[0]);
		return 1;
	}
	warn_if_world_accessible();
	if (!strcmp(argv[0], "genkey"))
		key_generate_private(key);
	else
		key_generate_preshared(key);
	key_to_base64(b64, key);
	puts(b64);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(b64, sizeof(b64));
	return 0;
}
