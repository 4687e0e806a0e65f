// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that knows both back ends: a device with a live UAPI socket is
 * served by its userspace implementation, every other one by the kernel.
 */
#include "ipc.h"

#include <errno.h>
#include <stdlib.h>

#include "ipc-netlink.h"
#include "ipc-uapi.h"

/* Kernel links first, then userspace sockets, as wireguard-tools lists them. */
int ipc_list_devices(char **names)
{
	char *buf = NULL, *done;
	size_t len = 0;
	int ret;

	*names = NULL;
	ret = ipc_netlink_list(&buf, &len);
	if (!ret)
		ret = ipc_uapi_list(&buf, &len);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	done = realloc(buf, len + 1);
	if (!done) {
		free(buf);
		return -ENOMEM;
	}
	done[len] = '\0';
	*names = done;
	return 0;
}

int ipc_get_device(struct wgdevice **dev, const char *iface)
{
	if (ipc_uapi_has(iface))
		return ipc_uapi_get(dev, iface);
	return ipc_netlink_get(dev, iface);
}

int ipc_set_device(struct wgdevice *dev)
{
	if (ipc_uapi_has(dev->name))
		return ipc_uapi_set(dev);
	return ipc_netlink_set(dev);
}
