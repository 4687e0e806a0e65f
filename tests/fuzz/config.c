// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for lib/config: the input is a wg(8) configuration file,
 * fed line by line as `wg setconf` does, then the same bytes as `wg set`
 * arguments; a parsed model is walked in full so that a half-linked peer or
 * allowed IP shows up under ASan.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Diagnostics are expected: -close_fd_mask=2 silences our stderr while
 * libFuzzer keeps its own (crash reports included). Names must not make the
 * fuzzer wait on resolver retries.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char *args[64];
	static char mask[] = "-close_fd_mask=2";
	int i, n = *argc < 62 ? *argc : 62;

	for (i = 0; i < n; ++i)
		args[i] = (*argv)[i];
	args[n++] = mask;
	args[n] = NULL;
	*argc = n;
	*argv = args;
	setenv("WG_ENDPOINT_RESOLUTION_RETRIES", "0", 1);
	return 0;
}

static void walk(const struct wgdevice *dev)
{
	const struct wgpeer *peer;
	const struct wgallowedip *aip;

	for_each_wgpeer (dev, peer) {
		if (!(peer->flags & WGPEER_HAS_PUBLIC_KEY))
			abort(); /* finish must refuse such a peer */
		for_each_wgallowedip (peer, aip) {
			if (aip->cidr > (aip->family == AF_INET ? 32 : 128))
				abort();
		}
		if (dev->last_peer == peer && peer->next_peer)
			abort();
	}
}

/*
 * The same bytes as `wg set` arguments, split at NUL. Key files are left out:
 * a path like /dev/stdin would make the fuzzer wait.
 */
static void fuzz_cmd(char *text, size_t size)
{
	const char *argv[64];
	struct wgdevice *dev;
	size_t at = 0;
	int argc = 0;

	while (at < size && argc < 64) {
		argv[argc] = text + at;
		if (strstr(argv[argc], "-key"))
			return;
		at += strlen(argv[argc++]) + 1;
	}
	dev = config_read_cmd(argv, argc);
	if (dev)
		walk(dev);
	model_device_free(dev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_ctx ctx;
	struct wgdevice *dev;
	char *text = malloc(size + 1), *line, *rest;
	unsigned int lineno = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (config_read_init(&ctx, "fuzz.conf", size & 1)) {
		rest = text;
		while ((line = strsep(&rest, "\n")) && config_read_line(&ctx, line, ++lineno))
			;
	}
	dev = config_read_finish(&ctx);
	if (dev)
		walk(dev);
	model_device_free(dev);
	memcpy(text, data, size);
	fuzz_cmd(text, size);
	free(text);
	return 0;
}
