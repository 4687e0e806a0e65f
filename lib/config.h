/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wg(8) configuration: INI files ([Interface], [Peer]) and `wg set`
 * arguments, both into the shared model. Diagnostics go to stderr prefixed
 * with "file:line: ", in wireguard-tools' wording.
 */
#ifndef WG_CONFIG_H
#define WG_CONFIG_H

#include <stdbool.h>
#include "model.h"

/* Line-by-line parser state; lives on the caller's stack. */
struct config_ctx {
	struct wgdevice *device;
	struct wgpeer *last_peer;
	const char *filename;	  /* for messages; "-" or NULL print as "stdin" */
	unsigned int peer_lineno; /* where the current [Peer] began */
	bool is_peer_section;
	bool is_device_section;
	bool append;
	bool failed;
	bool invalid; /* parsed, but a peer lacks its public key */
};

/*
 * append=false: setconf, the whole device (WGDEVICE_REPLACE_PEERS, and
 * private key, listen port and fwmark always set, to zero unless given);
 * true: addconf (only what the file says). Either way each peer replaces its
 * allowed IPs (WGPEER_REPLACE_ALLOWEDIPS). All as wg(8) sends them.
 */
bool config_read_init(struct config_ctx *ctx, const char *filename, bool append);
/* One line without or with its trailing newline; lineno counts from 1. */
bool config_read_line(struct config_ctx *ctx, const char *line, unsigned int lineno);
/*
 * The model, or NULL if any line failed or a peer lacks its public key. On
 * NULL it has printed the closing line itself ("Configuration parsing error",
 * or "Invalid configuration" after "file:N: A peer is missing a public key"),
 * so callers print nothing more. Frees everything on error; call it always.
 */
struct wgdevice *config_read_finish(struct config_ctx *ctx);
/* Opens, reads, closes; "-" and "/dev/stdin" read standard input. */
struct wgdevice *config_read_file(const char *path, bool append);
/* `wg set IFACE ...`: argv holds the arguments after IFACE. */
struct wgdevice *config_read_cmd(const char *argv[], int argc);

/* Reads a base64 key from a file as wg(8) does for private-key/preshared-key. */
bool config_read_keyfile(uint8_t key[WG_KEY_LEN], const char *path);

#endif
