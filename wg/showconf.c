// SPDX-License-Identifier: GPL-2.0
/*
 * `wg showconf IFACE`: the device as a configuration file that `wg setconf`
 * reads back, private key included.
 */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "cidr.h"
#include "endpoint.h"
#include "ipc.h"
#include "key.h"
#include "wg.h"

static void print_interface(const struct wgdevice *dev)
{
	char b64[KEY_B64_LEN];

	printf("[Interface]\n");
	if (dev->listen_port)
		printf("ListenPort = %u\n", dev->listen_port);
	if (dev->fwmark)
		printf("FwMark = 0x%x\n", dev->fwmark);
	if (dev->flags & WGDEVICE_HAS_PRIVATE_KEY) {
		key_to_base64(b64, dev->private_key);
		printf("PrivateKey = %s\n", b64);
		sodium_memzero(b64, sizeof(b64));
	}
	printf("\n");
}

static void print_allowedips(const struct wgpeer *peer)
{
	const struct wgallowedip *aip;
	char buf[CIDR_STR_LEN], num[WG_UTOA_LEN];

	if (!peer->first_allowedip)
		return;
	fputs("AllowedIPs = ", stdout);
	for_each_wgallowedip (peer, aip) {
		if (aip->family == AF_INET)
			wg_ip4(buf, &aip->ip4);
		else
			cidr_print_addr(buf, sizeof(buf), aip->family, &aip->ip6);
		fputs(buf, stdout);
		putchar('/');
		fputs(wg_utoa(num, aip->cidr), stdout);
		fputs(aip->next_allowedip ? ", " : "\n", stdout);
	}
}

static void print_peer(const struct wgpeer *peer)
{
	char buf[ENDPOINT_STR_LEN];

	key_to_base64(buf, peer->public_key);
	printf("[Peer]\nPublicKey = %s\n", buf);
	if (peer->flags & WGPEER_HAS_PRESHARED_KEY) {
		key_to_base64(buf, peer->preshared_key);
		printf("PresharedKey = %s\n", buf);
		sodium_memzero(buf, sizeof(buf));
	}
	print_allowedips(peer);
	if (endpoint_is_set(&peer->endpoint)) {
		/* An address getnameinfo() cannot print is left out, as wg does. */
		endpoint_print(buf, sizeof(buf), &peer->endpoint);
		if (strcmp(buf, "(none)"))
			printf("Endpoint = %s\n", buf);
	}
	if (peer->persistent_keepalive_interval)
		printf("PersistentKeepalive = %u\n", peer->persistent_keepalive_interval);
}

int showconf_main(int argc, const char *argv[])
{
	struct wgdevice *dev;
	const struct wgpeer *peer;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s %s <interface>\n", wg_prog_name, argv[0]);
		return 1;
	}
	ret = ipc_get_device(&dev, argv[1]);
	if (ret < 0) {
		fprintf(stderr, "Unable to access interface: %s\n", strerror(-ret));
		return 1;
	}
	print_interface(dev);
	for_each_wgpeer (dev, peer) {
		print_peer(peer);
		if (peer->next_peer)
			printf("\n");
	}
	model_device_free(dev);
	return 0;
}
