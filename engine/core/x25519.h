/* SPDX-License-Identifier: GPL-2.0 */
/*
 * X25519 public keys from private keys, about twice as fast as libsodium's
 * crypto_scalarmult_curve25519_base (which has no fixed-base table): the same
 * point is computed on Ed25519 with libsodium's table
 * (crypto_scalarmult_ed25519_base_noclamp) and carried to the Montgomery curve
 * with u = (1 + y) / (1 - y) (RFC 7748, section 4.1). DH stays libsodium's.
 */
#ifndef ENGINE_X25519_H
#define ENGINE_X25519_H

#include <stdbool.h>
#include <stdint.h>

#define X25519_KEY_LEN 32

/*
 * pub = X25519(priv, 9), priv clamped first as X25519 does; the same bytes as
 * crypto_scalarmult_curve25519_base. False (pub zeroed) if the result would be
 * all zeros, which a clamped scalar cannot give.
 */
bool x25519_public_from_private(uint8_t pub[X25519_KEY_LEN], const uint8_t priv[X25519_KEY_LEN])
    __attribute__((warn_unused_result));

/*
 * The Montgomery u of an Ed25519 point given by its encoding (y little-endian,
 * the top bit x's sign, which u does not need). False (u zeroed) when u is 0:
 * y = 1 (the neutral point) or y = -1 (the point of order 2).
 */
bool x25519_from_ed25519(uint8_t u[X25519_KEY_LEN], const uint8_t ed[X25519_KEY_LEN])
    __attribute__((warn_unused_result));

#endif
