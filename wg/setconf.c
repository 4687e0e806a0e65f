// SPDX-License-Identifier: GPL-2.0
/*
 * `wg setconf`, `wg addconf` and `wg syncconf IFACE FILE`. setconf replaces
 * the device's peers, addconf adds to them, and syncconf replaces them without
 * disturbing peers the file keeps: it reads the device and removes only the
 * peers the file does not name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "config.h"
#include "ipc.h"
#include "wg.h"

/* Feeds every line of F to the parser, stopping at the first bad one. */
static bool read_lines(struct config_ctx *ctx, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	bool ok = true;

	while (ok && getline(&line, &cap, f) >= 0)
		ok = config_read_line(ctx, line, ++lineno);
	if (line)
		sodium_memzero(line, cap);
	free(line);
	return ok;
}

/*
 * Reads PATH into a model; NULL after the message. stdio buffers the file in
 * memory we own, so the private key it holds can be wiped afterwards.
 */
static struct wgdevice *read_config(const char *path, bool append)
{
	struct config_ctx ctx;
	char *buf;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror("fopen");
		return NULL;
	}
	buf = malloc(BUFSIZ);
	if (buf)
		setvbuf(f, buf, _IOFBF, BUFSIZ);
	if (config_read_init(&ctx, path, append))
		read_lines(&ctx, f);
	fclose(f);
	if (buf)
		sodium_memzero(buf, BUFSIZ);
	free(buf);
	/* A failed line makes config_read_finish() say so and return NULL. */
	return config_read_finish(&ctx);
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, WG_KEY_LEN);
}

/* Prepends a peer that removes KEY from the device. 0 or -ENOMEM. */
static int prepend_removal(struct wgdevice *dev, const uint8_t key[WG_KEY_LEN])
{
	struct wgpeer *peer = calloc(1, sizeof(*peer));

	if (!peer)
		return -ENOMEM;
	peer->flags = WGPEER_REMOVE_ME | WGPEER_HAS_PUBLIC_KEY;
	memcpy(peer->public_key, key, WG_KEY_LEN);
	peer->next_peer = dev->first_peer;
	dev->first_peer = peer;
	if (!dev->last_peer)
		dev->last_peer = peer;
	return 0;
}

/* Adds a removal to FILE for every RUNNING peer that FILE does not name. */
static int remove_unnamed(struct wgdevice *file, const struct wgdevice *running)
{
	const struct wgpeer *peer;
	uint8_t(*keys)[WG_KEY_LEN];
	size_t n = 0;
	int ret = 0;

	for_each_wgpeer (file, peer)
		++n;
	keys = calloc(n, WG_KEY_LEN);
	if (!keys)
		return -ENOMEM;
	n = 0;
	for_each_wgpeer (file, peer)
		memcpy(keys[n++], peer->public_key, WG_KEY_LEN);
	qsort(keys, n, WG_KEY_LEN, key_cmp);
	for_each_wgpeer (running, peer) {
		if (!ret && !bsearch(peer->public_key, keys, n, WG_KEY_LEN, key_cmp))
			ret = prepend_removal(file, peer->public_key);
	}
	free(keys);
	return ret;
}

/*
 * Turns a setconf into a syncconf. A file without peers stays a plain
 * replace-all, as in wireguard-tools.
 */
static bool sync_conf(struct wgdevice *file)
{
	struct wgdevice *running;
	int ret;

	if (!file->first_peer)
		return true;
	ret = ipc_get_device(&running, file->name);
	if (ret < 0) {
		fprintf(stderr, "Unable to retrieve current interface configuration: %s\n",
			strerror(-ret));
		return false;
	}
	file->flags &= ~WGDEVICE_REPLACE_PEERS;
	ret = remove_unnamed(file, running);
	model_device_free(running);
	if (ret < 0) {
		fprintf(stderr, "Unable to sync interface: %s\n", strerror(-ret));
		return false;
	}
	return true;
}

int setconf_main(int argc, const char *argv[])
{
	struct wgdevice *dev;

	if (argc != 3) {
		fprintf(stderr, "Usage: %s %s <interface> <configuration filename>\n", wg_prog_name,
			argv[0]);
		return 1;
	}
	dev = read_config(argv[2], !strcmp(argv[0], "addconf"));
	if (!dev)
		return 1;
	snprintf(dev->name, sizeof(dev->name), "%s", argv[1]);
	if (!strcmp(argv[0], "syncconf") && !sync_conf(dev)) {
		model_device_free(dev);
		return 1;
	}
	return set_apply(dev);
}
