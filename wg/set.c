// SPDX-License-Identifier: GPL-2.0
/*
 * `wg set IFACE ...`: the arguments become a change in the model (lib/config)
 * and go to the device in one ipc_set_device() call.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ipc.h"
#include "wg.h"

int set_apply(struct wgdevice *dev)
{
	int ret = ipc_set_device(dev);

	model_device_free(dev);
	if (ret < 0) {
		fprintf(stderr, "Unable to modify interface: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}

int set_main(int argc, const char *argv[])
{
	struct wgdevice *dev;

	if (argc < 3) {
		fprintf(stderr,
			"Usage: %s %s <interface> [listen-port <port>] [fwmark <mark>] "
			"[private-key <file path>] [peer <base64 public key> [remove] "
			"[preshared-key <file path>] [endpoint <ip>:<port>] "
			"[persistent-keepalive <interval seconds>] "
			"[allowed-ips <ip1>/<cidr1>[,<ip2>/<cidr2>]...] ]...\n",
			wg_prog_name, argv[0]);
		return 1;
	}
	dev = config_read_cmd(argv + 2, argc - 2);
	if (!dev)
		return 1;
	snprintf(dev->name, sizeof(dev->name), "%s", argv[1]);
	return set_apply(dev);
}
