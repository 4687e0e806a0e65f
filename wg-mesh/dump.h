/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text of `wg show IFACE dump' (wireguard-tools' format: one line for the
 * interface, then one tab-separated line per peer) read back into the shared
 * model, so status can compare what a site runs with what was planned.
 */
#ifndef MESH_DUMP_H
#define MESH_DUMP_H

#include <stddef.h>
#include "model.h"

/* Room for a diagnostic quoting a field of the input (longer input is cut). */
#define DUMP_MSG_LEN 256

/*
 * Parses LEN bytes of dump text. The interface line gives the public key,
 * listen port and fwmark; each peer line its public key, endpoint, allowed
 * IPs, latest handshake, transfer counters and keepalive. Private and
 * pre-shared keys are never kept: their fields may hold anything without a
 * tab (such as "(hidden)"). Returns the device, or NULL with errno set and,
 * for malformed text (EINVAL), "line N: what was expected" in msg.
 */
struct wgdevice *dump_parse(const char *text, size_t len, char *msg, size_t msg_len);

#endif
