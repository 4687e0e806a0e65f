/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 32-byte WireGuard keys: base64 and hex encodings (constant-time, so a key's
 * bits never steer a branch or a table index), generation, and the public key
 * of a private one.
 */
#ifndef WG_KEY_H
#define WG_KEY_H

#include <stdbool.h>
#include <stdint.h>
#include "model.h"

#define KEY_B64_LEN 45 /* 44 chars + NUL */
#define KEY_HEX_LEN 65 /* 64 chars + NUL */

/* sodium_init(): 0, or -EIO without a working libsodium. The functions below call it as needed. */
int key_init(void) __attribute__((warn_unused_result));

void key_to_base64(char out[KEY_B64_LEN], const uint8_t key[WG_KEY_LEN]);
/* Exactly 44 characters, the last '=' and the padding bits zero. */
bool key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64);
void key_to_hex(char out[KEY_HEX_LEN], const uint8_t key[WG_KEY_LEN]);
/* Exactly 64 hex digits, either case. */
bool key_from_hex(uint8_t key[WG_KEY_LEN], const char *hex);
bool key_is_zero(const uint8_t key[WG_KEY_LEN]);
bool key_eq(const uint8_t a[WG_KEY_LEN], const uint8_t b[WG_KEY_LEN]);

/* Random and clamped for curve25519, as `wg genkey`. */
void key_generate_private(uint8_t key[WG_KEY_LEN]);
/* Random, as `wg genpsk`. */
void key_generate_preshared(uint8_t key[WG_KEY_LEN]);
/* As `wg pubkey`: the curve25519 base point times the (clamped) private key. */
void key_public_from_private(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN]);

#endif
