// SPDX-License-Identifier: GPL-2.0
/*
 * The keystore file: one line per site or client with its private key and the
 * addresses it was given, and the secret that derives pre-shared keys. Read
 * whole, wiped after; written to a 0600 temporary file and renamed over.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>
#include "cidr.h"
#include "key.h"
#include "secret.h"
#include "outfile.h"
#include "keystore.h"

#define KEYSTORE_HEADER "# wg-mesh keystore: the mesh's private keys. Keep it secret (mode 0600).\n"

struct keystore_entry *keystore_find(struct keystore *ks, const char *name, bool is_client)
{
	size_t i;

	for (i = 0; i < ks->n; ++i)
		if (ks->entries[i].is_client == is_client && !strcmp(ks->entries[i].name, name))
			return &ks->entries[i];
	return NULL;
}

static struct keystore_entry *entry_add(struct keystore *ks, const char *name, bool is_client)
{
	struct keystore_entry *e;

	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 16;

		/* Never realloc: the old block would keep keys unwiped. */
		e = sodium_allocarray(cap, sizeof(*e));
		if (!e)
			return NULL;
		if (ks->n)
			memcpy(e, ks->entries, ks->n * sizeof(*e));
		sodium_free(ks->entries);
		ks->entries = e;
		ks->cap = cap;
	}
	e = &ks->entries[ks->n];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (!e->name)
		return NULL;
	e->is_client = is_client;
	ks->n++;
	return e;
}

void keystore_rotate(struct keystore_entry *e)
{
	e->made = time(NULL);
	key_generate_private(e->private_key);
	key_public_from_private(e->public_key, e->private_key);
	e->rotated = !e->created;
}

struct keystore_entry *keystore_get(struct keystore *ks, const char *name, bool is_client)
{
	struct keystore_entry *e = keystore_find(ks, name, is_client);

	if (e)
		return e;
	e = entry_add(ks, name, is_client);
	if (!e)
		return NULL;
	e->created = true;
	keystore_rotate(e);
	return e;
}

void keystore_ensure_psk_secret(struct keystore *ks)
{
	if (ks->has_psk_secret)
		return;
	key_generate_preshared(ks->psk_secret);
	ks->has_psk_secret = true;
}

void keystore_psk(const struct keystore *ks, uint8_t out[WG_KEY_LEN], const uint8_t a[WG_KEY_LEN],
		  const uint8_t b[WG_KEY_LEN])
{
	uint8_t msg[2 * WG_KEY_LEN];
	bool swap = memcmp(a, b, WG_KEY_LEN) > 0; /* public keys: branching is fine */

	memcpy(msg, swap ? b : a, WG_KEY_LEN);
	memcpy(msg + WG_KEY_LEN, swap ? a : b, WG_KEY_LEN);
	crypto_generichash(out, WG_KEY_LEN, msg, sizeof(msg), ks->psk_secret, WG_KEY_LEN);
}

void keystore_free(struct keystore *ks)
{
	size_t i;

	for (i = 0; i < ks->n; ++i)
		free(ks->entries[i].name);
	sodium_free(ks->entries); /* wipes */
	sodium_memzero(ks->psk_secret, sizeof(ks->psk_secret));
	free(ks->interface);
	memset(ks, 0, sizeof(*ks));
}

void keystore_format_date(char *buf, time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, KEYSTORE_DATE_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(buf, "1970-01-01T00:00:00Z");
}

bool keystore_parse_date(time_t *t, const char *s)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);

	if (!end || *end)
		return false;
	*t = timegm(&tm);
	return *t > 0;
}

/* "made=DATE", between the key and the addresses; files from before it have none. */
static bool parse_made(struct keystore_entry *e, const char *tok)
{
	if (strncmp(tok, "made=", 5))
		return false;
	return keystore_parse_date(&e->made, tok + 5);
}

static bool parse_entry_line(struct keystore *ks, char *line, bool is_client)
{
	struct keystore_entry *e;
	char *save = NULL, *name, *key, *addr;

	name = strtok_r(line, " \t", &save);
	key = strtok_r(NULL, " \t", &save);
	if (!name || !key || keystore_find(ks, name, is_client))
		return false;
	e = entry_add(ks, name, is_client);
	if (!e || !key_from_base64(e->private_key, key))
		return false;
	key_public_from_private(e->public_key, e->private_key);
	while ((addr = strtok_r(NULL, " \t", &save))) {
		if (!e->n_addrs && !e->made && parse_made(e, addr))
			continue;
		if (e->n_addrs == KEYSTORE_MAX_ADDRS || !cidr_parse(&e->addrs[e->n_addrs], addr))
			return false;
		e->n_addrs++;
	}
	return true;
}

static bool parse_line(struct keystore *ks, char *line)
{
	if (!*line || *line == '#')
		return true;
	if (!strncmp(line, "site ", 5))
		return parse_entry_line(ks, line + 5, false);
	if (!strncmp(line, "client ", 7))
		return parse_entry_line(ks, line + 7, true);
	if (!strncmp(line, "psk-secret ", 11)) {
		ks->has_psk_secret = key_from_base64(ks->psk_secret, line + 11);
		return ks->has_psk_secret;
	}
	if (!strncmp(line, "interface ", 10) && !ks->interface) {
		ks->interface = strdup(line + 10);
		return ks->interface != NULL;
	}
	return false;
}

static int read_all(const char *path, char **out, size_t *len, time_t *mtime)
{
	struct stat st;
	ssize_t r;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !(*out = sodium_malloc(st.st_size + 1))) {
		close(fd);
		return -ENOMEM;
	}
	*mtime = st.st_mtime;
	while (off < (size_t)st.st_size && (r = read(fd, *out + off, st.st_size - off)) > 0)
		off += r;
	close(fd);
	(*out)[off] = '\0';
	*len = off;
	return 0;
}

int keystore_load(struct keystore *ks, const char *path)
{
	char *buf = NULL, *line, *next;
	size_t len, lineno = 0, i;
	time_t mtime = 0;
	int ret;

	memset(ks, 0, sizeof(*ks));
	ret = read_all(path, &buf, &len, &mtime);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0) {
		fprintf(stderr, "Unable to read %s: %s\n", path, strerror(-ret));
		return ret;
	}
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		++lineno;
		if (!parse_line(ks, line)) {
			fprintf(
			    stderr,
			    "%s:%zu: damaged keystore line; expected `site NAME KEY "
			    "[made=DATE] [ADDRESS...]', `client ...', `psk-secret KEY' or `interface "
			    "NAME' (fix or remove it, nothing was changed)\n",
			    path, lineno);
			ret = -EINVAL;
			break;
		}
	}
	sodium_free(buf);
	for (i = 0; i < ks->n; ++i)
		if (!ks->entries[i].made)
			ks->entries[i].made = mtime;
	return ret;
}

/* One line: "site NAME KEY ADDR..."; buf has room for it (see entry_size). */
static size_t format_entry(char *buf, const struct keystore_entry *e)
{
	char b64[KEY_B64_LEN], addr[CIDR_STR_LEN], date[KEYSTORE_DATE_LEN];
	size_t off, i;

	key_to_base64(b64, e->private_key);
	keystore_format_date(date, e->made);
	off =
	    sprintf(buf, "%s %s %s made=%s", e->is_client ? "client" : "site", e->name, b64, date);
	for (i = 0; i < e->n_addrs; ++i) {
		cidr_print(addr, sizeof(addr), &e->addrs[i]);
		off += sprintf(buf + off, " %s", addr);
	}
	buf[off++] = '\n';
	sodium_memzero(b64, sizeof(b64));
	return off;
}

static size_t entry_size(const struct keystore_entry *e)
{
	return strlen(e->name) + 16 + KEY_B64_LEN + 6 + KEYSTORE_DATE_LEN +
	       e->n_addrs * (CIDR_STR_LEN + 1);
}

int keystore_save(const struct keystore *ks, const char *path)
{
	char b64[KEY_B64_LEN], *buf;
	size_t size = 256 + (ks->interface ? strlen(ks->interface) : 0), off, i;
	int ret;

	for (i = 0; i < ks->n; ++i)
		size += entry_size(&ks->entries[i]);
	buf = sodium_malloc(size);
	if (!buf)
		return -ENOMEM;
	off = sprintf(buf, "%s", KEYSTORE_HEADER);
	if (ks->interface)
		off += sprintf(buf + off, "interface %s\n", ks->interface);
	if (ks->has_psk_secret) {
		key_to_base64(b64, ks->psk_secret);
		off += sprintf(buf + off, "psk-secret %s\n", b64);
		sodium_memzero(b64, sizeof(b64));
	}
	for (i = 0; i < ks->n; ++i)
		if (ks->entries[i].used)
			off += format_entry(buf + off, &ks->entries[i]);
	/* Unchanged keys leave the file alone, timestamp included. */
	ret = outfile_has_content(path, buf, off) ? 0 : outfile_write_atomic(path, buf, off);
	sodium_free(buf); /* wipes */
	return ret;
}
