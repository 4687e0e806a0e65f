// SPDX-License-Identifier: GPL-2.0
/*
 * Reads `wg show IFACE dump' text. The text is copied once, cut into lines
 * and tab-separated fields in place, and the copy is wiped afterwards, since
 * a dump read straight from wg(8) carries the private key.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "cidr.h"
#include "endpoint.h"
#include "key.h"
#include "num.h"
#include "dump.h"

#define IFACE_FIELDS 4
#define PEER_FIELDS 8

struct reader {
	struct wgdevice *dev;
	unsigned int lineno;
	char *msg;
	size_t msg_len;
};

__attribute__((format(printf, 2, 3))) static bool fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->msg, r->msg_len, "line %u: ", r->lineno);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->msg_len)
		vsnprintf(r->msg + n, r->msg_len - n, fmt, ap);
	va_end(ap);
	return false;
}

/* Cuts line at tabs into at most max fields; returns how many there were. */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	for (;;) {
		char *tab = strchr(line, '\t');

		if (n < max)
			f[n] = line;
		++n;
		if (!tab)
			return n;
		*tab = '\0';
		line = tab + 1;
	}
}

static bool parse_u64(uint64_t *out, const char *s)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

static bool parse_key(struct reader *r, uint8_t key[WG_KEY_LEN], const char *s, bool *has)
{
	*has = strcmp(s, "(none)") != 0;
	if (!*has || key_from_base64(key, s))
		return true;
	return fail(r, "expected a base64 public key or `(none)', not `%.60s'", s);
}

static bool parse_interface(struct reader *r, char **f, size_t n)
{
	struct wgdevice *dev = r->dev;
	bool has_key;

	if (n != IFACE_FIELDS)
		return fail(r, "expected the interface's %d tab-separated fields, found %zu",
			    IFACE_FIELDS, n);
	if (!parse_key(r, dev->public_key, f[1], &has_key))
		return false;
	if (has_key)
		dev->flags |= WGDEVICE_HAS_PUBLIC_KEY;
	if (!num_parse_u16(&dev->listen_port, f[2]))
		return fail(r, "expected a listen port, not `%.60s'", f[2]);
	if (strcmp(f[3], "off") && !num_parse_u32_any(&dev->fwmark, f[3]))
		return fail(r, "expected a fwmark or `off', not `%.60s'", f[3]);
	return true;
}

static bool parse_allowed_ips(struct reader *r, struct wgpeer *peer, char *list)
{
	char *save = NULL, *s;

	if (!strcmp(list, "(none)"))
		return true;
	for (s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		struct wgallowedip *aip = model_allowedip_append(peer);

		if (!aip)
			return fail(r, "out of memory");
		if (!cidr_parse(aip, s))
			return fail(r, "expected allowed IPs as ADDRESS/CIDR, not `%.60s'", s);
	}
	return true;
}

static bool parse_counters(struct reader *r, struct wgpeer *peer, char **f)
{
	uint64_t handshake;

	if (!parse_u64(&handshake, f[4]))
		return fail(r, "expected the latest handshake in seconds, not `%.60s'", f[4]);
	peer->last_handshake_time.tv_sec = (time_t)handshake;
	if (!parse_u64(&peer->rx_bytes, f[5]) || !parse_u64(&peer->tx_bytes, f[6]))
		return fail(r, "expected received and sent bytes, not `%.30s' and `%.30s'", f[5],
			    f[6]);
	if (strcmp(f[7], "off") && !num_parse_u16(&peer->persistent_keepalive_interval, f[7]))
		return fail(r, "expected a keepalive interval or `off', not `%.60s'", f[7]);
	return true;
}

static bool parse_peer(struct reader *r, char **f, size_t n)
{
	struct wgpeer *peer;
	bool has_key;

	if (n != PEER_FIELDS)
		return fail(r, "expected a peer's %d tab-separated fields, found %zu", PEER_FIELDS,
			    n);
	peer = model_peer_append(r->dev);
	if (!peer)
		return fail(r, "out of memory");
	if (!parse_key(r, peer->public_key, f[0], &has_key))
		return false;
	if (!has_key)
		return fail(r, "expected the peer's public key, not `(none)'");
	peer->flags |= WGPEER_HAS_PUBLIC_KEY;
	if (strcmp(f[2], "(none)") && !endpoint_parse_numeric(&peer->endpoint, f[2]))
		return fail(r, "expected an endpoint ADDRESS:PORT or `(none)', not `%.60s'", f[2]);
	return parse_allowed_ips(r, peer, f[3]) && parse_counters(r, peer, f);
}

static bool parse_lines(struct reader *r, char *text)
{
	char *line = text, *nl, *f[PEER_FIELDS];
	size_t n;

	for (r->lineno = 1; *line; line = nl + 1, ++r->lineno) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		else
			*nl = '\0';
		n = split_fields(line, f, PEER_FIELDS);
		if (r->lineno == 1 ? !parse_interface(r, f, n) : !parse_peer(r, f, n))
			return false;
	}
	if (r->lineno == 1)
		return fail(r, "expected the interface line, found nothing");
	return true;
}

struct wgdevice *dump_parse(const char *text, size_t len, char *msg, size_t msg_len)
{
	struct reader r = {.lineno = 1, .msg = msg, .msg_len = msg_len};
	char *copy = malloc(len + 1);
	bool ok;

	if (msg_len)
		msg[0] = '\0';
	r.dev = model_device_new();
	if (!copy || !r.dev) {
		free(copy);
		free(r.dev);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	ok = strlen(copy) == len ? parse_lines(&r, copy) : fail(&r, "expected text, found a NUL");
	sodium_memzero(copy, len);
	free(copy);
	if (ok)
		return r.dev;
	model_device_free(r.dev);
	errno = EINVAL;
	return NULL;
}
