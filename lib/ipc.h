/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lists, reads and configures WireGuard devices through whichever back end
 * serves them: the UAPI socket RUNSTATEDIR/wireguard/IFACE.sock of a userspace
 * implementation when one answers, the kernel's generic netlink otherwise.
 */
#ifndef WG_IPC_H
#define WG_IPC_H

#include "model.h"

/*
 * Sets *names to a malloc'd list of interface names, each NUL-terminated, the
 * list ending with an empty string ("wg0\0wg1\0\0"). The caller frees it.
 * Returns 0 or -errno.
 */
int ipc_list_devices(char **names) __attribute__((warn_unused_result));

/*
 * Reads the full state of IFACE into a new model (free it with
 * model_device_free()). Returns 0 or -errno (-ENODEV when no such device).
 */
int ipc_get_device(struct wgdevice **dev, const char *iface) __attribute__((warn_unused_result));

/* Applies the changes a model describes to the device dev->name. 0 or -errno. */
int ipc_set_device(struct wgdevice *dev) __attribute__((warn_unused_result));

#endif
