// SPDX-License-Identifier: GPL-2.0
/*
 * The wg(8) INI format, line by line, into the shared model. Whitespace is
 * dropped everywhere and '#' starts a comment, as in wireguard-tools; every
 * diagnostic is one line "file:line: message" on stderr, in wg(8)'s words.
 */
#include "config.h"
#include "cidr.h"
#include "endpoint.h"
#include "key.h"
#include "num.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#define MSG_LEN 512

static const char *display_name(const char *filename)
{
	if (!filename || !strcmp(filename, "-") || !strcmp(filename, "/dev/stdin"))
		return "stdin";
	return filename;
}

__attribute__((format(printf, 3, 4))) static bool fail(struct config_ctx *ctx, unsigned int lineno,
						       const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%u: ", display_name(ctx->filename), lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

bool config_read_init(struct config_ctx *ctx, const char *filename, bool append)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->filename = filename;
	ctx->append = append;
	ctx->device = model_device_new();
	if (!ctx->device) {
		perror("calloc");
		ctx->failed = true;
		return false;
	}
	/*
	 * setconf states the whole device: what the file leaves out is reset
	 * (no private key, a random port, no fwmark), exactly as wg(8) sends it.
	 */
	if (!append)
		ctx->device->flags |= WGDEVICE_REPLACE_PEERS | WGDEVICE_HAS_PRIVATE_KEY |
				      WGDEVICE_HAS_LISTEN_PORT | WGDEVICE_HAS_FWMARK;
	return true;
}

/* isspace() in the C locale, without a call and a table per byte. */
static inline bool is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Strips into out (room for strlen(line) + 1), cut at '#' if asked; the length kept. */
static size_t strip_into(char *out, const char *line, bool comments)
{
	size_t n = 0;

	for (; *line && !(comments && *line == '#'); ++line) {
		if (!is_space((unsigned char)*line))
			out[n++] = *line;
	}
	out[n] = '\0';
	return n;
}

/* A copy without whitespace, cut at '#' if asked. May hold a key: wipe before free. */
static char *strip_line(const char *line, size_t *out_len, bool comments)
{
	size_t len = strlen(line);
	char *out = malloc(len + 1);

	if (!out)
		return NULL;
	strip_into(out, line, comments);
	*out_len = len + 1;
	return out;
}

static bool parse_key_value(uint8_t key[WG_KEY_LEN], const char *value, char *msg)
{
	if (key_from_base64(key, value))
		return true;
	snprintf(msg, MSG_LEN, "Key is not the correct length or format: `%s'", value);
	return false;
}

/*
 * Debian's wg warns, on stderr and without a file:line prefix, when bits are
 * set after the prefix length, quoting the address and the prefix as typed.
 * A bare address is a full-length prefix, so it never warns.
 */
static void warn_host_bits(const struct wgallowedip *aip, const char *elem)
{
	struct wgallowedip masked = *aip;
	const char *slash = strchr(elem, '/');

	cidr_mask(&masked);
	if (!slash || !memcmp(&masked.ip6, &aip->ip6, sizeof(aip->ip6)))
		return;
	fprintf(stderr, "Warning: AllowedIP has nonzero host part: %.*s/%s\n", (int)(slash - elem),
		elem, slash + 1);
}

/* One list element; with signs allowed, "-" marks removal and "+" an addition. */
static bool parse_allowedip(struct wgpeer *peer, const char *elem, bool signs, char *msg)
{
	struct wgallowedip parsed = {0}, *aip;
	uint32_t flags = 0;

	if (signs && (*elem == '+' || *elem == '-')) {
		if (*elem == '-')
			flags |= WGALLOWEDIP_REMOVE_ME;
		++elem;
	}
	if (!cidr_parse_msg(&parsed, elem, msg, MSG_LEN))
		return false;
	warn_host_bits(&parsed, elem);
	aip = model_allowedip_append(peer);
	if (!aip) {
		snprintf(msg, MSG_LEN, "calloc: %s", strerror(errno));
		return false;
	}
	aip->family = parsed.family;
	memcpy(&aip->ip6, &parsed.ip6, sizeof(parsed.ip6));
	aip->cidr = parsed.cidr;
	aip->flags = flags;
	return true;
}

/* A comma-separated list; the copy is needed because elements are cut in place. */
static bool parse_allowedips(struct wgpeer *peer, const char *value, bool signs, char *msg)
{
	char *copy = strdup(value), *rest, *elem;
	bool ok = true;

	if (!copy) {
		snprintf(msg, MSG_LEN, "strdup: %s", strerror(errno));
		return false;
	}
	rest = copy;
	while (ok && (elem = strsep(&rest, ",")))
		ok = parse_allowedip(peer, elem, signs, msg);
	free(copy);
	return ok;
}

/* 1 parsed, 0 bad value (msg set), -1 not an [Interface] key. */
static int interface_key(struct wgdevice *dev, const char *key, const char *value, char *msg)
{
	if (!strcasecmp(key, "PrivateKey")) {
		if (!parse_key_value(dev->private_key, value, msg))
			return 0;
		dev->flags |= WGDEVICE_HAS_PRIVATE_KEY;
	} else if (!strcasecmp(key, "ListenPort")) {
		if (!num_parse_port_msg(&dev->listen_port, value, msg, MSG_LEN))
			return 0;
		dev->flags |= WGDEVICE_HAS_LISTEN_PORT;
	} else if (!strcasecmp(key, "FwMark")) {
		if (!num_parse_fwmark_msg(&dev->fwmark, value, msg, MSG_LEN))
			return 0;
		dev->flags |= WGDEVICE_HAS_FWMARK;
	} else {
		return -1;
	}
	return 1;
}

/* 1 parsed, 0 bad value (msg set), -1 not a [Peer] key. */
static int peer_key(struct wgpeer *peer, const char *key, const char *value, char *msg)
{
	if (!strcasecmp(key, "PublicKey")) {
		if (!parse_key_value(peer->public_key, value, msg))
			return 0;
		peer->flags |= WGPEER_HAS_PUBLIC_KEY;
	} else if (!strcasecmp(key, "PresharedKey")) {
		if (!parse_key_value(peer->preshared_key, value, msg))
			return 0;
		peer->flags |= WGPEER_HAS_PRESHARED_KEY;
	} else if (!strcasecmp(key, "AllowedIPs")) {
		return parse_allowedips(peer, value, false, msg);
	} else if (!strcasecmp(key, "Endpoint")) {
		return endpoint_parse_msg(&peer->endpoint, value, msg, MSG_LEN);
	} else if (!strcasecmp(key, "PersistentKeepalive")) {
		if (!num_parse_keepalive_msg(&peer->persistent_keepalive_interval, value, msg,
					     MSG_LEN))
			return 0;
		peer->flags |= WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	} else {
		return -1;
	}
	return 1;
}

/* The peer that just ended must have said who it is. */
static bool check_peer_done(struct config_ctx *ctx)
{
	if (!ctx->is_peer_section || (ctx->last_peer->flags & WGPEER_HAS_PUBLIC_KEY))
		return true;
	fail(ctx, ctx->peer_lineno, "A peer is missing a public key");
	ctx->invalid = true;
	return false;
}

static bool begin_peer(struct config_ctx *ctx, unsigned int lineno, char *msg)
{
	struct wgpeer *peer = model_peer_append(ctx->device);

	if (!peer) {
		snprintf(msg, MSG_LEN, "calloc: %s", strerror(errno));
		return false;
	}
	/* Even addconf replaces a peer's allowed IPs: wg(8) sends the same. */
	peer->flags |= WGPEER_REPLACE_ALLOWEDIPS;
	ctx->last_peer = peer;
	ctx->peer_lineno = lineno;
	ctx->is_peer_section = true;
	return true;
}

/* "[Interface]" or "[Peer]", case-insensitive. */
static int section(struct config_ctx *ctx, const char *line, unsigned int lineno, char *msg)
{
	bool is_interface = !strcasecmp(line, "[Interface]");

	if (!is_interface && strcasecmp(line, "[Peer]"))
		return -1;
	if (!check_peer_done(ctx))
		return 0;
	ctx->is_peer_section = false;
	ctx->is_device_section = is_interface;
	if (is_interface)
		return 1;
	return begin_peer(ctx, lineno, msg);
}

static int process(struct config_ctx *ctx, char *line, unsigned int lineno, char *msg)
{
	char *value;
	int ret = -1;

	if (line[0] == '[')
		return section(ctx, line, lineno, msg);
	value = strchr(line, '=');
	if (!value || value == line || !value[1])
		return -1;
	*value++ = '\0';
	if (ctx->is_device_section)
		ret = interface_key(ctx->device, line, value, msg);
	else if (ctx->is_peer_section)
		ret = peer_key(ctx->last_peer, line, value, msg);
	/* Unrecognized lines are quoted whole: put the '=' back. */
	if (ret < 0)
		value[-1] = '=';
	return ret;
}

static void abandon(struct config_ctx *ctx)
{
	model_device_free(ctx->device);
	ctx->device = NULL;
	ctx->last_peer = NULL;
	ctx->failed = true;
}

/* Lines up to this long are stripped on the stack; longer ones on the heap. */
#define SHORT_LINE 256

bool config_read_line(struct config_ctx *ctx, const char *line, unsigned int lineno)
{
	char msg[MSG_LEN], short_buf[SHORT_LINE], *stripped = short_buf;
	size_t cap = strlen(line) + 1;
	int ret;

	if (ctx->failed || !ctx->device)
		return false;
	if (cap > sizeof(short_buf) && !(stripped = malloc(cap))) {
		fail(ctx, lineno, "malloc: %s", strerror(errno));
		abandon(ctx);
		return false;
	}
	strip_into(stripped, line, true);
	msg[0] = '\0';
	ret = stripped[0] ? process(ctx, stripped, lineno, msg) : 1;
	if (ret < 0)
		fail(ctx, lineno, "Line unrecognized: `%s'", stripped);
	else if (ret == 0 && !ctx->invalid)
		fail(ctx, lineno, "%s", msg);
	/* Either may hold a key. */
	sodium_memzero(stripped, cap);
	if (stripped != short_buf)
		free(stripped);
	sodium_memzero(msg, strlen(msg));
	if (ret <= 0)
		abandon(ctx);
	return ret > 0;
}

struct wgdevice *config_read_finish(struct config_ctx *ctx)
{
	struct wgdevice *dev;

	if (!ctx->failed && ctx->device && !check_peer_done(ctx))
		abandon(ctx);
	if (ctx->failed || !ctx->device) {
		fputs(ctx->invalid ? "Invalid configuration\n" : "Configuration parsing error\n",
		      stderr);
		abandon(ctx);
		return NULL;
	}
	dev = ctx->device;
	ctx->device = NULL;
	ctx->last_peer = NULL;
	return dev;
}

static bool is_stdin_path(const char *path)
{
	return !strcmp(path, "-") || !strcmp(path, "/dev/stdin");
}

static void read_lines(struct config_ctx *ctx, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;

	while (getline(&line, &cap, f) >= 0) {
		bool ok = config_read_line(ctx, line, ++lineno);

		sodium_memzero(line, cap);
		if (!ok)
			break;
	}
	free(line);
	if (ferror(f) && !ctx->failed) {
		fprintf(stderr, "%s: %s\n", display_name(ctx->filename), strerror(errno));
		abandon(ctx);
	}
}

struct wgdevice *config_read_file(const char *path, bool append)
{
	struct config_ctx ctx;
	FILE *f = is_stdin_path(path) ? stdin : fopen(path, "r");
	char *iobuf = NULL;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	/* Our own stdio buffer, so the keys it held can be wiped. */
	if (f != stdin && (iobuf = malloc(BUFSIZ)))
		setvbuf(f, iobuf, _IOFBF, BUFSIZ);
	if (config_read_init(&ctx, path, append))
		read_lines(&ctx, f);
	if (f != stdin)
		fclose(f);
	if (iobuf)
		sodium_memzero(iobuf, BUFSIZ);
	free(iobuf);
	return config_read_finish(&ctx);
}

/* After the key: only whitespace may follow. */
static bool only_space_left(FILE *f)
{
	int c;

	while ((c = getc(f)) != EOF) {
		if (!isspace(c)) {
			fprintf(stderr, "Found trailing character in key file: `%c'\n", c);
			return false;
		}
	}
	if (ferror(f)) {
		perror("getc");
		return false;
	}
	return true;
}

/* An empty file (or /dev/null) means "no key": all zeros, as wg(8). */
static bool read_keyfile(uint8_t key[WG_KEY_LEN], FILE *f, char b64[KEY_B64_LEN])
{
	if (fread(b64, KEY_B64_LEN - 1, 1, f) != 1) {
		if (!ferror(f) && feof(f) && !ftell(f)) {
			memset(key, 0, WG_KEY_LEN);
			return true;
		}
		fprintf(stderr, "Invalid length key in key file\n");
		return false;
	}
	b64[KEY_B64_LEN - 1] = '\0';
	if (!only_space_left(f))
		return false;
	if (key_from_base64(key, b64))
		return true;
	fprintf(stderr, "Key is not the correct length or format in key file\n");
	return false;
}

bool config_read_keyfile(uint8_t key[WG_KEY_LEN], const char *path)
{
	char b64[KEY_B64_LEN], iobuf[256];
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f) {
		perror("fopen");
		return false;
	}
	/* Our own stdio buffer, so the copy of the key it holds can be wiped. */
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	ok = read_keyfile(key, f, b64);
	fclose(f);
	sodium_memzero(iobuf, sizeof(iobuf));
	sodium_memzero(b64, sizeof(b64));
	return ok;
}

/* `wg set`: whitespace inside an allowed-ips list is ignored, as wg(8) does. */
static bool cmd_allowedips(struct wgpeer *peer, const char *value, char *msg)
{
	size_t cap;
	char *list = strip_line(value, &cap, false);
	bool signs, ok;

	if (!list) {
		snprintf(msg, MSG_LEN, "malloc: %s", strerror(errno));
		return false;
	}
	/* A list with any signed element is a change; a plain list replaces. */
	signs = list[0] == '+' || list[0] == '-' || strstr(list, ",+") || strstr(list, ",-");
	if (!signs)
		peer->flags |= WGPEER_REPLACE_ALLOWEDIPS;
	ok = !list[0] || parse_allowedips(peer, list, signs, msg);
	free(list);
	return ok;
}

struct cmd_state {
	struct wgdevice *dev;
	struct wgpeer *peer;
};

static bool cmd_listen_port(struct cmd_state *st, const char *value, char *msg)
{
	st->dev->flags |= WGDEVICE_HAS_LISTEN_PORT;
	return num_parse_port_msg(&st->dev->listen_port, value, msg, MSG_LEN);
}

static bool cmd_fwmark(struct cmd_state *st, const char *value, char *msg)
{
	st->dev->flags |= WGDEVICE_HAS_FWMARK;
	return num_parse_fwmark_msg(&st->dev->fwmark, value, msg, MSG_LEN);
}

static bool cmd_private_key(struct cmd_state *st, const char *value, char *msg)
{
	msg[0] = '\0'; /* read_keyfile printed its own diagnostic */
	st->dev->flags |= WGDEVICE_HAS_PRIVATE_KEY;
	return config_read_keyfile(st->dev->private_key, value);
}

static bool cmd_peer(struct cmd_state *st, const char *value, char *msg)
{
	st->peer = model_peer_append(st->dev);
	if (!st->peer) {
		snprintf(msg, MSG_LEN, "calloc: %s", strerror(errno));
		return false;
	}
	st->peer->flags |= WGPEER_HAS_PUBLIC_KEY;
	return parse_key_value(st->peer->public_key, value, msg);
}

static bool cmd_remove(struct cmd_state *st, const char *value, char *msg)
{
	(void)value;
	(void)msg;
	st->peer->flags |= WGPEER_REMOVE_ME;
	return true;
}

static bool cmd_endpoint(struct cmd_state *st, const char *value, char *msg)
{
	return endpoint_parse_msg(&st->peer->endpoint, value, msg, MSG_LEN);
}

static bool cmd_keepalive(struct cmd_state *st, const char *value, char *msg)
{
	st->peer->flags |= WGPEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	return num_parse_keepalive_msg(&st->peer->persistent_keepalive_interval, value, msg,
				       MSG_LEN);
}

static bool cmd_preshared_key(struct cmd_state *st, const char *value, char *msg)
{
	msg[0] = '\0';
	st->peer->flags |= WGPEER_HAS_PRESHARED_KEY;
	return config_read_keyfile(st->peer->preshared_key, value);
}

static bool cmd_allowed_ips(struct cmd_state *st, const char *value, char *msg)
{
	return cmd_allowedips(st->peer, value, msg);
}

enum cmd_scope { CMD_DEVICE, CMD_PEER, CMD_ANY };

static const struct cmd_option {
	const char *name;
	int nargs;
	enum cmd_scope scope;
	bool (*fn)(struct cmd_state *st, const char *value, char *msg);
} cmd_options[] = {
    {"listen-port", 1, CMD_DEVICE, cmd_listen_port},
    {"fwmark", 1, CMD_DEVICE, cmd_fwmark},
    {"private-key", 1, CMD_DEVICE, cmd_private_key},
    {"peer", 1, CMD_ANY, cmd_peer},
    {"remove", 0, CMD_PEER, cmd_remove},
    {"endpoint", 1, CMD_PEER, cmd_endpoint},
    {"allowed-ips", 1, CMD_PEER, cmd_allowed_ips},
    {"persistent-keepalive", 1, CMD_PEER, cmd_keepalive},
    {"preshared-key", 1, CMD_PEER, cmd_preshared_key},
};

static const struct cmd_option *cmd_find(const struct cmd_state *st, const char *argv[], int argc)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_options) / sizeof(cmd_options[0]); ++i) {
		const struct cmd_option *opt = &cmd_options[i];

		if (strcmp(argv[0], opt->name) || argc < opt->nargs + 1)
			continue;
		if ((opt->scope == CMD_DEVICE && st->peer) || (opt->scope == CMD_PEER && !st->peer))
			continue;
		return opt;
	}
	return NULL;
}

struct wgdevice *config_read_cmd(const char *argv[], int argc)
{
	struct cmd_state st = {.dev = model_device_new()};
	const struct cmd_option *opt;
	char msg[MSG_LEN];

	if (!st.dev) {
		perror("calloc");
		return NULL;
	}
	while (argc > 0) {
		opt = cmd_find(&st, argv, argc);
		if (!opt) {
			fprintf(stderr, "Invalid argument: %s\n", argv[0]);
			goto err;
		}
		msg[0] = '\0';
		if (!opt->fn(&st, opt->nargs ? argv[1] : NULL, msg)) {
			if (msg[0])
				fprintf(stderr, "%s\n", msg);
			goto err;
		}
		argv += opt->nargs + 1;
		argc -= opt->nargs + 1;
	}
	return st.dev;
err:
	model_device_free(st.dev);
	return NULL;
}
