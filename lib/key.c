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

/* All ones when lo <= c <= hi, else zero; c, lo, hi in 0..255. */
static int in_range(int c, int lo, int hi)
{
	return ((lo - 1 - c) & (c - (hi + 1))) >> 8;
}

static char b64_char(unsigned int v)
{
	int c = (int)v + 'A';

	c += ((25 - (int)v) >> 8) & ('a' - 'A' - 26);
	c += ((51 - (int)v) >> 8) & ('0' - 'a' - 26);
	c += ((61 - (int)v) >> 8) & ('+' - '0' - 10);
	c += ((62 - (int)v) >> 8) & ('/' - '+' - 1);
	return (char)c;
}

/* The 6-bit value of a base64 character, or -1. */
static int b64_value(unsigned char ch)
{
	int c = ch, v = -1;

	v += in_range(c, 'A', 'Z') & (c - 'A' + 1);
	v += in_range(c, 'a', 'z') & (c - 'a' + 27);
	v += in_range(c, '0', '9') & (c - '0' + 53);
	v += in_range(c, '+', '+') & 63;
	v += in_range(c, '/', '/') & 64;
	return v;
}

void key_to_base64(char out[KEY_B64_LEN], const uint8_t key[WG_KEY_LEN])
{
	unsigned int i, v;

	for (i = 0; i < WG_KEY_LEN / 3; ++i) {
		v = (key[i * 3] << 16) | (key[i * 3 + 1] << 8) | key[i * 3 + 2];
		out[i * 4 + 0] = b64_char((v >> 18) & 63);
		out[i * 4 + 1] = b64_char((v >> 12) & 63);
		out[i * 4 + 2] = b64_char((v >> 6) & 63);
		out[i * 4 + 3] = b64_char(v & 63);
	}
	v = (key[30] << 16) | (key[31] << 8);
	out[40] = b64_char((v >> 18) & 63);
	out[41] = b64_char((v >> 12) & 63);
	out[42] = b64_char((v >> 6) & 63);
	out[43] = '=';
	out[44] = '\0';
	sodium_memzero(&v, sizeof(v));
}

bool key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64)
{
	const unsigned char *s = (const unsigned char *)b64;
	unsigned int i, j;
	int v, bad = 0;

	if (!b64 || strlen(b64) != KEY_B64_LEN - 1 || b64[KEY_B64_LEN - 2] != '=')
		return false;
	for (i = 0; i < 11; ++i) {
		v = 0;
		for (j = 0; j < 4; ++j) {
			int d = (i == 10 && j == 3) ? 0 : b64_value(s[i * 4 + j]);

			bad |= d;
			v = (v << 6) | (d & 63);
		}
		key[i * 3] = (v >> 16) & 0xff;
		key[i * 3 + 1] = (v >> 8) & 0xff;
		if (i < 10)
			key[i * 3 + 2] = v & 0xff;
		else
			bad |= -(v & 0xff); /* Padding bits must be zero. */
	}
	sodium_memzero(&v, sizeof(v));
	return bad >= 0;
}

void key_to_hex(char out[KEY_HEX_LEN], const uint8_t key[WG_KEY_LEN])
{
	unsigned int i;
	int n;

	for (i = 0; i < WG_KEY_LEN; ++i) {
		n = key[i] >> 4;
		out[i * 2] = (char)('0' + n + (((9 - n) >> 8) & ('a' - '0' - 10)));
		n = key[i] & 0xf;
		out[i * 2 + 1] = (char)('0' + n + (((9 - n) >> 8) & ('a' - '0' - 10)));
	}
	out[KEY_HEX_LEN - 1] = '\0';
}

#define LANES(b) (0x0101010101010101ULL * (b))

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
