// SPDX-License-Identifier: GPL-2.0
/*
 * `wg show {IFACE|all} json`: the layout of wireguard-tools' contrib wg-json
 * (tabs, key names, fields left out when unset), byte for byte, so scripts
 * written for it keep working. Unlike wg-json, names are escaped, and a
 * userspace engine's drop counters appear under "drops" (wg-engine's UAPI
 * extension; the kernel has none, so its output is unchanged).
 */
#include <inttypes.h>
#include <stdio.h>
#include <sodium.h>

#include "cidr.h"
#include "endpoint.h"
#include "key.h"
#include "wg.h"

/* Prints S as a JSON string body: quotes, backslashes and controls escaped. */
static void print_escaped(const char *s)
{
	for (; *s; ++s) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
}

/* Prints `DELIM TABS"NAME": ` and makes the next delimiter ",\n". */
static void member(const char **delim, const char *tabs, const char *name)
{
	printf("%s%s\"%s\": ", *delim, tabs, name);
	*delim = ",\n";
}

static void member_key(const char **delim, const char *tabs, const char *name,
		       const uint8_t key[WG_KEY_LEN])
{
	char b64[KEY_B64_LEN];

	key_to_base64(b64, key);
	member(delim, tabs, name);
	printf("\"%s\"", b64);
	sodium_memzero(b64, sizeof(b64));
}

static void member_u64(const char **delim, const char *tabs, const char *name, uint64_t v)
{
	member(delim, tabs, name);
	printf("%" PRIu64, v);
}

static void print_allowedips(const struct wgpeer *peer, const char *delim)
{
	const struct wgallowedip *aip;
	char buf[CIDR_STR_LEN];

	printf("%s\t\t\t\t\"allowedIps\": [", delim);
	delim = "\n";
	for_each_wgallowedip (peer, aip) {
		cidr_print(buf, sizeof(buf), aip);
		printf("%s\t\t\t\t\t\"%s\"", delim, buf);
		delim = ",\n";
	}
	printf("\n\t\t\t\t]");
}

static void print_peer(const struct wgpeer *peer, bool first)
{
	const char *delim = "\n";
	char key[KEY_B64_LEN], ep[ENDPOINT_STR_LEN];

	key_to_base64(key, peer->public_key);
	printf("%s\t\t\t\"%s\": {", first ? "\n" : ",\n", key);
	if (peer->flags & WGPEER_HAS_PRESHARED_KEY)
		member_key(&delim, "\t\t\t\t", "presharedKey", peer->preshared_key);
	if (endpoint_is_set(&peer->endpoint)) {
		endpoint_print(ep, sizeof(ep), &peer->endpoint);
		member(&delim, "\t\t\t\t", "endpoint");
		printf("\"%s\"", ep);
	}
	if (peer->last_handshake_time.tv_sec)
		member_u64(&delim, "\t\t\t\t", "latestHandshake",
			   (uint64_t)peer->last_handshake_time.tv_sec);
	if (peer->rx_bytes)
		member_u64(&delim, "\t\t\t\t", "transferRx", peer->rx_bytes);
	if (peer->tx_bytes)
		member_u64(&delim, "\t\t\t\t", "transferTx", peer->tx_bytes);
	if (peer->persistent_keepalive_interval)
		member_u64(&delim, "\t\t\t\t", "persistentKeepalive",
			   peer->persistent_keepalive_interval);
	print_allowedips(peer, delim);
	printf("\n\t\t\t}");
}

/* A userspace engine's drop counters (never the kernel's): "drops": {"NAME": N, ...}. */
static void print_drops(const struct wgdevice *dev, const char **delim)
{
	const char *inner = "\n";

	member(delim, "\t\t", "drops");
	putchar('{');
	for (unsigned int i = 0; i < dev->n_drops; ++i) {
		printf("%s\t\t\t\"", inner);
		print_escaped(dev->drops[i].name);
		printf("\": %" PRIu64, dev->drops[i].count);
		inner = ",\n";
	}
	printf("\n\t\t}");
}

void json_begin(void)
{
	putchar('{');
}

void json_print_device(const struct wgdevice *dev, bool first)
{
	const struct wgpeer *peer;
	const char *delim = "\n";

	printf("%s\t\"", first ? "\n" : "\n\t\t}\n\t},\n");
	print_escaped(dev->name);
	printf("\": {");
	if (dev->flags & WGDEVICE_HAS_PRIVATE_KEY)
		member_key(&delim, "\t\t", "privateKey", dev->private_key);
	if (dev->flags & WGDEVICE_HAS_PUBLIC_KEY)
		member_key(&delim, "\t\t", "publicKey", dev->public_key);
	if (dev->listen_port)
		member_u64(&delim, "\t\t", "listenPort", dev->listen_port);
	if (dev->fwmark)
		member_u64(&delim, "\t\t", "fwmark", dev->fwmark);
	if (dev->n_drops)
		print_drops(dev, &delim);
	member(&delim, "\t\t", "peers");
	putchar('{');
	for_each_wgpeer (dev, peer)
		print_peer(peer, peer == dev->first_peer);
}

void json_end(bool any)
{
	printf("%s\n}\n", any ? "\n\t\t}\n\t}" : "");
}
