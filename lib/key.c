// SPDX-License-Identifier: GPL-2.0
/*
 * Key encodings without secret-dependent branches or table lookups: every
 * character is mapped with arithmetic masks, and validity is accumulated and
 * checked once at the end, so timing says nothing about which byte was bad.
 */
#include "key.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

int key_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

static void ensure_sodium(void)
{
	if (sodium_init() < 0)
		abort(); /* No entropy source: nothing safe can follow. */
}

#define LANES(b) (0x0101010101010101ULL * (b))
#define HIGH LANES(0x80)

/* Top bit of each byte lane where lo <= y <= hi; y's top bits clear, so no borrow leaves a lane. */
static inline uint64_t lanes_in(uint64_t y, unsigned int lo, unsigned int hi)
{
	return ((y | HIGH) - LANES(lo)) & ~((y | HIGH) - LANES(hi + 1)) & HIGH;
}

/* A lane's top bit spread over the whole lane. */
static inline uint64_t lanes_mask(uint64_t top)
{
	return (top >> 7) * 0xff;
}

/*
 * Eight base64 characters at once, one per byte lane, as in hex_lanes():
 * the 6-bit values come back, and *bad collects a top bit for any lane
 * that is not a base64 character.
 */
static uint64_t b64_lanes(uint64_t x, uint64_t *bad)
{
	uint64_t y = x & ~HIGH;
	uint64_t upper = lanes_in(y, 'A', 'Z'), lower = lanes_in(y, 'a', 'z');
	uint64_t digit = lanes_in(y, '0', '9'), plus = lanes_in(y, '+', '+');
	uint64_t slash = lanes_in(y, '/', '/');
	uint64_t v = (lanes_mask(upper) & ((y | HIGH) - LANES('A'))) |
		     (lanes_mask(lower) & ((y | HIGH) - LANES('a' - 26))) |
		     (lanes_mask(digit) & (y + LANES(52 - '0'))) | (lanes_mask(plus) & LANES(62)) |
		     (lanes_mask(slash) & LANES(63));

	*bad |= (~(upper | lower | digit | plus | slash) | x) & HIGH;
	return v & LANES(0x3f);
}

/* Eight characters (lane 0 first) into six key bytes. */
static void b64_store(uint8_t out[6], uint64_t v)
{
	unsigned int g;
	uint32_t bits;

	for (g = 0; g < 2; ++g, v >>= 32) {
		bits = (uint32_t)((v & 0x3f) << 18 | ((v >> 8) & 0x3f) << 12 |
				  ((v >> 16) & 0x3f) << 6 | ((v >> 24) & 0x3f));
		out[g * 3] = (uint8_t)(bits >> 16);
		out[g * 3 + 1] = (uint8_t)(bits >> 8);
		out[g * 3 + 2] = (uint8_t)bits;
	}
}

/* Six key bytes into eight 6-bit values, one per byte lane, lane 0 first. */
static uint64_t b64_spread(const uint8_t in[6])
{
	uint64_t v = 0;
	uint32_t bits;
	unsigned int g;

	for (g = 0; g < 2; ++g) {
		bits = (uint32_t)in[g * 3] << 16 | (uint32_t)in[g * 3 + 1] << 8 | in[g * 3 + 2];
		v |= (uint64_t)((bits >> 18) | ((bits >> 12) & 0x3f) << 8 |
				((bits >> 6) & 0x3f) << 16 | (bits & 0x3f) << 24)
		     << (32 * g);
	}
	return v;
}

/*
 * Eight 6-bit values into base64 characters: 'A' plus a correction per range,
 * each chosen by a lane mask; no lane ever carries or borrows into the next.
 */
static uint64_t b64_chars(uint64_t v)
{
	uint64_t c = v + LANES('A');

	c += lanes_mask(lanes_in(v, 26, 63)) & LANES('a' - 'A' - 26);
	c -= lanes_mask(lanes_in(v, 52, 63)) & LANES('a' - 26 - ('0' - 52));
	c -= lanes_mask(lanes_in(v, 62, 63)) & LANES('0' + 10 - '+');
	c += lanes_mask(lanes_in(v, 63, 63)) & LANES('/' - '+' - 1);
	return c;
}

void key_to_base64(char out[KEY_B64_LEN], const uint8_t key[WG_KEY_LEN])
{
	uint8_t tail[6] = {key[30], key[31]};
	uint64_t c;
	unsigned int i;

	for (i = 0; i < 30; i += 6) {
		c = htole64(b64_chars(b64_spread(key + i)));
		memcpy(out + i / 6 * 8, &c, sizeof(c));
	}
	c = htole64(b64_chars(b64_spread(tail)));
	memcpy(out + 40, &c, 3);
	out[43] = '=';
	out[44] = '\0';
	sodium_memzero(tail, sizeof(tail));
	sodium_memzero(&c, sizeof(c));
}

bool key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64)
{
	uint8_t tail[6];
	char last[8] = "AAAAAAAA";
	uint64_t x, v, bad = 0;
	unsigned int i;

	if (!b64 || strlen(b64) != KEY_B64_LEN - 1 || b64[KEY_B64_LEN - 2] != '=')
		return false;
	for (i = 0; i < 40; i += 8) {
		memcpy(&x, b64 + i, sizeof(x));
		b64_store(key + i / 8 * 6, b64_lanes(le64toh(x), &bad));
	}
	/* The last three characters stand for 16 bits and 2 padding bits that must be zero. */
	memcpy(last, b64 + 40, 3);
	memcpy(&x, last, sizeof(x));
	v = b64_lanes(le64toh(x), &bad);
	b64_store(tail, v);
	key[30] = tail[0];
	key[31] = tail[1];
	bad |= tail[2];
	sodium_memzero(tail, sizeof(tail));
	sodium_memzero(last, sizeof(last));
	sodium_memzero(&x, sizeof(x));
	sodium_memzero(&v, sizeof(v));
	return bad == 0;
}

void key_to_hex(char out[KEY_HEX_LEN], const uint8_t key[WG_KEY_LEN])
{
	uint64_t n, c;
	uint32_t w;
	unsigned int i;

	for (i = 0; i < WG_KEY_LEN; i += sizeof(w)) {
		memcpy(&w, key + i, sizeof(w));
		/* Byte k to lane 2k, then its high nibble stays and its low one moves up a lane. */
		n = le32toh(w);
		n = (n | n << 16) & 0x0000ffff0000ffffULL;
		n = (n | n << 8) & 0x00ff00ff00ff00ffULL;
		n = ((n >> 4) & 0x000f000f000f000fULL) | ((n & 0x000f000f000f000fULL) << 8);
		c = n + LANES('0') + (lanes_mask(lanes_in(n, 10, 15)) & LANES('a' - '0' - 10));
		c = htole64(c);
		memcpy(out + i * 2, &c, sizeof(c));
	}
	out[KEY_HEX_LEN - 1] = '\0';
	sodium_memzero(&w, sizeof(w));
	sodium_memzero(&n, sizeof(n));
	sodium_memzero(&c, sizeof(c));
}

/*
 * Eight hex digits at once, one per byte lane: each range test is a
 * subtraction whose borrow can never leave its lane (the lane's top bit is
 * set first), so no branch and no table sees a digit. The lanes' values
 * come back; *bad collects a top bit for any lane that is not a digit.
 */
static uint64_t hex_lanes(uint64_t x, uint64_t *bad)
{
	const uint64_t high = LANES(0x80);
	uint64_t y = x & ~high, z = y | LANES(0x20);
	uint64_t digit = ((y | high) - LANES('0')) & ~((y | high) - LANES('9' + 1));
	uint64_t alpha = ((z | high) - LANES('a')) & ~((z | high) - LANES('f' + 1));

	*bad |= (~(digit | alpha) | x) & high;
	return (y & LANES(0x0f)) + ((alpha & high) >> 7) * 9;
}

bool key_from_hex(uint8_t key[WG_KEY_LEN], const char *hex)
{
	const unsigned char *s = (const unsigned char *)hex;
	uint64_t x, v, bad = 0;
	unsigned int i;

	if (!hex || strnlen(hex, KEY_HEX_LEN) != KEY_HEX_LEN - 1)
		return false;
	for (i = 0; i < KEY_HEX_LEN - 1; i += 8) {
		memcpy(&x, s + i, sizeof(x));
		v = hex_lanes(le64toh(x), &bad);
		/* Lane 2k takes its high nibble and lane 2k+1's low one: a key byte. */
		v = ((v << 4) | (v >> 8)) & 0x00ff00ff00ff00ffULL;
		v = (v | (v >> 8)) & 0x0000ffff0000ffffULL;
		v |= v >> 16;
		key[i / 2] = (uint8_t)v;
		key[i / 2 + 1] = (uint8_t)(v >> 8);
		key[i / 2 + 2] = (uint8_t)(v >> 16);
		key[i / 2 + 3] = (uint8_t)(v >> 24);
	}
	sodium_memzero(&x, sizeof(x));
	sodium_memzero(&v, sizeof(v));
	return bad == 0;
}

/* Every word is read whatever the earlier ones held; only the verdict is branched on. */
bool key_is_zero(const uint8_t key[WG_KEY_LEN])
{
	uint64_t w, acc = 0;
	unsigned int i;

	for (i = 0; i < WG_KEY_LEN; i += sizeof(w)) {
		memcpy(&w, key + i, sizeof(w));
		acc |= w;
	}
	return acc == 0;
}

bool key_eq(const uint8_t a[WG_KEY_LEN], const uint8_t b[WG_KEY_LEN])
{
	return crypto_verify_32(a, b) == 0;
}

static void clamp(uint8_t key[WG_KEY_LEN])
{
	key[0] &= 248;
	key[31] = (key[31] & 127) | 64;
}

void key_generate_preshared(uint8_t key[WG_KEY_LEN])
{
	ensure_sodium();
	randombytes_buf(key, WG_KEY_LEN);
}

void key_generate_private(uint8_t key[WG_KEY_LEN])
{
	key_generate_preshared(key);
	clamp(key);
}

void key_public_from_private(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN])
{
	uint8_t clamped[WG_KEY_LEN];

	ensure_sodium();
	memcpy(clamped, priv, WG_KEY_LEN);
	clamp(clamped);
	/* Fails only for a result of all zeros, which wg pubkey prints as is. */
	if (crypto_scalarmult_curve25519_base(pub, clamped) != 0)
		memset(pub, 0, WG_KEY_LEN);
	sodium_memzero(clamped, sizeof(clamped));
}
