// SPDX-License-Identifier: GPL-2.0
/*
 * The text `wg showconf` prints for a device, which `save` writes back below
 * wg-quick's own [Interface] keys.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <sodium.h>

#include "quick.h"

static bool is_zero(const uint8_t key[WG_KEY_LEN])
{
	return sodium_is_zero(key, WG_KEY_LEN);
}

static void put_key(struct textbuf *f, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char b64[sodium_base64_ENCODED_LEN(WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(b64, sizeof(b64), key, WG_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
	textbuf_printf(f, "%s = %s\n", name, b64);
	sodium_memzero(b64, sizeof(b64));
}

static void put_allowedips(struct textbuf *f, const struct wgpeer *peer)
{
	const struct wgallowedip *aip;
	char ip[INET6_ADDRSTRLEN];

	if (!peer->first_allowedip)
		return;
	textbuf_printf(f, "AllowedIPs = ");
	for_each_wgallowedip (peer, aip) {
		if (!inet_ntop(aip->family, &aip->ip6, ip, sizeof(ip)))
			continue;
		textbuf_printf(f, "%s/%u%s", ip, aip->cidr, aip->next_allowedip ? ", " : "");
	}
	textbuf_printf(f, "\n");
}

static void put_endpoint(struct textbuf *f, const union wgendpoint *ep)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];
	socklen_t len = ep->addr.sa_family == AF_INET6 ? sizeof(ep->addr6) : sizeof(ep->addr4);

	if (ep->addr.sa_family != AF_INET && ep->addr.sa_family != AF_INET6)
		return;
	if (getnameinfo(&ep->addr, len, host, sizeof(host), port, sizeof(port),
			NI_DGRAM | NI_NUMERICSERV | NI_NUMERICHOST))
		return;
	if (ep->addr.sa_family == AF_INET6 && strchr(host, ':'))
		textbuf_printf(f, "Endpoint = [%s]:%s\n", host, port);
	else
		textbuf_printf(f, "Endpoint = %s:%s\n", host, port);
}

static void put_peer(struct textbuf *f, const struct wgpeer *peer)
{
	textbuf_printf(f, "[Peer]\n");
	put_key(f, "PublicKey", peer->public_key);
	if ((peer->flags & WGPEER_HAS_PRESHARED_KEY) && !is_zero(peer->preshared_key))
		put_key(f, "PresharedKey", peer->preshared_key);
	put_allowedips(f, peer);
	put_endpoint(f, &peer->endpoint);
	if (peer->persistent_keepalive_interval)
		textbuf_printf(f, "PersistentKeepalive = %u\n",
			       peer->persistent_keepalive_interval);
	if (peer->next_peer)
		textbuf_printf(f, "\n");
}

void quick_showconf(struct textbuf *f, const struct wgdevice *dev)
{
	const struct wgpeer *peer;

	textbuf_printf(f, "[Interface]\n");
	if (dev->listen_port)
		textbuf_printf(f, "ListenPort = %u\n", dev->listen_port);
	if (dev->fwmark)
		textbuf_printf(f, "FwMark = 0x%x\n", dev->fwmark);
	if ((dev->flags & WGDEVICE_HAS_PRIVATE_KEY) && !is_zero(dev->private_key))
		put_key(f, "PrivateKey", dev->private_key);
	textbuf_printf(f, "\n");
	for_each_wgpeer (dev, peer)
		put_peer(f, peer);
}
