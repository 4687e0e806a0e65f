// SPDX-License-Identifier: GPL-2.0
/*
 * The cross-platform UAPI: "key=value" lines ending at a blank line, keys in
 * hex. Writers follow wg(8) (set) and wireguard-go (get) field by field;
 * readers never trust their input: bounded lines, numeric endpoints only, and
 * every value checked before it reaches the model.
 */
#define _GNU_SOURCE /* fputs_unlocked(), fwrite_unlocked(), fflush_unlocked() */
#include "uapi.h"
#include "cidr.h"
#include "endpoint.h"
#include "key.h"
#include "num.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

/* Longer than any valid line ("preshared_key=" + 64 hex, or an endpoint). */
#define LINE_MAX_LEN 512

/*
 * Lines are put together by hand and written whole: printf() per field was a
 * third of a 10,000-peer setconf.
 */
static char *fmt_u32(char *end, uint32_t v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

/* "name=value\n" from its pieces; 0 or -EIO. */
static int put_line(FILE *out, const char *name, const char *value, size_t len)
{
	if (fputs_unlocked(name, out) < 0 || putc_unlocked('=', out) == EOF ||
	    fwrite_unlocked(value, 1, len, out) != len || putc_unlocked('\n', out) == EOF)
		return -EIO;
	return 0;
}

static int put_u32(FILE *out, const char *name, uint32_t v)
{
	char buf[16], *start = fmt_u32(buf + sizeof(buf), v);

	return put_line(out, name, start, (size_t)(buf + sizeof(buf) - start));
}

static int put_key(FILE *out, const char *name, const uint8_t key[WG_KEY_LEN])
{
	char hex[KEY_HEX_LEN];
	int ret;

	key_to_hex(hex, key);
	ret = put_line(out, name, hex, KEY_HEX_LEN - 1);
	sodium_memzero(hex, sizeof(hex));
	return ret;
}

/* "a.b.c.d/n" by hand, the common case; anything else as cidr_print() has it. */
static size_t fmt_allowedip(char buf[CIDR_STR_LEN], const struct wgallowedip *aip)
{
	char num[16], *p = buf, *d;
	unsigned int i;

	if (aip->family != AF_INET || aip->cidr > 32) {
		cidr_print(buf, CIDR_STR_LEN, aip);
		return strlen(buf);
	}
	for (i = 0; i < 4; ++i) {
		d = fmt_u32(num + sizeof(num), ((const uint8_t *)&aip->ip4)[i]);
		memcpy(p, d, (size_t)(num + sizeof(num) - d));
		p += num + sizeof(num) - d;
		*p++ = i < 3 ? '.' : '/';
	}
	d = fmt_u32(num + sizeof(num), aip->cidr);
	memcpy(p, d, (size_t)(num + sizeof(num) - d));
	p += num + sizeof(num) - d;
	*p = '\0';
	return (size_t)(p - buf);
}

static int put_allowedips(FILE *out, const struct wgpeer *peer)
{
	const struct wgallowedip *aip;
	char buf[CIDR_STR_LEN + 1];
	size_t len;

	for_each_wgallowedip (peer, aip) {
		bool remove = aip->flags & WGALLOWEDIP_REMOVE_ME;

		buf[0] = '-';
		len = fmt_allowedip(buf + remove, aip) + remove;
		if (put_line(out, "allowed_ip", buf, len))
			return -EIO;
	}
	return 0;
}

static int put_endpoint(FILE *out, const union wgendpoint *ep)
{
	char buf[ENDPOINT_STR_LEN];

	if (!endpoint_is_set(ep))
		return 0;
	endpoint_print(buf, sizeof(buf), ep);
	return put_line(out, "endpoint", buf, strlen(buf));
}

/* One peer of a set, in wg(8)'s order; a removal says nothing else. */
static int put_set_peer(FILE *out, const struct wgpeer *peer)
{
	int ret = put_key(out, "public_key", peer->public_key);

	if (!ret && (peer->flags & WGPEER_REMOVE_ME))
		return fputs_unlocked("remove=true\n", out) < 0 ? -EIO : 0;
	if (!ret && (peer->flags & WGPEER_UPDATE_ONLY) &&
	    fputs_unlocked("update_only=true\n", out) < 0)
		ret = -EIO;
	if (!ret && (peer->flags & WGPEER_HAS_PRESHARED_KEY))
		ret = put_key(out, "preshared_key", peer->preshared_key);
	if (!ret)
		ret = put_endpoint(out, &peer->endpoint);
	if (!ret && (peer->flags & WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL))
		ret = put_u32(out, "persistent_keepalive_interval",
			      peer->persistent_keepalive_interval);
	if (!ret && (peer->flags & WGPEER_REPLACE_ALLOWEDIPS) &&
	    fputs_unlocked("replace_allowed_ips=true\n", out) < 0)
		ret = -EIO;
	return ret ? ret : put_allowedips(out, peer);
}

static int put_set_device(FILE *out, const struct wgdevice *dev)
{
	int ret = 0;

	if (dev->flags & WGDEVICE_HAS_PRIVATE_KEY)
		ret = put_key(out, "private_key", dev->private_key);
	if (!ret && (dev->flags & WGDEVICE_HAS_LISTEN_PORT))
		ret = put_u32(out, "listen_port", dev->listen_port);
	if (!ret && (dev->flags & WGDEVICE_HAS_FWMARK))
		ret = put_u32(out, "fwmark", dev->fwmark);
	if (!ret && (dev->flags & WGDEVICE_REPLACE_PEERS) &&
	    fputs_unlocked("replace_peers=true\n", out) < 0)
		ret = -EIO;
	return ret;
}

/* The writers below use the unlocked stdio calls: the caller holds the stream's lock. */
int uapi_write_set(FILE *out, const struct wgdevice *dev)
{
	const struct wgpeer *peer;
	int ret = 0;

	flockfile(out);
	if (fputs_unlocked("set=1\n", out) < 0)
		ret = -EIO;
	if (!ret)
		ret = put_set_device(out, dev);
	for (peer = dev->first_peer; peer && !ret; peer = peer->next_peer)
		ret = put_set_peer(out, peer);
	if (!ret && fputs_unlocked("\n", out) < 0)
		ret = -EIO;
	if (!ret && fflush_unlocked(out))
		ret = -EIO;
	funlockfile(out);
	return ret;
}

/* One peer of a get reply, in wireguard-go's order. */
static int put_get_peer(FILE *out, const struct wgpeer *peer)
{
	int ret = put_key(out, "public_key", peer->public_key);

	if (!ret)
		ret = put_key(out, "preshared_key", peer->preshared_key);
	if (!ret && fputs_unlocked("protocol_version=1\n", out) < 0)
		ret = -EIO;
	if (!ret)
		ret = put_endpoint(out, &peer->endpoint);
	if (!ret && fprintf(out,
			    "last_handshake_time_sec=%lld\nlast_handshake_time_nsec=%ld\n"
			    "tx_bytes=%" PRIu64 "\nrx_bytes=%" PRIu64 "\n"
			    "persistent_keepalive_interval=%u\n",
			    (long long)peer->last_handshake_time.tv_sec,
			    (long)peer->last_handshake_time.tv_nsec, peer->tx_bytes, peer->rx_bytes,
			    peer->persistent_keepalive_interval) < 0)
		ret = -EIO;
	return ret ? ret : put_allowedips(out, peer);
}

/* "drop_NAME=COUNT": an extension line of the engine's, before the peers. */
static int put_drop(FILE *out, const struct wgdrop *d)
{
	char value[24];
	int len = snprintf(value, sizeof(value), "%" PRIu64, d->count);

	if (fputs_unlocked("drop_", out) < 0)
		return -EIO;
	return put_line(out, d->name, value, (size_t)len);
}

int uapi_write_get(FILE *out, const struct wgdevice *dev)
{
	const struct wgpeer *peer;
	int ret = 0;

	flockfile(out);
	if (!key_is_zero(dev->private_key))
		ret = put_key(out, "private_key", dev->private_key);
	if (!ret && dev->listen_port)
		ret = put_u32(out, "listen_port", dev->listen_port);
	if (!ret && dev->fwmark)
		ret = put_u32(out, "fwmark", dev->fwmark);
	for (unsigned int i = 0; i < dev->n_drops && !ret; ++i)
		ret = put_drop(out, &dev->drops[i]);
	for (peer = dev->first_peer; peer && !ret; peer = peer->next_peer)
		ret = put_get_peer(out, peer);
	funlockfile(out);
	return ret;
}

/*
 * fgets() copies a line in bulk but does not say how much it wrote, and the
 * line may hold NUL bytes. So the buffer is first filled with '\n': the first
 * '\n' after the call is either the line's own, followed by fgets()'s NUL, or
 * a filler byte just past that NUL when the line had no newline of its own.
 */
#define LINE_BUF_LEN (LINE_MAX_LEN + 3)

/* A line longer than the buffer: the rest of it, up to its newline. */
static int skip_rest(FILE *in)
{
	int c;

	while ((c = getc_unlocked(in)) != EOF && c != '\n')
		;
	return -EPROTO;
}

/*
 * 1: a line in buf; 0: the blank line; -EPROTO: EOF first, a line too long, or
 * a NUL byte in it. A bad line is still read to its end, to stay in step.
 * On -EPROTO buf holds nothing useful.
 */
static int read_line(FILE *in, char buf[LINE_BUF_LEN])
{
	size_t len;
	char *nl;

	memset(buf, '\n', LINE_BUF_LEN);
	if (!fgets(buf, LINE_MAX_LEN + 1, in))
		return -EPROTO;
	nl = memchr(buf, '\n', LINE_BUF_LEN);
	len = (size_t)(nl - buf);
	if (nl[1] != '\0') {
		/* No newline of its own: cut short by the buffer or by EOF. */
		--len;
		if (!feof(in))
			return skip_rest(in);
	}
	if (len > LINE_MAX_LEN - 1 || memchr(buf, '\0', len))
		return -EPROTO;
	/* One carriage return before the newline is dropped, as wireguard-go does. */
	if (len && buf[len - 1] == '\r')
		--len;
	buf[len] = '\0';
	return len ? 1 : 0;
}

/* After an error, consume the rest of the request so the stream stays in step. */
static void drain(FILE *in, char buf[LINE_BUF_LEN])
{
	int ret;

	while ((ret = read_line(in, buf)) != 0) {
		if (ret < 0 && (feof(in) || ferror(in)))
			return;
	}
}

static bool parse_true(const char *value)
{
	return !strcmp(value, "true");
}

static int add_allowedip(struct wgpeer *peer, const char *value)
{
	struct wgallowedip parsed = {0}, *aip;
	bool remove = value[0] == '-';

	/* The prefix length is not optional here, as in wireguard-go. */
	if (!strchr(value, '/') || !cidr_parse(&parsed, value + remove))
		return -EINVAL;
	aip = model_allowedip_append(peer);
	if (!aip)
		return -ENOMEM;
	aip->family = parsed.family;
	memcpy(&aip->ip6, &parsed.ip6, sizeof(parsed.ip6));
	aip->cidr = parsed.cidr;
	aip->flags = remove ? WGALLOWEDIP_REMOVE_ME : 0;
	return 0;
}

static int new_peer(struct wgdevice *dev, struct wgpeer **peer, const char *value)
{
	*peer = model_peer_append(dev);
	if (!*peer)
		return -ENOMEM;
	if (!key_from_hex((*peer)->public_key, value))
		return -EINVAL;
	(*peer)->flags |= WGPEER_HAS_PUBLIC_KEY;
	return 0;
}

/* Peer keys both directions share: 1 unknown key, 0 done, -errno bad value. */
static int common_peer_key(struct wgpeer *peer, const char *key, const char *value)
{
	if (!strcmp(key, "preshared_key")) {
		if (!key_from_hex(peer->preshared_key, value))
			return -EINVAL;
		peer->flags |= WGPEER_HAS_PRESHARED_KEY;
	} else if (!strcmp(key, "endpoint")) {
		if (!endpoint_parse_numeric(&peer->endpoint, value))
			return -EINVAL;
	} else if (!strcmp(key, "persistent_keepalive_interval")) {
		if (!num_parse_u16(&peer->persistent_keepalive_interval, value))
			return -EINVAL;
		peer->flags |= WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	} else if (!strcmp(key, "allowed_ip")) {
		return add_allowedip(peer, value);
	} else if (!strcmp(key, "protocol_version")) {
		if (strcmp(value, "1"))
			return -EINVAL;
	} else {
		return 1;
	}
	return 0;
}

/* Server side: a flag that may only say "true". */
static int set_flag(uint32_t *flags, uint32_t flag, const char *value)
{
	if (!parse_true(value))
		return -EINVAL;
	*flags |= flag;
	return 0;
}

static int set_peer_key(struct wgpeer *peer, const char *key, const char *value)
{
	int ret = common_peer_key(peer, key, value);

	if (ret <= 0)
		return ret;
	if (!strcmp(key, "remove"))
		return set_flag(&peer->flags, WGPEER_REMOVE_ME, value);
	if (!strcmp(key, "update_only"))
		return set_flag(&peer->flags, WGPEER_UPDATE_ONLY, value);
	if (!strcmp(key, "replace_allowed_ips"))
		return set_flag(&peer->flags, WGPEER_REPLACE_ALLOWEDIPS, value);
	return -EINVAL;
}

static int set_device_key(struct wgdevice *dev, const char *key, const char *value)
{
	if (!strcmp(key, "private_key")) {
		if (!key_from_hex(dev->private_key, value))
			return -EINVAL;
		dev->flags |= WGDEVICE_HAS_PRIVATE_KEY;
	} else if (!strcmp(key, "listen_port")) {
		if (!num_parse_u16(&dev->listen_port, value))
			return -EINVAL;
		dev->flags |= WGDEVICE_HAS_LISTEN_PORT;
	} else if (!strcmp(key, "fwmark")) {
		if (!num_parse_u32(&dev->fwmark, value))
			return -EINVAL;
		dev->flags |= WGDEVICE_HAS_FWMARK;
	} else if (!strcmp(key, "replace_peers")) {
		return set_flag(&dev->flags, WGDEVICE_REPLACE_PEERS, value);
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Splits "key=value" in place; NULL value when there is no '='. */
static char *split_line(char *line)
{
	char *eq = strchr(line, '=');

	if (!eq)
		return NULL;
	*eq = '\0';
	return eq + 1;
}

static int set_line(struct wgdevice *dev, struct wgpeer **peer, char *line)
{
	char *value = split_line(line);

	if (!value)
		return -EPROTO;
	if (!strcmp(line, "public_key"))
		return new_peer(dev, peer, value);
	if (*peer)
		return set_peer_key(*peer, line, value);
	return set_device_key(dev, line, value);
}

int uapi_read_set(FILE *in, struct wgdevice **out)
{
	struct wgdevice *dev = model_device_new();
	struct wgpeer *peer = NULL;
	char *line = malloc(LINE_BUF_LEN);
	int ret = -ENOMEM;

	*out = NULL;
	if (!dev || !line)
		goto out;
	while ((ret = read_line(in, line)) > 0) {
		ret = set_line(dev, &peer, line);
		if (ret < 0)
			break;
	}
	if (ret < 0 && !feof(in))
		drain(in, line);
out:
	if (line)
		sodium_memzero(line, LINE_BUF_LEN);
	free(line);
	if (ret < 0)
		model_device_free(dev);
	else
		*out = dev;
	return ret < 0 ? ret : 0;
}

static int get_errno(const char *value, int *err)
{
	long v;
	char *end;

	errno = 0;
	v = strtol(value, &end, 10);
	if (!*value || *end || errno || v < -4095 || v > 4095)
		return -EPROTO;
	*err = v > 0 ? (int)-v : (int)v;
	return 0;
}

/* Plain decimal that fits 64 bits, as strtoull() would take it but without a sign or blanks. */
static int get_u64(uint64_t *out, const char *value)
{
	uint64_t v = 0;
	unsigned int d;

	if (!*value)
		return -EPROTO;
	for (; *value; ++value) {
		d = (unsigned int)(*value - '0');
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EPROTO;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

enum peer_stat { STAT_SEC, STAT_NSEC, STAT_RX, STAT_TX, STAT_NONE };

/* The first letter rules out most lines before any strcmp(). */
static enum peer_stat peer_stat_of(const char *key)
{
	switch (key[0]) {
	case 'r':
		return !strcmp(key, "rx_bytes") ? STAT_RX : STAT_NONE;
	case 't':
		return !strcmp(key, "tx_bytes") ? STAT_TX : STAT_NONE;
	case 'l':
		if (!strcmp(key, "last_handshake_time_sec"))
			return STAT_SEC;
		return !strcmp(key, "last_handshake_time_nsec") ? STAT_NSEC : STAT_NONE;
	default:
		return STAT_NONE;
	}
}

/* The reply's per-peer counters; 1 for a key that is not one of them. */
static int get_peer_stat(struct wgpeer *peer, const char *key, const char *value)
{
	enum peer_stat stat = peer_stat_of(key);
	uint64_t v;

	if (stat == STAT_NONE)
		return 1;
	if (get_u64(&v, value))
		return -EPROTO;
	if (stat == STAT_SEC)
		peer->last_handshake_time.tv_sec = (time_t)v;
	else if (stat == STAT_NSEC)
		peer->last_handshake_time.tv_nsec = (long)(v % 1000000000);
	else if (stat == STAT_RX)
		peer->rx_bytes = v;
	else
		peer->tx_bytes = v;
	return 0;
}

static int get_peer_key(struct wgpeer *peer, const char *key, const char *value)
{
	/* The counters first: they are four of a reply's eight lines per peer. */
	int ret = get_peer_stat(peer, key, value);

	if (ret <= 0)
		return ret;
	ret = common_peer_key(peer, key, value);
	if (ret < 0)
		return -EPROTO;
	if (ret == 0 && !strcmp(key, "preshared_key") && key_is_zero(peer->preshared_key))
		peer->flags &= ~WGPEER_HAS_PRESHARED_KEY;
	return 0; /* Unknown keys are newer fields: skip them. */
}

/* A "drop_NAME" line of the device section; malformed or surplus ones are skipped. */
static void get_drop(struct wgdevice *dev, const char *name, const char *value)
{
	struct wgdrop *d = &dev->drops[dev->n_drops];

	if (dev->n_drops == WG_DROPS_MAX || !*name || strlen(name) >= sizeof(d->name) ||
	    get_u64(&d->count, value))
		return;
	memcpy(d->name, name, strlen(name) + 1);
	++dev->n_drops;
}

static int get_device_key(struct wgdevice *dev, const char *key, const char *value)
{
	int ret;

	if (key[0] == 'd' && !strncmp(key, "drop_", 5)) {
		get_drop(dev, key + 5, value);
		return 0;
	}
	if (strcmp(key, "private_key") && strcmp(key, "listen_port") && strcmp(key, "fwmark"))
		return 0; /* Unknown keys are newer fields: skip them. */
	ret = set_device_key(dev, key, value);
	if (ret)
		return -EPROTO;
	if (!strcmp(key, "private_key") && !key_is_zero(dev->private_key)) {
		key_public_from_private(dev->public_key, dev->private_key);
		dev->flags |= WGDEVICE_HAS_PUBLIC_KEY;
	}
	return 0;
}

struct get_state {
	struct wgdevice *dev;
	struct wgpeer *peer;
	int err;
	bool has_errno;
};

static int get_line(struct get_state *st, char *line)
{
	char *value = split_line(line);

	if (!value)
		return -EPROTO;
	if (line[0] == 'e' && !strcmp(line, "errno")) {
		st->has_errno = true;
		return get_errno(value, &st->err);
	}
	if (!strcmp(line, "public_key"))
		return new_peer(st->dev, &st->peer, value) ? -EPROTO : 0;
	if (st->peer)
		return get_peer_key(st->peer, line, value);
	return get_device_key(st->dev, line, value);
}

int uapi_read_get(FILE *in, struct wgdevice *dev)
{
	struct get_state st = {.dev = dev};
	char *line = malloc(LINE_BUF_LEN);
	int ret;

	if (!line)
		return -ENOMEM;
	while ((ret = read_line(in, line)) > 0) {
		ret = get_line(&st, line);
		if (ret < 0)
			break;
	}
	if (ret < 0 && !feof(in))
		drain(in, line);
	sodium_memzero(line, LINE_BUF_LEN);
	free(line);
	if (ret < 0)
		return ret;
	if (!st.has_errno)
		return -EPROTO;
	return st.err;
}
