// SPDX-License-Identifier: GPL-2.0
/*
 * `wg pubkey`: exactly one base64 private key on stdin (whitespace and NULs
 * may follow it), its public key on stdout.
 */
#include <stdio.h>
#include <sodium.h>

#include "key.h"
#include "wg.h"

static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* True when nothing but whitespace and NULs is left on stdin. */
static bool only_space_left(void)
{
	int c;

	while ((c = getc(stdin)) != EOF) {
		if (c && !is_space(c))
			return false;
	}
	return true;
}

int pubkey_main(int argc, const char *argv[])
{
	uint8_t key[WG_KEY_LEN], pub[WG_KEY_LEN];
	char b64[KEY_B64_LEN];
	int ret = 1;

	if (argc != 1) {
		fprintf(stderr, "Usage: %s %s\n", wg_prog_name, argv[0]);
		return 1;
	}
	/* Unbuffered, so no copy of the private key lingers in stdio's buffer. */
	setvbuf(stdin, NULL, _IONBF, 0);
	if (fread(b64, 1, KEY_B64_LEN - 1, stdin) != KEY_B64_LEN - 1) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", wg_prog_name);
		goto out;
	}
	b64[KEY_B64_LEN - 1] = '\0';
	if (!only_space_left()) {
		fprintf(stderr, "%s: Trailing characters found after key\n", wg_prog_name);
		goto out;
	}
	if (!key_from_base64(key, b64)) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", wg_prog_name);
		goto out;
	}
	key_public_from_private(pub, key);
	key_to_base64(b64, pub);
	puts(b64);
	ret = 0;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(b64, sizeof(b64));
	return ret;
}
