/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The transport AEAD seam: ChaCha20-Poly1305 (RFC 8439) with WireGuard's
 * nonce, 4 zero bytes then the 64-bit little-endian counter, no associated
 * data. Everything that encrypts or decrypts transport data goes through here
 * so the implementation can be swapped: our own (engine/core chacha20 and
 * poly1305) where the CPU has AVX-512, else OpenSSL's EVP when libcrypto.so.3
 * loads, else libsodium; WG_ENGINE_AEAD=builtin, openssl or sodium chooses.
 * Source and destination are the same buffer or do not overlap.
 */
#ifndef ENGINE_AEAD_H
#define ENGINE_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AEAD_KEY_LEN 32
#define AEAD_TAG_LEN 16

/* The backend in use: "builtin", "openssl" or "sodium". */
const char *aead_backend(void);
/* Tests and benchmarks: switch to backend name; false if it is not available. */
bool aead_use(const char *name);

/* Encrypts len bytes of src into dst (len + AEAD_TAG_LEN bytes); may be in place. */
void aead_seal(uint8_t *dst, const uint8_t *src, size_t len, uint64_t counter,
	       const uint8_t key[AEAD_KEY_LEN]);
/* Decrypts len bytes (tag included) into dst; false if the tag is wrong. */
bool aead_open(uint8_t *dst, const uint8_t *src, size_t len, uint64_t counter,
	       const uint8_t key[AEAD_KEY_LEN]) __attribute__((warn_unused_result));

#endif
