/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace back end of lib/ipc: one UNIX stream socket per interface,
 * RUNSTATEDIR/wireguard/IFACE.sock, speaking the UAPI text protocol (lib/uapi).
 * A socket nobody listens on any more is removed, as wireguard-tools does.
 */
#ifndef WG_IPC_UAPI_H
#define WG_IPC_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

/* True when IFACE.sock exists, is a socket and accepts a connection. */
bool ipc_uapi_has(const char *iface);

/*
 * Appends the name of every live IFACE.sock, NUL-terminated, to the malloc'd
 * buffer *buf of *len bytes (*buf may be NULL, *len 0), in directory order.
 * A missing directory is an empty list. 0 or -errno.
 */
int ipc_uapi_list(char **buf, size_t *len) __attribute__((warn_unused_result));

/* Reads IFACE into a new model (free with model_device_free()). 0 or -errno. */
int ipc_uapi_get(struct wgdevice **dev, const char *iface) __attribute__((warn_unused_result));

/* Sends the change DEV describes to dev->name. 0, the server's -errno, or -errno. */
int ipc_uapi_set(const struct wgdevice *dev) __attribute__((warn_unused_result));

/* ---- Seams for tests: the same steps over any connected stream. ---- */

/* Sends "get=1" on F and parses the reply into DEV (named by the caller). 0 or -errno. */
int ipc_uapi_get_stream(FILE *f, struct wgdevice *dev) __attribute__((warn_unused_result));

/* Sends DEV's change on F and reads the "errno=N" answer. 0 or -errno. */
int ipc_uapi_set_stream(FILE *f, const struct wgdevice *dev) __attribute__((warn_unused_result));

/* Reads the "errno=N" answer to a set (up to the blank line). 0, -N or -EPROTO. */
int ipc_uapi_read_errno(FILE *f) __attribute__((warn_unused_result));

/* Looks for sockets in DIR instead of RUNSTATEDIR/wireguard; NULL restores it. */
void ipc_uapi_override_dir(const char *dir);

#endif
