/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ChaCha20 (RFC 8439, 32-bit block counter, 96-bit nonce) for the transport
 * AEAD, without a per-call setup cost: 16 blocks at a time in AVX-512
 * registers when the CPU has AVX-512 (F, BW and VL), else portable C. The
 * choice is made once, at load time.
 */
#ifndef ENGINE_CHACHA20_H
#define ENGINE_CHACHA20_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY_LEN 32
#define CHACHA20_NONCE_LEN 12

/*
 * Block 0 of (key, nonce) -> its first 32 bytes into poly_key (the Poly1305
 * one-time key of RFC 8439 2.6); then src XOR the keystream from block
 * counter 1 into dst (len bytes, dst == src allowed; partial overlap is not).
 * The same bytes as chacha20_xor(..., 1) after taking block 0 alone, in one
 * pass: block 0 is computed alongside the first 15 data blocks.
 */
void chacha20_aead_xor(uint8_t *dst, const uint8_t *src, size_t len,
		       const uint8_t key[CHACHA20_KEY_LEN], const uint8_t nonce[CHACHA20_NONCE_LEN],
		       uint8_t poly_key[32]);

/*
 * Plain: src XOR keystream starting at block counter `counter` into dst (len
 * bytes, dst == src allowed). The counter is RFC 8439's 32 bits: past
 * 2^32 - 1 it wraps to 0 and the nonce is left alone (libsodium would carry
 * into the nonce's first word instead). Both repeat keystream, so callers keep
 * counter + len / 64 below 2^32; WireGuard's packets need a few dozen blocks.
 */
void chacha20_xor(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[CHACHA20_KEY_LEN],
		  const uint8_t nonce[CHACHA20_NONCE_LEN], uint32_t counter);

/* "avx512" or "portable": which implementation runs. */
const char *chacha20_impl(void);

/*
 * Test-only: force the portable code (true) or go back to the best available
 * (false). Not meant to race with calls in other threads (it is atomic, but a
 * call in flight finishes with the implementation it started with).
 */
void chacha20_force_portable(bool on);

#endif
