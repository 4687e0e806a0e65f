/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Poly1305 (RFC 8439 2.5): the one-time authenticator and the tag of the
 * ChaCha20-Poly1305 AEAD with empty AAD, as WireGuard's transport uses it.
 * Long messages take an AVX-512 path when the CPU has it, chosen once at load.
 */
#ifndef ENGINE_POLY1305_H
#define ENGINE_POLY1305_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLY1305_KEY_LEN 32
#define POLY1305_TAG_LEN 16

/* The one-time authenticator of msg (len bytes) under key (r || s), RFC 8439 2.5. */
void poly1305_mac(uint8_t tag[16], const uint8_t *msg, size_t len, const uint8_t key[32]);
/* The ChaCha20-Poly1305 AEAD tag of RFC 8439 2.8 with empty AAD (WireGuard's transport): the MAC of
 * ct || zero padding to a multiple of 16 || le64(0) || le64(ct_len), computed without copying ct.
 */
void poly1305_aead_tag(uint8_t tag[16], const uint8_t *ct, size_t ct_len, const uint8_t key[32]);
/* "avx512" or "portable": which implementation runs for long messages. */
const char *poly1305_impl(void);
/* Test-only: force the portable code (true) or go back to the best available (false). */
void poly1305_force_portable(bool on);

#endif
