// SPDX-License-Identifier: GPL-2.0
/*
 * The human view of `wg show`: coloured labels, peers with the freshest
 * handshake first, "1 minute, 5 seconds ago", "1.23 KiB". Secrets print as
 * "(hidden)" unless WG_HIDE_KEYS=never.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "cidr.h"
#include "endpoint.h"
#include "key.h"
#include "term.h"
#include "wg.h"

#define LABEL(name) "  " TERM_BOLD name TERM_RESET ": "

/* Pieces, not printf: a 10,000-peer `wg show` is 60,000 lines. */
static void put(const char *s)
{
	term_puts(stdout, s);
}

static void duration_unit(char *buf, size_t len, size_t *off, unsigned long long n,
			  const char *unit)
{
	int w;

	if (!n || *off >= len)
		return;
	w = snprintf(buf + *off, len - *off, "%s%llu " TERM_FG_CYAN "%s%s" TERM_RESET,
		     *off ? ", " : "", n, unit, n == 1 ? "" : "s");
	if (w > 0)
		*off += (size_t)w;
}

void pretty_duration(char *buf, size_t len, unsigned long long seconds)
{
	size_t off = 0;

	buf[0] = '\0';
	duration_unit(buf, len, &off, seconds / (365ULL * 24 * 3600), "year");
	seconds %= 365ULL * 24 * 3600;
	duration_unit(buf, len, &off, seconds / (24 * 3600), "day");
	seconds %= 24 * 3600;
	duration_unit(buf, len, &off, seconds / 3600, "hour");
	seconds %= 3600;
	duration_unit(buf, len, &off, seconds / 60, "minute");
	duration_unit(buf, len, &off, seconds % 60, "second");
}

void pretty_bytes(char *buf, size_t len, uint64_t b)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	double scaled = (double)b / 1024;
	unsigned int i = 0;

	if (b < 1024) {
		snprintf(buf, len, "%u " TERM_FG_CYAN "B" TERM_RESET, (unsigned int)b);
		return;
	}
	while (i < 3 && b >= (1024ULL << (10 * (i + 1)))) {
		scaled /= 1024;
		++i;
	}
	snprintf(buf, len, "%.2f " TERM_FG_CYAN "%s" TERM_RESET, scaled, units[i]);
}

static const char clock_backward[] =
    "(" TERM_FG_RED "System clock wound backward; connection problems may ensue." TERM_RESET ")";

static void print_ago(const struct timespec *t)
{
	char buf[256];
	time_t now = time(NULL);

	if (now == t->tv_sec) {
		snprintf(buf, sizeof(buf), "Now");
	} else if (now < t->tv_sec) {
		snprintf(buf, sizeof(buf), "%s", clock_backward);
	} else {
		pretty_duration(buf, sizeof(buf) - 4, (unsigned long long)(now - t->tv_sec));
		strcat(buf, " ago");
	}
	put(LABEL("latest handshake"));
	put(buf);
	put("\n");
}

/* A secret as pretty show prints it: hidden unless WG_HIDE_KEYS=never. */
static void print_secret(const char *label, const uint8_t key[WG_KEY_LEN])
{
	const char *var = getenv("WG_HIDE_KEYS");
	char b64[KEY_B64_LEN];

	put("  " TERM_BOLD);
	put(label);
	put(TERM_RESET ": ");
	if (!var || strcmp(var, "never")) {
		put("(hidden)\n");
		return;
	}
	key_to_base64(b64, key);
	put(b64);
	put("\n");
	sodium_memzero(b64, sizeof(b64));
}

static void print_device(const struct wgdevice *dev)
{
	char b64[KEY_B64_LEN];

	term_fprintf(stdout, TERM_RESET);
	term_fprintf(stdout,
		     TERM_FG_GREEN TERM_BOLD "interface" TERM_RESET ": " TERM_FG_GREEN
					     "%s" TERM_RESET "\n",
		     dev->name);
	if (dev->flags & WGDEVICE_HAS_PUBLIC_KEY) {
		key_to_base64(b64, dev->public_key);
		term_fprintf(stdout, LABEL("public key") "%s\n", b64);
	}
	if (dev->flags & WGDEVICE_HAS_PRIVATE_KEY)
		print_secret("private key", dev->private_key);
	if (dev->listen_port)
		term_fprintf(stdout, LABEL("listening port") "%u\n", dev->listen_port);
	if (dev->fwmark)
		term_fprintf(stdout, LABEL("fwmark") "0x%x\n", dev->fwmark);
}

static void print_allowedips(const struct wgpeer *peer)
{
	const struct wgallowedip *aip;
	char ip[CIDR_STR_LEN], num[WG_UTOA_LEN];

	put(LABEL("allowed ips"));
	if (!peer->first_allowedip) {
		put("(none)\n");
		return;
	}
	for_each_wgallowedip (peer, aip) {
		if (aip->family == AF_INET)
			wg_ip4(ip, &aip->ip4);
		else
			cidr_print_addr(ip, sizeof(ip), aip->family, &aip->ip6);
		put(ip);
		put(TERM_FG_CYAN "/" TERM_RESET);
		put(wg_utoa(num, aip->cidr));
		put(aip->next_allowedip ? ", " : "\n");
	}
}

static void print_transfer(const struct wgpeer *peer)
{
	char rx[64], tx[64];

	pretty_bytes(rx, sizeof(rx), peer->rx_bytes);
	pretty_bytes(tx, sizeof(tx), peer->tx_bytes);
	put(LABEL("transfer"));
	put(rx);
	put(" received, ");
	put(tx);
	put(" sent\n");
}

static void print_peer(const struct wgpeer *peer)
{
	char buf[ENDPOINT_STR_LEN + 256];

	key_to_base64(buf, peer->public_key);
	put(TERM_FG_YELLOW TERM_BOLD "peer" TERM_RESET ": " TERM_FG_YELLOW);
	put(buf);
	put(TERM_RESET "\n");
	if (peer->flags & WGPEER_HAS_PRESHARED_KEY)
		print_secret("preshared key", peer->preshared_key);
	if (endpoint_is_set(&peer->endpoint)) {
		endpoint_print(buf, sizeof(buf), &peer->endpoint);
		put(LABEL("endpoint"));
		put(buf);
		put("\n");
	}
	print_allowedips(peer);
	if (peer->last_handshake_time.tv_sec)
		print_ago(&peer->last_handshake_time);
	if (peer->rx_bytes || peer->tx_bytes)
		print_transfer(peer);
	if (peer->persistent_keepalive_interval) {
		pretty_duration(buf, sizeof(buf), peer->persistent_keepalive_interval);
		put(LABEL("persistent keepalive") "every ");
		put(buf);
		put("\n");
	}
}

/* Freshest handshake first; peers that never shook hands go last. */
static int peer_cmp(const void *first, const void *second)
{
	const struct wgpeer *a = *(const struct wgpeer *const *)first;
	const struct wgpeer *b = *(const struct wgpeer *const *)second;
	bool a_never = !a->last_handshake_time.tv_sec && !a->last_handshake_time.tv_nsec;
	bool b_never = !b->last_handshake_time.tv_sec && !b->last_handshake_time.tv_nsec;
	long long diff;

	if (a_never != b_never)
		return a_never ? 1 : -1;
	diff = (long long)a->last_handshake_time.tv_sec - (long long)b->last_handshake_time.tv_sec;
	if (!diff)
		diff = (long long)a->last_handshake_time.tv_nsec -
		       (long long)b->last_handshake_time.tv_nsec;
	return diff < 0 ? 1 : diff > 0 ? -1 : 0;
}

void pretty_sort_peers(struct wgdevice *dev)
{
	struct wgpeer *peer, **peers;
	size_t n = 0, i;

	for_each_wgpeer (dev, peer)
		++n;
	if (n < 2)
		return;
	peers = calloc(n, sizeof(*peers));
	if (!peers)
		return;
	n = 0;
	for_each_wgpeer (dev, peer)
		peers[n++] = peer;
	qsort(peers, n, sizeof(*peers), peer_cmp);
	dev->first_peer = peers[0];
	for (i = 1; i < n; ++i)
		peers[i - 1]->next_peer = peers[i];
	peers[n - 1]->next_peer = NULL;
	dev->last_peer = peers[n - 1];
	free(peers);
}

void pretty_print(struct wgdevice *dev)
{
	struct wgpeer *peer;

	print_device(dev);
	if (dev->first_peer) {
		pretty_sort_peers(dev);
		put("\n");
	}
	for_each_wgpeer (dev, peer) {
		print_peer(peer);
		if (peer->next_peer)
			put("\n");
	}
}
