/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IP addresses and prefixes: "10.0.0.0/8", "fd00::/64", a bare address meaning
 * /32 or /128. Parsers are silent and strict; printers never fail.
 */
#ifndef WG_CIDR_H
#define WG_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include "model.h"

/* Longest "ffff:...:255.255.255.255/128" plus NUL, rounded up. */
#define CIDR_STR_LEN 64
/* Room for a diagnostic quoting the input (longer input is cut). */
#define CIDR_MSG_LEN 512

/* Parses one address family-agnostically: fills family and the address. */
bool cidr_parse_addr(uint16_t *family, void *addr, const char *s);
enum cidr_error {
	CIDR_OK,
	CIDR_BAD_ADDRESS,
	CIDR_BAD_PREFIX,
};

/* Prefix or bare address; flags and next_allowedip are left untouched. Silent. */
bool cidr_parse(struct wgallowedip *out, const char *s);
/* The same, saying what was wrong. */
enum cidr_error cidr_parse_why(struct wgallowedip *out, const char *s);
/* The same, writing wg(8)'s diagnostic (no newline) into msg on failure. */
bool cidr_parse_msg(struct wgallowedip *out, const char *s, char *msg, size_t len);
/* "10.0.0.0/8", "fd00::/64" (address as given, no masking). */
void cidr_print(char *buf, size_t len, const struct wgallowedip *aip);
/* Address only, as inet_ntop. */
void cidr_print_addr(char *buf, size_t len, uint16_t family, const void *addr);
/* Zeroes the host bits after the prefix length (e.g. 10.1.2.3/8 -> 10.0.0.0/8). */
void cidr_mask(struct wgallowedip *aip);
/* Largest prefix length for a family: 32, 128, or 0 for an unknown family. */
unsigned int cidr_max_len(uint16_t family);

#endif
