// SPDX-License-Identifier: GPL-2.0
/*
 * The script-friendly views of `wg show`: one field per line, tab-separated,
 * optionally prefixed by the interface name (`wg show all FIELD`), and `dump`.
 * Peers print in device order; keys are never hidden here.
 */
#define _GNU_SOURCE /* fputs_unlocked */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sodium.h>

#include "cidr.h"
#include "endpoint.h"
#include "key.h"
#include "wg.h"

typedef void (*peer_printer)(const struct wgpeer *peer);

/*
 * Output goes through unlocked stdio and a hand-rolled integer writer: a
 * `show all dump` of 10,000 peers otherwise spends most of its time inside
 * printf's format parser.
 */
static void out_str(const char *s)
{
	fputs_unlocked(s, stdout);
}

static void out_char(char c)
{
	putc_unlocked(c, stdout);
}

static void out_u64(uint64_t v)
{
	char buf[WG_UTOA_LEN];

	out_str(wg_utoa(buf, v));
}

static void out_ip4(const struct in_addr *addr)
{
	char buf[INET_ADDRSTRLEN];

	out_str(wg_ip4(buf, addr));
}

static void print_key_or_none(const uint8_t key[WG_KEY_LEN], bool have)
{
	char b64[KEY_B64_LEN];

	if (!have) {
		out_str("(none)");
		return;
	}
	key_to_base64(b64, key);
	out_str(b64);
	sodium_memzero(b64, sizeof(b64));
}

static void print_endpoint(const struct wgpeer *peer)
{
	char buf[ENDPOINT_STR_LEN];

	if (!endpoint_is_set(&peer->endpoint)) {
		out_str("(none)");
		return;
	}
	if (peer->endpoint.addr.sa_family == AF_INET) {
		out_ip4(&peer->endpoint.addr4.sin_addr);
		out_char(':');
		out_u64(ntohs(peer->endpoint.addr4.sin_port));
		return;
	}
	endpoint_print(buf, sizeof(buf), &peer->endpoint);
	out_str(buf);
}

static void print_allowedips(const struct wgpeer *peer, char sep)
{
	const struct wgallowedip *aip;
	char buf[CIDR_STR_LEN];

	if (!peer->first_allowedip) {
		out_str("(none)");
		return;
	}
	for_each_wgallowedip (peer, aip) {
		if (aip->family == AF_INET) {
			out_ip4(&aip->ip4);
		} else {
			cidr_print_addr(buf, sizeof(buf), aip->family, &aip->ip6);
			out_str(buf);
		}
		out_char('/');
		out_u64(aip->cidr);
		if (aip->next_allowedip)
			out_char(sep);
	}
}

static void print_keepalive(const struct wgpeer *peer)
{
	if (peer->persistent_keepalive_interval)
		out_u64(peer->persistent_keepalive_interval);
	else
		out_str("off");
}

static void print_fwmark(const struct wgdevice *dev)
{
	if (dev->fwmark)
		printf("0x%x\n", dev->fwmark);
	else
		puts("off");
}

static void peer_endpoint(const struct wgpeer *peer)
{
	print_endpoint(peer);
}

static void peer_allowedips(const struct wgpeer *peer)
{
	print_allowedips(peer, ' ');
}

static void peer_handshake(const struct wgpeer *peer)
{
	out_u64((uint64_t)peer->last_handshake_time.tv_sec);
}

static void peer_transfer(const struct wgpeer *peer)
{
	out_u64(peer->rx_bytes);
	out_char('\t');
	out_u64(peer->tx_bytes);
}

static void peer_psk(const struct wgpeer *peer)
{
	print_key_or_none(peer->preshared_key, peer->flags & WGPEER_HAS_PRESHARED_KEY);
}

static void peer_dump(const struct wgpeer *peer)
{
	peer_psk(peer);
	out_char('\t');
	print_endpoint(peer);
	out_char('\t');
	print_allowedips(peer, ',');
	out_char('\t');
	peer_handshake(peer);
	out_char('\t');
	peer_transfer(peer);
	out_char('\t');
	print_keepalive(peer);
}

static void print_prefix(const struct wgdevice *dev, bool with_interface)
{
	if (with_interface) {
		out_str(dev->name);
		out_char('\t');
	}
}

/*
 * One line per peer: [IFACE\t]PUBKEY[\tWHAT]. wireguard-tools prints the
 * interface of `show all endpoints` once per device, before its first peer
 * (even with no peers, and then without a newline); scripts depend on what
 * it prints, so we do the same.
 */
static void print_peers(const struct wgdevice *dev, bool with_interface, peer_printer what)
{
	const struct wgpeer *peer;
	bool once = what == peer_endpoint;

	if (once)
		print_prefix(dev, with_interface);
	for_each_wgpeer (dev, peer) {
		if (!once)
			print_prefix(dev, with_interface);
		print_key_or_none(peer->public_key, true);
		if (what) {
			out_char('\t');
			what(peer);
		}
		out_char('\n');
	}
}

static void print_dump(const struct wgdevice *dev, bool with_interface)
{
	print_prefix(dev, with_interface);
	print_key_or_none(dev->private_key, dev->flags & WGDEVICE_HAS_PRIVATE_KEY);
	putchar('\t');
	print_key_or_none(dev->public_key, dev->flags & WGDEVICE_HAS_PUBLIC_KEY);
	printf("\t%u\t", dev->listen_port);
	print_fwmark(dev);
	print_peers(dev, with_interface, peer_dump);
}

static const struct {
	const char *name;
	peer_printer what;
} peer_fields[] = {
    {"endpoints", peer_endpoint},
    {"allowed-ips", peer_allowedips},
    {"latest-handshakes", peer_handshake},
    {"transfer", peer_transfer},
    {"persistent-keepalive", print_keepalive},
    {"preshared-keys", peer_psk},
    {"peers", NULL},
};

static const char *const device_fields[] = {"public-key", "private-key", "listen-port", "fwmark",
					    "dump"};

/* The per-peer printer of FIELD; false when FIELD is not a per-peer one. */
static bool find_peer_field(const char *field, peer_printer *what)
{
	size_t i;

	for (i = 0; i < sizeof(peer_fields) / sizeof(peer_fields[0]); ++i) {
		if (!strcmp(field, peer_fields[i].name)) {
			*what = peer_fields[i].what;
			return true;
		}
	}
	return false;
}

bool fields_is_known(const char *field)
{
	peer_printer what;
	size_t i;

	for (i = 0; i < sizeof(device_fields) / sizeof(device_fields[0]); ++i) {
		if (!strcmp(field, device_fields[i]))
			return true;
	}
	return find_peer_field(field, &what);
}

static void print_device_field(const struct wgdevice *dev, const char *field)
{
	if (!strcmp(field, "public-key")) {
		print_key_or_none(dev->public_key, dev->flags & WGDEVICE_HAS_PUBLIC_KEY);
		putchar('\n');
	} else if (!strcmp(field, "private-key")) {
		print_key_or_none(dev->private_key, dev->flags & WGDEVICE_HAS_PRIVATE_KEY);
		putchar('\n');
	} else if (!strcmp(field, "listen-port")) {
		printf("%u\n", dev->listen_port);
	} else {
		print_fwmark(dev);
	}
}

bool fields_print(const struct wgdevice *dev, const char *field, bool with_interface)
{
	peer_printer what;

	if (!fields_is_known(field)) {
		fprintf(stderr, "Invalid parameter: `%s'\n", field);
		show_usage();
		return false;
	}
	if (!strcmp(field, "dump")) {
		print_dump(dev, with_interface);
	} else if (find_peer_field(field, &what)) {
		print_peers(dev, with_interface, what);
	} else {
		print_prefix(dev, with_interface);
		print_device_field(dev, field);
	}
	return true;
}
