/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keystore beside a plan (sites.keys, mode 0600): each site's and client's
 * private key, when that key was made and the tunnel addresses it was given,
 * plus one secret from which every pair's pre-shared key is derived. Keys stay stable between runs;
 * keys never go into sites.yaml.
 */
#ifndef MESH_KEYSTORE_H
#define MESH_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "model.h"

#define KEYSTORE_MAX_ADDRS 8

struct keystore_entry {
	char *name;
	bool is_client;
	bool used;    /* still in sites.yaml; unused entries are dropped on save */
	bool created; /* new in this run */
	bool rotated; /* renewed in this run */
	uint8_t private_key[WG_KEY_LEN];
	uint8_t public_key[WG_KEY_LEN];
	/*
	 * When the key was made (Unix time). Keystores from before dates were
	 * kept give their keys the file's modification time: at least that old.
	 */
	time_t made;
	struct wgallowedip addrs[KEYSTORE_MAX_ADDRS]; /* given out from the pools */
	size_t n_addrs;
};

struct keystore {
	struct keystore_entry *entries;
	size_t n, cap;
	uint8_t psk_secret[WG_KEY_LEN];
	bool has_psk_secret;
	char *interface; /* the interface name of the last plan, NULL if none */
};

/*
 * Reads path; a missing file gives an empty keystore. Returns 0, or -errno
 * with one diagnostic printed (a damaged keystore is never overwritten).
 */
int keystore_load(struct keystore *ks, const char *path) __attribute__((warn_unused_result));
/* Atomically writes the used entries, mode 0600 (temporary file + rename). */
int keystore_save(const struct keystore *ks, const char *path) __attribute__((warn_unused_result));
/* Wipes every key and frees. */
void keystore_free(struct keystore *ks);

struct keystore_entry *keystore_find(struct keystore *ks, const char *name, bool is_client);
/* The entry for name, created with a fresh key when missing; NULL on ENOMEM. */
struct keystore_entry *keystore_get(struct keystore *ks, const char *name, bool is_client);
/* A new private key for an entry, made now. */
void keystore_rotate(struct keystore_entry *e);
/* Makes the pre-shared key secret if there is none yet. */
void keystore_ensure_psk_secret(struct keystore *ks);
/*
 * The pre-shared key of the pair (a, b): keyed BLAKE2b of both public keys in
 * a fixed order, so it is the same from both sides and renews when either key
 * is rotated.
 */
void keystore_psk(const struct keystore *ks, uint8_t out[WG_KEY_LEN], const uint8_t a[WG_KEY_LEN],
		  const uint8_t b[WG_KEY_LEN]);

/* "2026-12-03T08:50:38Z" (buf of KEYSTORE_DATE_LEN) and back. */
#define KEYSTORE_DATE_LEN 21
void keystore_format_date(char *buf, time_t t);
bool keystore_parse_date(time_t *t, const char *s);

#endif
