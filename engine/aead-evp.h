/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OpenSSL's EVP ChaCha20-Poly1305 behind the transport AEAD seam (aead.h),
 * when libcrypto.so.3 can be loaded. The nonce is the 12 bytes RFC 8439 uses.
 */
#ifndef ENGINE_AEAD_EVP_H
#define ENGINE_AEAD_EVP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "aead.h"

/* Whether libcrypto loaded and this thread has its contexts. */
bool aead_evp_available(void);
/* Seals like aead_seal; false (dst undefined) when EVP is not there or failed. */
bool aead_evp_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
		   const uint8_t key[AEAD_KEY_LEN]) __attribute__((warn_unused_result));
/* Opens like aead_open; false when the tag is wrong or EVP is not there. */
bool aead_evp_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t nonce[12],
		   const uint8_t key[AEAD_KEY_LEN]) __attribute__((warn_unused_result));

#endif
